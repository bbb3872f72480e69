"""Generating cards items: the question, the hand it is asked about, and the table the hand lies on."""

from __future__ import annotations

import random
from typing import Any

from lmms_compgap.core.family import Item
from lmms_compgap.families.cards.deck import (
    COURT,
    DECK,
    KIND_RULES,
    KIND_WEIGHTS,
    RED_SUITS,
    SUITS,
    card_value,
    numeric_answer,
    question_text,
    worked_answer,
)
from lmms_compgap.families.cards.layout import lay_out
from lmms_compgap.families.cards.parse import format_cards
from lmms_compgap.families.cards.solver import solve_target


def table_item(rng: random.Random) -> Item:
    """One cards item: a question kind and value rule, a hand (a solvable one for make-24), and the table it
    lies on; `rng` is the only source of randomness."""
    kinds = sorted(KIND_WEIGHTS)
    kind = rng.choices(kinds, weights=[KIND_WEIGHTS[k] for k in kinds])[0]
    rule = rng.choice(KIND_RULES[kind])
    question: dict[str, Any] = {"kind": kind, "rule": rule}
    if kind == "make24":
        # Only solvable hands: redraw until the exact solver finds an expression.
        while True:
            cards = rng.sample(DECK, 4)
            values = [card_value(rank, rule) for rank, _ in cards]
            solution = solve_target(values)
            if solution is not None:
                break
        question.update(values=values, solution=solution)
        answer = solution
    else:
        cards = rng.sample(DECK, rng.randint(2, 6))
        if kind == "colour_sum":  # a colour (suit) that is on the table
            question["colour"] = rng.choice(sorted({"red" if suit in RED_SUITS else "black" for _, suit in cards}))
        elif kind == "suit_sum":
            question["suit"] = rng.choice([suit for suit in SUITS if any(card[1] == suit for card in cards)])
        answer = str(numeric_answer(cards, question))
    scene = lay_out(rng, cards)
    spec = {**scene, "question": question}
    attributes = {
        "cards": len(cards),
        "kind": kind,
        "rule": rule,
        "has_court": any(rank in COURT for rank, _ in cards),
        "has_ace": any(rank == "A" for rank, _ in cards),
        "max_rotation": max(abs(card["angle"]) for card in scene["cards"]),
        "rows": scene["rows"],
        "background": scene["background"]["kind"],
        "background_style": scene["background"]["style"],
    }
    return Item(
        question=question_text(question),
        answer=answer,
        intermediate=format_cards(cards),
        attributes=attributes,
        spec=spec,
        solution=(worked_answer(cards, question),),
    )

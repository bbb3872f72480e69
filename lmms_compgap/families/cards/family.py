"""The cards family's declaration: its tasks, and the generator, drawing and scorers it is made of."""

from __future__ import annotations

import random
from typing import Any, ClassVar

from PIL import Image

from lmms_compgap import scoring
from lmms_compgap.core.family import (
    AnswerScore,
    DataCheck,
    GeneratedFamily,
    IntermediateScore,
    Item,
    Metric,
    Paraphrase,
    Prompts,
    canonical_json,
    row_json,
)
from lmms_compgap.families.cards.deck import card_value, numeric_answer
from lmms_compgap.families.cards.drawing import draw_cards
from lmms_compgap.families.cards.generate import table_item
from lmms_compgap.families.cards.make24 import score_make24
from lmms_compgap.families.cards.parse import format_cards, parse_cards
from lmms_compgap.families.cards.prompts import PARAPHRASES, PROMPTS


class Cards(GeneratedFamily):
    """Card playing: recognise the playing cards in an image, then do the arithmetic the question asks."""

    name: ClassVar[str] = "cards"
    task_version: ClassVar[int] = 5
    data_version: ClassVar[int] = 1
    prompts: ClassVar[Prompts] = PROMPTS
    paraphrases: ClassVar[tuple[Paraphrase, ...]] = PARAPHRASES
    intermediate_metric: ClassVar[Metric] = Metric("f1")
    in_paper_group: ClassVar[bool] = True
    data_check: ClassVar[DataCheck] = DataCheck(".datacheck:check_cards", tools=("tesseract", "opencv"), threshold=99.0)

    def generate_item(self, rng: random.Random) -> Item:
        return table_item(rng)

    def problem_signature(self, item: Item) -> str:
        """The hand's ranks as a multiset and the question (its kind, value rule, and colour or suit): suits and
        the table are left out, so two hands of one rank multiset are one problem even where the suits would
        change a colour or suit sum (the signature errs on the side of leaving an item out of training)."""
        ranks = sorted(card["rank"] for card in item.spec["cards"])
        question = {key: value for key, value in item.spec["question"].items() if key not in ("values", "solution")}
        return canonical_json({"ranks": ranks, "question": question})

    def draw(self, spec: dict[str, Any]) -> Image.Image:
        return draw_cards(spec)

    def score_answer(self, response: str, row: dict[str, Any]) -> AnswerScore:
        """Numeric kinds: the default number scorer. make-24: any valid expression counts (see `score_make24`)."""
        question = row_json(row, "spec")["question"]
        if question["kind"] != "make24":
            return super().score_answer(response, row)
        return score_make24(response, question["values"])

    def score_intermediate(self, response: str, row: dict[str, Any]) -> IntermediateScore:
        """The card list against the gold one, as multisets (order is reported, not scored).

        `exact`: the same cards; `score`: multiset F1; `usable`: the question's answer computed from the
        listed cards is the gold answer (make-24: the listed values are the gold values, as a multiset).
        """
        gold = parse_cards(row["intermediate"])
        listed = parse_cards(scoring.strip_thinking(response))
        overlap = scoring.multiset_f1(format_cards(listed).splitlines(), format_cards(gold).splitlines())
        exact, f1 = int(overlap["exact"]), float(overlap["f1"])
        question = row_json(row, "spec")["question"]
        computed: Any
        if question["kind"] == "make24":
            computed = sorted(card_value(rank, question["rule"]) for rank, _ in listed)
            usable = int(computed == sorted(question["values"]))
        else:
            computed = numeric_answer(listed, question)
            usable = int(computed is not None and str(computed) == row["answer"])
        details = {
            "f1": f1,
            "precision": overlap["precision"],
            "recall": overlap["recall"],
            "listed": len(listed),
            "gold": len(gold),
            "in_order": int(listed == gold),
            "computed": computed,
        }
        return IntermediateScore(exact=exact, score=f1, usable=usable, details=details)

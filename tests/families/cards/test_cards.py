"""The card-playing family: generation, drawing, independent answers, make-24, parsing and scoring."""

from __future__ import annotations

import itertools
import json
import math
import random
import re
from collections import Counter
from fractions import Fraction
from typing import Any

import numpy as np
import pytest
from scipy import ndimage

from lmms_compgap.core.results import score_response
from lmms_compgap.core.settings import CascadeResponse
from lmms_compgap.families.cards import drawing as cards_drawing
from lmms_compgap.families.cards.family import Cards
from lmms_compgap.families.cards.parse import parse_cards
from lmms_compgap.families.cards.solver import solve_target
from lmms_compgap.scoring import arith, strip_thinking
from lmms_compgap.tasks import hooks
from tests.helpers import load_task_yaml, row_with

# ---- an independent reading of a row: gold list and question text only ----------------------------
_GOLD_LINE = re.compile(r"(A|[2-9]|10|J|Q|K) of (spades|hearts|diamonds|clubs)")


def _gold_cards(row: dict[str, Any]) -> list[tuple[str, str]]:
    cards = []
    for line in row["intermediate"].split("\n"):
        match = _GOLD_LINE.fullmatch(line)
        assert match, line
        cards.append((match.group(1), match.group(2)))
    return cards


def _values_from_question(question: str) -> dict[str, int]:
    """Card values from the rules the question states, e.g. "Aces count as 11; jacks, queens and kings as 10"."""
    values = {str(n): n for n in range(2, 11)}
    values["A"] = int(re.search(r"Aces count as (\d+)", question).group(1))
    court = re.search(r"jacks, queens and kings as (\d+)", question)
    if court:
        values.update(J=int(court.group(1)), Q=int(court.group(1)), K=int(court.group(1)))
    else:
        found = re.search(r"jacks as (\d+), queens as (\d+) and kings as (\d+)", question)
        values.update(J=int(found.group(1)), Q=int(found.group(2)), K=int(found.group(3)))
    return values


def _independent_answer(row: dict[str, Any]) -> int | list[int]:
    """The answer from the question text and the gold list alone (make-24: the card values to use)."""
    question, cards = row["question"], _gold_cards(row)
    value = _values_from_question(question)
    if "equals 24" in question:
        return [value[rank] for rank, _ in cards]
    if "difference between the highest and the lowest" in question:
        return max(value[rank] for rank, _ in cards) - min(value[rank] for rank, _ in cards)
    if "of all the cards" in question:
        chosen = cards
    elif "of the red cards" in question:
        chosen = [c for c in cards if c[1] in ("hearts", "diamonds")]
    elif "of the black cards" in question:
        chosen = [c for c in cards if c[1] in ("spades", "clubs")]
    else:
        suit = re.search(r"whose suit is (\w+)\?", question).group(1)
        chosen = [c for c in cards if c[1] == suit]
        assert chosen, "a suit question about a suit on the table"
    return sum(value[rank] for rank, _ in chosen)


def _brute_24(values: list[int]) -> bool:
    """Reference search: repeatedly replace two numbers by one of their combinations (exact)."""

    def search(numbers: list[Fraction]) -> bool:
        if len(numbers) == 1:
            return numbers[0] == 24
        for i, j in itertools.permutations(range(len(numbers)), 2):
            rest = [numbers[k] for k in range(len(numbers)) if k not in (i, j)]
            a, b = numbers[i], numbers[j]
            results = [a + b, a - b, a * b] + ([a / b] if b else [])
            if any(search([*rest, result]) for result in results):
                return True
        return False

    return search([Fraction(v) for v in values])


# ---- generation -----------------------------------------------------------------------------------
def test_generation_is_deterministic(family: Cards, rows: list[dict[str, Any]]) -> None:
    assert Cards().generate() == rows
    assert family.generate(seed=7, size=50) == family.generate(seed=7, size=50)
    assert family.generate(seed=7, size=50) != family.generate(seed=8, size=50)
    assert [row["uid"] for row in rows[:2]] == ["cards-v1-00000", "cards-v1-00001"]
    assert len(rows) == 1000


def test_drawing_is_byte_identical(family: Cards, rows: list[dict[str, Any]]) -> None:
    for row in rows[:6]:
        first = family.draw_row(row)
        cards_drawing._card_face.cache_clear()  # the same bytes with or without cached card faces
        second = Cards().draw_row(json.loads(json.dumps(row)))
        assert first.mode == "RGB" and first.size == second.size
        assert first.tobytes() == second.tobytes()
        assert first.size[0] == 640 and 400 <= first.size[1] <= 480


def test_items_are_distinct(rows: list[dict[str, Any]]) -> None:
    assert len({(row["question"], row["intermediate"]) for row in rows}) == len(rows)
    assert len({row["spec"] for row in rows}) == len(rows)


def test_distribution_and_attributes(rows: list[dict[str, Any]]) -> None:
    attributes = [json.loads(row["attributes"]) for row in rows]
    kinds = Counter(a["kind"] for a in attributes)
    assert set(kinds) == {"total", "colour_sum", "suit_sum", "range", "make24"}
    assert min(kinds.values()) >= 80 and 220 <= kinds["make24"] <= 380
    assert set(Counter(a["cards"] for a in attributes)) == {2, 3, 4, 5, 6}
    assert all(a["cards"] == 4 for a in attributes if a["kind"] == "make24")
    assert {a["background"] for a in attributes} == {"green_felt", "wood", "blue", "grey"}
    assert {a["rule"] for a in attributes} == {"ace1", "ace11", "high13"}
    assert any(a["has_court"] for a in attributes) and not all(a["has_court"] for a in attributes)
    assert min(a["max_rotation"] for a in attributes) >= 0 and max(a["max_rotation"] for a in attributes) <= 12
    for row, attrs in zip(rows, attributes, strict=True):
        cards = _gold_cards(row)
        assert len(set(cards)) == len(cards) == attrs["cards"]  # one deck: no card twice
        assert attrs["has_court"] == any(rank in "JQK" for rank, _ in cards)
        assert attrs["has_ace"] == any(rank == "A" for rank, _ in cards)


def test_answers_recomputed_independently(rows: list[dict[str, Any]]) -> None:
    for row in rows:
        expected = _independent_answer(row)
        if isinstance(expected, list):  # make-24: the stored solution is valid for the listed values
            check = arith.check_make_target(row["answer"], expected, target=24)
            assert check["valid"], (row["uid"], row["answer"], check["reason"])
            assert sorted(json.loads(row["spec"])["question"]["values"]) == sorted(expected)
            assert json.loads(row["spec"])["question"]["solution"] == row["answer"]
        else:
            assert row["answer"] == str(expected), row["uid"]


def test_make24_solver_is_exact_and_complete() -> None:
    for values in ([3, 3, 8, 8], [1, 5, 5, 5], [4, 4, 10, 10], [1, 3, 4, 6], [12, 12, 12, 12]):
        solution = solve_target(values)
        assert solution is not None and arith.check_make_target(solution, values)["valid"], (values, solution)
    for values in ([1, 1, 1, 1], [1, 1, 2, 2], [13, 13, 13, 13], [1, 1, 5, 11]):
        assert solve_target(values) is None and not _brute_24(values)
    rng = random.Random(5)
    for _ in range(60):  # against a reference search on random hands
        values = [rng.randint(1, 13) for _ in range(4)]
        solution = solve_target(values)
        assert (solution is not None) == _brute_24(values), values
        assert solution is None or arith.check_make_target(solution, values)["valid"]


def test_cards_fit_and_never_overlap(rows: list[dict[str, Any]]) -> None:
    for row in rows:
        spec = json.loads(row["spec"])
        width, height = spec["size"]
        assert spec["card_width"] >= 110
        boxes = []
        for card in spec["cards"]:
            w, h = spec["card_width"], spec["card_width"] * cards_drawing.CARD_RATIO
            c, s = abs(math.cos(math.radians(card["angle"]))), abs(math.sin(math.radians(card["angle"])))
            half_w, half_h = (w * c + h * s) / 2, (h * c + w * s) / 2
            box = (card["x"] - half_w, card["y"] - half_h, card["x"] + half_w, card["y"] + half_h)
            assert box[0] >= 0 and box[1] >= 0 and box[2] <= width and box[3] <= height, row["uid"]
            for other in boxes:
                apart = (
                    box[2] + 4 <= other[0] or other[2] + 4 <= box[0] or box[3] + 4 <= other[1] or other[3] + 4 <= box[1]
                )
                assert apart, row["uid"]
            boxes.append(box)
        assert [(c["rank"], c["suit"]) for c in spec["cards"]] == _gold_cards(row)


def test_pixels_show_each_card_in_its_colour(family: Cards, rows: list[dict[str, Any]]) -> None:
    """From pixels alone: one white card region around each listed card's place, red ink exactly on red suits."""
    for row in rows[::40]:
        pixels = np.asarray(family.draw_row(row))
        white = (pixels[:, :, 0] >= 225) & (pixels[:, :, 1] >= 225) & (pixels[:, :, 2] >= 225)  # card faces only
        labels, _ = ndimage.label(white)
        flat = labels.ravel()
        sizes = np.bincount(flat)
        ys, xs = np.indices(labels.shape)
        sum_y, sum_x = np.bincount(flat, ys.ravel()), np.bincount(flat, xs.ravel())
        big = [k for k in range(1, sizes.size) if sizes[k] > 4000]
        centres = [(sum_y[k] / sizes[k], sum_x[k] / sizes[k]) for k in big]
        cards = _gold_cards(row)
        assert len(big) == len(cards), row["uid"]
        spec = json.loads(row["spec"])
        red = (pixels[:, :, 0] > 150) & (pixels[:, :, 1] < 90) & (pixels[:, :, 2] < 100)
        for card, (rank, suit) in zip(spec["cards"], cards, strict=True):
            x, y = card["x"], card["y"]
            assert min(math.hypot(x - cx, y - cy) for cy, cx in centres) < 12, (row["uid"], rank, suit)
            r = 55
            reds = int(red[max(0, round(y) - r) : round(y) + r, max(0, round(x) - r) : round(x) + r].sum())
            assert (reds > 100) == (suit in ("hearts", "diamonds")), (row["uid"], rank, suit, reds)


# ---- parsing and scoring the card list ------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("7 of hearts\nK of spades\nA of diamonds\n10 of clubs", ["7H", "KS", "AD", "10C"]),
        ("1. King of Spades\n2. Seven of Hearts\n3) ten of hearts\n- Ace of Diamonds", ["KS", "7H", "10H", "AD"]),
        ("K♠, 7♥, 10♦ and A♣", ["KS", "7H", "10D", "AC"]),
        ("- 10 ♣\n- Q ♦\ufe0f\n- ♠J", ["10C", "QD", "JS"]),
        ("7H KS 10c Td Qd", ["7H", "KS", "10C", "10D", "QD"]),
        ("As, Kh, 2s", ["AS", "KH", "2S"]),
        ("As the image shows, there are two cards: **7 of hearts** and the **Queen of Clubs**.", ["7H", "QC"]),
        (
            "I see four cards: the seven of hearts, an eight of spades, a nine of clubs and the jack of diamonds.",
            ["7H", "8S", "9C", "JD"],
        ),
        ("* 7 of hearts (7♥)\n* K of spades", ["7H", "KS"]),
        ("Jack of Diamonds\n2 of Clubs\n2 of clubs", ["JD", "2C", "2C"]),
        ("There are two hearts and one spade.", []),
        ("Each card has a ♠ in its corner; QUEEN OF HEARTS", ["QH"]),
        ("<think>maybe the 9 of clubs</think>\n3 of hearts", ["3H"]),
        ("I cannot see any cards.", []),
    ],
)
def test_parse_cards(text: str, expected: list[str]) -> None:
    suits = {"S": "spades", "H": "hearts", "D": "diamonds", "C": "clubs"}
    want = [(code[:-1], suits[code[-1]]) for code in expected]
    assert parse_cards(strip_thinking(text)) == want


def test_gold_list_scores_perfectly(family: Cards, rows: list[dict[str, Any]]) -> None:
    for row in rows[:200]:
        score = family.score_intermediate(row["intermediate"], row)
        assert (score.exact, score.score, score.usable) == (1, 1.0, 1)
        assert score.details["f1"] == 1.0 and score.details["in_order"] == 1


def test_realistic_card_lists(family: Cards, rows: list[dict[str, Any]]) -> None:
    row = row_with(rows, kind="total", cards=4, rule="ace1")
    cards = _gold_cards(row)
    names = {"A": "Ace", "J": "Jack", "Q": "Queen", "K": "King"}
    symbols = {"spades": "♠", "hearts": "♥", "diamonds": "♦", "clubs": "♣"}
    spelled = "The cards are:\n" + "\n".join(
        f"{k}. **{names.get(rank, rank)} of {suit.title()}**" for k, (rank, suit) in enumerate(cards, 1)
    )
    compact = ", ".join(f"{rank}{symbols[suit]}" for rank, suit in cards)
    for text in (spelled, compact, "\n".join(reversed(row["intermediate"].splitlines()))):
        score = family.score_intermediate(text, row)
        assert (score.exact, score.score, score.usable) == (1, 1.0, 1), text
    reversed_score = family.score_intermediate("\n".join(reversed(row["intermediate"].splitlines())), row)
    assert reversed_score.details["in_order"] == 0

    # A wrong suit keeps the total (usable) but not the list; a missing card loses both.
    rank, suit = cards[0]
    other_suit = next(s for s in symbols if s != suit)
    wrong_suit = [f"{rank} of {other_suit}", *row["intermediate"].splitlines()[1:]]
    score = family.score_intermediate("\n".join(wrong_suit), row)
    assert (score.exact, score.usable) == (0, 1) and score.score == pytest.approx(0.75)
    score = family.score_intermediate("\n".join(row["intermediate"].splitlines()[1:]), row)
    assert (score.exact, score.usable) == (0, 0) and score.score == pytest.approx(2 * 0.75 / 1.75)
    assert score.details["precision"] == 1.0 and score.details["recall"] == 0.75
    for junk in ("", "I see some playing cards on a table.", "hearts\nspades"):
        score = family.score_intermediate(junk, row)
        assert (score.exact, score.score, score.usable) == (0, 0.0, 0)


def test_usable_for_make24_compares_values(family: Cards, rows: list[dict[str, Any]]) -> None:
    make24 = [r for r in rows if json.loads(r["attributes"])["kind"] == "make24"]
    row = next(r for r in make24 if "kings as 10" in r["question"] and any(c[0] in "JQK" for c in _gold_cards(r)))
    cards = _gold_cards(row)
    court = next(k for k, card in enumerate(cards) if card[0] in "JQK")
    swapped = [
        (("Q" if cards[court][0] != "Q" else "K"), cards[court][1]) if k == court else c for k, c in enumerate(cards)
    ]
    listed = "\n".join(f"{rank} of {suit}" for rank, suit in swapped)
    score = family.score_intermediate(listed, row)  # J/Q/K all count 10 here: still usable
    assert (score.exact, score.usable) == (0, 1)
    score = family.score_intermediate("\n".join(row["intermediate"].splitlines()[:3]), row)
    assert score.usable == 0


# ---- the final answer ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("response", "correct", "strict"),
    [
        ("Answer: 23", 1, 1),
        ("7 + 10 + 6 = 23\nAnswer: 23", 1, 1),
        ("The total is twenty-three.", 1, 0),
        ("**Answer:** 23", 1, 1),
        ("Answer: 24", 0, 0),
        ("Answer: 23%", 0, 0),  # a card total is no percentage: the question asks for none
        ("The cards add up to 23 percent.", 0, 0),
        ("Each card is worth 100% of its face value, and together they make 23.", 1, 0),
    ],
)
def test_numeric_answers_use_the_default_scorer(
    family: Cards, rows: list[dict[str, Any]], response: str, correct: int, strict: int
) -> None:
    row = dict(row_with(rows, kind="total"), answer="23")
    score = family.score_answer(response, row)
    assert (score.correct, score.strict) == (correct, strict)


MAKE24_ROW = {
    "answer": "(8 - 4) * (3 + 3)",
    "spec": json.dumps({"question": {"kind": "make24", "values": [3, 8, 4, 3]}}),
}


@pytest.mark.parametrize(
    ("response", "correct", "strict"),
    [
        ("Answer: (8 - 4) * (3 + 3)", 1, 1),
        ("Try 8 - 4 = 4 and 3 + 3 = 6, then 4 * 6 = 24.\nAnswer: (8 - 4) * (3 + 3)", 1, 1),
        ("Answer: $(8 - 4) \\times (3 + 3)$", 1, 1),
        ("**Answer:** (8 − 4) × (3 + 3) = 24", 1, 1),
        ("Answer: 3 * 8 * (4 - 3)", 1, 1),
        ("Answer: 8 * 3 / (4 - 3)", 1, 1),
        ("So the expression (8 - 4) * (3 + 3) = 24 works.", 1, 0),
        ("\\boxed{(8-4)\\cdot(3+3)}", 1, 0),
        ("Answer: (8 - 4) * (3 + 3) is one way.", 1, 0),
        ("Answer: 8 * 3 * 1", 0, 0),  # a value used that is not a card (and 4, 3 unused)
        ("Answer: (8 - 4) * (3 + 3) + 8 - 8", 0, 0),  # a value used twice
        ("Answer: 4 * 6", 0, 0),  # right value, wrong cards
        ("Answer: (8 + 4) * (3 - 3)", 0, 0),  # the right cards, the wrong value
        ("Answer: 24", 0, 0),
        ("Answer: (8 - 4) * (3 + 3", 0, 0),
        ("I'm not sure this can be done.", 0, 0),
        # a correction read for what it says, not for the expression it rejects; it voids the strict score
        ("Answer: 8 + 4 + 3 + 3\nWait, no. So actually the answer is 3 * 8 * (4 - 3), not 8 + 4 + 3 + 3.", 1, 0),
        ("Answer: 3 * 8 * (4 - 3)\nWait, no. So actually the answer is 8 + 4 + 3 + 3, not 3 * 8 * (4 - 3).", 0, 0),
    ],
)
def test_make24_answers(family: Cards, response: str, correct: int, strict: int) -> None:
    score = family.score_answer(response, MAKE24_ROW)
    assert (score.correct, score.strict) == (correct, strict), score
    if correct:
        assert arith.check_make_target(score.extracted, [3, 8, 4, 3])["valid"]


def test_make24_stored_solutions_score_as_answers(family: Cards, rows: list[dict[str, Any]]) -> None:
    for row in rows:
        if json.loads(row["attributes"])["kind"] == "make24":
            score = family.score_answer(f"Answer: {row['answer']}", row)
            assert (score.correct, score.strict) == (1, 1), row["uid"]


# ---- the data file, the YAMLs and the hooks ---------------------------------------------------------------
def test_prompts_and_scoring_through_the_hooks(rows: list[dict[str, Any]]) -> None:
    kwargs = load_task_yaml("cards", "_cards_template_yaml")["lmms_eval_specific_kwargs"]["default"]
    row = row_with(rows, kind="suit_sum")
    direct, language = hooks.direct_text(row, kwargs), hooks.language_text(row, kwargs)
    # Direct and step-2 prompts differ only by the image's place taken by the card list.
    tail = f"\n\n{row['question']} {kwargs['answer_format']}"
    assert direct == "The image shows some playing cards." + tail
    assert language == f"Here are some playing cards, one per line:\n{row['intermediate']}" + tail
    assert '"<rank> of <suit>"' in hooks.vision_text(row, kwargs) and row["question"] in hooks.cot_text(row, kwargs)
    answer = f"Answer: {row['answer']}"
    for setting in ("direct", "cot", "language"):
        assert score_response(row, setting, answer)["accuracy"] == 1
    vision = score_response(row, "vision", row["intermediate"])
    assert (vision["exact_match"], vision["f1"], vision["usable"]) == (1, 1.0, 1)
    cascade = score_response(row, "cascade", CascadeResponse(step1=row["intermediate"], step2=answer).encode())
    assert (cascade["accuracy"], cascade["step1_usable"], cascade["failed_calls"]) == (1, 1, 0)

    make24 = row_with(rows, kind="make24")
    result = score_response(
        make24, "cascade", CascadeResponse(make24["intermediate"], f"Answer: {make24['answer']}").encode()
    )
    assert (result["accuracy"], result["strict_accuracy"], result["step1_usable"]) == (1, 1, 1)
    assert result["compgap"]["extracted"] == arith.normalize_expression(make24["answer"])
    assert hooks.no_visual(row) == [] and hooks.doc_to_visual(row)[0].size == tuple(json.loads(row["spec"])["size"])

"""The rendered-text family: deterministic items and pictures, correct answers, sane scoring."""

from __future__ import annotations

import io
import json
import re
from collections import Counter
from typing import Any

import pytest

from lmms_compgap.core.family import TaskFamily
from lmms_compgap.core.results import score_response


def _png(image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def test_same_seed_gives_same_items_and_same_image_bytes(family: TaskFamily, rows: list[dict[str, Any]]) -> None:
    assert family.generate() == rows
    for row in rows[:5]:
        assert _png(family.draw_row(row)) == _png(family.draw_row(row))


def test_another_seed_gives_other_items(family: TaskFamily, rows: list[dict[str, Any]]) -> None:
    other = family.generate(seed=1, size=50)
    assert [row["intermediate"] for row in other] != [row["intermediate"] for row in rows[:50]]


def test_canonical_split_has_1000_distinct_items_with_1_to_4_steps(rows: list[dict[str, Any]]) -> None:
    assert len(rows) == 1000
    assert len({row["intermediate"] for row in rows}) == 1000
    steps = Counter(json.loads(row["attributes"])["steps"] for row in rows)
    assert set(steps) == {1, 2, 3, 4} and min(steps.values()) > 150
    fonts = Counter(json.loads(row["attributes"])["font"] for row in rows)
    assert len(fonts) >= 5


def _solve_from_text(text: str) -> int:
    """An independent reading of the problem text (not the generator's bookkeeping)."""
    word_numbers = {"two": 2, "three": 3, "four": 4, "five": 5}
    sentences = re.split(r"(?<=[.?])\s+", text)
    total = int(re.search(r"\d+", sentences[0]).group())
    for sentence in sentences[1:-1]:
        number = re.search(r"\b(\d+|two|three|four|five)\b", sentence).group()
        value = word_numbers.get(number) or int(number)
        if "times" in sentence:
            total *= value
        elif "equal" in sentence:
            assert total % value == 0
            total //= value
        elif re.search(r"\b(more|another)\b", sentence):
            total += value
        else:
            assert re.search(r"\b(gives?|sells?|loses?|borrows)\b", sentence), sentence
            total -= value
    return total


def test_every_answer_matches_an_independent_reading_of_the_text(rows: list[dict[str, Any]]) -> None:
    for row in rows:
        assert str(_solve_from_text(row["intermediate"])) == row["answer"], row["uid"]
        assert 1 <= int(row["answer"]) <= 999


def test_picture_is_drawn_from_the_spec_with_the_text_wrapped_inside(
    family: TaskFamily, rows: list[dict[str, Any]]
) -> None:
    row = rows[0]
    spec = json.loads(row["spec"])
    image = family.draw_row(row)
    assert image.size[0] == spec["width"] and image.mode == "RGB"
    # Ink only inside the margins; the background colour at the corners.
    assert image.getpixel((0, 0)) == tuple(spec["background"])
    pixels = image.load()
    ink = [(x, y) for x in range(image.width) for y in range(image.height) if pixels[x, y] != tuple(spec["background"])]
    assert (
        ink
        and min(x for x, _ in ink) >= spec["margin"] - 2
        and max(x for x, _ in ink) <= image.width - spec["margin"] + 2
    )


@pytest.mark.parametrize(
    ("transcription", "exact", "usable"),
    [
        ("{gold}", 1, 1),
        ("  {gold}\n", 1, 1),
        ("{gold_lower}", 0, 1),
        ("{gold_missing_number}", 0, 0),
        ("I cannot read the image.", 0, 0),
        ("", 0, 0),
    ],
)
def test_transcription_is_scored_by_exact_match_and_cer(
    transcription: str, exact: int, usable: int, rows: list[dict[str, Any]]
) -> None:
    row = rows[0]
    gold = row["intermediate"]
    first_number = re.search(r"\d+", gold).group()
    text = transcription.format(
        gold=gold.replace(". ", ".\n", 1),
        gold_lower=gold.lower(),
        gold_missing_number=gold.replace(first_number, "", 1),
    )
    result = score_response(row, "vision", text)
    assert result["exact_match"] == exact and result["usable"] == usable
    assert 0.0 <= result["cer"] <= 1.0 or text == ""
    if exact:
        assert result["cer"] == 0.0


def test_answers_in_realistic_formats_are_scored_strict_and_flexible(rows: list[dict[str, Any]]) -> None:
    row = rows[0]
    answer = row["answer"]
    assert score_response(row, "direct", f"Let me think.\nAnswer: {answer}")["strict_accuracy"] == 1
    flexible_only = score_response(row, "direct", f"The answer is \\boxed{{{answer}}}.")
    assert flexible_only["accuracy"] == 1 and flexible_only["strict_accuracy"] == 0
    wrong = score_response(row, "direct", f"Answer: {int(answer) + 1}")
    assert wrong["accuracy"] == 0 and wrong["strict_accuracy"] == 0
    failed = score_response(row, "direct", "[LMMS_EVAL_REQUEST_FAILED after 3 retries] timeout")
    assert failed["accuracy"] == 0 and failed["compgap"]["error"].startswith("[LMMS_EVAL_REQUEST_FAILED")


def test_a_runaway_response_is_scored_from_its_end_in_bounded_time(rows: list[dict[str, Any]]) -> None:
    row = rows[0]
    runaway = "blah 7 " * 300_000 + f"\nAnswer: {row['answer']}"
    result = score_response(row, "direct", runaway)
    assert result["accuracy"] == 1 and result["strict_accuracy"] == 1
    vision = score_response(row, "vision", row["intermediate"] + " noise" * 500_000)
    assert vision["exact_match"] == 0 and vision["cer"] > 1

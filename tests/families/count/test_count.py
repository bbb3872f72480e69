"""The object-counting family: generation, drawing, an independent pixel check, parsing and scoring."""

from __future__ import annotations

import json
import math
from collections import Counter
from typing import Any

import cv2
import numpy as np
import pytest

from lmms_compgap.core.results import score_response
from lmms_compgap.core.settings import CascadeResponse
from lmms_compgap.families.count.family import Count
from lmms_compgap.families.count.generate import MAX_OBJECTS
from lmms_compgap.families.count.objects import COLOURS, SHAPES
from lmms_compgap.families.count.parse import parse_objects
from lmms_compgap.tasks import hooks
from tests.helpers import load_task_yaml, row_with


# ---- generation -----------------------------------------------------------------------------------
def test_generation_is_deterministic(family: Count, rows: list[dict[str, Any]]) -> None:
    assert Count().generate() == rows
    assert family.generate(seed=7, size=50) == family.generate(seed=7, size=50)
    assert family.generate(seed=7, size=50) != family.generate(seed=8, size=50)
    assert [row["uid"] for row in rows[:2]] == ["count-v1-00000", "count-v1-00001"]


def test_drawing_is_byte_identical(family: Count, rows: list[dict[str, Any]]) -> None:
    for row in rows[:5]:
        first, second = family.draw_row(row), Count().draw_row(json.loads(json.dumps(row)))
        assert first.mode == "RGB" and first.size == second.size
        assert first.tobytes() == second.tobytes()
        assert min(first.size) >= 448 and max(first.size) <= 640


def test_items_are_distinct(rows: list[dict[str, Any]]) -> None:
    assert len({(row["question"], row["intermediate"]) for row in rows}) == len(rows)
    assert len({row["spec"] for row in rows}) == len(rows)


def test_answer_and_scene_distribution(rows: list[dict[str, Any]]) -> None:
    answers = Counter(int(row["answer"]) for row in rows)
    assert set(answers) == set(range(MAX_OBJECTS + 1))
    assert 0.02 <= answers[0] / len(rows) <= 0.06
    attributes = [json.loads(row["attributes"]) for row in rows]
    objects = Counter(a["objects"] for a in attributes)
    assert min(objects) == 1 and max(objects) == MAX_OBJECTS
    kinds = Counter(a["kind"] for a in attributes)
    assert set(kinds) == {"colour+shape", "shape", "colour"} and kinds["colour+shape"] > 400
    assert {a["colour"] for a in attributes} - {None} == set(COLOURS)
    assert {a["shape"] for a in attributes} - {None} == set(SHAPES)
    assert any(a["gradient"] for a in attributes) and not all(a["gradient"] for a in attributes)


def test_rows_are_consistent_with_their_specs(rows: list[dict[str, Any]]) -> None:
    for row in rows:
        spec, attributes = json.loads(row["spec"]), json.loads(row["attributes"])
        objects = spec["objects"]
        assert row["intermediate"] == "\n".join(f"{o[0]} {o[1]}" for o in objects)
        assert [(o[4], o[3]) for o in objects] == sorted((o[4], o[3]) for o in objects)  # reading order
        colour, shape = attributes["colour"], attributes["shape"]
        matching = [o for o in objects if (colour in (None, o[0])) and (shape in (None, o[1]))]
        assert int(row["answer"]) == attributes["answer"] == len(matching)
        assert attributes["objects"] == len(objects) and attributes["distractors"] == len(objects) - len(matching)
        assert attributes["large"] == sum(o[2] == "large" for o in objects)
        assert {o[2] for o in objects} <= {"small", "large"}
        target = f"{colour} {SHAPES[shape]}" if colour and shape else (SHAPES[shape] if shape else f"{colour} objects")
        assert target in row["question"]


def test_objects_never_touch_or_leave_the_canvas(rows: list[dict[str, Any]]) -> None:
    for row in rows:
        spec = json.loads(row["spec"])
        objects = spec["objects"]
        for i, (_, _, _, x, y, r) in enumerate(objects):
            assert r <= x <= spec["width"] - r and r <= y <= spec["height"] - r
            for _, _, _, x2, y2, r2 in objects[i + 1 :]:
                assert math.hypot(x - x2, y - y2) >= r + r2 + 4  # bounding circles apart (with rounding slack)


# ---- the answer, checked from pixels alone ---------------------------------------------------------
def _classify(component: np.ndarray) -> str:
    """A shape name from one object's pixel mask, by convexity, fill and bounding-box geometry."""
    contours, _ = cv2.findContours(component, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    contour = max(contours, key=cv2.contourArea)
    solidity = cv2.contourArea(contour) / cv2.contourArea(cv2.convexHull(contour))
    _, enclosing = cv2.minEnclosingCircle(contour)
    area = int(component.sum())
    height, width = component.shape
    extent = area / (width * height)
    widest_row = (int(np.argmax(component.sum(axis=1))) + 0.5) / height
    if solidity < 0.62:
        return "star"
    if solidity < 0.8:
        return "cross"
    if extent > 0.95:
        return "square"
    if area / (math.pi * (enclosing + 0.5) ** 2) > 0.9:
        return "circle"
    if width / height < 0.85:
        return "diamond"
    if widest_row > 0.8:
        return "triangle"
    return "heart" if extent < 0.7 else "hexagon"


def _objects_in_image(image: Any) -> Counter[tuple[str, str]]:
    """(colour, shape) of every object, found from the pixels: colour masks, connected components, geometry."""
    pixels = np.asarray(image)
    names = list(COLOURS)
    masks = []
    for rgb in COLOURS.values():
        low, high = np.clip(np.array(rgb) - 40, 0, 255), np.clip(np.array(rgb) + 40, 0, 255)
        masks.append(cv2.inRange(pixels, low.astype(np.uint8), high.astype(np.uint8)) > 0)
    colour_of = np.zeros(pixels.shape[:2], dtype=np.uint8)  # 0: background, k + 1: colour k
    for k, mask in enumerate(masks):
        assert not (mask & (colour_of > 0)).any(), "a pixel near two palette colours"
        colour_of[mask] = k + 1
    count, labels, stats, _ = cv2.connectedComponentsWithStats((colour_of > 0).astype(np.uint8), connectivity=8)
    found: Counter[tuple[str, str]] = Counter()
    for label in range(1, count):
        x, y, w, h, area = stats[label]
        component = labels[y : y + h, x : x + w] == label
        colours = Counter(colour_of[y : y + h, x : x + w][component].tolist())
        assert len(colours) == 1 and area >= 100, f"an object of mixed colours or a speck: {colours}"
        colour = names[colours.most_common(1)[0][0] - 1]
        found[(colour, _classify(component.astype(np.uint8)))] += 1
    return found


def test_answers_hold_in_the_pixels(family: Count, rows: list[dict[str, Any]]) -> None:
    """For ~50 items, the objects seen in the image give the gold list and the answer (no generator bookkeeping)."""
    for row in rows[::20]:
        seen = _objects_in_image(family.draw_row(row))
        assert seen == parse_objects(row["intermediate"]), row["uid"]
        attributes = json.loads(row["attributes"])
        colour, shape = attributes["colour"], attributes["shape"]
        counted = sum(n for (c, s), n in seen.items() if colour in (None, c) and shape in (None, s))
        assert str(counted) == row["answer"], row["uid"]


# ---- parsing and scoring the object list ------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("red circle\nblue square", {"red circle": 1, "blue square": 1}),
        ("- Red circle\n- red circle.\n* Blue Square;", {"red circle": 2, "blue square": 1}),
        ("1. red circle\n2) green star\n3: yellow heart", {"red circle": 1, "green star": 1, "yellow heart": 1}),
        ("**Objects:**\n- **red triangle**\n- `black cross`", {"red triangle": 1, "black cross": 1}),
        ("There are 3 red circles and two large blue squares.", {"red circle": 3, "blue square": 2}),
        (
            "red circle x3\ngreen star (2)\nYellow hexagons: 4\n2x purple diamond",
            {"red circle": 3, "green star": 2, "yellow hexagon": 4, "purple diamond": 2},
        ),
        (
            "Sure! Here is the list of objects in the image:\n\norange heart\n\nLet me know if you need more.",
            {"orange heart": 1},
        ),
        (
            "small red circle\nlarge dark blue star\na violet rhombus\nan orange plus",
            {"red circle": 1, "blue star": 1, "purple diamond": 1, "orange cross": 1},
        ),
        ("There are no green stars.\nI see nothing else.", {}),
        ("RED CIRCLE\nRed Circles", {"red circle": 2}),
        ("pink circle\nred\ncircle\nred ball", {}),
        ("| object |\n|---|\n| red circle |\n| blue heart |", {"red circle": 1, "blue heart": 1}),
        ("9999999999999999999 red circles", {"red circle": 100}),
    ],
)
def test_parse_objects(text: str, expected: dict[str, int]) -> None:
    assert parse_objects(text) == Counter({tuple(name.split()): n for name, n in expected.items()})


def test_gold_list_scores_perfectly(family: Count, rows: list[dict[str, Any]]) -> None:
    for row in rows[:100]:
        score = family.score_intermediate(row["intermediate"], row)
        assert (score.exact, score.score, score.usable) == (1, 1.0, 1)
        assert score.details["f1"] == 1.0 and score.details["precision"] == score.details["recall"] == 1.0


def test_realistic_lists(family: Count, rows: list[dict[str, Any]]) -> None:
    row = row_with(rows, kind="colour+shape", objects=6, answer=3)
    gold = row["intermediate"].splitlines()
    attributes = json.loads(row["attributes"])
    target = f"{attributes['colour']} {attributes['shape']}"
    bulleted = "Here are the objects:\n" + "\n".join(f"- {line.title()}." for line in gold) + "\nThat's all!"
    numbered = "<think>Let me look.</think>" + "\n".join(f"{k}. **{line}**" for k, line in enumerate(gold, 1))
    counts = Counter(gold)
    plurals = (f"{n} {item.split()[0]} {SHAPES[item.split()[1]]}" for item, n in counts.items())
    summarised = "In the image I can see " + ", ".join(plurals) + "."
    for text in (bulleted, numbered, summarised, "\n".join(reversed(gold))):
        score = family.score_intermediate(text, row)
        assert (score.exact, score.score, score.usable) == (1, 1.0, 1), text

    # One distractor missed: not exact, F1 = 2 * 1 * 5/6 / (1 + 5/6), the count of the asked objects still right.
    distractor = next(line for line in gold if line != target)
    missing = list(gold)
    missing.remove(distractor)
    score = family.score_intermediate("\n".join(missing), row)
    assert (score.exact, score.usable) == (0, 1)
    assert score.score == pytest.approx(10 / 11) and score.details["recall"] == pytest.approx(5 / 6)
    assert score.details["precision"] == 1.0 and score.details["counted"] == int(row["answer"])

    # One asked-for object listed twice: the count from the list is wrong, so the list is not usable.
    score = family.score_intermediate("\n".join([*gold, target]), row)
    assert (score.exact, score.usable) == (0, 0) and score.details["counted"] == int(row["answer"]) + 1

    for junk in ("", "I cannot see any objects.", "circle\nsquare"):
        score = family.score_intermediate(junk, row)
        assert (score.exact, score.score, score.usable) == (0, 0.0, 0)


def test_usable_for_each_question_kind(family: Count, rows: list[dict[str, Any]]) -> None:
    for kind in ("colour", "shape", "colour+shape"):
        row = row_with(rows, kind=kind)
        answer = int(row["answer"])
        attributes = json.loads(row["attributes"])
        # A wrong list that still holds the right number of asked-for objects is usable.
        colour = attributes["colour"] or "red"
        shape = attributes["shape"] or "circle"
        listed = f"{answer} {colour} {SHAPES[shape]}"
        score = family.score_intermediate(listed, row)
        assert score.usable == 1 and score.details["counted"] == answer, (kind, listed)


def test_zero_answer_items(family: Count, rows: list[dict[str, Any]]) -> None:
    row = row_with(rows, answer=0)
    assert family.score_intermediate(row["intermediate"], row).usable == 1
    assert family.score_answer("Answer: 0", row).correct == 1
    assert family.score_answer("There are no such objects in the image.\nAnswer: zero", row).correct == 1


# ---- the final answer ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("response", "correct", "strict"),
    [
        ("Answer: 7", 1, 1),
        ("I count the red triangles one by one.\nAnswer: 7", 1, 1),
        ("Answer: seven", 1, 0),
        ("There are seven red triangles.", 1, 0),
        ("7", 1, 0),
        ("**Answer:** 7", 1, 1),
        ("Answer: 8", 0, 0),
        ("There are eight.", 0, 0),
    ],
)
def test_score_answer_reads_digits_and_words(family: Count, response: str, correct: int, strict: int) -> None:
    row = {"answer": "7"}
    score = family.score_answer(response, row)
    assert (score.correct, score.strict) == (correct, strict)


# ---- the data file, the YAMLs and the hooks ---------------------------------------------------------------
def test_prompts_and_scoring_through_the_hooks(rows: list[dict[str, Any]]) -> None:
    kwargs = load_task_yaml("count", "_count_template_yaml")["lmms_eval_specific_kwargs"]["default"]
    row = row_with(rows, kind="colour+shape", objects=4)
    direct = hooks.direct_text(row, kwargs)
    language = hooks.language_text(row, kwargs)
    assert direct == f"{row['question']} {kwargs['answer_format']}"
    assert language.endswith(direct) and row["intermediate"] in language
    assert '"<colour> <shape>"' in hooks.vision_text(row, kwargs) and row["question"] in hooks.cot_text(row, kwargs)
    answer = f"Answer: {row['answer']}"
    for setting in ("direct", "cot", "language"):
        assert score_response(row, setting, answer)["accuracy"] == 1
    vision = score_response(row, "vision", row["intermediate"])
    assert (vision["exact_match"], vision["f1"], vision["usable"]) == (1, 1.0, 1)
    cascade = score_response(row, "cascade", CascadeResponse(step1=row["intermediate"], step2=answer).encode())
    assert (cascade["accuracy"], cascade["step1_usable"], cascade["failed_calls"]) == (1, 1, 0)
    assert [hook(row) for hook in (hooks.doc_to_target, hooks.doc_to_intermediate)] == [
        row["answer"],
        row["intermediate"],
    ]
    assert hooks.no_visual(row) == [] and hooks.doc_to_visual(row)[0].size[0] >= 448

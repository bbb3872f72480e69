"""Reasoning effort on hand-made records: what shows work, lengths by outcome, the length ratio, hostile input."""

from __future__ import annotations

import time
from typing import Any

import pytest

from lmms_compgap.report.compute.effort import WORK_SCAN_CHARS, length_ratio, setting_effort, shows_work
from lmms_compgap.report.compute.scores import item_score
from lmms_compgap.report.compute.stats import BootstrapParams

PARAMS = BootstrapParams(resamples=1000)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("7 + 7 = 14", True),
        ("So 49+19=68, and the answer is 68.", True),
        ("3 x 4 = 12", True),
        ("3×4=12", True),
        ("12 / 4 = 3", True),
        ("2.5 * 2 = 5", True),
        ("10 − 3 = 7", True),
        ("Answer: 14", False),
        ("7 + 7 is 14", False),  # a sum without its result written as `= c`
        ("14 = 14", False),
        ("box 4 = 4", False),  # the x of a word is no operator
        ("a + b = c", False),  # letters are no numbers
        ("", False),
        (None, False),
    ],
)
def test_shows_work_means_an_arithmetic_step(text: str | None, expected: bool) -> None:
    assert shows_work(text) is expected


def test_shows_work_is_linear_on_huge_and_adversarial_text() -> None:
    for text in ("1+" * 2_000_000, "1" * 4_000_000, "=" * 4_000_000, "1.1." * 1_000_000, "x" * 4_000_000):
        started = time.perf_counter()
        assert not shows_work(text)
        assert time.perf_counter() - started < 2.0, text[:10]


def test_work_past_the_scanned_prefix_is_not_looked_for() -> None:
    assert not shows_work("a" * WORK_SCAN_CHARS + " 1 + 1 = 2")
    assert shows_work("1 + 1 = 2 " + "a" * WORK_SCAN_CHARS)


def _items(*rows: tuple[Any, int]) -> dict[str, Any]:
    return {
        f"u{i}": item_score({"uid": f"u{i}", "response": response, "correct": right, "strict": right})
        for i, (response, right) in enumerate(rows)
    }


def test_setting_effort_splits_right_and_wrong_and_counts_items_without_text() -> None:
    items = _items(("1 + 1 = 2\nAnswer: 2", 1), ("Answer: 3", 0), (None, 0), (12345, 1), ("x" * 10, 1))
    effort = setting_effort(items)
    assert effort["all"]["n"] == 3 and effort["all"]["no_text"] == 2
    assert effort["right"]["n"] == 2 and effort["right"]["no_text"] == 1  # 12345 is no text
    assert effort["wrong"]["n"] == 1 and effort["wrong"]["no_text"] == 1
    assert effort["wrong"]["chars_median"] == len("Answer: 3")
    assert effort["right"]["shows_work"] == 0.5
    assert effort["all"]["chars_q1"] <= effort["all"]["chars_median"] <= effort["all"]["chars_q3"]


def test_setting_effort_of_no_text_has_no_lengths() -> None:
    effort = setting_effort(_items((None, 0)))
    assert effort["all"] == {
        "n": 0,
        "no_text": 1,
        "chars_q1": None,
        "chars_median": None,
        "chars_q3": None,
        "shows_work": None,
    }


@pytest.mark.parametrize(
    ("direct", "language", "ratio", "much_shorter"),
    [
        pytest.param("Answer: 5", "Let me compute: 2 + 3 = 5, so.\nAnswer: 5", 10 / 41, True, id="short direct"),
        pytest.param("Answer: 5", "Answer: 5", 1.0, False, id="as long"),
        pytest.param("x" * 60, "x" * 100, 61 / 101, False, id="shorter, not much shorter"),
        pytest.param("", "Answer: 5", 1 / 10, True, id="an empty answer counts one character"),
    ],
)
def test_length_ratio_flags_only_much_shorter_direct_answers(
    direct: str, language: str, ratio: float, much_shorter: bool
) -> None:
    n = 40
    result = length_ratio(_items(*[(direct, 1)] * n), _items(*[(language, 1)] * n), PARAMS, "t")
    assert result is not None
    assert result["n"] == n and result["ratio"] == pytest.approx(ratio)
    assert result["much_shorter"] is much_shorter


def test_length_ratio_pairs_only_items_with_text_in_both() -> None:
    direct = _items(("Answer: 1", 1), (None, 0), ("Answer: 2", 1))
    language = _items(("Answer: 1", 1), ("Answer: 9", 0), (None, 0))
    result = length_ratio(direct, language, PARAMS, "t")
    assert result is not None and result["n"] == 1
    assert length_ratio(_items((None, 0)), _items((None, 0)), PARAMS, "t") is None


def test_a_huge_response_is_measured_in_bounded_time() -> None:
    huge = "7" * 5_000_000
    started = time.perf_counter()
    effort = setting_effort(_items((huge, 0)))
    assert effort["all"]["chars_median"] == 5_000_000 and effort["all"]["shows_work"] == 0.0
    assert time.perf_counter() - started < 2.0

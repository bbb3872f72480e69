"""Agreement between settings on hand-made records: what agrees, what is counted apart, and hostile records."""

from __future__ import annotations

from typing import Any

import pytest

from lmms_compgap.report.compute.agreement import AGREEMENT_PAIRS, agreement, excess_found, family_agreement
from lmms_compgap.report.compute.scores import ItemScore, item_score
from lmms_compgap.report.compute.stats import BootstrapParams

PARAMS = BootstrapParams(resamples=1000)


def _record(uid: str, extracted: Any, correct: int = 0, **extra: Any) -> dict[str, Any]:
    return {"uid": uid, "extracted": extracted, "correct": correct, "strict": correct, **extra}


def _scores(*answers: tuple[Any, int]) -> dict[str, ItemScore]:
    """uid u0, u1, ... -> the score of a record with that extracted answer and flexible verdict."""
    return {f"u{i}": item_score(_record(f"u{i}", extracted, correct)) for i, (extracted, correct) in enumerate(answers)}


@pytest.mark.parametrize(
    ("a", "b", "agree", "no_answer_both", "no_answer_one"),
    [
        pytest.param(("7", 1), ("7", 1), 1, 0, 0, id="same right answer agrees"),
        pytest.param(("8", 0), ("8", 0), 1, 0, 0, id="same wrong answer agrees"),
        pytest.param(("7", 1), ("8", 0), 0, 0, 0, id="right against wrong disagrees"),
        pytest.param(("8", 0), ("9", 0), 0, 0, 0, id="two different wrong answers disagree"),
        pytest.param((None, 0), (None, 0), 0, 1, 0, id="no answer in either setting is not agreeing"),
        pytest.param((None, 0), ("8", 0), 0, 0, 1, id="no answer in one setting is not agreeing"),
        pytest.param((8, 0), (8, 0), 0, 1, 0, id="a non-text extracted answer counts as none"),
        pytest.param((["8"], 0), ("8", 0), 0, 0, 1, id="a list where the answer was counts as none"),
    ],
)
def test_one_item_agrees_only_on_the_same_extracted_answer(
    a: tuple[Any, int], b: tuple[Any, int], agree: int, no_answer_both: int, no_answer_one: int
) -> None:
    result = agreement(_scores(a), _scores(b), PARAMS, "t")
    assert result is not None
    assert (result["n"], result["agree"], result["agreement"]) == (1, agree, float(agree))
    assert (result["no_answer_both"], result["no_answer_one"]) == (no_answer_both, no_answer_one)


def test_a_record_without_an_extracted_key_has_no_answer() -> None:
    score = item_score({"uid": "u", "correct": 0, "strict": 0})
    assert score.extracted is None and score.response is None


def test_items_are_paired_by_uid_and_unpaired_ones_left_out() -> None:
    a = {"x": item_score(_record("x", "1", 1)), "y": item_score(_record("y", "2", 1)), "only": ItemScore("only", 1, 1)}
    b = {"y": item_score(_record("y", "2", 1)), "x": item_score(_record("x", "5", 0))}
    result = agreement(a, b, PARAMS, "t")
    assert result is not None
    assert (result["n"], result["agree"], result["agree_right"]) == (2, 1, 1)
    assert result["accuracy_difference"] == pytest.approx(0.5)
    assert result["excess"] == 0.0  # the one disagreement is the accuracy difference


def test_no_shared_item_gives_no_agreement() -> None:
    assert agreement(_scores(("1", 1)), {}, PARAMS, "t") is None


@pytest.mark.parametrize(
    ("pattern", "excess", "found"),
    [
        # (a right, b right, same answer) per item, 50 items of each listed kind
        pytest.param([(1, 1, True), (0, 0, True)], 0.0, False, id="always the same answer"),
        pytest.param([(1, 0, False), (0, 0, True)], 0.0, False, id="disagreeing only where accuracy differs"),
        pytest.param([(1, 0, False), (0, 1, False)], 1.0, True, id="as accurate, never the same answer"),
        pytest.param([(1, 1, True), (0, 0, False)], 0.5, True, id="different wrong answers"),
    ],
)
def test_excess_disagreement_is_what_no_accuracy_difference_explains(
    pattern: list[tuple[int, int, bool]], excess: float, found: bool
) -> None:
    a, b = {}, {}
    for i, (right_a, right_b, same) in enumerate(pattern * 50):
        uid = f"u{i}"
        a[uid] = item_score(_record(uid, "1" if right_a else "2", right_a))
        b[uid] = item_score(_record(uid, a[uid].extracted if same else "3", right_b))
    result = agreement(a, b, PARAMS, "t")
    assert result is not None
    assert result["excess"] == pytest.approx(excess)
    assert result["excess_ci"][0] <= result["excess"] <= result["excess_ci"][1]
    assert excess_found(result) is found


def test_intervals_are_reproducible_from_the_seed_and_stream() -> None:
    a = _scores(*[(str(i % 3), i % 2) for i in range(100)])
    b = _scores(*[(str(i % 4), i % 3 == 0) for i in range(100)])
    first, second = agreement(a, b, PARAMS, "fam/agreement/x"), agreement(a, b, PARAMS, "fam/agreement/x")
    assert first == second and first is not None
    assert first["ci"][0] <= first["agreement"] <= first["ci"][1]


def test_family_agreement_compares_the_pairs_whose_settings_are_there() -> None:
    scores = _scores(("1", 1), ("2", 0))
    settings = {"direct": scores, "language": scores, "cot": scores}
    assert list(family_agreement("f", settings, PARAMS)) == ["direct_vs_language"]
    every = dict.fromkeys(("direct", "language", "cot", "cascade"), scores)
    assert list(family_agreement("f", every, PARAMS)) == list(AGREEMENT_PAIRS)

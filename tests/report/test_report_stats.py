"""Statistics of the report against known cases: McNemar by hand, bootstrap coverage, Wilson, gaps."""

from __future__ import annotations

from math import comb

import numpy as np
import pytest
from scipy import stats

from lmms_compgap.report.compute.gap import family_summary, paired_comparison
from lmms_compgap.report.compute.scores import ItemScore
from lmms_compgap.report.compute.stats import (
    BootstrapParams,
    PairedTable,
    bootstrap_draws,
    mcnemar_exact,
    percentile_interval,
    proportion_draws,
    too_wide,
    wilson_interval,
)


def _paired(rng: np.random.Generator, n: int, p_both: float, p_a_only: float, p_b_only: float):
    cells = rng.choice(4, size=n, p=[p_both, p_a_only, p_b_only, 1 - p_both - p_a_only - p_b_only])
    return (cells <= 1).astype(int), np.isin(cells, (0, 2)).astype(int)


def _items(scores, strict=None) -> dict[str, ItemScore]:
    strict = scores if strict is None else strict
    return {f"u{i}": ItemScore(f"u{i}", int(c), int(s)) for i, (c, s) in enumerate(zip(scores, strict, strict=True))}


def test_mcnemar_matches_the_hand_computed_binomial_tail() -> None:
    # 1 pair favours a, 9 favour b: p = 2 * P(X <= 1 | n=10, 1/2) = 2 * (1 + 10) / 1024.
    assert mcnemar_exact(1, 9) == pytest.approx(22 / 1024, rel=1e-12)
    assert mcnemar_exact(9, 1) == pytest.approx(22 / 1024, rel=1e-12)
    # 3 vs 12: 2 * sum_{k<=3} C(15, k) / 2^15.
    assert mcnemar_exact(3, 12) == pytest.approx(2 * sum(comb(15, k) for k in range(4)) / 2**15, rel=1e-12)


def test_mcnemar_without_discordant_pairs_or_balanced_is_one() -> None:
    assert mcnemar_exact(0, 0) == 1.0
    assert mcnemar_exact(5, 5) == 1.0


def test_mcnemar_equals_scipy_binomtest_on_the_discordant_pairs() -> None:
    for only_a, only_b in [(0, 7), (4, 20), (30, 41), (100, 130)]:
        expected = stats.binomtest(only_b, only_a + only_b, 0.5).pvalue
        assert mcnemar_exact(only_a, only_b) == pytest.approx(expected, rel=1e-12)


def test_paired_table_counts_each_cell() -> None:
    table = PairedTable.from_scores(np.array([1, 1, 0, 0, 1]), np.array([1, 0, 1, 0, 0]))
    assert (table.both, table.only_a, table.only_b, table.neither, table.n) == (1, 2, 1, 1, 5)
    assert table.accuracy_a == pytest.approx(0.6) and table.accuracy_b == pytest.approx(0.4)


def test_bootstrap_interval_contains_the_true_difference_on_synthetic_paired_data() -> None:
    rng = np.random.default_rng(7)
    a, b = _paired(rng, 4000, p_both=0.55, p_a_only=0.20, p_b_only=0.10)  # true difference 0.10
    table = PairedTable.from_scores(a, b)
    draws, _ = bootstrap_draws(table, 10_000, np.random.default_rng(1))
    low, high = percentile_interval(draws, 0.95)
    assert low < 0.10 < high
    assert 0.02 < high - low < 0.05  # about 2 * 1.96 * sqrt(0.3 - 0.01) / sqrt(4000) = 0.033


def test_bootstrap_interval_covers_the_truth_about_95_percent_of_the_time() -> None:
    rng = np.random.default_rng(11)
    covered = 0
    trials = 300
    for trial in range(trials):
        a, b = _paired(rng, 300, p_both=0.5, p_a_only=0.15, p_b_only=0.05)  # true difference 0.10
        draws, _ = bootstrap_draws(PairedTable.from_scores(a, b), 2000, np.random.default_rng(trial))
        low, high = percentile_interval(draws, 0.95)
        covered += low <= 0.10 <= high
    assert 0.91 <= covered / trials <= 0.985


def test_multinomial_bootstrap_matches_resampling_items_by_index() -> None:
    rng = np.random.default_rng(3)
    a, b = _paired(rng, 500, p_both=0.4, p_a_only=0.25, p_b_only=0.1)
    draws, _ = bootstrap_draws(PairedTable.from_scores(a, b), 20_000, np.random.default_rng(5))
    indices = np.random.default_rng(6).integers(0, a.size, size=(20_000, a.size))
    by_index = a[indices].mean(axis=1) - b[indices].mean(axis=1)
    assert draws.mean() == pytest.approx(by_index.mean(), abs=1e-3)
    assert draws.std() == pytest.approx(by_index.std(), rel=0.03)


def test_proportion_bootstrap_matches_resampling_items_by_index() -> None:
    hits = (np.random.default_rng(3).random(400) < 0.3).astype(int)
    draws = proportion_draws(int(hits.sum()), hits.size, 20_000, np.random.default_rng(5))
    by_index = hits[np.random.default_rng(6).integers(0, hits.size, size=(20_000, hits.size))].mean(axis=1)
    assert draws.mean() == pytest.approx(by_index.mean(), abs=1e-3)
    assert draws.std() == pytest.approx(by_index.std(), rel=0.03)
    assert np.allclose(draws * hits.size, np.round(draws * hits.size))  # counts of items, as resampling gives
    with pytest.raises(ValueError, match="successes"):
        proportion_draws(5, 4, 10, np.random.default_rng(0))


def test_bootstrap_is_reproducible_per_label_and_independent_across_labels() -> None:
    table = PairedTable(40, 20, 10, 30)
    params = BootstrapParams(resamples=1000, seed=42)
    first, _ = bootstrap_draws(table, 1000, params.rng("mathtext/cascade_vs_direct/flexible"))
    again, _ = bootstrap_draws(table, 1000, params.rng("mathtext/cascade_vs_direct/flexible"))
    other, _ = bootstrap_draws(table, 1000, params.rng("count/cascade_vs_direct/flexible"))
    assert np.array_equal(first, again)
    assert not np.array_equal(first, other)


def test_wilson_interval_matches_the_closed_form() -> None:
    low, high = wilson_interval(0, 10)
    z = stats.norm.ppf(0.975)
    assert low == pytest.approx(0.0, abs=1e-12)
    assert high == pytest.approx(z**2 / (10 + z**2), rel=1e-9)
    low, high = wilson_interval(50, 100)
    assert low == pytest.approx(1 - high) and low < 0.5 < high


def test_paired_comparison_gap_relative_gap_and_discordant_counts() -> None:
    cascade = _items([1, 1, 1, 1, 0, 1, 0, 1])
    direct = _items([1, 0, 0, 1, 0, 1, 1, 0])
    result = paired_comparison(cascade, direct, ("cascade", "direct"), "flexible", BootstrapParams(1000), "t")
    assert result is not None
    assert result["n"] == 8
    assert result["accuracy"] == {"cascade": 0.75, "direct": 0.5}
    assert result["gap"] == pytest.approx(0.25)
    assert result["relative"] == pytest.approx(0.5)
    assert result["discordant"] == {"cascade_only": 3, "direct_only": 1}
    assert result["mcnemar_p"] == pytest.approx(mcnemar_exact(3, 1))
    assert result["ci"][0] <= 0.25 <= result["ci"][1]


def test_paired_comparison_pairs_by_uid_and_ignores_unpaired_items() -> None:
    cascade = {"a": ItemScore("a", 1, 1), "b": ItemScore("b", 1, 1), "extra": ItemScore("extra", 0, 0)}
    direct = {"b": ItemScore("b", 0, 0), "a": ItemScore("a", 1, 1)}
    result = paired_comparison(cascade, direct, ("cascade", "direct"), "flexible", BootstrapParams(1000), "t")
    assert result is not None and result["n"] == 2 and result["gap"] == pytest.approx(0.5)


def test_relative_gap_is_undefined_when_direct_scores_nothing() -> None:
    result = paired_comparison(
        _items([1, 0]), _items([0, 0]), ("cascade", "direct"), "flexible", BootstrapParams(), "t"
    )
    assert result is not None and result["relative"] is None and result["relative_ci"] is None


def test_strict_and_flexible_gaps_are_computed_separately() -> None:
    # Direct answers right but in the wrong format: no flexible gap, a strict one.
    settings = {"cascade": _items([1, 1, 1, 1], [1, 1, 1, 1]), "direct": _items([1, 1, 1, 1], [0, 0, 1, 1])}
    summary = family_summary("mathtext", settings, BootstrapParams(1000))
    gap = summary["comparisons"]["cascade_vs_direct"]
    assert gap["flexible"]["gap"] == 0.0
    assert gap["strict"]["gap"] == pytest.approx(0.5)
    assert summary["comparisons"]["cascade_vs_cot"] is None


@pytest.mark.parametrize(
    ("interval", "n", "verdict", "why"),
    [
        ((0.0, 0.0), 3, True, "3 items that all agree: a zero-width interval, yet 3 items say next to nothing"),
        ((0.0, 0.0), 29, True, "below 30 items an unseen outcome may still happen more than 10% of the time"),
        ((0.0, 0.0), 30, False, "30 items that all agree: the rule of three bounds the unseen at 10%"),
        ((-0.05, 0.05), 1000, False, "a narrow interval over many items"),
        ((-0.15, 0.15), 1000, True, "an interval reaching 15 points either side"),
        ((-0.15, 0.15), None, True, "no n given: the width alone decides"),
        (None, 3, False, "no interval, nothing to mark"),
    ],
)
def test_too_wide_marks_wide_intervals_and_too_few_items(interval, n, verdict, why) -> None:
    assert too_wide(interval, n) is verdict, why


def test_a_degenerate_interval_over_three_items_is_marked_in_the_report_rows() -> None:
    from lmms_compgap.report.render.tables import TOO_SMALL, too_small_mark

    right = {f"u{i}": ItemScore(uid=f"u{i}", correct=1, strict=1) for i in range(3)}
    comparison = paired_comparison(right, right, ("cascade", "direct"), "flexible", BootstrapParams(resamples=200), "t")
    assert comparison is not None and list(comparison["ci"]) == [0.0, 0.0]
    assert too_small_mark(comparison["ci"], comparison["n"]) == f" {TOO_SMALL}"

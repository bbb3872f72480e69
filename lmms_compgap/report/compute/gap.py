"""The composition gap of one task family: accuracies, paired comparisons, attribution (the aggregates)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from lmms_compgap.core.settings import SETTINGS
from lmms_compgap.report.compute.attribution import attribution_counts
from lmms_compgap.report.compute.scores import SCORES, ItemScore
from lmms_compgap.report.compute.stats import (
    BootstrapParams,
    PairedTable,
    bootstrap_draws,
    mcnemar_exact,
    percentile_interval,
)

#: name -> (a, b): each comparison is accuracy(a) - accuracy(b) on the items both settings answered.
COMPARISONS: dict[str, tuple[str, str]] = {
    "cascade_vs_direct": ("cascade", "direct"),
    "cascade_vs_cot": ("cascade", "cot"),
}

SettingScores = Mapping[str, Mapping[str, ItemScore]]
"""setting -> uid -> score, for one family."""


def setting_summary(items: Mapping[str, ItemScore]) -> dict[str, Any]:
    """n, both accuracies, the visual step's usable rate (vision, cascade) and failed calls by step."""
    scores = list(items.values())
    n = len(scores)
    with_usable = any(score.usable is not None for score in scores)
    return {
        "n": n,
        "accuracy": sum(score.correct for score in scores) / n if n else None,
        "strict_accuracy": sum(score.strict for score in scores) / n if n else None,
        "usable": sum(score.usable or 0 for score in scores) / n if n and with_usable else None,
        "failed_calls": {
            "step1": sum(score.failed_step == 1 for score in scores),
            "step2": sum(score.failed_step == 2 for score in scores),
        },
    }


def paired_scores(a: Mapping[str, ItemScore], b: Mapping[str, ItemScore], score: str) -> tuple[np.ndarray, np.ndarray]:
    """The two settings' 0/1 scores on the items both answered, paired by uid."""
    uids = sorted(a.keys() & b.keys())
    return (
        np.array([a[uid].score(score) for uid in uids], dtype=np.int8),
        np.array([b[uid].score(score) for uid in uids], dtype=np.int8),
    )


def comparison_label(family: str, comparison: str, score: str) -> str:
    """Names the random stream of one comparison, so every consumer draws the same resamples."""
    return f"{family}/{comparison}/{score}"


def gap_draws(table: PairedTable, params: BootstrapParams, label: str) -> tuple[np.ndarray, np.ndarray]:
    """Bootstrap draws of (gap, accuracy of b) for one comparison, from its own seeded stream."""
    return bootstrap_draws(table, params.resamples, params.rng(label))


def paired_comparison(
    a: Mapping[str, ItemScore],
    b: Mapping[str, ItemScore],
    names: tuple[str, str],
    score: str,
    params: BootstrapParams,
    label: str,
) -> dict[str, Any] | None:
    """accuracy(a) - accuracy(b) with a paired bootstrap interval and an exact McNemar test (None if no pairs)."""
    scores_a, scores_b = paired_scores(a, b, score)
    if scores_a.size == 0:
        return None
    table = PairedTable.from_scores(scores_a, scores_b)
    gap = table.accuracy_a - table.accuracy_b
    draws, base = gap_draws(table, params, label)
    relative = relative_ci = None
    if table.accuracy_b > 0:
        relative = gap / table.accuracy_b
        # The relative gap is undefined in resamples where b scores 0; give no interval then.
        if np.all(base > 0):
            relative_ci = list(percentile_interval(draws / base, params.confidence))
    return {
        "n": table.n,
        "accuracy": {names[0]: table.accuracy_a, names[1]: table.accuracy_b},
        "gap": gap,
        "ci": list(percentile_interval(draws, params.confidence)),
        "relative": relative,
        "relative_ci": relative_ci,
        "discordant": {f"{names[0]}_only": table.only_a, f"{names[1]}_only": table.only_b},
        "mcnemar_p": mcnemar_exact(table.only_a, table.only_b),
    }


def family_summary(family: str, settings: SettingScores, params: BootstrapParams) -> dict[str, Any]:
    """Everything reported about one family of one model; also the `aggregates` of a submission."""
    comparisons: dict[str, Any] = {}
    for name, (a, b) in COMPARISONS.items():
        if a in settings and b in settings:
            comparisons[name] = {
                score: paired_comparison(
                    settings[a], settings[b], (a, b), score, params, comparison_label(family, name, score)
                )
                for score in SCORES
            }
        else:
            comparisons[name] = None
    attribution = None
    if "direct" in settings:
        empty: dict[str, ItemScore] = {}
        attribution = {
            score: attribution_counts(
                settings["direct"], settings.get("cascade", empty), settings.get("language", empty), score
            )
            for score in SCORES
        }
    return {
        "family": family,
        "settings": {setting: setting_summary(settings[setting]) for setting in SETTINGS if setting in settings},
        "comparisons": comparisons,
        "attribution": attribution,
    }


def family_summaries(scores: Mapping[str, SettingScores], params: BootstrapParams) -> dict[str, dict[str, Any]]:
    """family -> `family_summary`, families in order: a submission's `aggregates`, which `verify` recomputes."""
    return {family: family_summary(family, settings, params) for family, settings in sorted(scores.items())}

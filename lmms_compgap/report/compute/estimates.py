"""What a leaderboard entry shows: each quantity per task family and averaged over families, with intervals.

Every interval is a percentile bootstrap over items from its own seeded stream (stats.BootstrapParams);
a mean over families averages the families' draws one by one (families are independent samples of
items), as the gap's interval has always been computed. Nothing here places an entry (ranking.py does).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from lmms_compgap.core.settings import SETTINGS
from lmms_compgap.report.compute.gap import SettingScores, comparison_label, gap_draws, paired_scores
from lmms_compgap.report.compute.ranking import SCORE, composition_items, setting_hits
from lmms_compgap.report.compute.stats import (
    BootstrapParams,
    PairedTable,
    bootstrap_draws,
    percentile_interval,
    proportion_draws,
)

#: The quantities shown for an entry: the ranked one, the skilled share, each setting's accuracy (vision: the
#: share of usable step-1 outputs) and the gap (cascade − direct).
QUANTITIES: tuple[str, ...] = ("composed", "skilled", *SETTINGS, "gap")

_Draws = tuple[float, np.ndarray]


@dataclass(frozen=True)
class Estimate:
    """A proportion (or a difference of two) and its bootstrap interval."""

    value: float
    ci: tuple[float, float]


@dataclass(frozen=True)
class EntryEstimates:
    """quantity -> estimate, averaged over families (`mean`) and per family."""

    mean: dict[str, Estimate]
    families: dict[str, dict[str, Estimate]]


def _family_draws(family: str, settings: SettingScores, params: BootstrapParams) -> dict[str, _Draws]:
    draws: dict[str, _Draws] = {}
    skilled, composed = composition_items(settings)
    table = PairedTable.from_scores(skilled, composed)
    loss, composed_draws = bootstrap_draws(table, params.resamples, params.rng(f"{family}/skilled_vs_composed/{SCORE}"))
    draws["composed"] = (table.accuracy_b, composed_draws)
    draws["skilled"] = (table.accuracy_a, loss + composed_draws)
    for setting in SETTINGS:
        if settings.get(setting):
            hits = setting_hits(settings[setting], setting)
            rng = params.rng(f"{family}/{setting}/{SCORE}")
            draws[setting] = (sum(hits) / len(hits), proportion_draws(sum(hits), len(hits), params.resamples, rng))
    gap = PairedTable.from_scores(*paired_scores(settings["cascade"], settings["direct"], SCORE))
    label = comparison_label(family, "cascade_vs_direct", SCORE)  # the stream of the family's own gap interval
    draws["gap"] = (gap.accuracy_a - gap.accuracy_b, gap_draws(gap, params, label)[0])
    return draws


def _intervals(draws: dict[str, _Draws], confidence: float) -> dict[str, Estimate]:
    return {name: Estimate(value, percentile_interval(sample, confidence)) for name, (value, sample) in draws.items()}


def mean_over_families(per_family: list[tuple[float, np.ndarray]], confidence: float) -> Estimate:
    """The mean of per-family (value, draws) and its interval from the families' draws averaged one by one."""
    value = float(np.mean([value for value, _ in per_family]))
    return Estimate(value, percentile_interval(np.mean([draws for _, draws in per_family], axis=0), confidence))


def entry_estimates(scores: Mapping[str, SettingScores], params: BootstrapParams) -> EntryEstimates:
    """Every quantity of QUANTITIES an entry has, per family and averaged over the families that have it."""
    draws = {family: _family_draws(family, settings, params) for family, settings in sorted(scores.items())}
    families = {family: _intervals(d, params.confidence) for family, d in draws.items()}
    mean = {
        name: mean_over_families([d[name] for d in draws.values() if name in d], params.confidence)
        for name in QUANTITIES
        if any(name in d for d in draws.values())
    }
    return EntryEstimates(mean, families)


def composed_lead(
    ahead: Mapping[str, SettingScores], behind: Mapping[str, SettingScores], params: BootstrapParams, label: str
) -> Estimate | None:
    """composed(ahead) − composed(behind), paired by item within each family and averaged over families, with its
    interval (stream named by `label`); None unless both cover the same families and items."""
    if ahead.keys() != behind.keys():
        return None
    per_family = []
    for family in sorted(ahead):
        if ahead[family]["direct"].keys() != behind[family]["direct"].keys():
            return None
        table = PairedTable.from_scores(composition_items(ahead[family])[1], composition_items(behind[family])[1])
        difference, _ = bootstrap_draws(table, params.resamples, params.rng(f"{family}/composed_lead/{label}"))
        per_family.append((table.accuracy_a - table.accuracy_b, difference))
    return mean_over_families(per_family, params.confidence)

"""The gap under each wording of the prompts (canonical and paraphrases): each wording's gap, their mean and spread,
and an interval that resamples both the items and the wordings, with whether the gap's sign depends on the wording."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from lmms_compgap.core.settings import CANONICAL_WORDING
from lmms_compgap.report.compute.gap import COMPARISONS, SettingScores, comparison_label, paired_comparison
from lmms_compgap.report.compute.scores import SCORES
from lmms_compgap.report.compute.stats import MEANINGFUL_MIN_N, BootstrapParams, column_mean_draws, percentile_interval

#: The gap compared across wordings: the report's composition gap, cascade - direct.
GAP = "cascade_vs_direct"
#: The verdicts on the gap's sign across wordings (`sign_verdict`), and the one for fewer items than any verdict needs
#: (`stats.MEANINGFUL_MIN_N`: a --limit run).
DEPENDS, STABLE, UNRESOLVED = "depends on the wording", "stable across wordings", "unresolved"
TOO_FEW = "n too small"

WordingScores = Mapping[int, SettingScores]
"""wording (0: canonical, k: paraphrase k) -> setting -> uid -> score, for one family."""


def wording_label(family: str, wording: int, score: str) -> str:
    """The random stream of one wording's gap: the canonical wording's is the gap table's own (same interval)."""
    if wording == CANONICAL_WORDING:
        return comparison_label(family, GAP, score)
    return comparison_label(family, f"{GAP}/w{wording}", score)


def two_way_draws(
    cascade: np.ndarray, direct: np.ndarray, params: BootstrapParams, label: str
) -> tuple[np.ndarray, np.ndarray]:
    """Bootstrap draws of the gap's mean over wordings: (items resampled, wordings kept; items and wordings both
    resampled), from one stream, so the two are drawn on the same item resamples.

    `cascade` and `direct` are wordings x items 0/1 scores on the same items. Each resample draws the items with
    replacement once for every wording and both settings (paired across settings and wordings: an item drawn is drawn
    in every column), then the wordings with replacement; the gap of a resample is the mean, over the drawn wordings,
    of each wording's cascade - direct accuracy on the drawn items."""
    cascade, direct = np.asarray(cascade), np.asarray(direct)
    if cascade.shape != direct.shape or cascade.ndim != 2 or 0 in cascade.shape:
        raise ValueError(f"need two wordings x items arrays of one shape, got {cascade.shape} and {direct.shape}")
    wordings = cascade.shape[0]
    rng = params.rng(label)
    means = column_mean_draws(np.concatenate([cascade, direct]).T, params.resamples, rng)
    per_wording = means[:, :wordings] - means[:, wordings:]
    drawn = rng.multinomial(wordings, np.full(wordings, 1.0 / wordings), size=params.resamples)
    return per_wording.mean(axis=1), (per_wording * drawn).sum(axis=1) / wordings


def sign_verdict(canonical: dict[str, Any] | None, wordings: Mapping[int, dict[str, Any]], two_way: list[float]) -> str:
    """Whether the gap's sign depends on the wording.

    DEPENDS when one wording's gap is above zero and another's below, each with an interval excluding zero, or when
    the canonical wording's interval excludes zero and the two-way one does not (the canonical sign is not the
    prompts' sign); STABLE when the two-way interval excludes zero; UNRESOLVED otherwise (no wording tells a sign)."""
    above = any(result["ci"][0] > 0 for result in wordings.values())
    below = any(result["ci"][1] < 0 for result in wordings.values())
    canonical_signed = canonical is not None and (canonical["ci"][0] > 0 or canonical["ci"][1] < 0)
    two_way_signed = two_way[0] > 0 or two_way[1] < 0
    if (above and below) or (canonical_signed and not two_way_signed):
        return DEPENDS
    return STABLE if two_way_signed else UNRESOLVED


def _wording_score(
    family: str, usable: Mapping[int, SettingScores], score: str, params: BootstrapParams
) -> dict[str, Any]:
    per_wording = {
        wording: paired_comparison(
            settings["cascade"],
            settings["direct"],
            ("cascade", "direct"),
            score,
            params,
            wording_label(family, wording, score),
        )
        for wording, settings in usable.items()
    }
    gaps = {wording: result for wording, result in per_wording.items() if result is not None}
    # Items every wording answered in both settings: the two-way interval resamples them jointly.
    common = sorted(
        set.intersection(*(set(settings["cascade"]) & set(settings["direct"]) for settings in usable.values()))
    )
    result: dict[str, Any] = {"wordings": gaps, "n_common": len(common)}
    if len(gaps) < 2 or not common:
        return result | {"mean": None}
    ordered = sorted(gaps)
    cascade = np.array([[usable[w]["cascade"][uid].score(score) for uid in common] for w in ordered], dtype=np.int8)
    direct = np.array([[usable[w]["direct"][uid].score(score) for uid in common] for w in ordered], dtype=np.int8)
    on_common = cascade.mean(axis=1) - direct.mean(axis=1)
    item_only, both = two_way_draws(cascade, direct, params, comparison_label(family, f"{GAP}/wordings", score))
    two_way = list(percentile_interval(both, params.confidence))
    return result | {
        "mean": float(on_common.mean()),
        "sd": float(on_common.std(ddof=1)),
        "min": float(on_common.min()),
        "max": float(on_common.max()),
        "item_ci": list(percentile_interval(item_only, params.confidence)),
        "two_way_ci": two_way,
        "verdict": TOO_FEW
        if len(common) < MEANINGFUL_MIN_N
        else sign_verdict(gaps.get(CANONICAL_WORDING), gaps, two_way),
    }


def family_wording(family: str, scores: WordingScores, params: BootstrapParams) -> dict[str, Any] | None:
    """One family's gap under each wording that ran both direct and cascade, per score: each wording's paired gap
    (`paired_comparison`), and over the items all of them answered: the wordings' mean gap, their SD (n - 1) and
    range, the mean's interval resampling items only (`item_ci`) and items and wordings (`two_way_ci`), and the sign
    verdict (TOO_FEW below MEANINGFUL_MIN_N shared items). None without a paraphrase that ran both settings."""
    a, b = COMPARISONS[GAP]
    usable = {wording: settings for wording, settings in sorted(scores.items()) if a in settings and b in settings}
    if not any(wording != CANONICAL_WORDING for wording in usable):
        return None
    return {
        "family": family,
        "canonical": CANONICAL_WORDING in usable,
        "scores": {score: _wording_score(family, usable, score, params) for score in SCORES},
    }

"""Agreement between settings (SEAM, Tang et al., COLM 2025): how often two settings give the same final answer.

Items are paired by uid. An item agrees when both settings extracted a final answer and the two are the same
string (the scorer's canonical form, so "42.0" and "42" are one answer), right or wrong. An item on which either
setting extracted no answer (a failed call, no answer found) does not agree; how many such items there are is
reported beside the share. Two settings that differ in accuracy by d must disagree on at least a share d of the
items, so `excess` = (1 − agreement) − |accuracy a − accuracy b| is the disagreement no accuracy difference
explains: answers that change with the modality while the model is as often right.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from lmms_compgap.report.compute.estimates import Estimate, mean_over_families
from lmms_compgap.report.compute.gap import SettingScores
from lmms_compgap.report.compute.scores import ItemScore
from lmms_compgap.report.compute.stats import BootstrapParams, column_mean_draws, percentile_interval

#: name -> (a, b): the pairs of settings whose answers are compared.
AGREEMENT_PAIRS: dict[str, tuple[str, str]] = {
    "direct_vs_language": ("direct", "language"),
    "direct_vs_cascade": ("direct", "cascade"),
    "cot_vs_cascade": ("cot", "cascade"),
}


def agreement_label(family: str, pair: str) -> str:
    """Names the random stream of one pair's intervals (disjoint from the gap's `family/comparison/score`)."""
    return f"{family}/agreement/{pair}"


def _paired(
    a: Mapping[str, ItemScore], b: Mapping[str, ItemScore], params: BootstrapParams, label: str
) -> tuple[list[tuple[str | None, str | None]], np.ndarray, np.ndarray] | None:
    """The paired answers, items x (agree, a right, b right) and its resampled column means; None without pairs."""
    uids = sorted(a.keys() & b.keys())
    if not uids:
        return None
    answers = [(a[uid].extracted, b[uid].extracted) for uid in uids]
    columns = np.array(
        [
            [int(x is not None and x == y) for x, y in answers],
            [a[uid].correct for uid in uids],
            [b[uid].correct for uid in uids],
        ],
        dtype=np.int8,
    ).T
    return answers, columns, column_mean_draws(columns, params.resamples, params.rng(label))


def agreement(
    a: Mapping[str, ItemScore], b: Mapping[str, ItemScore], params: BootstrapParams, label: str
) -> dict[str, Any] | None:
    """The agreement of two settings on the items both answered, with paired bootstrap intervals of the share and
    of the excess disagreement (flexible score for the accuracies); None when they share no item."""
    paired = _paired(a, b, params, label)
    if paired is None:
        return None
    answers, columns, draws = paired
    agree, right_a, right_b = (float(value) for value in columns.mean(axis=0))
    # Rounded (and -0.0 made 0.0) so that an excess that is zero but for float error shows as +0.0, never -0.0.
    excess_draws = np.round((1.0 - draws[:, 0]) - np.abs(draws[:, 1] - draws[:, 2]), 12) + 0.0
    return {
        "n": len(answers),
        "agree": int(columns[:, 0].sum()),
        "agreement": agree,
        "ci": list(percentile_interval(draws[:, 0], params.confidence)),
        "agree_right": int(np.sum(columns[:, 0] & columns[:, 1])),
        "no_answer_both": sum(x is None and y is None for x, y in answers),
        "no_answer_one": sum((x is None) != (y is None) for x, y in answers),
        "accuracy_difference": right_a - right_b,
        "excess": round((1.0 - agree) - abs(right_a - right_b), 12) + 0.0,
        "excess_ci": list(percentile_interval(excess_draws, params.confidence)),
    }


def family_agreement(family: str, settings: SettingScores, params: BootstrapParams) -> dict[str, dict[str, Any]]:
    """pair -> `agreement`, for each pair of AGREEMENT_PAIRS whose two settings this family holds."""
    return {
        pair: result
        for pair, (a, b) in AGREEMENT_PAIRS.items()
        if a in settings
        and b in settings
        and (result := agreement(settings[a], settings[b], params, agreement_label(family, pair))) is not None
    }


def mean_agreement(scores: Mapping[str, SettingScores], params: BootstrapParams, pair: str) -> Estimate | None:
    """A pair's agreement averaged over the families that hold both its settings, with its interval from the
    families' draws (the streams of the report's per-family intervals); None when no family holds both."""
    a, b = AGREEMENT_PAIRS[pair]
    per_family = []
    for family, settings in sorted(scores.items()):
        if a in settings and b in settings:
            paired = _paired(settings[a], settings[b], params, agreement_label(family, pair))
            if paired is not None:
                _, columns, draws = paired
                per_family.append((float(columns[:, 0].mean()), draws[:, 0]))
    return mean_over_families(per_family, params.confidence) if per_family else None


def excess_found(result: Mapping[str, Any]) -> bool:
    """Whether the pair disagrees beyond its accuracy difference: the excess's interval lies above zero."""
    return result["excess_ci"][0] > 0

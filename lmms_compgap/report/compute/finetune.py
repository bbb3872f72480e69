"""Before and after fine-tuning: one model's base run against its fine-tuned run, paired on the same items.

Per family and setting, the accuracy change (after − before) with a paired bootstrap interval and an
exact McNemar test; per family, the composition gap (cascade − direct) before and after, and its
change, all on the items both runs answered in both settings, from one joint bootstrap over items, and
a verdict on whether the gap closed (`gap_verdict`: never on a change that is not significant, nor on too few
items).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from lmms_compgap.core.settings import SETTINGS
from lmms_compgap.errors import ReportError
from lmms_compgap.report.compute.gap import paired_comparison
from lmms_compgap.report.compute.scores import SCORES, ItemScore
from lmms_compgap.report.compute.stats import BootstrapParams, contrast_draws, percentile_interval, too_wide
from lmms_compgap.report.logs import ModelLogs, TaskLog, logged_scores

#: (before cascade, before direct, after cascade, after direct) weights of the three quantities.
GAP_WEIGHTS: dict[str, tuple[int, int, int, int]] = {
    "before": (1, -1, 0, 0),
    "after": (0, 0, 1, -1),
    "change": (-1, 1, 1, -1),
}
VERDICTS: dict[str, str] = {
    "n too small": "too few items were compared, or the change's interval is too wide, to say anything",
    "no gap before": "the gap before fine-tuning was not significantly above 0: nothing to close",
    "closed": "the gap was significantly above 0 before, shrank significantly, and is not significantly above 0 after",
    "narrowed": "the gap shrank significantly but is still significantly above 0",
    "unchanged": "the change of the gap is not significant (whatever the gaps before and after)",
    "widened": "the gap grew significantly",
}


@dataclass
class Comparison:
    """The before/after comparison of one model, per family."""

    before_label: str
    after_label: str
    families: dict[str, dict[str, Any]] = field(default_factory=dict)
    training: dict[str, Any] | None = None
    issues: list[str] = field(default_factory=list)


def gap_verdict(
    before_ci: Sequence[float], after_ci: Sequence[float], change_ci: Sequence[float], n: int | None = None
) -> str:
    """Whether fine-tuning closed the gap, from the three intervals over `n` items (see VERDICTS). A gap is called
    closed or narrowed only when its change is significant, and nothing is called over too few items
    (`stats.too_wide`, the rule that marks the gap table's estimates)."""
    if too_wide(change_ci, n):
        return "n too small"
    if before_ci[0] <= 0:
        return "no gap before"
    if change_ci[1] < 0:
        return "closed" if after_ci[0] <= 0 else "narrowed"
    if change_ci[0] > 0:
        return "widened"
    return "unchanged"


def gap_change(
    before: dict[str, dict[str, ItemScore]],
    after: dict[str, dict[str, ItemScore]],
    score: str,
    params: BootstrapParams,
    label: str,
) -> dict[str, Any] | None:
    """Gap before, after and its change on the items all four (run, setting) pairs answered, with intervals."""
    columns = [before["cascade"], before["direct"], after["cascade"], after["direct"]]
    uids = sorted(set.intersection(*(set(column) for column in columns)))
    if not uids:
        return None
    scores = np.array([[column[uid].score(score) for column in columns] for uid in uids], dtype=np.int8)
    accuracy = scores.mean(axis=0)
    result: dict[str, Any] = {"n": len(uids)}
    rng = params.rng(label)
    for name, weights in GAP_WEIGHTS.items():
        result[name] = float(accuracy @ np.asarray(weights, dtype=float))
        result[f"{name}_ci"] = list(
            percentile_interval(contrast_draws(scores, weights, params.resamples, rng), params.confidence)
        )
    result["verdict"] = gap_verdict(result["before_ci"], result["after_ci"], result["change_ci"], len(uids))
    return result


def same_versions(before: TaskLog, after: TaskLog) -> bool:
    """Whether two runs of a task can be paired item by item: the same task and data versions and fingerprint."""
    return before.versions() == after.versions()


def compare_runs(
    before: ModelLogs,
    after: ModelLogs,
    params: BootstrapParams,
    training: dict[str, Any] | None = None,
    pairable: Callable[[TaskLog, TaskLog], bool] = same_versions,
) -> Comparison:
    """Pair the two runs family by family; families whose task or data versions differ (not `pairable`) are left
    out. `training` is the fine-tuned model's provenance record, when one was found."""
    comparison = Comparison(before.label, after.label, training=training)
    if comparison.training is not None:
        bases = {run.pretrained for run in before.runs} - {None}
        if bases and comparison.training["base_model"] not in bases:
            comparison.issues.append(
                f"{after.label} was fine-tuned from {comparison.training['base_model']}, but the base run evaluated "
                f"{', '.join(sorted(map(str, bases)))}: is this the same model?"
            )
    before_families, after_families = before.families(), after.families()
    for family in sorted(before_families.keys() & after_families.keys()):
        pairs = [
            (setting, before_families[family][setting], after_families[family][setting])
            for setting in SETTINGS
            if setting in before_families[family] and setting in after_families[family]
        ]
        mismatched = [setting for setting, b, a in pairs if not pairable(b, a)]
        if mismatched:
            comparison.issues.append(
                f"compgap_{family}: task/data versions differ between the runs ({', '.join(mismatched)}); "
                "the family is left out (re-run both with one lmms-compgap)"
            )
            continue
        old = logged_scores({setting: log for setting, log, _ in pairs})
        new = logged_scores({setting: log for setting, _, log in pairs})
        settings: dict[str, Any] = {}
        for setting, _, _ in pairs:
            settings[setting] = {
                score: paired_comparison(
                    new[setting],
                    old[setting],
                    ("after", "before"),
                    score,
                    params,
                    f"{family}/{setting}/after_vs_before/{score}",
                )
                for score in SCORES
            }
        gap = None
        if {"cascade", "direct"} <= old.keys():
            gap = {score: gap_change(old, new, score, params, f"{family}/gap_change/{score}") for score in SCORES}
        comparison.families[family] = {"settings": settings, "gap": gap}
    for family in sorted(before_families.keys() ^ after_families.keys()):
        comparison.issues.append(f"compgap_{family} is in only one of the two runs; left out")
    if not comparison.families:
        raise ReportError("the base and fine-tuned runs share no task family with the same task and data versions")
    return comparison

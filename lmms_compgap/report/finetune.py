"""Before and after fine-tuning: one model's base run against its fine-tuned run, paired on the same items.

Per family and setting, the accuracy change (after − before) with a paired bootstrap interval and an
exact McNemar test; per family, the composition gap (cascade − direct) before and after, and its
change, all on the items both runs answered in both settings, from one joint bootstrap over items, and
a verdict on whether the gap closed (`gap_verdict`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from lmms_compgap.core.settings import SETTINGS
from lmms_compgap.report.errors import ReportError
from lmms_compgap.report.gap import paired_comparison
from lmms_compgap.report.runs import ModelLogs, RunInfo, logged_scores
from lmms_compgap.report.scores import SCORES, ItemScore
from lmms_compgap.report.stats import BootstrapParams, contrast_draws, percentile_interval
from lmms_compgap.report.tables import markdown_table, p_text, points

#: (before cascade, before direct, after cascade, after direct) weights of the three quantities.
_WEIGHTS: dict[str, tuple[int, int, int, int]] = {
    "before": (1, -1, 0, 0),
    "after": (0, 0, 1, -1),
    "change": (-1, 1, 1, -1),
}
VERDICTS: dict[str, str] = {
    "no gap before": "the gap before fine-tuning was not significantly above 0: nothing to close",
    "closed": "the gap was significantly above 0 before and is not after",
    "narrowed": "the gap shrank significantly but is still significantly above 0",
    "unchanged": "the change of the gap is not significant",
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


def gap_verdict(before_ci: Sequence[float], after_ci: Sequence[float], change_ci: Sequence[float]) -> str:
    """Whether fine-tuning closed the gap, from the three intervals (see VERDICTS)."""
    if before_ci[0] <= 0:
        return "no gap before"
    if after_ci[0] <= 0:
        return "closed"
    if change_ci[1] < 0:
        return "narrowed"
    if change_ci[0] > 0:
        return "widened"
    return "unchanged"


def gap_change(
    before: dict[str, dict[str, ItemScore]], after: dict[str, dict[str, ItemScore]], score: str,
    params: BootstrapParams, label: str,
) -> dict[str, Any] | None:  # fmt: skip
    """Gap before, after and its change on the items all four (run, setting) pairs answered, with intervals."""
    columns = [before["cascade"], before["direct"], after["cascade"], after["direct"]]
    uids = sorted(set.intersection(*(set(column) for column in columns)))
    if not uids:
        return None
    scores = np.array([[column[uid].score(score) for column in columns] for uid in uids], dtype=np.int8)
    accuracy = scores.mean(axis=0)
    result: dict[str, Any] = {"n": len(uids)}
    rng = params.rng(label)
    for name, weights in _WEIGHTS.items():
        result[name] = float(accuracy @ np.asarray(weights, dtype=float))
        result[f"{name}_ci"] = list(
            percentile_interval(contrast_draws(scores, weights, params.resamples, rng), params.confidence)
        )
    result["verdict"] = gap_verdict(result["before_ci"], result["after_ci"], result["change_ci"])
    return result


def pretrained_of(run: RunInfo) -> str | None:
    """The `pretrained=` (or `model=`) value of a run's model_args (inner model arguments included)."""
    for part in run.model_args.split(","):
        key, _, value = part.partition("=")
        if key.strip() in ("pretrained", "model") and value.strip():
            return value.strip()
    return None


def training_record(model: ModelLogs) -> dict[str, Any] | None:
    """The `compgap finetune` provenance of the model a run evaluated, when its `pretrained=` folder is here."""
    from lmms_compgap.finetune.train import read_provenance

    for run in model.runs:
        pretrained = pretrained_of(run)
        if pretrained and Path(pretrained).is_dir():
            record = read_provenance(pretrained)
            if record is not None:
                return record
    return None


def compare_runs(before: ModelLogs, after: ModelLogs, params: BootstrapParams) -> Comparison:
    """Pair the two runs family by family; families whose task or data versions differ are left out."""
    comparison = Comparison(before.label, after.label, training=training_record(after))
    if comparison.training is not None:
        bases = {pretrained_of(run) for run in before.runs} - {None}
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
        mismatched = [setting for setting, b, a in pairs if b.versions() != a.versions()]
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
                )  # fmt: skip
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


def _signed(value: float) -> str:
    return f"{100 * value:+.1f}"


def _with_ci(value: float, ci: Sequence[float]) -> str:
    return f"{_signed(value)} [{_signed(ci[0])}, {_signed(ci[1])}]"


def comparison_rows(comparison: Comparison) -> list[dict[str, Any]]:
    """CSV rows (points): one per family, setting and score, the gap rows with setting "gap"."""
    rows = []
    for family, result in comparison.families.items():
        for setting, scores in result["settings"].items():
            for score, compared in scores.items():
                if compared is None:
                    continue
                accuracy = compared["accuracy"]
                rows.append({
                    "family": family, "setting": setting, "score": score, "n": compared["n"],
                    "before_pct": points(accuracy["before"]), "after_pct": points(accuracy["after"]),
                    "change_pts": points(compared["gap"]), "change_ci_low_pts": points(compared["ci"][0]),
                    "change_ci_high_pts": points(compared["ci"][1]), "mcnemar_p": compared["mcnemar_p"],
                })  # fmt: skip
        for score, gap in (result["gap"] or {}).items():
            if gap is None:
                continue
            row = {"family": family, "setting": "gap", "score": score, "n": gap["n"]}
            for name in _WEIGHTS:
                row[f"{name}_pts"] = points(gap[name])
                row[f"{name}_ci_low_pts"], row[f"{name}_ci_high_pts"] = (points(x) for x in gap[f"{name}_ci"])
            row["verdict"] = gap["verdict"]
            rows.append(row)
    return rows


def comparison_markdown(comparison: Comparison, params: BootstrapParams) -> str:
    """The before/after section of the report: gaps with the verdict, then accuracy changes per setting."""
    level = f"{100 * params.confidence:.0f}%"
    parts = [
        f"Before: **{comparison.before_label}**; after: **{comparison.after_label}**. Points, {level} paired bootstrap "
        "intervals over the items both runs answered; p: exact McNemar test (after vs before).",
    ]
    if comparison.training:
        training = comparison.training
        parts.append(
            f"Fine-tuned from `{training['base_model']}` ({training['method']}) on compgap data "
            f"{training['data_fingerprint']} (train seeds: "
            + ", ".join(f"{f} {s['seed']}" for f, s in training["splits"]["train"]["families"].items())
            + ")."
        )
    gap_rows = []
    for family, result in comparison.families.items():
        for score, gap in (result["gap"] or {}).items():
            if gap:
                gap_rows.append([family, score, gap["n"], _with_ci(gap["before"], gap["before_ci"]),
                                 _with_ci(gap["after"], gap["after_ci"]), _with_ci(gap["change"], gap["change_ci"]),
                                 gap["verdict"]])  # fmt: skip
    parts.append(
        markdown_table(gap_rows, ["task", "score", "n", "gap before", "gap after", "change", "gap closed?"])
        if gap_rows
        else "No family has both direct and cascade in both runs: no gap to compare."
    )
    parts.append("\n".join(f"- **{name}**: {text}" for name, text in VERDICTS.items()))
    setting_rows = []
    for family, result in comparison.families.items():
        for setting, scores in result["settings"].items():
            for score, compared in scores.items():
                if compared:
                    accuracy = compared["accuracy"]
                    setting_rows.append([family, setting, score, compared["n"], f"{100 * accuracy['before']:.1f}",
                                         f"{100 * accuracy['after']:.1f}", _with_ci(compared["gap"], compared["ci"]),
                                         p_text(compared["mcnemar_p"])])  # fmt: skip
    parts.append("### Accuracy change per setting (after − before)")
    parts.append(markdown_table(setting_rows, ["task", "setting", "score", "n", "before", "after", "change [CI]", "p"]))
    if comparison.issues:
        parts.append("\n".join(f"- {issue}" for issue in comparison.issues))
    return "\n\n".join(parts)

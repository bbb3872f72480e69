"""Sensitivity sweeps as CSV rows and as the report's leading Markdown section (flexible score; the CSV has both)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from lmms_compgap.report.compute.sensitivity import Sweep, value_text
from lmms_compgap.report.compute.stats import BootstrapParams, too_wide
from lmms_compgap.report.render.finetune import with_ci
from lmms_compgap.report.render.literal import markdown_text
from lmms_compgap.report.render.tables import TOO_SMALL_NOTE, markdown_table, p_text, points

#: The score the Markdown tables show; sensitivity.csv holds every score.
SHOWN_SCORE = "flexible"


def moved(change_ci: Sequence[float], n: int) -> str:
    """Whether a change is significant: its interval excludes zero (and is not too wide to mean anything)."""
    if too_wide(change_ci, n):
        return "n too small"
    if change_ci[1] < 0:
        return "down"
    if change_ci[0] > 0:
        return "up"
    return "no significant move"


def sensitivity_rows(sweeps: Sequence[Sweep]) -> list[dict[str, Any]]:
    """CSV rows (points): per sweep, value, family, setting and score; the gap rows have setting "gap"."""
    rows = []
    for sweep in sweeps:
        for value, comparison in sweep.comparisons.items():
            head = {"model": sweep.model, "key": sweep.key, "reference": value_text(sweep.reference)}
            head["value"] = value_text(value)
            for family, result in comparison.families.items():
                for setting, scores in result["settings"].items():
                    for score, compared in scores.items():
                        if compared is None:
                            continue
                        rows.append(
                            {
                                **head,
                                "family": family,
                                "setting": setting,
                                "score": score,
                                "n": compared["n"],
                                "reference_pct": points(compared["accuracy"]["before"]),
                                "value_pct": points(compared["accuracy"]["after"]),
                                "change_pts": points(compared["gap"]),
                                "change_ci_low_pts": points(compared["ci"][0]),
                                "change_ci_high_pts": points(compared["ci"][1]),
                                "mcnemar_p": compared["mcnemar_p"],
                                "moved": moved(compared["ci"], compared["n"]),
                            }
                        )
                for score, gap in (result["gap"] or {}).items():
                    if gap is None:
                        continue
                    row = {**head, "family": family, "setting": "gap", "score": score, "n": gap["n"]}
                    for name, column in (("before", "reference"), ("after", "value"), ("change", "change")):
                        row[f"{column}_pts"] = points(gap[name])
                        row[f"{column}_ci_low_pts"], row[f"{column}_ci_high_pts"] = (
                            points(x) for x in gap[f"{name}_ci"]
                        )
                    row["moved"] = moved(gap["change_ci"], gap["n"])
                    rows.append(row)
    return rows


def _sweep_markdown(sweep: Sweep) -> list[str]:
    key = markdown_text(sweep.key)
    reference = markdown_text(value_text(sweep.reference))
    parts = [
        f"### {markdown_text(sweep.model)}: {key} (reference {key}={reference})",
        "Runs: " + "; ".join(f"{key}={markdown_text(value_text(value))}" for value in sweep.variants) + ".",
    ]
    gap_rows, setting_rows = [], []
    for value, comparison in sweep.comparisons.items():
        shown = markdown_text(value_text(value))
        for family, result in comparison.families.items():
            gap = (result["gap"] or {}).get(SHOWN_SCORE)
            if gap:
                n = gap["n"]
                gap_rows.append(
                    [
                        family,
                        shown,
                        n,
                        with_ci(gap["before"], gap["before_ci"], n),
                        with_ci(gap["after"], gap["after_ci"], n),
                        with_ci(gap["change"], gap["change_ci"], n),
                        moved(gap["change_ci"], n),
                    ]
                )
            for setting, scores in result["settings"].items():
                compared = scores.get(SHOWN_SCORE)
                if compared:
                    accuracy = compared["accuracy"]
                    setting_rows.append(
                        [
                            family,
                            setting,
                            shown,
                            compared["n"],
                            f"{100 * accuracy['before']:.1f}",
                            f"{100 * accuracy['after']:.1f}",
                            with_ci(compared["gap"], compared["ci"], compared["n"]),
                            p_text(compared["mcnemar_p"]),
                            moved(compared["ci"], compared["n"]),
                        ]
                    )
    header = ["task", key, "n", f"gap at {key}={reference}", "gap here", "change [CI]", "moved"]
    parts.append(
        markdown_table(gap_rows, header)
        if gap_rows
        else "No family has both direct and cascade at two settings: no gap to compare."
    )
    parts.append(
        markdown_table(setting_rows, ["task", "setting", key, "n", "reference", "here", "change [CI]", "p", "moved"])
    )
    if sweep.issues:
        parts.append("\n".join(f"- {markdown_text(issue)}" for issue in sweep.issues))
    return parts


def sensitivity_markdown(sweeps: Sequence[Sweep], params: BootstrapParams) -> str:
    """The sensitivity section: per sweep the gap at each value against the reference, then each setting."""
    level = f"{100 * params.confidence:.0f}%"
    parts = [
        f"Each setting against the reference of the same model (a run at another value of one argument, or a "
        f"rendering variant against its family's own pictures), on the items both answered (paired by item): points, "
        f"flexible score (sensitivity.csv has the strict score too), {level} paired bootstrap intervals; p: exact "
        f"McNemar test. **moved**: the change's interval excludes zero. {TOO_SMALL_NOTE}"
    ]
    for sweep in sweeps:
        parts += _sweep_markdown(sweep)
    return "\n\n".join(parts)

"""The before/after fine-tuning comparison as CSV rows and as the report's leading Markdown section."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from lmms_compgap.report.compute.finetune import GAP_WEIGHTS, VERDICTS, Comparison
from lmms_compgap.report.compute.stats import BootstrapParams
from lmms_compgap.report.render.literal import markdown_text
from lmms_compgap.report.render.tables import TOO_SMALL_NOTE, markdown_table, p_text, points, too_small_mark


def signed_points(value: float) -> str:
    """A change in points with its sign: +3.2, -0.5."""
    return f"{100 * value:+.1f}"


def with_ci(value: float, ci: Sequence[float], n: int) -> str:
    """A change in points with its interval, marked when the sample is too small for it to mean anything."""
    return f"{signed_points(value)} [{signed_points(ci[0])}, {signed_points(ci[1])}]{too_small_mark(ci, n)}"


def comparison_rows(comparison: Comparison) -> list[dict[str, Any]]:
    """CSV rows (points): one per family, setting and score, the gap rows with setting "gap"."""
    rows = []
    for family, result in comparison.families.items():
        for setting, scores in result["settings"].items():
            for score, compared in scores.items():
                if compared is None:
                    continue
                accuracy = compared["accuracy"]
                rows.append(
                    {
                        "family": family,
                        "setting": setting,
                        "score": score,
                        "n": compared["n"],
                        "before_pct": points(accuracy["before"]),
                        "after_pct": points(accuracy["after"]),
                        "change_pts": points(compared["gap"]),
                        "change_ci_low_pts": points(compared["ci"][0]),
                        "change_ci_high_pts": points(compared["ci"][1]),
                        "mcnemar_p": compared["mcnemar_p"],
                    }
                )
        for score, gap in (result["gap"] or {}).items():
            if gap is None:
                continue
            row = {"family": family, "setting": "gap", "score": score, "n": gap["n"]}
            for name in GAP_WEIGHTS:
                row[f"{name}_pts"] = points(gap[name])
                row[f"{name}_ci_low_pts"], row[f"{name}_ci_high_pts"] = (points(x) for x in gap[f"{name}_ci"])
            row["verdict"] = gap["verdict"]
            rows.append(row)
    return rows


def comparison_markdown(comparison: Comparison, params: BootstrapParams) -> str:
    """The before/after section of the report: gaps with the verdict, then accuracy changes per setting."""
    level = f"{100 * params.confidence:.0f}%"
    parts = [
        f"Before: **{markdown_text(comparison.before_label)}**; after: **{markdown_text(comparison.after_label)}**. "
        f"Points, {level} paired bootstrap intervals over the items both runs answered; p: exact McNemar test (after "
        f"vs before). {TOO_SMALL_NOTE}"
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
                n = gap["n"]
                gap_rows.append(
                    [
                        family,
                        score,
                        n,
                        with_ci(gap["before"], gap["before_ci"], n),
                        with_ci(gap["after"], gap["after_ci"], n),
                        with_ci(gap["change"], gap["change_ci"], n),
                        gap["verdict"],
                    ]
                )
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
                    setting_rows.append(
                        [
                            family,
                            setting,
                            score,
                            compared["n"],
                            f"{100 * accuracy['before']:.1f}",
                            f"{100 * accuracy['after']:.1f}",
                            with_ci(compared["gap"], compared["ci"], compared["n"]),
                            p_text(compared["mcnemar_p"]),
                        ]
                    )
    parts.append("### Accuracy change per setting (after − before)")
    parts.append(markdown_table(setting_rows, ["task", "setting", "score", "n", "before", "after", "change [CI]", "p"]))
    if comparison.issues:
        parts.append("\n".join(f"- {issue}" for issue in comparison.issues))
    return "\n\n".join(parts)

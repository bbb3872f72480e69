"""Report tables: the rows of the CSV files (numbers in points) and their Markdown rendering."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from tabulate import tabulate

from lmms_compgap.core.settings import ANSWER_SETTINGS, SETTINGS
from lmms_compgap.report.compute.attribution import CATEGORIES
from lmms_compgap.report.compute.scores import SCORES
from lmms_compgap.report.compute.stats import MEANINGFUL_HALF_WIDTH, MEANINGFUL_MIN_N, too_wide
from lmms_compgap.report.compute.summary import ModelSummary
from lmms_compgap.report.render.literal import markdown_text

Row = dict[str, Any]
_UNESCAPED_PIPE_RE = re.compile(r"(?<!\\)\|")
#: Marks an estimate whose interval is too wide to mean anything (see `stats.too_wide`).
TOO_SMALL = "(n too small)"
TOO_SMALL_NOTE = (
    f"{TOO_SMALL}: the interval reaches more than {100 * MEANINGFUL_HALF_WIDTH:.0f} points on either side of the "
    f"estimate, or fewer than {MEANINGFUL_MIN_N} items were compared, so the sample is too small for it to mean "
    "anything (a --limit run, a thin slice)."
)


def points(value: float | None) -> float | None:
    """A proportion as points (percent), rounded for files people read."""
    return None if value is None else round(100.0 * value, 2)


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{100.0 * value:.1f}"


def _signed(value: float | None) -> str:
    return "—" if value is None else f"{100.0 * value:+.1f}"


def _interval(ci: Sequence[float] | None) -> str:
    return "" if ci is None else f" [{100.0 * ci[0]:+.1f}, {100.0 * ci[1]:+.1f}]"


def too_small_mark(ci: Sequence[float] | None, n: int | None) -> str:
    """The mark " (n too small)" after an estimate that means nothing yet (`stats.too_wide`), else nothing."""
    return f" {TOO_SMALL}" if too_wide(ci, n) else ""


def _estimate(result: dict[str, Any], bold: bool = False) -> str:
    """A gap with its interval and, when it means nothing yet, the mark: "+3.0 [-1.2, +7.1] (n too small)"."""
    value = f"**{_signed(result['gap'])}**" if bold else _signed(result["gap"])
    return f"{value}{_interval(result['ci'])}{too_small_mark(result['ci'], result['n'])}"


def p_text(p: float | None) -> str:
    if p is None:
        return "—"
    return "<0.001" if p < 0.001 else f"{p:.3f}"


def _cell(value: Any) -> str:
    # Keep any cell from breaking a Markdown table (labels from files are escaped before: `markdown_text`).
    return _UNESCAPED_PIPE_RE.sub(r"\\|", str(value)).replace("\n", " ")


def markdown_table(rows: Sequence[Sequence[Any]], headers: Sequence[str]) -> str:
    return tabulate(
        [[_cell(cell) for cell in row] for row in rows], headers=list(headers), tablefmt="github", disable_numparse=True
    )


def _entries(summaries: Iterable[ModelSummary]) -> Iterable[tuple[str, str, dict[str, Any]]]:
    for summary in summaries:
        for family, aggregates in summary.families.items():
            yield summary.label, family, aggregates


def _accuracy(aggregates: dict[str, Any], setting: str, score: str) -> float | None:
    summary = aggregates["settings"].get(setting)
    if summary is None:
        return None
    return summary["accuracy"] if score == "flexible" or setting == "vision" else summary["strict_accuracy"]


# ---- the gap table ------------------------------------------------------------------------------
def gap_rows(summaries: Iterable[ModelSummary]) -> list[Row]:
    """One row per model, family and score: accuracies, both comparisons, failed calls (points)."""
    rows = []
    for label, family, aggregates in _entries(summaries):
        for score in SCORES:
            row: Row = {"model": label, "family": family, "score": score}
            for setting in SETTINGS:
                row[f"{setting}_pct"] = points(_accuracy(aggregates, setting, score))
                summary = aggregates["settings"].get(setting)
                row[f"{setting}_n"] = summary["n"] if summary else None
            for name, comparisons in aggregates["comparisons"].items():
                result = (comparisons or {}).get(score)
                prefix = "gap" if name == "cascade_vs_direct" else "cot_gap"
                row[f"{prefix}_n"] = result["n"] if result else None
                row[f"{prefix}_pts"] = points(result["gap"]) if result else None
                row[f"{prefix}_ci_low_pts"] = points(result["ci"][0]) if result else None
                row[f"{prefix}_ci_high_pts"] = points(result["ci"][1]) if result else None
                if name == "cascade_vs_direct":
                    row["relative_gap"] = result["relative"] if result else None
                    relative_ci = result["relative_ci"] if result else None
                    row["relative_ci_low"] = relative_ci[0] if relative_ci else None
                    row["relative_ci_high"] = relative_ci[1] if relative_ci else None
                    row["cascade_only"] = result["discordant"]["cascade_only"] if result else None
                    row["direct_only"] = result["discordant"]["direct_only"] if result else None
                row[f"{prefix}_mcnemar_p"] = result["mcnemar_p"] if result else None
                row[f"{prefix}_ci_too_wide"] = too_wide(result["ci"], result["n"]) if result else None
            cascade = aggregates["settings"].get("cascade")
            row["cascade_step1_usable_pct"] = points(cascade["usable"]) if cascade else None
            rows.append(row)
    return rows


def gap_markdown(summaries: Sequence[ModelSummary]) -> str:
    rows = []
    for label, family, aggregates in _entries(summaries):
        for score in SCORES:
            cells: list[Any] = [markdown_text(label), family, score]
            gap = (aggregates["comparisons"].get("cascade_vs_direct") or {}).get(score)
            cot = (aggregates["comparisons"].get("cascade_vs_cot") or {}).get(score)
            cells.append(gap["n"] if gap else "—")
            cells.extend(_pct(_accuracy(aggregates, setting, score)) for setting in SETTINGS)
            cells.append(_estimate(gap, bold=True) if gap else "—")
            cells.append(f"{100 * gap['relative']:+.0f}%" if gap and gap["relative"] is not None else "—")
            cells.append(p_text(gap["mcnemar_p"]) if gap else "—")
            cells.append(_estimate(cot) if cot else "—")
            cells.append(p_text(cot["mcnemar_p"]) if cot else "—")
            rows.append(cells)
    headers = ["model", "task", "score", "n", *SETTINGS, "gap (pts) [CI]", "relative", "p"]
    headers += ["cascade − cot [CI]", "p (cot)"]
    return markdown_table(rows, headers)


# ---- attribution --------------------------------------------------------------------------------
def attribution_rows(summaries: Iterable[ModelSummary]) -> list[Row]:
    rows = []
    for label, family, aggregates in _entries(summaries):
        for score, counts in (aggregates["attribution"] or {}).items():
            wrong = counts["direct_wrong"]
            row: Row = {"model": label, "family": family, "score": score, "direct_wrong": wrong}
            for category in CATEGORIES:
                row[category] = counts[category]
                row[f"{category}_share"] = round(counts[category] / wrong, 4) if wrong else None
            rows.append(row)
    return rows


def attribution_markdown(summaries: Sequence[ModelSummary]) -> str:
    table = []
    for row in attribution_rows(summaries):
        shares = [
            f"{row[c]} ({100 * row[f'{c}_share']:.0f}%)" if row[f"{c}_share"] is not None else str(row[c])
            for c in CATEGORIES
        ]
        table.append([markdown_text(row["model"]), row["family"], row["score"], row["direct_wrong"], *shares])
    return markdown_table(table, ["model", "task", "score", "direct wrong", *CATEGORIES])


# ---- failed calls -------------------------------------------------------------------------------
def failed_rows(summaries: Iterable[ModelSummary]) -> list[Row]:
    rows = []
    for label, family, aggregates in _entries(summaries):
        row: Row = {"model": label, "family": family}
        for setting in SETTINGS:
            summary = aggregates["settings"].get(setting)
            for step in ("step1", "step2"):
                if step == "step2" and setting != "cascade":
                    continue
                key = f"{setting}_{step}" if setting == "cascade" else setting
                row[key] = summary["failed_calls"][step] if summary else None
        rows.append(row)
    return rows


def failed_markdown(summaries: Sequence[ModelSummary]) -> str:
    rows = failed_rows(summaries)
    headers = ["model", "family", *SETTINGS[:1], "cascade_step1", "cascade_step2", *SETTINGS[2:]]
    cells = [["—" if row.get(h) is None else row[h] for h in headers] for row in rows]
    for row in cells:
        row[0] = markdown_text(row[0])
    return markdown_table(cells, headers)


# ---- slices -------------------------------------------------------------------------------------
def slice_csv_rows(summaries: Iterable[ModelSummary]) -> list[Row]:
    rows = []
    for summary in summaries:
        for entry in summary.slices:
            rows.append(
                {
                    "model": summary.label,
                    "family": entry["family"],
                    "attribute": entry["attribute"],
                    "value": entry["value"],
                    "n": entry["n"],
                    **{f"{s}_pct": points(entry[s]) for s in ANSWER_SETTINGS},
                    "gap_pts": points(entry["gap"]),
                    "gap_ci_low_pts": points(entry["ci"][0]),
                    "gap_ci_high_pts": points(entry["ci"][1]),
                    "mcnemar_p": entry["mcnemar_p"],
                    "strict_gap_pts": points(entry["strict_gap"]),
                    "gap_ci_too_wide": too_wide(entry["ci"], entry["n"]),
                }
            )
    return rows


def slices_markdown(summaries: Sequence[ModelSummary]) -> str:
    rows = [
        [
            markdown_text(summary.label),
            entry["family"],
            markdown_text(entry["attribute"]),
            markdown_text(entry["value"]),
            entry["n"],
            *(_pct(entry[setting]) for setting in ANSWER_SETTINGS),
            _estimate(entry),
            p_text(entry["mcnemar_p"]),
            _signed(entry["strict_gap"]),
        ]
        for summary in summaries
        for entry in summary.slices
    ]
    headers = ["model", "task", "attribute", "value", "n", *ANSWER_SETTINGS, "gap [CI]", "p", "strict gap"]
    return markdown_table(rows, headers)

"""Write a report folder: report.md, the CSV tables and the PNG plots; nothing when there is nothing to report."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lmms_compgap.core.regular import writable_folder, write_regular
from lmms_compgap.report.compute.finetune import Comparison
from lmms_compgap.report.compute.sensitivity import Sweep
from lmms_compgap.report.compute.stats import BootstrapParams
from lmms_compgap.report.compute.summary import ModelSummary
from lmms_compgap.report.render import causes, diagnostics, plots, tables
from lmms_compgap.report.render.finetune import comparison_markdown, comparison_rows
from lmms_compgap.report.render.report_markdown import full_markdown, terminal_markdown
from lmms_compgap.report.render.sensitivity import sensitivity_markdown, sensitivity_rows
from lmms_compgap.report.render.wording import wording_rows


@dataclass(frozen=True)
class ReportFiles:
    """What `write_report` wrote, and what to print."""

    markdown: str
    """What goes to the terminal: the gap, attribution and failed-call tables and the issues."""
    paths: list[Path]


#: What makes a spreadsheet read a cell as a formula (=HYPERLINK(...), +cmd, -2+3, @SUM): such a cell is written
#: with a leading apostrophe, as spreadsheet-safe CSV writers do (OWASP "CSV injection").
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: Any) -> Any:
    """A CSV cell that no spreadsheet runs: text opening with a formula prefix gets a leading apostrophe; numbers
    (a negative gap is -0.05) and everything else stay as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def write_csv(path: Path, rows: Sequence[dict[str, Any]]) -> Path:
    """The rows as a CSV file, columns in the order they first appear, every text cell spreadsheet-safe (header
    included); returns `path`. Never written through a symbolic link."""
    fields: list[str] = []
    for row in rows:
        fields.extend(key for key in row if key not in fields)
    handle = io.StringIO(newline="")
    writer = csv.writer(handle)
    writer.writerow([spreadsheet_safe(field) for field in fields])
    writer.writerows([spreadsheet_safe(row.get(field, "")) for field in fields] for row in rows)
    return write_regular(path, handle.getvalue())


def write_report(
    summaries: Sequence[ModelSummary],
    issues: Sequence[str],
    out: Path,
    params: BootstrapParams,
    with_plots: bool = True,
    comparison: Comparison | None = None,
    sweeps: Sequence[Sweep] = (),
) -> ReportFiles:
    """Write report.md, gap.csv, attribution.csv, failed_calls.csv, slices.csv, the diagnostics (agreement.csv,
    effort.csv, length_ratio.csv), causes.csv (where the gap comes from, when a model ran a why setting), wording.csv
    when a family ran under paraphrases, and the plots into `out` (and finetune.csv with a before/after `comparison`,
    whose section leads the report; sensitivity.csv with sensitivity `sweeps`, likewise).

    With nothing to report (no summaries) nothing is written, so an earlier report in `out` stays whole."""
    if not summaries:
        return ReportFiles(terminal_markdown(summaries, issues, params), [])
    writable_folder(out)
    before_after = comparison_markdown(comparison, params) if comparison else None
    sensitivity = sensitivity_markdown(sweeps, params) if sweeps else None
    paths = [out / "report.md"]
    write_regular(paths[0], full_markdown(summaries, issues, params, before_after, sensitivity))
    if comparison:
        paths.append(write_csv(out / "finetune.csv", comparison_rows(comparison)))
    if sweeps:
        paths.append(write_csv(out / "sensitivity.csv", sensitivity_rows(sweeps)))
    paths.append(write_csv(out / "gap.csv", tables.gap_rows(summaries)))
    paths.append(write_csv(out / "attribution.csv", tables.attribution_rows(summaries)))
    paths.append(write_csv(out / "failed_calls.csv", tables.failed_rows(summaries)))
    paths.append(write_csv(out / "slices.csv", tables.slice_csv_rows(summaries)))
    paths.append(write_csv(out / "agreement.csv", diagnostics.agreement_rows(summaries)))
    paths.append(write_csv(out / "effort.csv", diagnostics.effort_rows(summaries)))
    paths.append(write_csv(out / "length_ratio.csv", diagnostics.length_ratio_rows(summaries)))
    if any(summary.causes for summary in summaries):
        paths.append(write_csv(out / "causes.csv", causes.causes_rows(summaries)))
    if any(summary.wording for summary in summaries):
        paths.append(write_csv(out / "wording.csv", wording_rows(summaries)))
    if with_plots:
        entries = [(summary.label, summary.families) for summary in summaries]
        for name, plot in (("gap.png", plots.plot_gaps), ("accuracy.png", plots.plot_accuracies)):
            paths.append(out / name)
            write_regular(paths[-1], plot(entries, params.confidence))
    return ReportFiles(terminal_markdown(summaries, issues, params, before_after, sensitivity), paths)

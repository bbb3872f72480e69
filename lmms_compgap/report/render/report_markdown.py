"""The report as Markdown: the terminal's tables, and the file's with the runs, the slices and how to read it."""

from __future__ import annotations

from collections.abc import Sequence

from lmms_compgap.report.compute.attribution import DESCRIPTIONS
from lmms_compgap.report.compute.scores import SCORES_EXPLAINED
from lmms_compgap.report.compute.stats import BootstrapParams
from lmms_compgap.report.compute.summary import ModelSummary
from lmms_compgap.report.render import causes, diagnostics, tables
from lmms_compgap.report.render.literal import markdown_text
from lmms_compgap.report.render.wording import wording_markdown

DOCS_HINT = "How to read this: docs/report.md in lmms-compgap."


def _runs_section(summaries: Sequence[ModelSummary]) -> str:
    lines = []
    for summary in summaries:
        lines.append(f"- **{markdown_text(summary.label)}**")
        for run in summary.runs:
            limit = f", limit {run.limit:g}" if run.limit is not None else ""
            fields = (run.results_path, run.lmms_eval_model, run.model_args, run.gen_kwargs)
            path, model, model_args, gen_kwargs = (markdown_text(field) for field in fields)
            version = f"lmms-eval {markdown_text(run.lmms_eval_version)}"
            if run.launch_git:
                version += f" (lmms-eval wrote {markdown_text(run.launch_git)}: the git state of its launch folder)"
            run_line = f"  - {path}: model {model}, model_args {model_args}, gen_kwargs {gen_kwargs}{limit}"
            lines.append(f"{run_line}, {version}")
    return "\n".join(lines)


def _issues_section(issues: Sequence[str]) -> str:
    return "\n".join(f"- {markdown_text(issue)}" for issue in issues) if issues else "None."


def _tables(
    summaries: Sequence[ModelSummary],
    issues: Sequence[str],
    params: BootstrapParams,
    slices: bool,
    before_after: str | None = None,
    sensitivity: str | None = None,
) -> list[str]:
    level = f"{100 * params.confidence:.0f}%"
    parts = ["## Before and after fine-tuning", before_after] if before_after else []
    parts += (
        ["## Sensitivity (one argument or the rendering varied, each against its reference)", sensitivity]
        if sensitivity
        else []
    )
    parts += [
        f"## Composition gap (cascade − direct, points; {level} paired bootstrap CI, exact McNemar p)",
        tables.gap_markdown(summaries),
        "## Why the direct setting failed (share of its wrong answers)",
        tables.attribution_markdown(summaries),
    ]
    if any(summary.causes for summary in summaries):
        parts += [
            f"## Where the gap comes from (why settings; {level} paired bootstrap CI, exact McNemar p)",
            causes.CAUSES_NOTE,
            causes.causes_markdown(summaries),
        ]
    if any(summary.wording for summary in summaries):
        parts += [
            f"## Robustness to wording (cascade − direct under each phrasing of the prompts; {level} CIs)",
            wording_markdown(summaries, level),
        ]
    parts += ["## Failed model calls", tables.failed_markdown(summaries)]
    if slices:
        parts += ["## Slices by difficulty attribute (flexible score)", tables.slices_markdown(summaries)]
        parts += [
            f"## Agreement between settings (same final answer; {level} paired bootstrap CI)",
            diagnostics.AGREEMENT_NOTE,
            diagnostics.agreement_markdown(summaries),
            "## Reasoning effort (response length and shown work)",
            diagnostics.EFFORT_NOTE,
            diagnostics.effort_markdown(summaries),
            f"### Are the direct answers much shorter than the language ones? ({level} paired bootstrap CI)",
            diagnostics.length_ratio_markdown(summaries),
        ]
    return [*parts, "## Issues (incomplete or skipped inputs)", _issues_section(issues)]


def terminal_markdown(
    summaries: Sequence[ModelSummary],
    issues: Sequence[str],
    params: BootstrapParams,
    before_after: str | None = None,
    sensitivity: str | None = None,
) -> str:
    """The gap, attribution and failed-call tables and the issues (the slices are in the file only)."""
    return "\n\n".join(_tables(summaries, issues, params, False, before_after, sensitivity)) + "\n"


def full_markdown(
    summaries: Sequence[ModelSummary],
    issues: Sequence[str],
    params: BootstrapParams,
    before_after: str | None = None,
    sensitivity: str | None = None,
) -> str:
    level = f"{100 * params.confidence:.0f}%"
    categories = "\n".join(f"- **{name}**: {text}" for name, text in DESCRIPTIONS.items())
    parts = [
        "# lmms-compgap report",
        f"{DOCS_HINT} Accuracies in %, gaps in points. Gap = cascade − direct on the items both settings answered; "
        f"relative = gap / direct accuracy. CIs: {level} percentile paired bootstrap over items "
        f"({params.resamples} resamples, seed {params.seed}); p: two-sided exact McNemar test. {SCORES_EXPLAINED} "
        f"Vision: exact intermediate (transcription, object or card list); for a family that is heard, such as spoken, "
        f"the same column is hearing (the clip's transcription). {tables.TOO_SMALL_NOTE}",
        "## Runs",
        _runs_section(summaries),
        *_tables(summaries, issues, params, True, before_after, sensitivity),
        "## Attribution categories (a partition of the items the direct setting gets wrong, tested in this order)",
        categories,
    ]
    return "\n\n".join(parts) + "\n"

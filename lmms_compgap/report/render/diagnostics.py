"""The report's diagnostics as tables: agreement between settings and reasoning effort (CSV rows and Markdown)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from lmms_compgap.report.compute.agreement import AGREEMENT_PAIRS, excess_found
from lmms_compgap.report.compute.effort import MUCH_SHORTER
from lmms_compgap.report.compute.summary import ModelSummary
from lmms_compgap.report.render.literal import markdown_text
from lmms_compgap.report.render.tables import Row, markdown_table, points, too_small_mark

AGREEMENT_NOTE = (
    "Share of the items both settings answered on which they give the same final answer, right or wrong (SEAM). An "
    "item on which either setting extracted no answer does not agree; *no answer* counts them (both settings / one). "
    "*Excess disagreement* = (100 − agreement) − |accuracy difference|: disagreement that no accuracy difference "
    "explains."
)
EFFORT_NOTE = (
    "Characters of the response the final answer was read from (cascade: step 2); the logs name no tokenizer, so no "
    "tokens. *Shows work*: the response holds an arithmetic step `a op b = c`. Right and wrong: flexible score."
)


def _pct_ci(value: float, ci: Sequence[float]) -> str:
    return f"{100 * value:.1f} [{100 * ci[0]:.1f}, {100 * ci[1]:.1f}]"


def _agreement_entries(summaries: Iterable[ModelSummary]) -> Iterable[tuple[str, str, str, dict[str, Any]]]:
    for summary in summaries:
        for family, pairs in summary.agreement.items():
            for pair, result in pairs.items():
                yield summary.label, family, pair, result


def agreement_rows(summaries: Iterable[ModelSummary]) -> list[Row]:
    """One row per model, family and pair of settings (points)."""
    rows = []
    for label, family, pair, result in _agreement_entries(summaries):
        a, b = AGREEMENT_PAIRS[pair]
        rows.append(
            {
                "model": label,
                "family": family,
                "setting_a": a,
                "setting_b": b,
                "n": result["n"],
                "agree": result["agree"],
                "agreement_pct": points(result["agreement"]),
                "agreement_ci_low_pct": points(result["ci"][0]),
                "agreement_ci_high_pct": points(result["ci"][1]),
                "agree_right": result["agree_right"],
                "no_answer_both": result["no_answer_both"],
                "no_answer_one": result["no_answer_one"],
                "accuracy_difference_pts": points(result["accuracy_difference"]),
                "excess_disagreement_pts": points(result["excess"]),
                "excess_ci_low_pts": points(result["excess_ci"][0]),
                "excess_ci_high_pts": points(result["excess_ci"][1]),
                "excess_found": excess_found(result),
            }
        )
    return rows


def agreement_markdown(summaries: Sequence[ModelSummary]) -> str:
    rows = [
        [
            markdown_text(label),
            family,
            " vs ".join(AGREEMENT_PAIRS[pair]),
            result["n"],
            _pct_ci(result["agreement"], result["ci"]) + too_small_mark(result["ci"], result["n"]),
            result["agree_right"],
            f"{result['no_answer_both']} / {result['no_answer_one']}",
            f"{100 * result['accuracy_difference']:+.1f}",
            f"{100 * result['excess']:+.1f} [{100 * result['excess_ci'][0]:+.1f}, {100 * result['excess_ci'][1]:+.1f}]",
        ]
        for label, family, pair, result in _agreement_entries(summaries)
    ]
    headers = ["model", "task", "settings", "n", "agreement % [CI]", "agree, right", "no answer (both / one)"]
    headers += ["accuracy a − b", "excess disagreement [CI]"]
    return markdown_table(rows, headers) if rows else "No model has two settings to compare."


def _effort_entries(summaries: Iterable[ModelSummary]) -> Iterable[tuple[str, str, str, str, dict[str, Any]]]:
    for summary in summaries:
        for family, effort in summary.effort.items():
            for setting, outcomes in effort["settings"].items():
                for outcome, result in outcomes.items():
                    yield summary.label, family, setting, outcome, result


def effort_rows(summaries: Iterable[ModelSummary]) -> list[Row]:
    """One row per model, family, setting and outcome (all, right, wrong)."""
    rows = []
    for label, family, setting, outcome, result in _effort_entries(summaries):
        share = result["shows_work"]
        rows.append(
            {
                "model": label,
                "family": family,
                "setting": setting,
                "outcome": outcome,
                "n": result["n"],
                "no_text": result["no_text"],
                "chars_q1": result["chars_q1"],
                "chars_median": result["chars_median"],
                "chars_q3": result["chars_q3"],
                "shows_work_pct": points(share),
            }
        )
    return rows


def _chars(result: dict[str, Any]) -> str:
    if result["chars_median"] is None:
        return "—"
    return f"{result['chars_median']:.0f} [{result['chars_q1']:.0f}–{result['chars_q3']:.0f}]"


def effort_markdown(summaries: Sequence[ModelSummary]) -> str:
    rows = [
        [
            markdown_text(label),
            family,
            setting,
            outcome,
            result["n"],
            result["no_text"],
            _chars(result),
            "—" if result["shows_work"] is None else f"{100 * result['shows_work']:.1f}",
        ]
        for label, family, setting, outcome, result in _effort_entries(summaries)
    ]
    headers = ["model", "task", "setting", "answers", "n", "no text", "characters: median [quartiles]", "shows work %"]
    return markdown_table(rows, headers) if rows else "No responses."


def length_ratio_rows(summaries: Iterable[ModelSummary]) -> list[Row]:
    """One row per model and family with both direct and language: the median length ratio."""
    rows = []
    for summary in summaries:
        for family, effort in summary.effort.items():
            ratio = effort["direct_vs_language"]
            if ratio is not None:
                rows.append(
                    {
                        "model": summary.label,
                        "family": family,
                        "n": ratio["n"],
                        "median_ratio": round(ratio["ratio"], 4),
                        "ratio_ci_low": round(ratio["ci"][0], 4),
                        "ratio_ci_high": round(ratio["ci"][1], 4),
                        "much_shorter": ratio["much_shorter"],
                    }
                )
    return rows


def length_ratio_markdown(summaries: Sequence[ModelSummary]) -> str:
    """The ratio table and one sentence per model and task whose direct answers are much shorter (or one saying
    that none is)."""
    rows = length_ratio_rows(summaries)
    table = [
        [
            markdown_text(row["model"]),
            row["family"],
            row["n"],
            f"{row['median_ratio']:.2f} [{row['ratio_ci_low']:.2f}, {row['ratio_ci_high']:.2f}]",
            "yes" if row["much_shorter"] else "no",
        ]
        for row in rows
    ]
    rule = f"median ratio at most {MUCH_SHORTER:g} and its interval below 1"
    sentences = [
        f"- **{markdown_text(row['model'])}**, {row['family']}: the direct setting's answers are much shorter than the "
        f"language setting's on the same items (median ratio {row['median_ratio']:.2f} "
        f"[{row['ratio_ci_low']:.2f}, {row['ratio_ci_high']:.2f}] over {row['n']} items): the picture may suppress "
        "the reasoning the text gets."
        for row in rows
        if row["much_shorter"]
    ]
    if not rows:
        return "No model has both the direct and the language setting."
    found = "\n".join(sentences) or f"No model's direct answers are much shorter than its language answers ({rule})."
    headers = ["model", "task", "n", "direct / language characters: median ratio [CI]", "much shorter"]
    return f"{markdown_table(table, headers)}\n\nMuch shorter: {rule}.\n\n{found}"

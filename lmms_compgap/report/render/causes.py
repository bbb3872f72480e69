"""The "where the gap comes from" table (CSV rows and Markdown) and one sentence per row, from the numbers."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from lmms_compgap.report.compute.causes import CAUSE_COMPARISONS, direction
from lmms_compgap.report.compute.summary import ModelSummary
from lmms_compgap.report.render.literal import markdown_text
from lmms_compgap.report.render.tables import Row, markdown_table, p_text, points, too_small_mark

CAUSES_NOTE = (
    "The cascade makes the intermediate explicit *and* takes the picture away from the reasoning step. The cascade "
    "with the picture (cascadeimage: step 2 also gets the image) separates the two: cascade − cascadeimage is what "
    "having the picture in view while reasoning costs, cascadeimage − direct what making the intermediate explicit "
    "gains (on the items all three answered, the two add up to the gap). Two turns of one chat (twoturn: the image "
    "and step 1's prompt, the model's own step-1 answer, then step 2's prompt) is how a user would ask: against direct "
    "it says whether a user can work around the gap, against the cascade what the conversation keeps of the "
    "cascade's gain. Flexible score; each row over the items both its settings answered."
)

#: comparison -> what the row measures, and the sentence for each direction (`causes.direction`); {d} is the
#: difference's size in points, {ci} its interval.
_SENTENCES: dict[str, tuple[str, dict[str, str]]] = {
    "cascade_vs_cascadeimage": (
        "the picture in view at step 2",
        {
            "higher": "showing the picture again at step 2 costs {d} points {ci}: having the picture in view while "
            "reasoning hurts this model.",
            "lower": "showing the picture again at step 2 gains {d} points {ci}: the model reasons better with the "
            "picture in view than from its own reading alone.",
            "none": "showing the picture again at step 2 changes no measurable amount ({d} points {ci}): the picture "
            "in view does not explain the gap.",
        },
    ),
    "cascadeimage_vs_direct": (
        "the intermediate made explicit (picture still in view)",
        {
            "higher": "making the intermediate explicit gains {d} points {ci} with the picture still in view: "
            "decomposition explains the gap, or this much of it.",
            "lower": "making the intermediate explicit costs {d} points {ci} with the picture in view: its own "
            "intermediate misleads the model.",
            "none": "with the picture in view, making the intermediate explicit scores like direct ({d} points {ci}): "
            "decomposition alone does not explain the gap.",
        },
    ),
    "twoturn_vs_direct": (
        "two turns of one chat instead of one question",
        {
            "higher": "asking in two turns of one chat gains {d} points {ci} over asking at once: a chat user can work "
            "around the gap.",
            "lower": "asking in two turns of one chat loses {d} points {ci} against asking at once.",
            "none": "asking in two turns of one chat scores like asking at once ({d} points {ci}): a chat user cannot "
            "work around the gap this way.",
        },
    ),
    "twoturn_vs_cascade": (
        "one conversation instead of two separate calls",
        {
            "higher": "two turns of one chat beat the cascade by {d} points {ci}: the conversation adds to the "
            "cascade's gain.",
            "lower": "two turns of one chat fall {d} points {ci} short of the cascade: the conversation (the picture "
            "and the first turn in context) keeps part of the gap.",
            "none": "two turns of one chat score like the cascade ({d} points {ci}): the conversation keeps the "
            "cascade's gain.",
        },
    ),
}


def _difference(result: dict[str, Any]) -> str:
    """ "+3.0 [-1.2, +7.1]", with the mark when the sample is too small to mean anything."""
    low, high = (100 * bound for bound in result["ci"])
    return f"{100 * result['gap']:+.1f} [{low:+.1f}, {high:+.1f}]{too_small_mark(result['ci'], result['n'])}"


def _entries(summaries: Iterable[ModelSummary]) -> Iterable[tuple[str, str, str, dict[str, Any]]]:
    for summary in summaries:
        for family, causes in summary.causes.items():
            for name, result in causes["comparisons"].items():
                yield summary.label, family, name, result


def cause_sentence(name: str, result: dict[str, Any]) -> str:
    """The row's reading, generated from its difference and interval (one of CAUSE_COMPARISONS)."""
    shown = direction(result)
    if shown == "unclear":
        return f"{_SENTENCES[name][0]}: too few items to tell ({_difference(result)})."
    low, high = (100 * bound for bound in result["ci"])
    # A sentence that names a direction gives the size; one that finds none gives the signed difference. The
    # interval keeps its signs.
    size = f"{100 * result['gap']:+.1f}" if shown == "none" else f"{abs(100 * result['gap']):.1f}"
    text = _SENTENCES[name][1][shown].format(d=size, ci=f"[{low:+.1f}, {high:+.1f}]")
    return f"{_SENTENCES[name][0]}: {text}"


def causes_rows(summaries: Iterable[ModelSummary]) -> list[Row]:
    """One row per model, family and comparison (points), with its direction and sentence."""
    rows = []
    for label, family, name, result in _entries(summaries):
        a, b = CAUSE_COMPARISONS[name]
        rows.append(
            {
                "model": label,
                "family": family,
                "setting_a": a,
                "setting_b": b,
                "n": result["n"],
                "a_pct": points(result["accuracy"][a]),
                "b_pct": points(result["accuracy"][b]),
                "difference_pts": points(result["gap"]),
                "ci_low_pts": points(result["ci"][0]),
                "ci_high_pts": points(result["ci"][1]),
                "mcnemar_p": result["mcnemar_p"],
                "direction": direction(result),
                "reading": cause_sentence(name, result),
            }
        )
    return rows


def causes_markdown(summaries: Sequence[ModelSummary]) -> str:
    """The table, the why settings' failed calls, and one sentence per row."""
    table, sentences, failed = [], [], []
    for label, family, name, result in _entries(summaries):
        a, b = CAUSE_COMPARISONS[name]
        accuracy = result["accuracy"]
        table.append(
            [
                markdown_text(label),
                family,
                f"{a} − {b}",
                result["n"],
                f"{100 * accuracy[a]:.1f} / {100 * accuracy[b]:.1f}",
                _difference(result),
                p_text(result["mcnemar_p"]),
            ]
        )
        sentences.append(f"- **{markdown_text(label)}**, {family}, {cause_sentence(name, result)}")
    for summary in summaries:
        for family, causes in summary.causes.items():
            for setting, scored in causes["settings"].items():
                steps = scored["failed_calls"]
                if steps["step1"] or steps["step2"]:
                    failed.append(
                        f"- **{markdown_text(summary.label)}**, {family} {setting}: failed calls at step 1 "
                        f"{steps['step1']}, at step 2 {steps['step2']} (of {scored['n']}; scored wrong)."
                    )
    if not table:
        return "No model has a why setting beside the settings it is compared with (run compgap_why with compgap_all)."
    headers = ["model", "task", "difference", "n", "accuracy a / b", "difference (pts) [CI]", "p"]
    parts = [markdown_table(table, headers), "\n".join(sentences)]
    return "\n\n".join(parts + (["\n".join(failed)] if failed else []))

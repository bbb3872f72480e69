"""The gap across wordings as CSV rows (wording.csv) and as the report's section: a table per wording, the wordings'
summary, and one sentence per model and family saying whether the gap's sign depends on the wording."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from lmms_compgap.core.settings import CANONICAL_WORDING
from lmms_compgap.report.compute.summary import ModelSummary
from lmms_compgap.report.compute.wording import DEPENDS, STABLE, TOO_FEW
from lmms_compgap.report.render.finetune import signed_points, with_ci
from lmms_compgap.report.render.literal import markdown_text
from lmms_compgap.report.render.tables import markdown_table, points, too_small_mark

#: The score the Markdown section shows; wording.csv holds both.
SHOWN_SCORE = "flexible"
NOTE = (
    "Each wording is one phrasing of every prompt: canonical (the `compgap` tasks) or paraphrase w<k> (the "
    "`compgap_wording` tasks `compgap_<family>_<setting>_w<k>`; the answer format is the same in all). Gap = cascade "
    "− direct under that wording, with its paired interval over items. Mean, SD and range are over the wordings, on "
    "the items every wording answered in both settings; the item-only interval resamples those items, the two-way "
    "one resamples the items and the wordings (docs/report.md)."
)


def _interval(ci: Sequence[float]) -> str:
    return f"[{signed_points(ci[0])}, {signed_points(ci[1])}]"


def wording_name(wording: int) -> str:
    return "canonical" if wording == CANONICAL_WORDING else f"w{wording}"


def _entries(summaries: Iterable[ModelSummary]) -> Iterable[tuple[str, str, dict[str, Any]]]:
    for summary in summaries:
        for family, result in summary.wording.items():
            yield summary.label, family, result


def wording_rows(summaries: Iterable[ModelSummary]) -> list[dict[str, Any]]:
    """CSV rows (points): per model, family and score, one row per wording, then the summary row (wording "all")."""
    rows: list[dict[str, Any]] = []
    for label, family, result in _entries(summaries):
        for score, scored in result["scores"].items():
            head = {"model": label, "family": family, "score": score}
            for wording, gap in scored["wordings"].items():
                rows.append(
                    {
                        **head,
                        "wording": wording_name(wording),
                        "n": gap["n"],
                        "cascade_pct": points(gap["accuracy"]["cascade"]),
                        "direct_pct": points(gap["accuracy"]["direct"]),
                        "gap_pts": points(gap["gap"]),
                        "ci_low_pts": points(gap["ci"][0]),
                        "ci_high_pts": points(gap["ci"][1]),
                        "mcnemar_p": gap["mcnemar_p"],
                    }
                )
            if scored["mean"] is None:
                continue
            rows.append(
                {
                    **head,
                    "wording": "all",
                    "n": scored["n_common"],
                    "wordings": len(scored["wordings"]),
                    "gap_pts": points(scored["mean"]),
                    "sd_pts": points(scored["sd"]),
                    "min_pts": points(scored["min"]),
                    "max_pts": points(scored["max"]),
                    "ci_low_pts": points(scored["item_ci"][0]),
                    "ci_high_pts": points(scored["item_ci"][1]),
                    "two_way_ci_low_pts": points(scored["two_way_ci"][0]),
                    "two_way_ci_high_pts": points(scored["two_way_ci"][1]),
                    "sign": scored["verdict"],
                }
            )
    return rows


def sign_sentence(label: str, family: str, scored: dict[str, Any], level: str) -> str:
    """What the numbers say about the gap's sign across wordings, in one sentence."""
    gaps = scored["wordings"]
    listed = ", ".join(f"{signed_points(gap['gap'])} ({wording_name(wording)})" for wording, gap in gaps.items())
    two_way = f"{level} two-way interval {_interval(scored['two_way_ci'])}"
    head = f"**{markdown_text(label)}, {family}**: "
    canonical = gaps.get(CANONICAL_WORDING)
    if scored["verdict"] == DEPENDS:
        above = [wording_name(w) for w, gap in gaps.items() if gap["ci"][0] > 0]
        below = [wording_name(w) for w, gap in gaps.items() if gap["ci"][1] < 0]
        if above and below:
            why = f"it is above zero under {', '.join(above)} and below under {', '.join(below)}"
        else:
            why = (
                f"the canonical wording's interval {_interval(canonical['ci'])} excludes zero, the {two_way} does not"
                if canonical
                else "the wordings disagree"
            )
        return f"{head}the gap's sign depends on the wording: {why} (gaps {listed} points)."
    if scored["verdict"] == TOO_FEW:
        return (
            f"{head}only {scored['n_common']} items shared by every wording, too few to say whether the gap's sign "
            f"depends on the wording (gaps {listed} points)."
        )
    if scored["verdict"] == STABLE:
        sign = "negative" if scored["two_way_ci"][1] < 0 else "positive"
        return (
            f"{head}the gap keeps its sign across wordings ({sign}): mean {signed_points(scored['mean'])} points, "
            f"{two_way} (gaps {listed})."
        )
    return (
        f"{head}no wording shows a gap of either sign: the {two_way} spans zero (mean "
        f"{signed_points(scored['mean'])}; gaps {listed})."
    )


def wording_markdown(summaries: Sequence[ModelSummary], level: str) -> str:
    """The section: per model and family, each wording's gap, then the summary over wordings and the sentence."""
    per_wording, overall, sentences = [], [], []
    for label, family, result in _entries(summaries):
        scored = result["scores"][SHOWN_SCORE]
        for wording, gap in scored["wordings"].items():
            cascade, direct = (f"{100 * gap['accuracy'][s]:.1f}" for s in ("cascade", "direct"))
            per_wording.append(
                [
                    markdown_text(label),
                    family,
                    wording_name(wording),
                    gap["n"],
                    cascade,
                    direct,
                    with_ci(gap["gap"], gap["ci"], gap["n"]),
                ]
            )
        if scored["mean"] is None:
            sentences.append(f"**{markdown_text(label)}, {family}**: fewer than two wordings share items; no spread.")
            continue
        # Only the item interval is marked: the two-way one is wide when the wordings disagree, which is the finding.
        mark = too_small_mark(scored["item_ci"], scored["n_common"])
        overall.append(
            [
                markdown_text(label),
                family,
                len(scored["wordings"]),
                scored["n_common"],
                f"**{signed_points(scored['mean'])}**",
                f"{100 * scored['sd']:.1f}",
                f"{signed_points(scored['min'])} to {signed_points(scored['max'])}",
                _interval(scored["item_ci"]) + mark,
                _interval(scored["two_way_ci"]),
                scored["verdict"],
            ]
        )
        sentences.append(sign_sentence(label, family, scored, level))
    headers = ["model", "task", "wording", "n", "cascade", "direct", "gap (pts) [CI]"]
    summary_headers = ["model", "task", "wordings", "n", "mean gap", "SD", "range", "items CI", "two-way CI", "sign"]
    parts = [NOTE, markdown_table(per_wording, headers)]
    if overall:
        parts.append(markdown_table(overall, summary_headers))
    return "\n\n".join([*parts, "\n".join(f"- {sentence}" for sentence in sentences)])

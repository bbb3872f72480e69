"""PNG plots (as bytes): the gap with its interval per model and task, and the accuracy of every setting."""

from __future__ import annotations

import io
import math
from collections.abc import Mapping, Sequence
from typing import Any

from matplotlib.figure import Figure  # the object API renders with Agg and never needs a display

from lmms_compgap.core.settings import SETTINGS
from lmms_compgap.report.compute.stats import DEFAULT_CONFIDENCE, wilson_interval
from lmms_compgap.report.render.literal import plain_text, plot_text

#: (label, family -> aggregates), one per model or submission.
PlotEntry = tuple[str, Mapping[str, Mapping[str, Any]]]
_LABEL_CHARS = 36
_SCORE_STYLE = {"flexible": {"marker": "o", "color": "tab:blue"}, "strict": {"marker": "s", "color": "tab:orange"}}


def short_label(label: str) -> str:
    """A model label as plot text: long paths lose their beginning (usually the least telling part), and the
    label is shown literally (`plot_text`: no maths markup, no control characters, no lone surrogates)."""
    label = plain_text(label)
    return plot_text(label if len(label) <= _LABEL_CHARS else "…" + label[-(_LABEL_CHARS - 1) :])


def _families(entries: Sequence[PlotEntry]) -> list[str]:
    return sorted({family for _, families in entries for family in families})


def _legend(figure: Figure, axes: Sequence[Any], bottom: float) -> None:
    """One legend for the figure, from every panel (a model may be missing from some)."""
    entries: dict[str, Any] = {}
    for axis in axes:
        for handle, name in zip(*axis.get_legend_handles_labels(), strict=True):
            entries.setdefault(name, handle)
    if entries:
        figure.legend(
            list(entries.values()),
            list(entries),
            loc="lower center",
            ncols=min(4, len(entries)),
            bbox_to_anchor=(0.5, bottom),
            frameon=False,
        )


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    return buffer.getvalue()


def _comparison(aggregates: Mapping[str, Any], family: str, score: str) -> Mapping[str, Any] | None:
    comparisons = (aggregates.get(family) or {}).get("comparisons") or {}
    return (comparisons.get("cascade_vs_direct") or {}).get(score)


def plot_gaps(entries: Sequence[PlotEntry], confidence: float = DEFAULT_CONFIDENCE) -> bytes:
    """PNG: cascade − direct gap (points) with its bootstrap interval, one panel per task (one x scale), both scores."""
    families = _families(entries) or ["(no data)"]
    rows = max(len(entries), 1)
    height = 1.9 + 0.5 * rows
    figure = Figure(figsize=(4.2 * len(families) + 1.5, height))
    axes = figure.subplots(1, len(families), sharex=True, sharey=True, squeeze=False)[0]
    labelled: set[str] = set()
    for axis, family in zip(axes, families, strict=True):
        axis.axvline(0.0, color="0.35", linewidth=1.0)
        for offset, score in ((-0.15, "flexible"), (0.15, "strict")):
            for row, (_, aggregates) in enumerate(entries):
                comparison = _comparison(aggregates, family, score)
                if not comparison:
                    continue
                gap, (low, high) = 100 * comparison["gap"], comparison["ci"]
                label = None if score in labelled else f"{score} score"
                labelled.add(score)
                axis.errorbar(
                    gap,
                    row + offset,
                    xerr=[[gap - 100 * low], [100 * high - gap]],
                    capsize=3,
                    linestyle="none",
                    label=label,
                    **_SCORE_STYLE[score],
                )
                if score == "flexible":
                    axis.annotate(
                        f"{gap:+.1f} (n={comparison['n']})",
                        (100 * high, row + offset),
                        xytext=(4, 0),
                        textcoords="offset points",
                        va="center",
                        fontsize=8,
                    )
        axis.set_title(family)
        axis.set_xlabel("cascade − direct (points)")
        axis.grid(axis="x", alpha=0.3)
    low_x, high_x = axes[0].get_xlim()
    low_x, high_x = min(low_x, -5.0), max(high_x, 5.0)  # a gap of zero still gets a readable scale
    axes[0].set_xlim(low_x, high_x + 0.3 * (high_x - low_x))  # room for the value labels
    axes[0].set_yticks(range(len(entries)), [short_label(label) for label, _ in entries])
    axes[0].set_ylim(rows - 0.5, -0.5)
    _legend(figure, axes, 0.0)
    figure.suptitle(
        f"Composition gap with {100 * confidence:.0f}% paired-bootstrap interval (> 0: cascade beats direct)"
    )
    figure.tight_layout(rect=(0, 0.45 / height, 1, 1))
    return _png(figure)


def plot_accuracies(entries: Sequence[PlotEntry], confidence: float = DEFAULT_CONFIDENCE) -> bytes:
    """PNG: accuracy (flexible score, bars with Wilson intervals; strict score as ticks) of every setting, per task."""
    families = _families(entries) or ["(no data)"]
    figure = Figure(
        figsize=(max(8.0, 1.6 * len(SETTINGS) * max(1.0, math.sqrt(len(entries)))), 0.6 + 3.0 * len(families))
    )
    axes = figure.subplots(len(families), 1, sharex=True, squeeze=False)[:, 0]
    width = 0.8 / max(len(entries), 1)
    colours = [f"C{index % 10}" for index in range(len(entries))]
    for axis, family in zip(axes, families, strict=True):
        for index, (label, aggregates) in enumerate(entries):
            settings = (aggregates.get(family) or {}).get("settings", {})
            legend_label: str | None = short_label(label)
            for position, setting in enumerate(SETTINGS):
                summary = settings.get(setting)
                if not summary or not summary["n"]:
                    continue
                x = position - 0.4 + width * (index + 0.5)
                accuracy, n = summary["accuracy"], summary["n"]
                low, high = wilson_interval(round(accuracy * n), n, confidence)
                axis.bar(x, 100 * accuracy, width * 0.92, color=colours[index], label=legend_label)
                legend_label = None
                axis.errorbar(
                    x,
                    100 * accuracy,
                    yerr=[[100 * (accuracy - low)], [100 * (high - accuracy)]],
                    color="0.2",
                    capsize=2,
                    linewidth=0.8,
                )
                axis.plot(
                    x,
                    100 * summary["strict_accuracy"],
                    marker="D",
                    markersize=4,
                    color="black",
                    markeredgecolor="white",
                    linestyle="none",
                    label="strict score" if index == 0 else None,
                )
        axis.set_xticks(range(len(SETTINGS)), SETTINGS)
        axis.set_ylim(0, 105)
        axis.set_ylabel(f"{family}\naccuracy (%)")
        axis.grid(axis="y", alpha=0.3)
    _legend(figure, axes, -0.01)
    figure.suptitle(
        f"Accuracy per setting (bars: flexible score with {100 * confidence:.0f}% Wilson interval; "
        "diamonds: strict score)\nvision = exact intermediate (transcription, object or card list)",
        fontsize=10,
    )
    figure.tight_layout(rect=(0, 0.12 / len(families), 1, 1))
    return _png(figure)

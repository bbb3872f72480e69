"""The leaderboard: verified submissions only, ranked by the mean composition gap, as Markdown and HTML."""

from __future__ import annotations

import base64
import html
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from tabulate import tabulate

from lmms_compgap.report import plots
from lmms_compgap.report.errors import SubmissionRejected
from lmms_compgap.report.gap import comparison_label, gap_draws, paired_scores
from lmms_compgap.report.safe_json import DEFAULT_MAX_BYTES
from lmms_compgap.report.stats import BootstrapParams, PairedTable, percentile_interval
from lmms_compgap.report.submission import aggregates
from lmms_compgap.report.tables import markdown_table, p_text
from lmms_compgap.report.verify import VerifiedSubmission, verify_submission

RANKING_RULE = (
    "Ranked by the composition gap (cascade − direct accuracy, flexible score, in points) averaged over the task "
    "families, smallest first: a model that answers directly as well as its own forced two-step cascade has no gap, "
    "and a negative gap (direct beats the cascade) ranks above zero, because it means the model composes its skills "
    "better than the explicit pipeline. Ties are broken by the higher mean direct accuracy. Read the gap together with "
    "the accuracies: a model without either skill has no gap either. Only complete submissions (every task, setting "
    "and item) are ranked, unless the board was built with --include-partial; partial ones are marked."
)
GAP = ("cascade_vs_direct", "flexible")


@dataclass
class Entry:
    """One verified submission with the numbers the leaderboard shows (all recomputed by verification)."""

    verified: VerifiedSubmission
    label: str
    mean_gap: float
    mean_gap_ci: tuple[float, float]
    mean_accuracy: dict[str, float | None]
    families: dict[str, dict[str, Any]]
    aggregates: dict[str, dict[str, Any]]

    @property
    def coverage(self) -> str:
        if not self.verified.partial:
            return "complete"
        counts = ", ".join(f"{family} n={n}" for family, n in sorted(self.verified.n_items.items()))
        return f"partial ({counts})"


@dataclass
class Leaderboard:
    params: BootstrapParams = field(default_factory=BootstrapParams)
    ranked: list[Entry] = field(default_factory=list)
    unranked: list[Entry] = field(default_factory=list)
    rejected: list[tuple[Path, str]] = field(default_factory=list)


def _mean(values: list[float | None]) -> float | None:
    present = [value for value in values if value is not None]
    return sum(present) / len(present) if present else None


def finetuned_marker(training: dict[str, Any] | None) -> str:
    """What a model fine-tuned on compgap training data carries after its name (nothing otherwise)."""
    return f" [fine-tuned on compgap data {training['data_fingerprint'][:15]}…]" if training else ""


def make_entry(verified: VerifiedSubmission, params: BootstrapParams) -> Entry:
    """Recompute with the board's statistics (one confidence level for all); the mean gap's interval averages
    each family's own bootstrap draws (families are independent samples of items)."""
    summaries = aggregates(verified.scores, params)
    families = {family: summary["comparisons"][GAP[0]][GAP[1]] for family, summary in summaries.items()}
    draws = []
    for family, settings in sorted(verified.scores.items()):
        table = PairedTable.from_scores(*paired_scores(settings["cascade"], settings["direct"], GAP[1]))
        draws.append(gap_draws(table, params, comparison_label(family, *GAP))[0])
    mean_draws = np.mean(draws, axis=0)
    accuracy = {
        setting: _mean([
            (summary["settings"].get(setting) or {}).get("accuracy") for summary in summaries.values()
        ])
        for setting in ("direct", "cascade", "cot")
    }  # fmt: skip
    return Entry(
        verified=verified,
        label=verified.model_name + finetuned_marker(verified.training),
        mean_gap=float(np.mean([comparison["gap"] for comparison in families.values()])),
        mean_gap_ci=percentile_interval(mean_draws, params.confidence),
        mean_accuracy=accuracy,
        families=families,
        aggregates=summaries,
    )


def build_leaderboard(
    directory: Path,
    max_bytes: int = DEFAULT_MAX_BYTES,
    include_partial: bool = False,
    params: BootstrapParams | None = None,
) -> Leaderboard:
    """Verify every `*.json` in `directory`; rank the verified ones by RANKING_RULE, list the rejected ones."""
    board = Leaderboard(params or BootstrapParams())
    entries = []
    for path in sorted(directory.glob("*.json")):
        try:
            entries.append(make_entry(verify_submission(path, max_bytes), board.params))
        except SubmissionRejected as error:
            board.rejected.append((path, str(error).removeprefix(f"{path}: ")))
    names = [entry.label for entry in entries]
    for entry in entries:
        if names.count(entry.label) > 1:
            entry.label = f"{entry.label} ({entry.verified.path.name})"
    for entry in entries:
        (board.ranked if include_partial or not entry.verified.partial else board.unranked).append(entry)
    board.ranked.sort(key=lambda e: (round(e.mean_gap, 12), -(e.mean_accuracy["direct"] or 0.0), e.label))
    return board


def _families(board: Leaderboard) -> list[str]:
    return sorted({family for entry in board.ranked + board.unranked for family in entry.families})


def _legend(board: Leaderboard) -> str:
    params = board.params
    return (
        f"Gaps in points with {100 * params.confidence:.0f}% paired-bootstrap intervals ({params.resamples} resamples, "
        f"seed {params.seed}), p: exact McNemar test; accuracies in % (flexible score, means over families). Every "
        "number is recomputed from the submitted raw responses by the installed scorer."
    )


def _p_suffix(p: float) -> str:
    text = p_text(p)
    return text if text.startswith("<") else f"={text}"


def _pts(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:+.1f}"


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.1f}"


def _rows(entries: list[Entry], families: list[str], ranked: bool) -> tuple[list[list[str]], list[str]]:
    headers = (["rank"] if ranked else []) + ["model", "coverage", "mean gap [CI]"]
    headers += [f"{family} gap [CI], p" for family in families] + ["direct", "cascade", "cot", "file"]
    rows = []
    for rank, entry in enumerate(entries, start=1):
        low, high = entry.mean_gap_ci
        row = ([str(rank)] if ranked else []) + [entry.label, entry.coverage]
        row.append(f"{_pts(entry.mean_gap)} [{_pts(low)}, {_pts(high)}]")
        for family in families:
            gap = entry.families.get(family)
            ci = f" [{_pts(gap['ci'][0])}, {_pts(gap['ci'][1])}], p{_p_suffix(gap['mcnemar_p'])}" if gap else ""
            row.append(f"{_pts(gap['gap'])}{ci}" if gap else "—")
        row += [_pct(entry.mean_accuracy[setting]) for setting in ("direct", "cascade", "cot")]
        row.append(entry.verified.path.name)
        rows.append(row)
    return rows, headers


def leaderboard_markdown(board: Leaderboard, images: dict[str, str] | None = None) -> str:
    families = _families(board)
    parts = ["# lmms-compgap leaderboard", RANKING_RULE, _legend(board)]
    parts += ["## Ranking", markdown_table(*_rows(board.ranked, families, ranked=True)) if board.ranked else "None."]
    if board.unranked:
        parts += [
            "## Partial submissions (verified, not ranked)",
            markdown_table(*_rows(board.unranked, families, False)),
        ]
    parts += ["## Rejected files"]
    parts.append(
        "\n".join(f"- `{path.name}`: {reason}" for path, reason in board.rejected) if board.rejected else "None."
    )
    for title, name in (images or {}).items():
        parts.append(f"![{title}]({name})")
    return "\n\n".join(parts) + "\n"


_STYLE = (
    "body{font-family:system-ui,sans-serif;margin:2em auto;max-width:1200px;padding:0 1em;color:#222}"
    "table{border-collapse:collapse;margin:1em 0;font-size:14px}th,td{border:1px solid #ccc;padding:4px 8px}"
    "th{background:#f3f3f3}tr:nth-child(even) td{background:#fafafa}img{max-width:100%;display:block;margin:1em 0}"
    "code{background:#f3f3f3;padding:1px 3px}"
)


def leaderboard_html(board: Leaderboard, images: dict[str, bytes]) -> str:
    """A self-contained page: every value from a submission is escaped, plots are inline PNGs, no scripts."""
    families = _families(board)

    def table(entries: list[Entry], ranked: bool) -> str:
        rows, headers = _rows(entries, families, ranked)
        return tabulate(rows, headers=headers, tablefmt="html", disable_numparse=True)  # escapes every cell

    body = ["<h1>lmms-compgap leaderboard</h1>", f"<p>{html.escape(RANKING_RULE)}</p>"]
    body.append(f"<p>{html.escape(_legend(board))}</p><h2>Ranking</h2>")
    body.append(table(board.ranked, True) if board.ranked else "<p>None.</p>")
    if board.unranked:
        body += ["<h2>Partial submissions (verified, not ranked)</h2>", table(board.unranked, False)]
    body.append("<h2>Rejected files</h2>")
    if board.rejected:
        items = "".join(
            f"<li><code>{html.escape(path.name)}</code>: {html.escape(reason)}</li>" for path, reason in board.rejected
        )
        body.append(f"<ul>{items}</ul>")
    else:
        body.append("<p>None.</p>")
    for title, png in images.items():
        encoded = base64.b64encode(png).decode("ascii")
        body.append(
            f'<h2>{html.escape(title)}</h2><img alt="{html.escape(title)}" src="data:image/png;base64,{encoded}">'
        )
    policy = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{policy}">'
        f"<title>lmms-compgap leaderboard</title><style>{_STYLE}</style></head>\n<body>\n"
        + "\n".join(body)
        + "\n</body></html>\n"
    )


def write_leaderboard(board: Leaderboard, out: Path) -> list[Path]:
    """leaderboard.md, leaderboard.html (plots inline) and the plots as PNG files, in `out`."""
    out.mkdir(parents=True, exist_ok=True)
    entries = [(entry.label, entry.aggregates) for entry in board.ranked + board.unranked]
    images: dict[str, bytes] = {}
    files: dict[str, str] = {}
    if entries:
        for title, name, plot in (
            ("Composition gap per task", "leaderboard_gap.png", plots.plot_gaps),
            ("Accuracy per setting", "leaderboard_accuracy.png", plots.plot_accuracies),
        ):
            images[title] = plot(entries, out / name, board.params.confidence)
            files[title] = name
    markdown = out / "leaderboard.md"
    markdown.write_text(leaderboard_markdown(board, files), encoding="utf-8")
    page = out / "leaderboard.html"
    page.write_text(leaderboard_html(board, images), encoding="utf-8")
    return [markdown, page, *(out / name for name in files.values())]

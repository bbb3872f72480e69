"""The leaderboard folder: every submission in a folder verified and placed; the page and its plots written."""

from __future__ import annotations

from pathlib import Path

from lmms_compgap.report.compute.leaderboard import Leaderboard, make_entry, place_entries
from lmms_compgap.report.compute.stats import BootstrapParams
from lmms_compgap.report.errors import SubmissionRejected
from lmms_compgap.report.files.safe_json import DEFAULT_MAX_BYTES
from lmms_compgap.report.render import plots
from lmms_compgap.report.render.leaderboard import leaderboard_html, leaderboard_markdown
from lmms_compgap.report.render.literal import plain_text
from lmms_compgap.report.submissions.verify import verify_submission


def build_leaderboard(
    directory: Path,
    max_bytes: int = DEFAULT_MAX_BYTES,
    include_partial: bool = False,
    params: BootstrapParams | None = None,
) -> Leaderboard:
    """Verify every `*.json` in `directory`; place the verified ones by RANKING_RULE, list the rejected ones."""
    board = Leaderboard(params or BootstrapParams())
    entries = []
    for path in sorted(directory.glob("*.json")):
        try:
            entries.append(make_entry(verify_submission(path, max_bytes), board.params, include_partial))
        except SubmissionRejected as error:
            board.rejected.append((path, plain_text(str(error).removeprefix(f"{path}: "))))
    names = [entry.label for entry in entries]
    for entry in entries:
        if names.count(entry.label) > 1:
            entry.label = f"{entry.label} ({entry.verified.path.name})"
    place_entries(board, entries)
    return board


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
            images[title] = plot(entries, board.params.confidence)
            (out / name).write_bytes(images[title])
            files[title] = name
    markdown = out / "leaderboard.md"
    markdown.write_text(leaderboard_markdown(board, files), encoding="utf-8", errors="backslashreplace")
    page = out / "leaderboard.html"
    page.write_text(leaderboard_html(board, images), encoding="utf-8", errors="backslashreplace")
    return [markdown, page, *(out / name for name in files.values())]

"""The leaderboard folder: every submission in a folder verified and placed; the page and its plots written."""

from __future__ import annotations

import os
import stat
from collections import Counter
from pathlib import Path

from lmms_compgap.core.regular import NotReadable, writable_folder, write_regular
from lmms_compgap.errors import NotVerifiedHere, SubmissionRejected
from lmms_compgap.report.compute.leaderboard import Leaderboard, make_entry, place_entries
from lmms_compgap.report.compute.stats import BootstrapParams
from lmms_compgap.report.files.safe_json import DEFAULT_MAX_BYTES
from lmms_compgap.report.render import plots
from lmms_compgap.report.render.leaderboard import leaderboard_html, leaderboard_markdown
from lmms_compgap.report.render.literal import name_key, plain_text
from lmms_compgap.report.submissions.verify import verify_submission


def build_leaderboard(
    directory: Path,
    max_bytes: int = DEFAULT_MAX_BYTES,
    include_partial: bool = False,
    params: BootstrapParams | None = None,
    agreement: bool = False,
) -> Leaderboard:
    """Verify every `*.json` in `directory`; place the verified ones by RANKING_RULE, list the rejected ones (with
    `agreement`, each entry also shows its direct vs language agreement)."""
    if not stat.S_ISDIR(os.lstat(directory).st_mode):
        raise NotReadable(f"{directory}: not a folder of submission files (links are not followed)")
    board = Leaderboard(params or BootstrapParams(), agreement=agreement)
    entries = []
    for path in sorted(directory.glob("*.json")):
        try:
            entries.append(make_entry(verify_submission(path, max_bytes), board.params, include_partial, agreement))
        except NotVerifiedHere as error:
            board.not_verified.append((path, plain_text(str(error).removeprefix(f"{path}: "))))
        except SubmissionRejected as error:
            board.rejected.append((path, plain_text(str(error).removeprefix(f"{path}: "))))
    # Names that read alike are told apart by their file: invisible characters do not make a name another one.
    names = Counter(name_key(entry.label) for entry in entries)
    for entry in entries:
        if names[name_key(entry.label)] > 1:
            entry.label = f"{entry.label} ({plain_text(entry.verified.path.name)})"
    place_entries(board, entries)
    return board


def write_leaderboard(board: Leaderboard, out: Path) -> list[Path]:
    """leaderboard.md, leaderboard.html (plots inline) and the plots as PNG files, in `out`."""
    writable_folder(out)
    entries = [(entry.label, entry.aggregates) for entry in board.ranked + board.unranked]
    images: dict[str, bytes] = {}
    files: dict[str, str] = {}
    if entries:
        for title, name, plot in (
            ("Composition gap per task", "leaderboard_gap.png", plots.plot_gaps),
            ("Accuracy per setting", "leaderboard_accuracy.png", plots.plot_accuracies),
        ):
            images[title] = plot(entries, board.params.confidence)
            write_regular(out / name, images[title])
            files[title] = name
    markdown = out / "leaderboard.md"
    write_regular(markdown, leaderboard_markdown(board, files))
    page = out / "leaderboard.html"
    write_regular(page, leaderboard_html(board, images))
    return [markdown, page, *(out / name for name in files.values())]

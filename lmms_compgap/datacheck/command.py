"""`compgap data check`: prove each item's image agrees with its label, with OCR and classical vision."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tabulate import tabulate

from lmms_compgap.core.registry import family_names, get_family
from lmms_compgap.core.regular import is_regular, write_regular

if TYPE_CHECKING:
    from lmms_compgap.datacheck.runner import FamilyCheck

#: How many disagreeing items the summary lists per family (all of them go to --out).
SHOWN = 20


def add_check_command(data_commands: Any) -> None:
    """Register `check` under the `compgap data` subcommands (OpenCV and the checkers load only when it runs)."""
    check = data_commands.add_parser(
        "check",
        help="check every item's image or clip against its label with tools not written here (Tesseract OCR, "
        "OpenCV, PocketSphinx)",
        description="Read every item's image (hear every clip) with the tools each family's data check declares "
        "(Tesseract OCR, OpenCV, PocketSphinx) and report the share of items that agree with their labels "
        "(docs/data_check.md).",
    )
    check.add_argument("--task", choices=family_names(), help="one task family (default: all)")
    check.add_argument("--limit", type=int, metavar="N", help="check only the first N items of each family")
    check.add_argument("--out", metavar="FILE.json", help="write every item's verdict and measurements here")
    check.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1), help="worker processes (default: 2)")
    check.set_defaults(handler=run_check)


def _opencv_version() -> str:
    import cv2

    return cv2.__version__


def _tesseract_version() -> str:
    from lmms_compgap.datacheck import tesseract

    return tesseract.tesseract_version()


def _pocketsphinx_version() -> str:
    from lmms_compgap.datacheck import sphinx

    return sphinx.sphinx_version()


#: How to name the version of each tool a family's `DataCheck.tools` may list.
TOOL_VERSIONS: dict[str, Callable[[], str]] = {
    "tesseract": _tesseract_version,
    "opencv": _opencv_version,
    "pocketsphinx": _pocketsphinx_version,
}


def tool_versions(families: list[str]) -> dict[str, str]:
    """The versions of the tools the checks of `families` use (a tool this command does not know is named as
    "unknown version")."""
    needed = sorted({tool for name in families for tool in getattr(get_family(name).data_check, "tools", ())})
    return {tool: TOOL_VERSIONS[tool]() if tool in TOOL_VERSIONS else "unknown version" for tool in needed}


def _out_problem(out: Path) -> str | None:
    """Why --out cannot be written (its folder missing, or it is a link, a folder or a device), or None."""
    folder = out.parent
    if not folder.is_dir():
        return f"the folder {folder} does not exist"
    if os.path.lexists(out) and not is_regular(out):
        return "not a regular file (links are not followed)"
    return None


def run_check(args: argparse.Namespace) -> int:
    """Check the families, print the summary, write --out; 0 if all pass, 1 if one fails, 2 if one cannot run."""
    from lmms_compgap.datacheck import sphinx, tesseract
    from lmms_compgap.datacheck.runner import check_family

    families = [args.task] if args.task else [name for name in family_names() if get_family(name).data_check]
    if args.task and get_family(args.task).data_check is None:
        print(f"compgap data check: the {args.task} family declares no data check", file=sys.stderr)
        return 2
    if args.limit is not None and args.limit < 1:
        print("compgap data check: --limit must be at least 1", file=sys.stderr)
        return 2
    problem = _out_problem(Path(args.out)) if args.out else None
    if problem:  # before the check, which takes minutes: its result must have somewhere to go
        print(f"compgap data check: --out {args.out}: {problem}; nothing was checked", file=sys.stderr)
        return 2
    checks: list[FamilyCheck] = []
    try:
        versions = tool_versions(families)
        for name in families:
            rows = get_family(name).generate()[: args.limit]
            checks.append(check_family(name, rows, workers=args.workers, progress=True))
    except (tesseract.TesseractError, sphinx.SphinxError) as error:
        print(f"compgap data check: {error}", file=sys.stderr)
        return 2
    print(summary(checks, versions))
    if args.out:
        families_json = {check.family: check.to_json() for check in checks}
        record = {"tools": versions, "limit": args.limit, "families": families_json}
        write_regular(Path(args.out), json.dumps(record, indent=1, ensure_ascii=False) + "\n")
        print(f"\nwrote {args.out}")
    return 0 if all(check.passed for check in checks) else 1


def summary(checks: list[FamilyCheck], versions: dict[str, str]) -> str:
    """The agreement table, then each family's disagreeing items (what the tool read against the gold)."""
    table = tabulate(
        [
            [
                check.family,
                len(check.items),
                check.agreeing,
                f"{check.agreement:.1f}%",
                f"{check.threshold:.1f}%",
                "ok" if check.passed else "FAILED",
                f"{check.seconds:.0f} s",
            ]
            for check in checks
        ],
        headers=["family", "items", "agree", "agreement", "threshold", "status", "time"],
        tablefmt="github",
    )
    parts = [table, "tools: " + ", ".join(f"{tool} {version}" for tool, version in versions.items())]
    for check in checks:
        disagreements = check.disagreements
        if not disagreements:
            continue
        parts.append(f"\n{check.family}: {len(disagreements)} item(s) disagree")
        for item in disagreements[:SHOWN]:
            parts.append(f"- {item.uid}: {item.note}")
        if len(disagreements) > SHOWN:
            parts.append(f"- ... and {len(disagreements) - SHOWN} more (see --out)")
    return "\n".join(parts)

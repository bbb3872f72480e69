"""`compgap doctor`: checks, without loading a model, that this environment can run a compgap evaluation.

Each check says ok, note, warn or fail, and how to fix what is not ok. Exit status: 1 when a run
would fail or silently run something else than asked (fail), 2 when a run would work but degraded
or an optional tool is missing (warn), 0 otherwise.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Iterator
from dataclasses import asdict
from pathlib import Path

from lmms_compgap.doctor.check import EXIT_CODES, Check
from lmms_compgap.doctor.environment import check_python, check_requirements, check_tested_versions
from lmms_compgap.doctor.evaluation import check_data, check_lmms_eval, check_model, check_model_extras, check_tasks
from lmms_compgap.doctor.machine import (
    check_disk,
    check_picture_cache,
    check_public_datasets,
    check_tesseract,
    check_torch,
)


def run_checks(include_paths: list[Path] | None = None) -> list[Check]:
    """Every check, in order; a check that crashes becomes a failed check, never a traceback."""
    include_paths = include_paths or []
    groups: list[tuple[str, Callable[[], Iterator[Check]]]] = [
        ("python", check_python),
        ("requirements", check_requirements),
        ("tested versions", check_tested_versions),
        ("lmms-eval", check_lmms_eval),
        ("torch", check_torch),
        ("model", check_model),
        ("model wrappers", check_model_extras),
        ("tasks", lambda: check_tasks(include_paths)),
        ("data files", check_data),
        ("public datasets", check_public_datasets),
        ("picture cache", check_picture_cache),
        ("disk", check_disk),
        ("tesseract", check_tesseract),
    ]
    results: list[Check] = []
    for name, check in groups:
        try:
            results.extend(check())
        except Exception as error:  # noqa: BLE001 - the doctor must report, not crash
            results.append(Check(name, "fail", f"the check itself failed: {type(error).__name__}: {error}"[:500]))
    return results


def exit_status(checks: list[Check]) -> int:
    statuses = {check.status for check in checks}
    if "fail" in statuses:
        return EXIT_CODES["fail"]
    return EXIT_CODES["warn"] if "warn" in statuses else 0


def format_checks(checks: list[Check]) -> str:
    width = max(len(check.name) for check in checks)
    lines = []
    for check in checks:
        lines.append(f"{check.status.upper():<5} {check.name:<{width}}  {check.detail}")
        if check.fix and check.status != "ok":
            lines.append(f"{'':<5} {'':<{width}}  fix: {check.fix}")
    fails = sum(check.status == "fail" for check in checks)
    warns = sum(check.status == "warn" for check in checks)
    if fails:
        lines.append(f"{fails} problem(s) would stop or falsify an evaluation; {warns} warning(s).")
    elif warns:
        lines.append(f"An evaluation would run; {warns} warning(s).")
    else:
        lines.append("Ready: an evaluation would run.")
    return "\n".join(lines)


def _doctor(args: argparse.Namespace) -> int:
    checks = run_checks([Path(p) for p in args.include_path])
    if args.json:
        print(json.dumps({"checks": [asdict(check) for check in checks], "exit_status": exit_status(checks)}, indent=1))
    else:
        print(format_checks(checks))
    return exit_status(checks)


def add_doctor_command(commands: argparse._SubParsersAction) -> None:
    doctor = commands.add_parser(
        "doctor",
        help="check that this environment can run a compgap evaluation (no model is loaded)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    doctor.add_argument(
        "--include_path",
        action="append",
        default=[],
        metavar="DIR",
        help="a task folder you pass to lmms-eval --include_path (checked for shadowing)",
    )
    doctor.add_argument("--json", action="store_true", help="print the checks as JSON")
    doctor.set_defaults(handler=_doctor)

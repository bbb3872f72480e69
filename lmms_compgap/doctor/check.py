"""One doctor finding, and what the findings mean for the exit status."""

from __future__ import annotations

from dataclasses import dataclass

STATUSES = ("ok", "note", "warn", "fail")
EXIT_CODES = {"ok": 0, "note": 0, "warn": 2, "fail": 1}


@dataclass(frozen=True)
class Check:
    """One finding: what was checked, its status, what was found and, unless ok, how to fix it."""

    name: str
    status: str
    detail: str
    fix: str | None = None

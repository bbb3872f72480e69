"""Installed package versions, as recorded with results and submissions, and the tested lock (`constraints.txt`)."""

from __future__ import annotations

import functools
import importlib.metadata
from pathlib import Path

LOCK_FILE = "constraints.txt"
#: The lock's copy inside the installed package (pyproject.toml force-includes it there).
PACKAGED_LOCK = "tested-constraints.txt"


def distribution_version(name: str) -> str | None:
    """The installed version of a distribution, None when it is not installed (looked up afresh each time)."""
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


@functools.cache
def installed_version(package: str) -> str:
    """The installed version of `package` (its distribution name), or "not installed", as recorded with results."""
    return distribution_version(package) or "not installed"


def normalise_name(name: str) -> str:
    """A distribution name as the lock and pip compare it (PEP 503, lowercase, `-` for `_` and `.`)."""
    return name.strip().lower().replace("_", "-").replace(".", "-")


def lock_path() -> Path | None:
    """The tested lock: shipped inside the package, or at the root of a source checkout."""
    packaged = Path(__file__).resolve().parents[1] / PACKAGED_LOCK
    if packaged.is_file():
        return packaged
    checkout = Path(__file__).resolve().parents[2] / LOCK_FILE
    return checkout if checkout.is_file() else None


def tested_versions(path: Path | None = None) -> dict[str, str]:
    """`name==version` lines of the lock, by normalised distribution name."""
    path = path or lock_path()
    if path is None:
        return {}
    pins: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if "==" in line:
            name, version = line.split("==", 1)
            pins[normalise_name(name.split("[", 1)[0])] = version.split(";", 1)[0].strip()
    return pins


def tested_python(path: Path | None = None) -> str | None:
    """The Python version the lock was made with (its `# python: X.Y` header line)."""
    path = path or lock_path()
    if path is None:
        return None
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# python:"):
            return line.split(":", 1)[1].strip()
    return None

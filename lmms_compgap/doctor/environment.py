"""Doctor checks of the Python environment: its version, lmms-compgap's declared requirements, the tested lock."""

from __future__ import annotations

import importlib
import importlib.metadata
import platform
import sys
from collections.abc import Iterator

from packaging.requirements import InvalidRequirement, Requirement
from packaging.version import InvalidVersion, Version

from lmms_compgap.core.versions import distribution_version, lock_path, normalise_name, tested_python, tested_versions
from lmms_compgap.doctor.check import Check

DISTRIBUTION = "lmms-compgap"


def pin_fix(distribution: str) -> str:
    tested = tested_versions().get(normalise_name(distribution))
    if tested:
        return (
            f'pip install "{distribution}=={tested}" (the tested version), or reinstall with the lock: '
            f"pip install -c {lock_path()} lmms-compgap"
        )
    installed = distribution_version(distribution)
    if installed:
        return f'pip install "{distribution}<{installed}" (an earlier release; this one changed what lmms-eval uses)'
    return f"pip install {distribution}"


def check_python() -> Iterator[Check]:
    found = ".".join(map(str, sys.version_info[:3]))
    tested = tested_python()
    if tested and not found.startswith(tested + "."):
        yield Check("python", "note", f"{found} ({platform.machine()}); the lock was tested with Python {tested}")
    else:
        yield Check("python", "ok", f"{found} ({platform.machine()})")


def check_requirements() -> Iterator[Check]:
    """Every dependency lmms-compgap declares is installed within its bounds."""
    try:
        declared = importlib.metadata.requires(DISTRIBUTION) or []
    except importlib.metadata.PackageNotFoundError:
        yield Check(
            "requirements",
            "fail",
            f"{DISTRIBUTION} is not installed in {sys.prefix}",
            "pip install lmms-compgap (or `pip install .` in a checkout)",
        )
        return
    problems: list[str] = []
    checked = 0
    for text in declared:
        try:
            requirement = Requirement(text)
        except InvalidRequirement:
            continue
        if requirement.marker is not None and not requirement.marker.evaluate({"extra": ""}):
            continue  # an optional extra's dependency
        checked += 1
        version = distribution_version(requirement.name)
        if version is None:
            problems.append(f"{requirement.name} is missing")
            continue
        try:
            inside = requirement.specifier.contains(Version(version), prereleases=True)
        except InvalidVersion:
            inside = False
        if not inside:
            problems.append(f"{requirement.name} {version} is outside {requirement.specifier}")
    if problems:
        yield Check(
            "requirements",
            "fail",
            "; ".join(problems),
            f"pip install -c {lock_path()} lmms-compgap  (installs the tested versions)",
        )
    else:
        yield Check("requirements", "ok", f"{checked} declared dependencies within their bounds")


def check_tested_versions() -> Iterator[Check]:
    """Installed versions against the lock: a different version is a combination nobody tested."""
    pins = tested_versions()
    if not pins:
        yield Check("tested versions", "note", "no lock found to compare with")
        return
    differ = []
    for name, tested in sorted(pins.items()):
        version = distribution_version(name)
        if version is not None and version.split("+", 1)[0] != tested.split("+", 1)[0]:
            differ.append(f"{name} {version} (tested {tested})")
    if differ:
        shown = ", ".join(differ[:8]) + (f" and {len(differ) - 8} more" if len(differ) > 8 else "")
        yield Check(
            "tested versions",
            "warn",
            f"{len(differ)} installed packages differ from the lock: {shown}",
            f"pip install -c {lock_path()} lmms-compgap",
        )
    else:
        yield Check("tested versions", "ok", f"installed packages match the lock ({lock_path()})")

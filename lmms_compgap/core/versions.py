"""Installed package versions, as recorded with results and submissions."""

from __future__ import annotations

import functools
import importlib.metadata


@functools.cache
def installed_version(package: str) -> str:
    """The installed version of `package` (its distribution name), or "not installed"."""
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"

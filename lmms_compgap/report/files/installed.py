"""The installed data of each task family: its rows and fingerprint, checked against its generator once a process."""

from __future__ import annotations

import functools
import json
from typing import Any

from lmms_compgap.core import data as data_files
from lmms_compgap.core.registry import get_family


@functools.cache
def installed_rows(family: str) -> tuple[dict[str, Any], ...]:
    """The family's rows from its installed data file, refused (DataIntegrityError) unless intact."""
    installed_fingerprint(family)
    text = data_files.data_path(family).read_text(encoding="utf-8")
    return tuple(json.loads(line) for line in text.splitlines())


@functools.cache
def installed_fingerprint(family: str) -> str:
    """The fingerprint of the family's installed data file, after checking it against its generator."""
    return data_files.verify_file(get_family(family))

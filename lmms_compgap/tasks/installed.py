"""The installed tasks' metadata: what their YAMLs declare, and what a family's data on this machine adds to it
(its rows and fingerprint are the family's own: `TaskFamily.installed_rows`, `installed_fingerprint`)."""

from __future__ import annotations

from typing import Any

from lmms_compgap.core.family import TaskFamily
from lmms_compgap.tasks.reader import METADATA_KEYS, task_config


def installed_task_metadata(family: TaskFamily, setting: str) -> dict[str, Any]:
    """The METADATA_KEYS of the installed task `compgap_<family>_<setting>` (None where one is missing), with what
    the family's data on this machine adds (`TaskFamily.installed_metadata`: for a family built from a public
    dataset, the fingerprint of the rows built from its copy here and the revision the task is pinned to)."""
    declared = task_config(family, setting).get("metadata") or {}
    return {**{key: declared.get(key) for key in METADATA_KEYS}, **family.installed_metadata(declared)}

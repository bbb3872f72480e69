"""The installed compgap tasks: each task's metadata (versions, data fingerprint) and its verified rows."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import yaml

from lmms_compgap.core import data as data_files
from lmms_compgap.core.dataset_family import DatasetFamily, DatasetRows
from lmms_compgap.core.hub_data import DatasetUnavailable
from lmms_compgap.core.registry import get_family

#: The task metadata a result depends on: prompts and scorer (`version`) and the items.
METADATA_KEYS: tuple[str, ...] = ("version", "data_version", "data_fingerprint")
_MAX_INCLUDES = 8


class _TaskYamlLoader(yaml.SafeLoader):
    """Reads lmms-eval task YAML without importing anything: `!function` tags become None."""


_TaskYamlLoader.add_multi_constructor("!", lambda loader, suffix, node: None)


def task_config(family: str, setting: str, root: Path | None = None) -> dict[str, Any]:
    """A task's YAML with its `include:` chain merged the way lmms-eval does (the including file wins)."""
    path = (root or data_files.task_yamls_root()) / family / f"compgap_{family}_{setting}.yaml"
    chain: list[dict[str, Any]] = []
    for _ in range(_MAX_INCLUDES):
        loaded = yaml.load(path.read_text(encoding="utf-8"), Loader=_TaskYamlLoader)  # noqa: S506 (safe subclass)
        config = loaded if isinstance(loaded, dict) else {}
        chain.append(config)
        include = config.get("include")
        if not isinstance(include, str):
            break
        path = (path.parent / include).resolve()
    merged: dict[str, Any] = {}
    for config in reversed(chain):
        merged.update(config)
    return merged


def task_metadata(family: str, setting: str) -> dict[str, Any]:
    """version, data_version and data_fingerprint of the installed task `compgap_<family>_<setting>`; for a family
    built from a public dataset, the fingerprint of the rows built from the copy of the dataset on this machine and
    the dataset revision the task is pinned to (`dataset_revision`)."""
    metadata = task_config(family, setting).get("metadata") or {}
    found = {key: metadata.get(key) for key in METADATA_KEYS}
    if not get_family(family).has_data_file:
        found.update(data_fingerprint=installed_fingerprint(family), dataset_revision=metadata.get("dataset_revision"))
    return found


def _dataset_rows(family: str) -> DatasetRows:
    """A dataset family's rows from the copy of its dataset on this machine (DataIntegrityError when there is none)."""
    chosen = get_family(family)
    assert isinstance(chosen, DatasetFamily)
    try:
        return chosen.dataset_rows()
    except DatasetUnavailable as error:
        raise data_files.DataIntegrityError(str(error)) from None


@functools.cache
def installed_rows(family: str) -> tuple[dict[str, Any], ...]:
    """The family's rows from its installed data file, refused (DataIntegrityError) unless intact; a family built
    from a public dataset's rows from the dataset found on this machine."""
    if not get_family(family).has_data_file:
        return _dataset_rows(family).rows
    installed_fingerprint(family)
    text = data_files.data_path(family).read_text(encoding="utf-8")
    return tuple(json.loads(line) for line in text.splitlines())


@functools.cache
def installed_fingerprint(family: str) -> str:
    """The fingerprint of the family's installed data file, after checking it against its generator (of a dataset
    family's rows, built from the dataset found on this machine)."""
    if not get_family(family).has_data_file:
        return _dataset_rows(family).fingerprint
    return data_files.verify_file(get_family(family))

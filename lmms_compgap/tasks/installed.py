"""The installed data of each task family: its rows and fingerprint, checked against its generator once a process
(a public-dataset family's built from the copy of its dataset on this machine), and its tasks' metadata."""

from __future__ import annotations

import functools
import json
from typing import Any

from lmms_compgap.core import data as data_files
from lmms_compgap.core.dataset_family import DatasetFamily, DatasetRows
from lmms_compgap.core.hub_data import DatasetUnavailable
from lmms_compgap.core.registry import get_family
from lmms_compgap.tasks.reader import task_config, task_metadata


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
    text = get_family(family).data_file().read_text(encoding="utf-8")
    return tuple(json.loads(line) for line in text.splitlines())


@functools.cache
def installed_fingerprint(family: str) -> str:
    """The fingerprint of the family's installed data file, after checking it against its generator (of a dataset
    family's rows, built from the dataset found on this machine)."""
    if not get_family(family).has_data_file:
        return _dataset_rows(family).fingerprint
    return get_family(family).verify_data_file()


def installed_task_metadata(family: str, setting: str) -> dict[str, Any]:
    """The task's metadata keys (`core.task_yaml.task_metadata`); for a family built from a public dataset, the
    fingerprint of the rows built from the copy of the dataset on this machine and the dataset revision the task is
    pinned to (`dataset_revision`)."""
    found = task_metadata(family, setting)
    if not get_family(family).has_data_file:
        revision = (task_config(family, setting).get("metadata") or {}).get("dataset_revision")
        found.update(data_fingerprint=installed_fingerprint(family), dataset_revision=revision)
    return found

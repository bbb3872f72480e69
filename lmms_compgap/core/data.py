"""The committed data files: where they are, their exact bytes and fingerprints.

`lmms_compgap.tasks.writer` writes them (with the task YAMLs); every run verifies them against a fresh generation
(`TaskFamily.verify_rows` and `verify_data_file`: a family answers for its own data).
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

DATA_FILE = "data/test.jsonl"


class DataIntegrityError(RuntimeError):
    """A data file does not match what its generator and version produce."""


def installed_task_root() -> Path | None:
    """The copy of the task YAMLs the wheel installed inside lmms-eval's own task tree
    (``lmms_eval/tasks/compgap``), which lmms-eval indexes on every run; None when there is none (an editable
    or source install)."""
    spec = importlib.util.find_spec("lmms_eval")
    if spec is not None and spec.submodule_search_locations:
        installed = Path(next(iter(spec.submodule_search_locations))) / "tasks" / "compgap"
        if (installed / "compgap.yaml").is_file():
            return installed
    return None


def task_yamls_root() -> Path:
    """The folder holding the task YAMLs and data.

    A source checkout's `task_yamls/` wins (developers regenerate it); otherwise the copy the wheel
    installed inside lmms-eval's task tree (see docs/registration.md).
    """
    checkout = Path(__file__).resolve().parents[2] / "task_yamls"
    if (checkout / "compgap.yaml").is_file():
        return checkout
    installed = installed_task_root()
    if installed is not None:
        return installed
    raise FileNotFoundError(
        "cannot find the compgap task YAMLs: neither a source checkout's task_yamls/ nor lmms_eval/tasks/compgap "
        "(reinstall with `pip install lmms-compgap`)"
    )


def data_path(family: str, root: Path) -> Path:
    """The data file of the family named `family` in the task tree `root` (a family's own: `TaskFamily.data_file`)."""
    return root / family / DATA_FILE


def canonical_line(row: dict[str, Any]) -> str:
    """One row as the exact bytes written to the data file (fixed key order, no spaces)."""
    return json.dumps(row, ensure_ascii=False, separators=(",", ":"))


def serialize_rows(rows: Iterable[dict[str, Any]]) -> bytes:
    return "".join(canonical_line(row) + "\n" for row in rows).encode("utf-8")


def fingerprint_bytes(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def fingerprint_rows(rows: Iterable[dict[str, Any]]) -> str:
    """The fingerprint of rows as they would be written: equal to the data file's when it is intact."""
    return fingerprint_bytes(serialize_rows(rows))


def regenerate_hint(family: str) -> str:
    return f"regenerate it with `compgap data build --task {family}` or reinstall lmms-compgap"

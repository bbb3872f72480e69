"""The committed data files: where they are, their exact bytes, fingerprints and verification.

`lmms_compgap.tasks.writer` writes them (with the task YAMLs); every run verifies them against a fresh generation.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lmms_compgap.core.json_lines import read_json_lines
from lmms_compgap.core.regular import NotReadable, open_regular

if TYPE_CHECKING:
    from lmms_compgap.core.family import TaskFamily

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


def verify_rows(family: TaskFamily, rows: list[dict[str, Any]], source: str = "") -> None:
    """Raise DataIntegrityError unless `rows` are exactly the family's canonical split.

    Compares against a fresh generation (the generator is the source of truth), so a corrupt,
    truncated, reordered or hand-edited file is named, with the first differing item.
    """
    where = source or f"the {family.name} data"
    expected = family.canonical_rows()
    if len(rows) != len(expected):
        raise DataIntegrityError(
            f"{where}: {len(rows)} items, expected {len(expected)} for {family.name} "
            f"data v{family.data_version}; {regenerate_hint(family.name)}"
        )
    for position, (got, want) in enumerate(zip(rows, expected, strict=True)):
        mismatched = sorted(key for key in want if got.get(key) != want[key])
        if mismatched or set(got) != set(want):
            fields = ", ".join(mismatched) or "columns"
            raise DataIntegrityError(
                f"{where}: item {position} ({want['uid']}) differs from {family.name} data "
                f"v{family.data_version} in {fields}; the file was edited or is corrupt; {regenerate_hint(family.name)}"
            )


def _row(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise TypeError("a line must be a JSON object (one item)")
    return value


def verify_file(family: TaskFamily, root: Path | None = None) -> str:
    """Check a data file (in `root`, by default the family's task root) byte for byte against a fresh generation;
    return its fingerprint. Only a regular file is opened (a named pipe would block, a link could point anywhere),
    and no more of it is read than a fresh generation holds."""
    path = data_path(family.name, root or family.task_root())
    expected = serialize_rows(family.canonical_rows())
    if not os.path.lexists(path):
        raise DataIntegrityError(f"{path}: missing; {regenerate_hint(family.name)}")
    try:
        with open_regular(path) as handle:
            payload = handle.read(len(expected) + 1)
    except NotReadable as error:
        raise DataIntegrityError(str(error)) from None
    except OSError as error:
        raise DataIntegrityError(f"{path}: cannot read ({error.strerror or error})") from None
    if payload != expected:
        if len(payload) > len(expected):
            raise DataIntegrityError(
                f"{path}: larger than a fresh generation ({len(expected)} bytes); {regenerate_hint(family.name)}"
            )
        rows: list[dict[str, Any]] = []
        for number, row, problem in read_json_lines(payload.splitlines(), _row):
            if row is None:  # not UTF-8, not JSON, nested too deeply, an integer too long, not an object
                raise DataIntegrityError(f"{path}:{number}: not a data row ({problem}); {regenerate_hint(family.name)}")
            rows.append(row)
        verify_rows(family, rows, source=str(path))
        raise DataIntegrityError(f"{path}: bytes differ from a fresh generation; {regenerate_hint(family.name)}")
    return fingerprint_bytes(payload)

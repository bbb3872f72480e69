"""Copies of the compgap task YAMLs that lmms-eval silently ignores because the installed ones share their names.

lmms-eval 0.7.3 indexes its own task folder (where the wheel installs ours) before any
``--include_path`` and keeps the first definition of each task or group name, without a word. A
copy of ``task_yamls/`` passed with ``--include_path`` while lmms-compgap is installed is therefore
never used: edits to its prompts or data change nothing, and the run exits 0. `shadowed_task_yamls`
finds such copies; the task hooks warn about them when a run builds its tasks, and `compgap doctor`
can call it too.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml

from lmms_compgap.core.data import installed_task_root
from lmms_compgap.tasks.reader import include_chain, parse_task_yaml

__all__ = ["ShadowedTask", "describe_shadowing", "shadowed_task_yamls"]


@dataclass(frozen=True)
class ShadowedTask:
    """A task or group `name` defined by `ignored` (under an include path) and by `used` (the installed copy,
    which lmms-eval runs); `differs` when they do not amount to the same task (the YAML, what it includes, or
    its data file differ)."""

    name: str
    ignored: Path
    used: Path
    differs: bool


def _defined_names(root: Path) -> dict[str, Path]:
    """Task and group name -> the YAML under `root` that defines it (the first found, in walking order)."""
    names: dict[str, Path] = {}
    for folder, subfolders, files in os.walk(root):
        subfolders[:] = sorted(d for d in subfolders if d not in ("__pycache__", ".ipynb_checkpoints"))
        for file in sorted(files):
            if not file.endswith(".yaml"):
                continue
            path = Path(folder) / file
            try:
                config = parse_task_yaml(path.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, yaml.YAMLError):
                continue
            if not isinstance(config, dict):
                continue
            for key in ("task", "group"):
                name = config.get(key)
                if isinstance(name, str):
                    names.setdefault(name, path)
    return names


def _effective_bytes(path: Path) -> bytes:
    """What a task YAML amounts to: its bytes, those of the files it includes (``include:``, followed), and
    those of the data files it names (``dataset_kwargs.data_files``), relative to their YAML's folder."""
    parts: list[bytes] = []
    try:
        for where, raw, config in include_chain(path):
            parts.append(raw)
            kwargs = config.get("dataset_kwargs") if isinstance(config, dict) else None
            data = kwargs.get("data_files") if isinstance(kwargs, dict) else None
            for name in data.values() if isinstance(data, dict) else [data] if isinstance(data, str) else []:
                if isinstance(name, str):
                    try:
                        parts.append((where.parent / name).read_bytes())
                    except OSError:
                        parts.append(b"")
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        pass  # a chain that breaks amounts to what was read of it
    return b"\0".join(parts)


def shadowed_task_yamls(
    include_paths: Iterable[str | os.PathLike[str]] | str | os.PathLike[str] | None, installed_root: Path | None = None
) -> list[ShadowedTask]:
    """The task and group definitions under `include_paths` (what ``--include_path`` was given) that the
    installed copy of the compgap tasks (`installed_root`, by default lmms-eval's ``tasks/compgap``) also
    defines, so lmms-eval ignores them. Empty when nothing is installed there or nothing clashes."""
    installed_root = installed_root or installed_task_root()
    if installed_root is None or include_paths is None:
        return []
    if isinstance(include_paths, (str, os.PathLike)):
        include_paths = [include_paths]
    installed = _defined_names(installed_root)
    found: list[ShadowedTask] = []
    for include in include_paths:
        root = Path(include)
        if not root.is_dir() or root.resolve() == installed_root.resolve():
            continue
        for name, path in sorted(_defined_names(root).items()):
            used = installed.get(name)
            if used is not None and path.resolve() != used.resolve():
                found.append(ShadowedTask(name, path, used, differs=_effective_bytes(path) != _effective_bytes(used)))
    return found


def describe_shadowing(shadowed: list[ShadowedTask]) -> str:
    """One warning about shadowed copies: what is ignored, what runs instead, and what to do."""
    copies = os.path.commonpath([task.ignored for task in shadowed])
    names = sorted(task.name for task in shadowed)
    shown = ", ".join(names[:6]) + (f" and {len(names) - 6} more" if len(names) > 6 else "")
    edited = [task for task in shadowed if task.differs]
    detail = (
        f" {len(edited)} of them differ from the installed ones (the YAML, a file it includes, or its data): "
        "those edits are not run."
        if edited
        else " They are the same files as the installed ones."
    )
    return (
        f"compgap: the task YAMLs under --include_path ({copies}) define {shown}, which the installed "
        f"lmms-compgap already defines (in {os.path.commonpath([task.used for task in shadowed])}); lmms-eval runs "
        "the installed ones and "
        f"ignores these copies.{detail} To run a copy, give its tasks and groups names of their own, or uninstall "
        "lmms-compgap and keep only the copy."
    )

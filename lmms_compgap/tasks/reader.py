"""Task YAMLs read as lmms-eval reads them, without importing anything: tags become None, `include:` is followed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from lmms_compgap.core.settings import task_name

if TYPE_CHECKING:
    from lmms_compgap.core.family import TaskFamily

#: The task metadata a result depends on (prompts and scorer: `version`; the items: the other two). Results are
#: paired, compared or verified only when these agree.
METADATA_KEYS: tuple[str, ...] = ("version", "data_version", "data_fingerprint")
#: A paraphrase task's metadata beside those: its wording's number and the paraphrase's prompt version.
WORDING_KEY = "wording"
WORDING_VERSION_KEY = "wording_version"
#: How many files an `include:` chain may hold (a loop of includes ends here).
MAX_INCLUDES = 8


class _TaskYamlLoader(yaml.SafeLoader):
    """A safe loader that reads every tag (`!function x`) as None: nothing is imported or run."""


_TaskYamlLoader.add_multi_constructor("!", lambda loader, suffix, node: None)


def parse_task_yaml(text: str | bytes) -> Any:
    """One YAML document, every tag read as None."""
    return yaml.load(text, Loader=_TaskYamlLoader)  # noqa: S506 (a SafeLoader subclass)


def include_chain(path: Path) -> Iterator[tuple[Path, bytes, Any]]:
    """The file and each file it includes in turn: (path, its bytes, its parsed document).

    Raises what reading or parsing raises (OSError, UnicodeDecodeError, yaml.YAMLError) where the chain breaks;
    an item already yielded stays valid."""
    for _ in range(MAX_INCLUDES):
        raw = path.read_bytes()
        document = parse_task_yaml(raw.decode("utf-8"))
        yield path, raw, document
        include = document.get("include") if isinstance(document, dict) else None
        if not isinstance(include, str):
            return
        path = (path.parent / include).resolve()


def load_task_yaml(path: Path) -> dict[str, Any]:
    """A task YAML with its `include:` chain merged the way lmms-eval merges it (the including file wins)."""
    merged: dict[str, Any] = {}
    for _, _, document in reversed(list(include_chain(path))):
        merged.update(document if isinstance(document, dict) else {})
    return merged


def task_config(family: TaskFamily, setting: str, root: Path | None = None) -> dict[str, Any]:
    """The merged YAML of the task `compgap_<family>_<setting>` in the task tree `root` (by default the family's
    own, as for its data file)."""
    root = family.task_root() if root is None else root
    return load_task_yaml(root / family.name / f"{task_name(family.name, setting)}.yaml")

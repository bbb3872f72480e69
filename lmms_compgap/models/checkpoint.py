"""What an inner model was loaded from: its transformers models, their checkpoint, and that checkpoint's files.

Shared by the resume cache (a cached call is reused only for the same checkpoint files) and the
start-up check (the loaded class must be the one the checkpoint's `config.json` declares).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from loguru import logger
from transformers import PreTrainedModel

#: The files of a checkpoint folder that decide what it computes: configs, weights (and their index),
#: tokenizer, processor and chat template, remote code. Training leftovers (`optimizer.pt`,
#: `rng_state.pth`, `checkpoint-N/` folders) and READMEs are left out: they can be gigabytes and change nothing.
CHECKPOINT_SUFFIXES: tuple[str, ...] = (".json", ".safetensors", ".bin", ".jinja", ".model", ".txt", ".tiktoken", ".py")
_UNREAD_FILES = {"training_args.bin", "trainer_state.json"}
_READ_BLOCK = 8 * 1024 * 1024


def loaded_models(inner: Any) -> list[PreTrainedModel]:
    """The transformers models an lmms-eval wrapper holds as attributes (unwrapped from DDP), each once."""
    found: dict[int, PreTrainedModel] = {}
    for value in vars(inner).values():
        value = getattr(value, "module", value)  # DistributedDataParallel keeps the model in .module
        if isinstance(value, PreTrainedModel):
            found.setdefault(id(value), value)
    return list(found.values())


@dataclass(frozen=True)
class Checkpoint:
    """Where a model's files are: a local folder, or a Hub repository at a revision (with its cached snapshot)."""

    name: str
    folder: Path | None
    revision: str | None = None  # the resolved commit of a Hub repository, where the local cache knows it

    @property
    def is_hub(self) -> bool:
        return not Path(self.name).is_dir()


def find_checkpoint(name_or_path: str, revision: str | None = None) -> Checkpoint:
    """A local folder as it is; a Hub id resolved to its cached snapshot (and commit) without any download."""
    if Path(name_or_path).is_dir():
        return Checkpoint(name_or_path, Path(name_or_path))
    try:
        from huggingface_hub import try_to_load_from_cache

        cached = try_to_load_from_cache(name_or_path, "config.json", revision=revision)
    except Exception:  # noqa: BLE001 - not a repository id, or no cache: the revision is simply unknown
        cached = None
    if isinstance(cached, str):
        snapshot = Path(cached).parent
        return Checkpoint(name_or_path, snapshot, revision=snapshot.name)
    return Checkpoint(name_or_path, None, revision=revision)


def declared_architectures(checkpoint: Checkpoint) -> list[str] | None:
    """The `architectures` of the checkpoint's config.json (None when there is no readable config)."""
    if checkpoint.folder is None:
        return None
    try:
        config = json.loads((checkpoint.folder / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    names = config.get("architectures") if isinstance(config, dict) else None
    return [str(name) for name in names] if isinstance(names, list) else None


def checkpoint_files(folder: Path) -> list[Path]:
    """The files of `folder` that decide what the checkpoint computes (see CHECKPOINT_SUFFIXES), sorted."""
    return sorted(
        path
        for path in folder.iterdir()
        if path.is_file() and path.suffix in CHECKPOINT_SUFFIXES and path.name not in _UNREAD_FILES
    )


def file_sha256(path: Path) -> str:
    """The sha256 of a file's content, read in blocks (weights do not fit in memory twice)."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(_READ_BLOCK):
            digest.update(block)
    return digest.hexdigest()


class FileHashes:
    """sha256 of files, computed once and remembered (in a JSON file) by path, size, times and inode.

    Reading a multi-gigabyte weight file costs seconds; its stat costs microseconds. A file replaced
    at the same path gets a new inode or change time (`ctime`, which no copy tool can set back), so
    it is hashed again even when its size and modification time were preserved.
    """

    def __init__(self, memo_path: Path) -> None:
        self.memo_path = memo_path
        try:
            memo = json.loads(memo_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            memo = {}
        self._memo: dict[str, dict[str, Any]] = memo if isinstance(memo, dict) else {}
        self._changed = False

    @staticmethod
    def _signature(stat: os.stat_result) -> dict[str, int]:
        return {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "ctime_ns": stat.st_ctime_ns, "inode": stat.st_ino}

    def sha256(self, path: Path) -> str:
        resolved = str(path.resolve())
        stat = path.stat()
        signature = self._signature(stat)
        known = self._memo.get(resolved)
        if isinstance(known, dict) and known.get("stat") == signature and isinstance(known.get("sha256"), str):
            return known["sha256"]
        digest = file_sha256(path)
        self._memo[resolved] = {"stat": signature, "sha256": digest}
        self._changed = True
        return digest

    def save(self) -> None:
        """Write the memo (atomically: ranks sharing a cache folder may write it at the same time)."""
        if not self._changed:
            return
        temporary = self.memo_path.with_name(f"{self.memo_path.name}.{os.getpid()}.tmp")
        try:
            temporary.write_text(json.dumps(self._memo, sort_keys=True), encoding="utf-8")
            os.replace(temporary, self.memo_path)
        except OSError as error:  # a read-only cache folder costs a re-hash next time, nothing else
            logger.warning(f"compgap_cascade: could not remember checkpoint file hashes in {self.memo_path}: {error}")
        self._changed = False


def checkpoint_fingerprint(checkpoint: Checkpoint, hashes: FileHashes) -> dict[str, Any]:
    """What identifies the checkpoint's content: its files' hashes (local folder) or its resolved Hub revision."""
    if not checkpoint.is_hub and checkpoint.folder is not None:
        return {"files": {path.name: hashes.sha256(path) for path in checkpoint_files(checkpoint.folder)}}
    return {"hub": checkpoint.name, "revision": checkpoint.revision or "unresolved"}


@dataclass(frozen=True)
class LoadingReport:
    """What transformers reported when it loaded one model: parameters it found no weights for."""

    model_class: str
    source: str
    missing: tuple[str, ...]  # initialised at random
    mismatched: tuple[str, ...]  # a different shape in the checkpoint: initialised at random too

    @property
    def randomly_initialised(self) -> tuple[str, ...]:
        return self.missing + self.mismatched


@contextlib.contextmanager
def recording_loading_reports() -> Iterator[list[LoadingReport]]:
    """Record transformers' loading report of every model loaded inside the block.

    transformers 5 only logs which weights were missing (a "LOAD REPORT" warning) and goes on with
    random values; the report's structured form is the `loading_info` handed to
    `log_state_dict_report`, so that function is wrapped while the block runs.
    """
    from transformers import modeling_utils

    reports: list[LoadingReport] = []
    original = getattr(modeling_utils, "log_state_dict_report", None)
    if original is None:
        logger.warning("compgap_cascade: this transformers version hides its loading report; missing weights go unseen")
        yield reports
        return

    def record(*args: Any, **kwargs: Any) -> Any:
        model, info = kwargs.get("model"), kwargs.get("loading_info")
        if model is not None and info is not None:
            reports.append(
                LoadingReport(
                    model_class=type(model).__name__,
                    source=str(kwargs.get("pretrained_model_name_or_path")),
                    missing=tuple(sorted(getattr(info, "missing_keys", ()) or ())),
                    mismatched=tuple(sorted(str(key[0]) for key in getattr(info, "mismatched_keys", ()) or ())),
                )
            )
        return original(*args, **kwargs)

    modeling_utils.log_state_dict_report = record
    try:
        yield reports
    finally:
        modeling_utils.log_state_dict_report = original

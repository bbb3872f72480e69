"""A crash-safe record of finished inner-model calls, so an interrupted cascade resumes where it stopped.

lmms-eval's `--use_cache` stores a response only when the model's whole `generate_until` call
returns, and the cascade answers all of a run's requests in one call: a run killed at hour three
would keep nothing. This cache is written after every chunk of inner calls instead: one JSON line
per finished call, appended and fsynced, keyed by the call's dedup key (item, prompt, generation
settings, visual source) under the inner model's identity: the wrapper and its arguments, the
checkpoint's files (content hashes) or Hub revision, and the versions of the libraries that run
it (`model_identity`). A record of another identity is never reused, and the run says in one line
what changed. Only successful outputs are kept, so failed calls are retried on resume.

File format (`calls.rank<N>.jsonl`, one per rank): an identity line
`{"format": 2, "model": <hash>, "identity": {...}}` before the first record a run appends, then
records `{"format": 2, "model": <hash>, "key": ..., "text": ...}`. A run killed mid-write leaves a
torn last line: it is cut off before this rank appends again, so the next record starts on a line
of its own.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from loguru import logger

from lmms_compgap.core.json_lines import read_json_lines
from lmms_compgap.core.versions import installed_version
from lmms_compgap.models.checkpoint import FileHashes, checkpoint_fingerprint, find_checkpoint, loaded_models

CACHE_FORMAT = 2
#: Libraries whose version can change a model's outputs for the same weights and request.
VERSIONED_PACKAGES: tuple[str, ...] = ("lmms-compgap", "lmms_eval", "transformers", "torch")
HASH_MEMO = "checkpoint-hashes.json"
_MAX_CHANGES_SHOWN = 6


def model_identity(
    inner_name: str, inner_args: dict[str, Any], framework_args: dict[str, Any], inner: Any, hashes: FileHashes
) -> dict[str, Any]:
    """Everything that decides an inner model's outputs for a given request, as a JSON-able dict."""
    checkpoint = inner_args.get("pretrained")
    if not checkpoint:  # the Python API wraps a built model: ask it where it came from
        checkpoint = next((model.name_or_path for model in loaded_models(inner) if model.name_or_path), None)
    revision = inner_args.get("revision")
    return {
        "inner": inner_name,
        "arguments": {key: str(value) for key, value in sorted(inner_args.items())},
        "framework": {key: str(value) for key, value in sorted(framework_args.items()) if value is not None},
        "checkpoint": (
            checkpoint_fingerprint(find_checkpoint(str(checkpoint), str(revision) if revision else None), hashes)
            if checkpoint
            else None
        ),
        "versions": {package: installed_version(package) for package in VERSIONED_PACKAGES},
    }


def identity_hash(identity: dict[str, Any]) -> str:
    canonical = json.dumps(identity, sort_keys=True, default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]


def _short(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True, default=str)
    return text if len(text) <= 60 else text[:57] + "..."


def describe_change(old: dict[str, Any] | None, new: dict[str, Any]) -> str:
    """What differs between two identities, in a few words (e.g. "checkpoint file model.safetensors changed")."""
    if not isinstance(old, dict):
        return "recorded without a model identity (an older lmms-compgap)"
    changes: list[str] = []
    if old.get("inner") != new.get("inner"):
        changes.append(f"inner model {_short(old.get('inner'))} -> {_short(new.get('inner'))}")
    for section, label in (("arguments", "argument"), ("framework", "argument"), ("versions", "")):
        before, after = old.get(section) or {}, new.get(section) or {}
        for key in sorted(set(before) | set(after)):
            if before.get(key) != after.get(key):
                was, now = _short(before.get(key, "unset")), _short(after.get(key, "unset"))
                changes.append(f"{label + ' ' if label else ''}{key} {was} -> {now}")
    old_checkpoint, new_checkpoint = old.get("checkpoint") or {}, new.get("checkpoint") or {}
    if old_checkpoint != new_checkpoint:
        old_files, new_files = old_checkpoint.get("files"), new_checkpoint.get("files")
        if isinstance(old_files, dict) and isinstance(new_files, dict):
            for name in sorted(set(old_files) | set(new_files)):
                if name not in old_files:
                    changes.append(f"checkpoint file {name} added")
                elif name not in new_files:
                    changes.append(f"checkpoint file {name} removed")
                elif old_files[name] != new_files[name]:
                    changes.append(f"checkpoint file {name} changed")
        else:
            changes.append(f"checkpoint {_short(old_checkpoint)} -> {_short(new_checkpoint)}")
    if not changes:
        return "another cache format"
    shown = changes[:_MAX_CHANGES_SHOWN]
    more = len(changes) - len(shown)
    return "; ".join(shown) + (f"; and {more} more change(s)" if more else "")


def _cut_torn_tail(path: Path) -> int:
    """Truncate `path` after its last newline; the number of bytes removed (a line cut short by a kill)."""
    if not path.exists():
        return 0
    with path.open("r+b") as handle:
        end = handle.seek(0, os.SEEK_END)
        position = end
        while position > 0:
            start = max(0, position - 65536)
            handle.seek(start)
            block = handle.read(position - start)
            newline = block.rfind(b"\n")
            if newline >= 0:
                position = start + newline + 1
                break
            position = start
        if position < end:
            handle.truncate(position)
            handle.flush()
            os.fsync(handle.fileno())
        return end - position


class CallCache:
    """Finished calls of one inner model identity, read from every rank's file, appended to this rank's."""

    def __init__(self, directory: str | Path, identity: dict[str, Any], rank: int = 0) -> None:
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.identity = identity
        self.model = identity_hash(identity)
        self.path = self.directory / f"calls.rank{rank}.jsonl"
        self._identity_written = False
        torn = _cut_torn_tail(self.path)
        if torn:
            logger.warning(
                f"compgap_cascade cache {self.path}: removed an incomplete last line ({torn} bytes) left by a run "
                "killed while writing; that call will be made again"
            )
        self._entries: dict[str, str] = {}
        others: Counter[str] = Counter()
        identities: dict[str, dict[str, Any]] = {}
        skipped = 0
        for path in sorted(self.directory.glob("calls.rank*.jsonl")):
            with path.open("rb") as handle:
                for _, entry, problem in read_json_lines(handle, lambda value: value, errors="replace"):
                    if problem is not None or not isinstance(entry, dict):  # a torn line of another rank, garbage
                        skipped += 1
                        continue
                    model = entry.get("model")
                    if entry.get("format") == CACHE_FORMAT and isinstance(entry.get("identity"), dict):
                        identities[str(model)] = entry["identity"]
                    elif not (isinstance(entry.get("key"), str) and isinstance(entry.get("text"), str)):
                        skipped += 1
                    elif entry.get("format") == CACHE_FORMAT and model == self.model:
                        self._entries[entry["key"]] = entry["text"]
                    else:
                        others[f"{entry.get('format')}/{model}"] += 1
        if skipped:
            logger.warning(f"compgap_cascade cache {self.directory}: skipped {skipped} unreadable line(s)")
        if others:
            # One line saying why the cache did not apply: compared with the identity most of the other records have.
            kind, _ = others.most_common(1)[0]
            fmt, model = kind.split("/", 1)
            previous = identities.get(model) if fmt == str(CACHE_FORMAT) else None
            # A warning when nothing of this model is there (the user likely expected a resume), else for the record.
            logger.log(
                "INFO" if self._entries else "WARNING",
                f"compgap_cascade cache {self.directory}: not reusing {sum(others.values())} cached call(s) made by "
                f"another model identity ({describe_change(previous, identity)})"
                + (f"; reusing {len(self._entries)} of this one" if self._entries else ""),
            )
        elif self._entries:
            logger.info(f"compgap_cascade cache {self.directory}: {len(self._entries)} finished calls to reuse")

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: str) -> str | None:
        return self._entries.get(key)

    def put_many(self, items: Iterable[tuple[str, str]]) -> None:
        lines = []
        if not self._identity_written:
            lines.append(json.dumps({"format": CACHE_FORMAT, "model": self.model, "identity": self.identity}))
        for key, text in items:
            self._entries[key] = text
            lines.append(json.dumps({"format": CACHE_FORMAT, "model": self.model, "key": key, "text": text}))
        if len(lines) == (0 if self._identity_written else 1):
            return
        with self.path.open("a", encoding="utf-8") as handle:
            handle.write("\n".join(lines) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        self._identity_written = True


def open_call_cache(
    directory: str | Path,
    inner_name: str,
    inner_args: dict[str, Any],
    framework_args: dict[str, Any],
    inner: Any,
    rank: int = 0,
) -> CallCache:
    """The cache of `inner` in `directory`, its checkpoint files hashed (once per file version, see FileHashes)."""
    hashes = FileHashes(Path(directory) / HASH_MEMO)
    Path(directory).mkdir(parents=True, exist_ok=True)
    identity = model_identity(inner_name, inner_args, framework_args, inner, hashes)
    hashes.save()
    return CallCache(directory, identity, rank=rank)

"""A crash-safe record of finished inner-model calls, so an interrupted cascade resumes where it stopped.

lmms-eval's `--use_cache` stores a response only when the model's whole `generate_until` call
returns, and the cascade answers all of a run's requests in one call: a run killed at hour three
would keep nothing. This cache is written after every chunk of inner calls instead: one JSON line
per finished call, appended and fsynced, keyed by the inner model's identity and the call's
dedup key (item, prompt, generation settings, visual source). Only successful outputs are kept,
so failed calls are retried on resume. A torn last line (a kill mid-write) is skipped.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from loguru import logger

from lmms_compgap.core.json_lines import read_json_lines

CACHE_FORMAT = 1


def model_identity(inner: str, inner_args: dict[str, Any]) -> str:
    """A short hash of what determines an inner model's outputs (its name and its arguments)."""
    canonical = json.dumps({"inner": inner, "args": inner_args}, sort_keys=True, default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]


class CallCache:
    """Finished calls of one inner model, read from every rank's file, appended to this rank's."""

    def __init__(self, directory: str | Path, identity: str, rank: int = 0) -> None:
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.identity = identity
        self.path = self.directory / f"calls.rank{rank}.jsonl"
        self._entries: dict[str, str] = {}
        skipped = 0
        for path in sorted(self.directory.glob("calls.rank*.jsonl")):
            with path.open("rb") as handle:
                for _, entry, problem in read_json_lines(handle, lambda value: value, errors="replace"):
                    if problem is not None:  # a line cut short by an interrupted run, or garbage
                        skipped += 1
                        continue
                    if (
                        isinstance(entry, dict)
                        and entry.get("format") == CACHE_FORMAT
                        and entry.get("model") == identity
                        and isinstance(entry.get("key"), str)
                        and isinstance(entry.get("text"), str)
                    ):
                        self._entries[entry["key"]] = entry["text"]
        if skipped:
            logger.warning(f"compgap_cascade cache {self.directory}: skipped {skipped} unreadable line(s)")
        if self._entries:
            logger.info(f"compgap_cascade cache {self.directory}: {len(self._entries)} finished calls to reuse")

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: str) -> str | None:
        return self._entries.get(key)

    def put_many(self, items: Iterable[tuple[str, str]]) -> None:
        lines = []
        for key, text in items:
            self._entries[key] = text
            lines.append(json.dumps({"format": CACHE_FORMAT, "model": self.identity, "key": key, "text": text}))
        if not lines:
            return
        with self.path.open("a", encoding="utf-8") as handle:
            handle.write("\n".join(lines) + "\n")
            handle.flush()
            os.fsync(handle.fileno())

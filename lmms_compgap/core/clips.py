"""Audio clips for requests: spoken once per item and machine, then read back from a disk cache (as pictures are,
`core.pictures`).

A clip is 16-bit mono samples at the family's rate, stored as a WAV file named by the item's uid, the family's
data version and a hash of the row's spec, so a changed item never reads a stale clip; a file that is not a
complete WAV of the expected format is spoken again and replaced; writes are atomic (temp file + rename). The
cache is the pictures' (`COMPGAP_IMAGE_CACHE`: `off`, or a folder), under `_clips/` (no family has that name).
"""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
import wave
from pathlib import Path
from typing import Any

import numpy as np
from loguru import logger

from lmms_compgap.core import pictures
from lmms_compgap.core.family import TaskFamily


def wav_bytes(samples: np.ndarray, rate: int) -> bytes:
    """A clip as a WAV file: 16-bit little-endian PCM, mono (same samples, same bytes)."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(2)
        writer.setframerate(rate)
        writer.writeframes(np.asarray(samples, dtype="<i2").tobytes())
    return buffer.getvalue()


def read_wav(data: bytes, rate: int) -> np.ndarray | None:
    """The samples of a complete 16-bit mono WAV at `rate`; None for anything else (truncated, another format)."""
    try:
        with wave.open(io.BytesIO(data), "rb") as reader:
            if (reader.getnchannels(), reader.getsampwidth(), reader.getframerate()) != (1, 2, rate):
                return None
            frames = reader.getnframes()
            payload = reader.readframes(frames)
    except (wave.Error, EOFError, OSError):
        return None
    if len(payload) != 2 * frames or not frames:
        return None
    return np.frombuffer(payload, dtype="<i2").copy()


def cache_path(family: TaskFamily, row: dict[str, Any], root: Path) -> Path:
    spec_hash = hashlib.sha256(row["spec"].encode("utf-8")).hexdigest()[:16]
    return root / "_clips" / family.name / f"v{family.data_version}" / f"{row['uid']}-{spec_hash}.wav"


def _write(data: bytes, path: Path) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, path)
    except OSError as error:  # a read-only or full disk must not stop an evaluation
        logger.warning(f"compgap: cannot cache clip at {path} ({error}); set {pictures.CACHE_ENV}=off or another path")


def samples(family: TaskFamily, row: dict[str, Any]) -> np.ndarray:
    """The item's clip as 16-bit samples at `family.sample_rate`: from the cache when it is there and complete,
    else spoken (and cached)."""
    root = pictures.cache_root()
    if root is None:
        return family.speak_row(row)
    path = cache_path(family, row, root)
    try:
        cached = read_wav(path.read_bytes(), family.sample_rate)
    except FileNotFoundError:
        cached = None
    except OSError as error:
        logger.warning(f"compgap: unreadable cached clip {path} ({error}); speaking it again")
        cached = None
    if cached is not None:
        return cached
    spoken = family.speak_row(row)
    _write(wav_bytes(spoken, family.sample_rate), path)
    return spoken


def audio(family: TaskFamily, row: dict[str, Any]) -> dict[str, Any]:
    """The clip as lmms-eval's audio wrappers take it (a Hugging Face `Audio` feature's value): float32 samples
    in [-1, 1] and their rate; `type` makes lmms-eval's chat tasks build an audio part of it (without it they
    take a dict for a video)."""
    array = samples(family, row).astype(np.float32) / 32768.0
    return {"array": array, "sampling_rate": family.sample_rate, "type": "audio"}

"""Pictures for requests: drawn once per item and machine, then read back from a disk cache.

Drawing costs 6-25 ms per picture and every item is shown in up to four settings, so the first
request of an item draws it and stores a PNG; later requests (in this run or the next) read the
PNG (about 1-2 ms). A cache file is named by the item's uid, the family's data version and a
hash of the drawing spec, so a changed item never reads a stale picture; an unreadable file is
redrawn and replaced; writes are atomic (temp file + rename), so concurrent ranks are safe.

`COMPGAP_IMAGE_CACHE=off` draws every time; `COMPGAP_IMAGE_CACHE=/path` moves the cache
(default: `$XDG_CACHE_HOME/lmms_compgap/images`, else `~/.cache/lmms_compgap/images`).
"""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
from pathlib import Path
from typing import Any

from loguru import logger
from PIL import Image, UnidentifiedImageError

from lmms_compgap.core.family import TaskFamily

CACHE_ENV = "COMPGAP_IMAGE_CACHE"


def cache_root() -> Path | None:
    """Where pictures are cached, or None when caching is off."""
    setting = os.environ.get(CACHE_ENV, "").strip()
    if setting.lower() in {"off", "0", "false", "no"}:
        return None
    if setting:
        return Path(setting).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "lmms_compgap" / "images"


def cache_path(family: TaskFamily, row: dict[str, Any], root: Path) -> Path:
    spec_hash = hashlib.sha256(row["spec"].encode("utf-8")).hexdigest()[:16]
    return root / family.name / f"v{family.data_version}" / f"{row['uid']}-{spec_hash}.png"


#: A complete PNG file ends with its IEND chunk (length 0, type, CRC).
PNG_END = b"\x00\x00\x00\x00IEND\xaeB`\x82"


def _read(path: Path) -> Image.Image | None:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as error:
        logger.warning(f"compgap: unreadable cached picture {path} ({error}); drawing it again")
        return None
    # lmms-eval sets PIL's global ImageFile.LOAD_TRUNCATED_IMAGES, under which a truncated PNG decodes
    # "successfully" with its missing rows grey: completeness is checked here, not left to the decoder.
    if not data.endswith(PNG_END):
        logger.warning(f"compgap: truncated cached picture {path}; drawing it again")
        return None
    try:
        with Image.open(io.BytesIO(data)) as stored:
            stored.load()
            return stored.convert("RGB") if stored.mode != "RGB" else stored.copy()
    except (OSError, UnidentifiedImageError, ValueError, SyntaxError) as error:
        logger.warning(f"compgap: unreadable cached picture {path} ({error}); drawing it again")
        return None


def _write(image: Image.Image, path: Path) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(handle, "wb") as stream:
            image.save(stream, format="PNG", compress_level=1)
        os.replace(temporary, path)
    except OSError as error:  # a read-only or full disk must not stop an evaluation
        logger.warning(f"compgap: cannot cache picture at {path} ({error}); set {CACHE_ENV}=off or another path")


def picture(family: TaskFamily, row: dict[str, Any]) -> Image.Image:
    """The item's picture: from the cache when it is there and readable, else drawn (and cached)."""
    root = cache_root() if family.cache_pictures else None
    if root is None:
        return family.draw_row(row)
    path = cache_path(family, row, root)
    cached = _read(path)  # a truncated or corrupt file fails to decode and is redrawn
    if cached is not None:
        return cached
    image = family.draw_row(row)
    _write(image, path)
    return image

"""Run the Tesseract OCR engine on many images in one process and read back the words of each."""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
from PIL import Image

INSTALL_HINT = "install Tesseract OCR (Debian/Ubuntu: `apt-get install tesseract-ocr`, macOS: `brew install tesseract`)"


class TesseractError(RuntimeError):
    """Tesseract is missing or failed."""


@dataclass(frozen=True)
class Word:
    """One word Tesseract read: its text, confidence (0-100) and line number within the image."""

    text: str
    confidence: float
    line: tuple[int, int, int]


def tesseract_binary() -> str:
    path = shutil.which("tesseract")
    if path is None:
        raise TesseractError(f"the `tesseract` command is not on PATH; {INSTALL_HINT}")
    return path


@cache
def tesseract_version() -> str:
    """Tesseract's version and its image library's, e.g. "5.3.0 (leptonica-1.82.0)"."""
    result = subprocess.run([tesseract_binary(), "--version"], capture_output=True, text=True, check=False)
    words = (result.stdout or result.stderr).split()
    version = words[1] if len(words) >= 2 and words[0] == "tesseract" else "(unknown version)"
    leptonica = next((word for word in words if word.startswith("leptonica-")), None)
    return f"{version} ({leptonica})" if leptonica else version


def read_images(
    images: Sequence[Image.Image | np.ndarray], *, psm: int, whitelist: str | None = None
) -> list[list[Word]]:
    """The words Tesseract reads in each image, in reading order, with one `tesseract` run for all of them.

    Tesseract takes a text file listing image paths as one multi-page input, so its start-up cost (loading the
    language model) is paid once per call rather than once per image; its TSV output names the page of every
    word. OpenMP is limited to one thread: callers parallelise over processes, and Tesseract's own threads only
    slow small images down.
    """
    if not images:
        return []
    binary = tesseract_binary()
    with tempfile.TemporaryDirectory(prefix="compgap-ocr-") as folder:
        paths = []
        for number, image in enumerate(images):
            path = Path(folder) / f"{number:05d}.png"
            picture = Image.fromarray(image) if isinstance(image, np.ndarray) else image
            picture.save(path, compress_level=1)
            paths.append(str(path))
        listing = Path(folder) / "images.txt"
        listing.write_text("\n".join(paths) + "\n", encoding="utf-8")
        command = [binary, str(listing), "stdout", "--psm", str(psm), "-l", "eng"]
        if whitelist:
            command += ["-c", f"tessedit_char_whitelist={whitelist}"]
        command.append("tsv")
        env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
        result = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    if result.returncode != 0:
        raise TesseractError(f"tesseract failed (exit {result.returncode}): {result.stderr.strip()[-500:]}")
    pages: list[list[Word]] = [[] for _ in images]
    # TSV columns: level page_num block_num par_num line_num word_num left top width height conf text.
    for record in csv.DictReader(result.stdout.splitlines(), delimiter="\t", quoting=csv.QUOTE_NONE):
        text = (record.get("text") or "").strip()
        if record["level"] != "5" or not text:
            continue
        line = (int(record["block_num"]), int(record["par_num"]), int(record["line_num"]))
        pages[int(record["page_num"]) - 1].append(Word(text=text, confidence=float(record["conf"]), line=line))
    return pages


def page_text(words: list[Word]) -> str:
    """The words of one image as text: words joined by spaces, lines by newlines."""
    lines: dict[tuple[int, int, int], list[str]] = {}
    for word in words:
        lines.setdefault(word.line, []).append(word.text)
    return "\n".join(" ".join(line) for line in lines.values())

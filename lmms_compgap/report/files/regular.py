"""Opening the files the commands are given: regular files only, so a named pipe or a device never blocks."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import BinaryIO

from lmms_compgap.report.errors import ReportError

_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a named pipe"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


class NotReadable(ReportError):
    """A path that is not a regular file, or cannot be opened."""


def _kind(mode: int) -> str:
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def open_regular(path: Path) -> BinaryIO:
    """`path` opened for binary reading, if it is a regular file; NotReadable naming what it is otherwise.

    The file is opened without blocking (``O_NONBLOCK``), so a named pipe that nobody writes to is refused at
    once instead of being waited on, and what was opened is checked (``fstat``), not what the name pointed to
    a moment before."""
    try:
        before = os.stat(path)
    except OSError as error:
        raise NotReadable(f"{path}: cannot read ({error.strerror or error})") from None
    if not stat.S_ISREG(before.st_mode):
        raise NotReadable(f"{path}: {_kind(before.st_mode)}, not a regular file; not read")
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as error:
        raise NotReadable(f"{path}: cannot read ({error.strerror or error})") from None
    mode = os.fstat(descriptor).st_mode
    if not stat.S_ISREG(mode):
        os.close(descriptor)
        raise NotReadable(f"{path}: {_kind(mode)}, not a regular file; not read")
    return os.fdopen(descriptor, "rb")


def is_regular(path: Path) -> bool:
    """Whether `path` is a regular file (following symbolic links); False if it cannot be examined."""
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        return False

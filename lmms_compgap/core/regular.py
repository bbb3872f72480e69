"""Opening the files the commands are given or write: regular files only, never through a symbolic link, so a
named pipe or a device never blocks and a link never reads or overwrites a file elsewhere on the machine."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import BinaryIO

from lmms_compgap.errors import ReportError

_KINDS = (
    (stat.S_ISLNK, "a symbolic link"),
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a named pipe"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)
# O_NOFOLLOW: the last part of the path is never followed, even when it became a link after we looked.
_NO_FOLLOW = getattr(os, "O_NOFOLLOW", 0)
_NO_BLOCK = getattr(os, "O_NONBLOCK", 0)


class NotReadable(ReportError):
    """A path that is not a regular file, or cannot be opened."""


class NotWritable(ReportError):
    """A place to write that is a symbolic link or not a regular file (or folder)."""


def _kind(mode: int) -> str:
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def _refused(path: Path, mode: int) -> str:
    if stat.S_ISLNK(mode):
        return f"{path}: a symbolic link; links are not followed, not read"
    return f"{path}: {_kind(mode)}, not a regular file; not read"


def open_regular(path: Path) -> BinaryIO:
    """`path` opened for binary reading, if it is a regular file and not a symbolic link; NotReadable naming what it
    is otherwise.

    The file is opened without blocking (``O_NONBLOCK``) and without following a link (``O_NOFOLLOW``), so a named
    pipe that nobody writes to is refused at once instead of being waited on, and what was opened is checked
    (``fstat``), not what the name pointed to a moment before."""
    try:
        before = os.lstat(path)
    except OSError as error:
        raise NotReadable(f"{path}: cannot read ({error.strerror or error})") from None
    if not stat.S_ISREG(before.st_mode):
        raise NotReadable(_refused(path, before.st_mode))
    try:
        descriptor = os.open(path, os.O_RDONLY | _NO_BLOCK | _NO_FOLLOW)
    except OSError as error:
        raise NotReadable(f"{path}: cannot read ({error.strerror or error})") from None
    mode = os.fstat(descriptor).st_mode
    if not stat.S_ISREG(mode):
        os.close(descriptor)
        raise NotReadable(_refused(path, mode))
    return os.fdopen(descriptor, "rb")


def is_regular(path: Path) -> bool:
    """Whether `path` is a regular file and not a symbolic link; False if it cannot be examined."""
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False


def writable_folder(path: Path) -> Path:
    """`path` made (with its parents) and returned, or NotWritable when it, or what is there, is no plain folder
    (a symbolic link to a folder would make every file written into it land elsewhere)."""
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        path.mkdir(parents=True, exist_ok=True)
        mode = os.lstat(path).st_mode
    if not stat.S_ISDIR(mode):
        raise NotWritable(f"{path}: {_kind(mode)}, not a folder; nothing written there (links are not followed)")
    return path


def write_regular(path: Path, payload: bytes | str) -> Path:
    """Write `payload` (text as UTF-8, unencodable characters escaped) to `path`, replacing a regular file there,
    never through a symbolic link (NotWritable names what is there instead); returns `path`."""
    if isinstance(payload, str):
        payload = payload.encode("utf-8", errors="backslashreplace")
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        mode = None
    if mode is not None and not stat.S_ISREG(mode):
        raise NotWritable(f"{path}: {_kind(mode)}, not a regular file; not overwritten (links are not followed)")
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | _NO_FOLLOW | _NO_BLOCK, 0o644)
    except OSError as error:
        raise NotWritable(f"{path}: cannot write ({error.strerror or error})") from None
    with os.fdopen(descriptor, "wb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise NotWritable(f"{path}: not a regular file; not written")
        handle.write(payload)
    return path

"""Read a JSON-lines file line by line: every good line is used, every bad one named by its number and reason."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from typing import Any, BinaryIO, TypeVar

T = TypeVar("T")
#: The longest line read: a file of zeros with no line break costs this much memory, not all of it.
MAX_LINE_BYTES = 64 * 1024 * 1024
_CHUNK = 1024 * 1024


def lines_within(handle: BinaryIO, limit: int = MAX_LINE_BYTES) -> Iterator[bytes | None]:
    """The lines of `handle`, none held longer than `limit` bytes: a longer line is skipped to its end in chunks
    and given as None, for `read_json_lines` to name."""
    while True:
        line = handle.readline(limit + 1)
        if not line:
            return
        if len(line) <= limit or line.endswith(b"\n"):
            yield line
            continue
        while line and not line.endswith(b"\n"):
            line = handle.readline(_CHUNK)
        yield None


def _problem(error: Exception) -> str:
    if isinstance(error, KeyError):
        return f"missing key {error}"
    if isinstance(error, UnicodeDecodeError):
        return f"not UTF-8 text (byte {error.start} of the line)"
    if isinstance(error, RecursionError):
        return "JSON nested too deeply to parse"
    return str(error)[:300]  # the callers show it literally (control characters escaped)


def read_json_lines(
    lines: Iterable[bytes | None], read: Callable[[Any], T], errors: str = "strict"
) -> Iterator[tuple[int, T | None, str | None]]:
    """(line number, `read(value)`, None) for each non-blank line, or (line number, None, why it is skipped).

    A line is skipped when it is not UTF-8 (decoded with `errors`: "replace" reads on past bad bytes), not JSON
    (nesting too deep or an integer too long for Python included), or `read` refuses its value by raising
    KeyError, TypeError or ValueError, or given as None (too long, by `lines_within`). One bad line never stops
    the lines after it."""
    for number, raw in enumerate(lines, start=1):
        if raw is None:  # from `lines_within`
            yield number, None, f"longer than {MAX_LINE_BYTES} bytes; not read"
            continue
        if not raw.strip():
            continue
        try:
            value = read(json.loads(raw.decode("utf-8", errors=errors)))
        except (UnicodeDecodeError, RecursionError, KeyError, TypeError, ValueError) as error:
            yield number, None, _problem(error)
            continue
        yield number, value, None

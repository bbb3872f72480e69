"""Parse an untrusted JSON file within limits: size, number of values, nesting depth, and strict syntax."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from lmms_compgap.core.regular import NotReadable, open_regular
from lmms_compgap.errors import SubmissionRejected

DEFAULT_MAX_BYTES = 200 * 1024 * 1024
#: Upper bound on JSON values (counted as commas and opening brackets, in strings too): bounds memory.
MAX_VALUES = 20_000_000
MAX_DEPTH = 32
#: How every JSON value that is not an object starts: such a file is refused before it is parsed.
_NOT_OBJECT = {bytes([byte]) for byte in b'["-0123456789tfnNI'}


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError("an object holds the same key twice")  # the key itself is the file's content
        result[key] = value
    return result


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _depth(document: Any) -> int:
    """The nesting depth, walked iteratively so a deep document cannot exhaust the stack. Only containers are
    stacked: a flat array of millions of numbers costs no memory beyond itself."""
    if not isinstance(document, (dict, list)):
        return 0
    deepest, stack = 1, [(document, 1)]
    while stack:
        node, depth = stack.pop()
        children = node.values() if isinstance(node, dict) else node
        for child in children:
            if isinstance(child, (dict, list)):
                if depth + 1 > MAX_DEPTH:
                    return depth + 1
                deepest = max(deepest, depth + 1)
                stack.append((child, depth + 1))
    return deepest


def load_json_file(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> Any:
    """The parsed document, or SubmissionRejected naming why it is refused (not a regular file, too large, not
    JSON, not an object, too deep). Nothing in it is executed."""
    try:
        with open_regular(path) as handle:
            size = os.fstat(handle.fileno()).st_size
            if size > max_bytes:
                raise SubmissionRejected(
                    f"{path}: {size} bytes, above the size cap of {max_bytes} (--max-bytes); not read"
                )
            payload = handle.read(max_bytes + 1)  # a file that grows still stops at the cap
    except NotReadable as error:
        raise SubmissionRejected(str(error)) from None
    except OSError as error:
        raise SubmissionRejected(f"{path}: cannot read ({error.strerror or error})") from None
    if len(payload) > max_bytes:
        raise SubmissionRejected(f"{path}: more than {max_bytes} bytes (--max-bytes); not parsed")
    if payload.lstrip()[:1] in _NOT_OBJECT:  # cheap, before anything costs: a submission is one JSON object
        raise SubmissionRejected(f"{path}: not a JSON object ({{...}}), so not a submission; not parsed")
    values = payload.count(b",") + payload.count(b"[") + payload.count(b"{")
    if values > MAX_VALUES:
        raise SubmissionRejected(f"{path}: about {values} JSON values, above the limit of {MAX_VALUES}; not parsed")
    try:
        text = payload.decode("utf-8")
        document = json.loads(text, object_pairs_hook=_no_duplicate_keys, parse_constant=_no_constants)
    except RecursionError:
        raise SubmissionRejected(f"{path}: nested too deeply to parse (limit {MAX_DEPTH} levels)") from None
    except UnicodeDecodeError as error:
        raise SubmissionRejected(f"{path}: not UTF-8 text (byte {error.start})") from None
    except ValueError as error:  # JSONDecodeError, duplicate keys, NaN/Infinity, over-long integers
        hint = ""
        if isinstance(error, json.JSONDecodeError) and error.msg == "Extra data":
            hint = (
                " (several JSON documents, one per line: an lmms-eval samples file? Make a submission from the "
                "output folder with `compgap submit` first)"
            )
        raise SubmissionRejected(f"{path}: not valid JSON: {error}{hint}") from None
    if _depth(document) > MAX_DEPTH:
        raise SubmissionRejected(f"{path}: nested more than {MAX_DEPTH} levels deep; not a submission")
    return document

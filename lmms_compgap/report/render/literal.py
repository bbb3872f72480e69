"""User strings (model names, arguments, file names, reasons) rendered literally wherever they are shown.

Names come from files anyone can write: they may hold Markdown or HTML (``<script>``, ``[x](javascript:)``),
matplotlib maths markup (``$\\frac{$``), terminal control sequences, invisible characters (a zero-width space,
a right-to-left override), or lone surrogates (``\\ud800``) that no encoder accepts. Each renderer shows them as
the characters they are, the invisible ones as escapes (``\\u200b``).
"""

from __future__ import annotations

import html
import re
from typing import Any

# Control characters, and the invisible "format" characters (Unicode Cf: zero-width spaces and joiners, bidi
# marks, embeddings, overrides and isolates, the byte-order mark, tags) and line/paragraph separators (Zl, Zp):
# what makes "tq" plus a zero-width space look like "tq", or text read backwards. The ranges are Unicode 15's
# (Python 3.11 knows 14); a test compares them with the running Python's `unicodedata`.
_INVISIBLE = (
    "\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890-\u0891\u08e2\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064"
    "\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3"
    "\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f"
)
_INVISIBLE_RE = re.compile(f"[{_INVISIBLE}]")
_ESCAPED_RE = re.compile(r"\\(?:u([0-9a-f]{4})|U([0-9a-f]{8}))")
_CONTROL_RE = re.compile(f"[\\x00-\\x1f\\x7f-\\x9f{_INVISIBLE}]")
_LINE_CONTROL_RE = re.compile(f"[\\x00-\\x09\\x0b-\\x1f\\x7f-\\x9f{_INVISIBLE}]")
# Underscores inside a word ("compgap_count_direct") make no emphasis in Markdown and stay as they are.
_MARKDOWN_RE = re.compile(r"([\\`*\[\]|~]|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9]))")


def _escape(match: re.Match[str]) -> str:
    return match.group().encode("unicode_escape").decode("ascii")


def plain_text(value: Any) -> str:
    """One line of printable text: control characters (newlines, terminal escapes), invisible characters and lone
    surrogates shown as escapes (``\\x1b``, ``\\u200b``, ``\\ud800``); everything else as it is."""
    text = str(value).encode("utf-8", "backslashreplace").decode("utf-8")
    return _CONTROL_RE.sub(_escape, text)


def plain_lines(value: Any) -> str:
    """`plain_text` that keeps line breaks: for our own messages that span lines (a missing dataset's help)."""
    text = str(value).encode("utf-8", "backslashreplace").decode("utf-8")
    return _LINE_CONTROL_RE.sub(_escape, text)


def _unescape_invisible(match: re.Match[str]) -> str:
    code = int(match.group(1) or match.group(2), 16)
    return "" if code <= 0x10FFFF and _INVISIBLE_RE.fullmatch(chr(code)) else match.group()


def name_key(value: Any) -> str:
    """A name as compared for duplicates: invisible characters removed, as they are or as `plain_text` shows them
    (``\\u200b``), so "tq" and "tq" plus a zero-width space are one name."""
    return _ESCAPED_RE.sub(_unescape_invisible, plain_text(value))


def markdown_text(value: Any) -> str:
    """`plain_text` made inert in Markdown (also inside a table cell): HTML escaped as the HTML page escapes it,
    and the characters that make emphasis, code, links or cell breaks backslash-escaped."""
    return _MARKDOWN_RE.sub(r"\\\1", html.escape(plain_text(value), quote=False))


def plot_text(value: Any) -> str:
    """`plain_text` for matplotlib: dollar signs escaped, so nothing is read as maths markup."""
    return plain_text(value).replace("$", r"\$")

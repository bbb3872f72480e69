"""User strings (model names, arguments, file names, reasons) rendered literally wherever they are shown.

Names come from files anyone can write: they may hold Markdown or HTML (``<script>``, ``[x](javascript:)``),
matplotlib maths markup (``$\\frac{$``), terminal control sequences, or lone surrogates (``\\ud800``) that
no encoder accepts. Each renderer shows them as the characters they are.
"""

from __future__ import annotations

import html
import re
from typing import Any

_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# Underscores inside a word ("compgap_count_direct") make no emphasis in Markdown and stay as they are.
_MARKDOWN_RE = re.compile(r"([\\`*\[\]|~]|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9]))")


def plain_text(value: Any) -> str:
    """One line of printable text: control characters (newlines, terminal escapes) and lone surrogates shown
    as escapes (``\\x1b``, ``\\ud800``); everything else as it is."""
    text = str(value).encode("utf-8", "backslashreplace").decode("utf-8")
    return _CONTROL_RE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def markdown_text(value: Any) -> str:
    """`plain_text` made inert in Markdown (also inside a table cell): HTML escaped as the HTML page escapes it,
    and the characters that make emphasis, code, links or cell breaks backslash-escaped."""
    return _MARKDOWN_RE.sub(r"\\\1", html.escape(plain_text(value), quote=False))


def plot_text(value: Any) -> str:
    """`plain_text` for matplotlib: dollar signs escaped, so nothing is read as maths markup."""
    return plain_text(value).replace("$", r"\$")

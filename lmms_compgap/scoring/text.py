"""Preparing model output for reading: reasoning blocks, Unicode forms, invisible characters, LaTeX wrappers."""

from __future__ import annotations

import re
import unicodedata

__all__ = ["boxed_contents", "prepare_for_reading", "strip_code_fences", "strip_thinking", "unwrap_latex"]

_THINK_OPEN_RE = re.compile(r"<(think|thinking)>", re.IGNORECASE)
_THINK_CLOSE_RE = re.compile(r"</(?:think|thinking)>", re.IGNORECASE)
_FENCE_LINE_RE = re.compile(r"^[ \t]*(?:```|~~~)[^\n]*(?:\n|$)", re.MULTILINE)
_HSPACE_RE = re.compile(r"[^\S\n]{2,}|[^\S\n ]")  # runs, and single tabs or other spaces
_BOXED_RE = re.compile(r"\\(?:boxed|fbox)\s*\{")
_UNWRAP_COMMAND_RE = re.compile(r"\\(?:boxed|fbox|text|textbf|textrm|mathbf|mathrm|mathit|operatorname)\s*\{")
_LATEX_THOUSANDS_RE = re.compile(r"(?<=[0-9])(?:\{,\}|\\,)(?=[0-9]{3})")


# Format characters (category Cf: zero-width space, soft hyphen, joiners, bidi marks, BOM) occur only in
# planes 0, 1 and 14; scanning those (about 140,000 code points, a few milliseconds) finds all of them.
_FORMAT_CHARS = "".join(
    chr(code) for code in (*range(0x20000), *range(0xE0000, 0xE1000)) if unicodedata.category(chr(code)) == "Cf"
)
_SUPERSCRIPT_DIGITS = "\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079"
# NFKC would glue "68²" into "682" and "x₂" into "x2": exponents and subscripts are made explicit first.
_SCRIPT_TABLE = str.maketrans(
    {
        **{sup: f"^{digit}" for digit, sup in enumerate(_SUPERSCRIPT_DIGITS)},
        **{chr(0x2080 + digit): f"_{digit}" for digit in range(10)},
        **dict.fromkeys(_FORMAT_CHARS),
        "\u2212": "-",  # the minus sign is a minus
    }
)
# Every script's decimal digits ("٦٨", Devanagari, ...) are digits; NFKC maps only compatibility forms
# (full-width, mathematical bold). `\d` matches exactly the category Nd.
_NON_ASCII_DIGIT_RE = re.compile(r"(?![0-9])\d")


def _ascii_digit(match: re.Match[str]) -> str:
    return str(unicodedata.decimal(match.group()))


def prepare_for_reading(text: str) -> str:
    """The text a careful reader sees: format characters removed (a digit split by a zero-width space or a
    soft hyphen is one number again), superscripts made ``^2``, the minus sign ``-``, NFKC (full-width forms,
    ligatures), every script's decimal digits as ASCII digits, ``\\r\\n`` as ``\\n``, each run of horizontal
    whitespace as one space (which keeps every pattern applied afterwards free of long ambiguous runs), LaTeX
    thousands separators (``1{,}234``, ``1\\,234``) as commas. Linear time."""
    if not text.isascii():  # everything but the whitespace and LaTeX steps leaves ASCII text as it is
        text = unicodedata.normalize("NFKC", text.translate(_SCRIPT_TABLE)).replace("\u2044", "/")  # "½": "1⁄2"
        text = _NON_ASCII_DIGIT_RE.sub(_ascii_digit, text)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _HSPACE_RE.sub(" ", text)
    return _LATEX_THOUSANDS_RE.sub(",", text) if "\\" in text or "{," in text else text


def strip_thinking(text: str) -> str:
    """Drop reasoning blocks: ``<think>...</think>`` (and ``<thinking>``) are removed; an unclosed opening tag
    drops everything after it (the model never left its reasoning); text up to an orphan closing tag (the
    opening tag was in the prompt) is dropped. The result is stripped of surrounding whitespace."""
    out: list[str] = []
    pos = 0
    lower = text.lower()
    while True:
        m = _THINK_OPEN_RE.search(text, pos)
        if not m:
            out.append(text[pos:])
            break
        out.append(text[pos : m.start()])
        close = f"</{m.group(1).lower()}>"
        end = lower.find(close, m.end())
        if end < 0:
            break
        pos = end + len(close)
    kept = "".join(out)
    orphans = list(_THINK_CLOSE_RE.finditer(kept))
    if orphans:
        kept = kept[orphans[-1].end() :]
    return kept.strip()


def strip_code_fences(text: str) -> str:
    """Remove Markdown code-fence lines (```lang / ``` / ~~~), keeping the fenced content."""
    return _FENCE_LINE_RE.sub("", text)


def boxed_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of the contents of every closed ``\\boxed{...}`` / ``\\fbox{...}`` that holds no other box,
    in order of appearance; nested braces are respected. Linear time."""
    found: list[tuple[int, int]] = []
    # One entry per open brace: [content start (-1: not a box), 1 if a box closed inside, innermost open box].
    stack: list[list[int]] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        enclosing = -1 if not stack else (len(stack) - 1 if stack[-1][0] >= 0 else stack[-1][2])
        if ch == "\\":
            m = _BOXED_RE.match(text, i)
            if m:
                stack.append([m.end(), 0, enclosing])
                i = m.end()
                continue
        elif ch == "{":
            stack.append([-1, 0, enclosing])
        elif ch == "}" and stack:
            start, holds_box, outer = stack.pop()
            if start >= 0:
                if not holds_box:
                    found.append((start, i))
                if outer >= 0:
                    stack[outer][1] = 1
        i += 1
    return sorted(found)


def boxed_contents(text: str) -> list[str]:
    """Contents of every closed ``\\boxed{...}`` / ``\\fbox{...}`` that holds no other box, in order of
    appearance; nested braces are respected (``\\boxed{\\text{42}}`` -> ``\\text{42}``). Linear time."""
    return [text[start:end] for start, end in boxed_spans(text)]


def unwrap_latex(text: str) -> str:
    """Replace ``\\boxed{x}``, ``\\text{x}``, ``\\mathbf{x}``, ... by ``x`` in one linear pass."""
    if "\\" not in text:
        return text
    out: list[str] = []
    stack: list[bool] = []  # True: this brace belongs to an unwrapped command
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "\\":
            m = _UNWRAP_COMMAND_RE.match(text, i)
            if m:
                stack.append(True)
                i = m.end()
                continue
        elif ch == "{":
            stack.append(False)
        elif ch == "}" and stack and stack.pop():
            i += 1
            continue
        out.append(ch)
        i += 1
    return "".join(out)

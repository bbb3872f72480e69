"""Numbers in model output: English number words, canonical forms, and every number a text states."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from lmms_compgap.scoring.text import prepare_for_reading, unwrap_latex

__all__ = ["NumberSpan", "find_numbers", "normalize_number", "number_at", "words_to_int"]

# ---- number words -------------------------------------------------------------------------------

_UNITS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9}
_TEENS = {
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
}
_TENS = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fourty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
_SCALES = {"thousand": 10**3, "million": 10**6, "billion": 10**9}
_NUMERIC_WORDS = frozenset([*_UNITS, *_TEENS, *_TENS, *_SCALES, "hundred", "zero", "dozen"])
_NUMBER_VOCAB = frozenset([*_NUMERIC_WORDS, "and", "a", "an", "minus", "negative"])
_MAX_WORD_TOKENS = 40
_MAX_WORD_CHARS = 40 * _MAX_WORD_TOKENS

_WORD_RE = re.compile(r"[A-Za-z]+")
_WORD_JOINER_RE = re.compile(r"[ \t]*-[ \t]*|\s+")
_WORD_SPLIT_RE = re.compile(r"[\s,-]+")


def _parse_word_tokens(tokens: Iterable[str]) -> tuple[int | None, int]:
    """Longest valid prefix of lower-case number-word tokens: (value, tokens consumed), (None, 0) if none.

    Reads ``tokens`` lazily and stops at the first token that cannot continue the number."""
    sign, start = 1, 0
    total, group, last = 0, 0, ""
    last_scale = 10**12
    best: tuple[int | None, int] = (None, 0)
    for k, word in enumerate(tokens):
        if k == 0 and word in ("minus", "negative"):
            sign, start = -1, 1
            continue
        if word == "zero":
            if k == start:
                best = (0, k + 1)
            break
        if word in ("a", "an"):
            if k != start:
                break
            group, last = 1, "a"
            continue
        if word == "and":
            if last not in ("hundred", "scale"):
                break
            last = "and"
            continue
        if word in _UNITS:
            if last not in ("", "hundred", "tens", "scale", "and"):
                break
            group += _UNITS[word]
            last = "unit"
        elif word in _TEENS or word in _TENS:
            if last not in ("", "hundred", "scale", "and"):
                break
            group += _TEENS.get(word) or _TENS[word]
            last = "tens" if word in _TENS else "teen"
        elif word == "hundred":
            # "two hundred"; "a hundred"; "twelve hundred" / "twenty-five hundred" only before any scale word.
            if last not in ("a", "unit", "teen", "tens") or not (group < 10 or (last_scale == 10**12 and group < 100)):
                break
            group *= 100
            last = "hundred"
        elif word in _SCALES:
            scale = _SCALES[word]
            if last not in ("a", "unit", "teen", "tens", "hundred") or scale >= last_scale:
                break
            total += group * scale
            group, last, last_scale = 0, "scale", scale
        elif word == "dozen":
            if last not in ("a", "unit", "teen", "tens") or total:
                break
            group *= 12
            last = "dozen"
            best = (sign * (total + group), k + 1)
            break
        else:
            break
        best = (sign * (total + group), k + 1)
    return best


def words_to_int(text: str) -> int | None:
    """English number words to an int: "seven", "twenty-one", "one hundred and five", "minus three",
    "one thousand two hundred", "a dozen" (up to the billions). None unless the whole text is one number."""
    if len(text) > _MAX_WORD_CHARS:  # no number in words is this long; bail out before splitting
        return None
    tokens = [t for t in _WORD_SPLIT_RE.split(text.strip().lower()) if t]
    if not tokens or len(tokens) > _MAX_WORD_TOKENS or not all(t.isascii() and t.isalpha() for t in tokens):
        return None
    value, used = _parse_word_tokens(tokens)
    return value if used == len(tokens) else None


def _scan_word_number(text: str, pos: int) -> tuple[int, int] | None:
    """A number written in words starting exactly at ``pos``: (value, end offset) or None."""
    ends: list[int] = []

    def words() -> Iterator[str]:
        p = pos
        while len(ends) < _MAX_WORD_TOKENS:
            m = _WORD_RE.match(text, p)
            if not m or m.group().lower() not in _NUMBER_VOCAB:
                return
            ends.append(m.end())
            yield m.group().lower()
            joiner = _WORD_JOINER_RE.match(text, m.end())
            if not joiner:
                return
            p = joiner.end()

    value, used = _parse_word_tokens(words())
    if value is None:
        return None
    return value, ends[used - 1]


# ---- digits -------------------------------------------------------------------------------------

# A comma before exactly three digits groups thousands ("1,200"); before one or two digits that end the number
# it is a decimal comma ("116,50" is 116.5, "3,5" is 3.5), as most of Europe writes it; "1,2345" is neither.
_DECIMAL_COMMA = r"[0-9]+,[0-9]{1,2}(?![0-9]|,[0-9])"
_DIGITS = rf"(?:[0-9]{{1,3}}(?:,[0-9]{{3}})+(?![0-9])|{_DECIMAL_COMMA}|[0-9]+)(?:\.[0-9]+)?|\.[0-9]+"
# A space groups thousands ("1 200") only in a number of its own: the minutes of a time never take the number after
# them ("The clock showed 4:40 157 minutes ago" states 4:40 and 157, not 40157).
_DIGITS_SPACED = (
    rf"(?:[0-9]{{1,3}}(?:,[0-9]{{3}})+(?![0-9])|{_DECIMAL_COMMA}|(?<![0-9]:)[0-9]{{1,3}}(?: [0-9]{{3}})+(?![0-9])"
    r"|[0-9]+)"
    r"(?:\.[0-9]+)?|\.[0-9]+"
)


def _number_regex(digits: str) -> re.Pattern[str]:
    # Not glued to a preceding letter, digit, "." or closing bracket (so "x2", "v1.5", "(3+4)-2" give no
    # spurious numbers); a sign only directly before the digits; ordinals ("3rd") are not numbers. Chinese,
    # Japanese and Korean write numbers right after a word ("一共有72个"): their characters may precede one.
    return re.compile(
        r"(?<![^\W_\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af])(?<![.)\]])"
        r"(?:[-\u2212](?=[$€£]?\.?[0-9]))?[$€£]?"
        rf"(?:{digits})%?"
        r"(?![0-9])(?!(?:st|nd|rd|th)\b)"
    )


_NUMBER_RE = _number_regex(_DIGITS)
_NUMBER_SPACED_RE = _number_regex(_DIGITS_SPACED)
_FULL_DIGITS_RE = re.compile(
    r"(?P<int>[0-9]{1,3}(?:,[0-9]{3})+|[0-9]{1,3}(?: [0-9]{3})+|[0-9]+)?(?:\.(?P<frac>[0-9]+)|,(?P<comma>[0-9]{1,2}))?"
)


def _canonical(integer: str, fraction: str, negative: bool) -> str:
    integer = integer.replace(",", "").replace(" ", "").lstrip("0") or "0"
    fraction = fraction.rstrip("0")
    out = f"{integer}.{fraction}" if fraction else integer
    return f"-{out}" if negative and out != "0" else out


def _digits_value(match: str) -> str | None:
    """The canonical value of what `_NUMBER_RE` matched (a sign, a currency sign, digits, a percent sign)."""
    negative = match[:1] in ("-", "\u2212")
    digits = match.lstrip("-\u2212").lstrip("$€£").rstrip("%")
    m = _FULL_DIGITS_RE.fullmatch(digits)
    if not m or not (m.group("int") or m.group("frac")) or (m.group("comma") and not m.group("int")):
        return None
    return _canonical(m.group("int") or "", m.group("frac") or m.group("comma") or "", negative)


def normalize_number(text: str) -> str | None:
    """Canonical form of a number written in digits or English words, else None.

    Digits: "1,234" / "1 234" -> "1234", "$42" -> "42", "42." -> "42", "-7" / "\u22127" -> "-7", "3.0" -> "3",
    "0.50" -> "0.5", "42%" -> "42", "$42$" / "\\boxed{42}" -> "42". Words: "seven" -> "7", "minus three" -> "-3".
    The whole text must be one number: "42 apples", "1/2" and "1e5" give None.
    """
    s = unwrap_latex(prepare_for_reading(text))
    s = re.sub(r"\\[()\[\]]", " ", s).replace("{,}", ",").replace("\\,", "").replace("\\%", "%")
    s = s.strip().strip("*_`").strip().strip("$").strip()
    s = s.rstrip(".,;:!?").rstrip().strip("*_`").strip()
    negative = False
    if s[:1] in ("-", "\u2212", "+"):
        negative = s[0] != "+"
        s = s[1:].lstrip()
    if s.endswith("%"):
        s = s[:-1].rstrip()
    s = s.lstrip("$€£").lstrip()
    m = _FULL_DIGITS_RE.fullmatch(s)
    if m and (m.group("int") or m.group("frac")) and not (m.group("comma") and not m.group("int")):
        return _canonical(m.group("int") or "", m.group("frac") or m.group("comma") or "", negative)
    value = words_to_int(s)
    if value is None:
        return None
    return str(-value if negative else value)


# ---- finding numbers in text ----------------------------------------------------------------------

_PRONOUN_BEFORE_RE = re.compile(r"\b(?:the|this|that|each|every|no|any|which|some|another)\s+$", re.IGNORECASE)
_PRONOUN_AFTER_RE = re.compile(r"\s*(?:of\b|another\b|'s\b)", re.IGNORECASE)
_WORD_BEFORE_RE = re.compile(r"([0-9]+|[A-Za-z]+)[\s-]*$")


def _word_number_at(text: str, pos: int) -> tuple[int, int] | None:
    """A word number at ``pos``; a leading "minus"/"negative" after a number is subtraction, not a sign."""
    found = _scan_word_number(text, pos)
    if found is None:
        return None
    first = _WORD_RE.match(text, pos)
    if first and first.group().lower() in ("minus", "negative"):
        before = _WORD_BEFORE_RE.search(text[max(0, pos - 40) : pos])
        if before and (before.group(1).isdigit() or before.group(1).lower() in _NUMERIC_WORDS):
            return None
    return found


NumberSpan = tuple[int, int, str]
"""(start, end, canonical value) of one number stated in a text."""


def find_numbers(text: str, *, spaced: bool = False, skip_pronoun_one: bool = False) -> list[NumberSpan]:
    """Every number (digits or words) in ``text`` as (start, end, canonical string), in order. ``spaced``: a
    space may separate thousands (``1 234``); ``skip_pronoun_one``: "one" as a pronoun ("one of them", "each
    one") is not a number."""
    regex = _NUMBER_SPACED_RE if spaced else _NUMBER_RE
    found: list[NumberSpan] = []
    for m in regex.finditer(text):
        value = _digits_value(m.group())
        if value is not None:
            found.append((m.start(), m.end(), value))
    covered_until = -1
    for m in _WORD_RE.finditer(text):
        if m.start() < covered_until or m.group().lower() not in _NUMBER_VOCAB:
            continue
        hit = _word_number_at(text, m.start())
        if hit is None:
            continue
        value, end = hit
        covered_until = end
        if (
            skip_pronoun_one
            and text[m.start() : end].lower() == "one"
            and (
                _PRONOUN_BEFORE_RE.search(text[max(0, m.start() - 20) : m.start()])
                or _PRONOUN_AFTER_RE.match(text, end)
            )
        ):
            continue
        found.append((m.start(), end, str(value)))
    found.sort()
    return found


def number_at(text: str, pos: int) -> NumberSpan | None:
    """The number (digits or words) starting exactly at ``pos``: (start, end, canonical value), else None."""
    m = _NUMBER_RE.match(text, pos)
    if m:
        value = _digits_value(m.group())
        return None if value is None else (m.start(), m.end(), value)
    hit = _word_number_at(text, pos)
    return None if hit is None else (pos, hit[1], str(hit[0]))

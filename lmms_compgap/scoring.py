"""Answer extraction and scoring primitives: numbers, transcriptions (CER) and multisets (F1)."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator

__all__ = [
    "boxed_contents",
    "character_error_rate",
    "edit_distance",
    "extract_flexible_answer",
    "extract_strict_answer",
    "multiset_f1",
    "normalize_number",
    "normalize_text",
    "score_number",
    "strip_code_fences",
    "strip_thinking",
    "words_to_int",
]

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

_DIGITS = r"(?:[0-9]{1,3}(?:,[0-9]{3})+(?![0-9])|[0-9]+)(?:\.[0-9]+)?|\.[0-9]+"
_DIGITS_SPACED = r"(?:[0-9]{1,3}(?:,[0-9]{3})+(?![0-9])|[0-9]{1,3}(?: [0-9]{3})+(?![0-9])|[0-9]+)(?:\.[0-9]+)?|\.[0-9]+"


def _number_regex(digits: str) -> re.Pattern[str]:
    # Not glued to a preceding letter, digit, "." or closing bracket (so "x2", "v1.5", "(3+4)-2" give no
    # spurious numbers); a sign only directly before the digits; ordinals ("3rd") are not numbers.
    return re.compile(
        r"(?<![^\W_])(?<![.)\]])"
        r"(?:[-\u2212](?=[$€£]?\.?[0-9]))?[$€£]?"
        rf"(?:{digits})%?"
        r"(?![0-9])(?!(?:st|nd|rd|th)\b)"
    )


_NUMBER_RE = _number_regex(_DIGITS)
_NUMBER_SPACED_RE = _number_regex(_DIGITS_SPACED)
_FULL_DIGITS_RE = re.compile(
    r"(?P<int>[0-9]{1,3}(?:,[0-9]{3})+|[0-9]{1,3}(?: [0-9]{3})+|[0-9]+)?(?:\.(?P<frac>[0-9]+))?"
)


def _canonical(integer: str, fraction: str, negative: bool) -> str:
    integer = integer.replace(",", "").replace(" ", "").lstrip("0") or "0"
    fraction = fraction.rstrip("0")
    out = f"{integer}.{fraction}" if fraction else integer
    return f"-{out}" if negative and out != "0" else out


def normalize_number(text: str) -> str | None:
    """Canonical form of a number written in digits or English words, else None.

    Digits: "1,234" / "1 234" -> "1234", "$42" -> "42", "42." -> "42", "-7" / "\u22127" -> "-7", "3.0" -> "3",
    "0.50" -> "0.5", "42%" -> "42", "$42$" / "\\boxed{42}" -> "42". Words: "seven" -> "7", "minus three" -> "-3".
    The whole text must be one number: "42 apples", "1/2" and "1e5" give None.
    """
    s = _unwrap_latex(unicodedata.normalize("NFKC", text))
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
    if m and (m.group("int") or m.group("frac")):
        return _canonical(m.group("int") or "", m.group("frac") or "", negative)
    value = words_to_int(s)
    if value is None:
        return None
    return str(-value if negative else value)


# ---- text clean-up ------------------------------------------------------------------------------

_THINK_OPEN_RE = re.compile(r"<(think|thinking)>", re.IGNORECASE)
_THINK_CLOSE_RE = re.compile(r"</(?:think|thinking)>", re.IGNORECASE)
_FENCE_LINE_RE = re.compile(r"^[ \t]*(?:```|~~~)[^\n]*(?:\n|$)", re.MULTILINE)
_HSPACE_RE = re.compile(r"[^\S\n]+")
_BOXED_RE = re.compile(r"\\(?:boxed|fbox)\s*\{")
_UNWRAP_COMMAND_RE = re.compile(r"\\(?:boxed|fbox|text|textbf|textrm|mathbf|mathrm|mathit|operatorname)\s*\{")


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


def boxed_contents(text: str) -> list[str]:
    """Contents of every closed ``\\boxed{...}`` / ``\\fbox{...}`` that holds no other box, in order of
    appearance; nested braces are respected (``\\boxed{\\text{42}}`` -> ``\\text{42}``). Linear time."""
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
    return [text[start:end] for start, end in sorted(found)]


def _unwrap_latex(text: str) -> str:
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


def _prepare(response: str) -> str:
    text = unicodedata.normalize("NFKC", strip_thinking(response)).replace("\r\n", "\n").replace("\r", "\n")
    # One space for every run of horizontal whitespace: keeps every pattern below free of long ambiguous runs.
    text = _HSPACE_RE.sub(" ", text)
    # LaTeX thousands separators: 1{,}234 and 1\,234.
    return re.sub(r"(?<=[0-9])(?:\{,\}|\\,)(?=[0-9]{3})", ",", text)


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


def _find_numbers(text: str, *, spaced: bool = False, skip_pronoun_one: bool = False) -> list[tuple[int, int, str]]:
    """Every number (digits or words) in ``text`` as (start, end, canonical string), in order."""
    regex = _NUMBER_SPACED_RE if spaced else _NUMBER_RE
    found: list[tuple[int, int, str]] = []
    for m in regex.finditer(text):
        value = normalize_number(m.group())
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


def _number_at(text: str, pos: int) -> str | None:
    """The number (digits or words) starting exactly at ``pos``, canonical, else None."""
    m = _NUMBER_RE.match(text, pos)
    if m:
        return normalize_number(m.group())
    hit = _word_number_at(text, pos)
    return None if hit is None else str(hit[0])


def _clean_segment(segment: str) -> str:
    s = _unwrap_latex(segment)
    s = re.sub(r"\\[()\[\]]|\*\*|__|`", " ", s)
    return s.replace("\\approx", "=").replace("≈", "=")


def _segment_number(segment: str) -> str | None:
    """The number an answer segment states: the first one after its last "=" if any, else its first one."""
    s = _clean_segment(segment)
    if "=" in s:
        after = _find_numbers(s.rsplit("=", 1)[1], spaced=True)
        if after:
            return after[0][2]
    found = _find_numbers(s, spaced=True)
    return found[0][2] if found else None


# ---- "Answer:" lines ------------------------------------------------------------------------------

_ANSWER_MARKER_RE = re.compile(r"\banswer[ \t]*(?:(?:\*\*|__)[ \t]*)?[:：][ \t]*(?:\*\*|__)?", re.IGNORECASE)
_STRICT_TAIL_RE = re.compile(
    r"[ \t]*(?:(?:\*\*|__|\*|_)[ \t]*)?"
    r"(?P<num>[-\u2212]?[$€£]?(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]{1,3}(?: [0-9]{3})+|[0-9]+)(?:\.[0-9]+)?%?)"
    r"(?![0-9])[ \t]*(?:\*\*|__|\*|_)?"
    r"(?:[ \t]+[A-Za-z]+){0,3}"
    r"[ \t]*[.!]?[ \t]*(?:\*\*|__|\*|_)?[ \t]*"
)


def _answer_segments(text: str) -> Iterator[tuple[str, str]]:
    """For each "Answer:" marker, last first: (rest of its line, segment). The segment is the rest of the line,
    or the next non-empty line if the rest is blank ("**Answer:**" alone on its line); it never runs into the
    next marker. Linear in the length of ``text`` overall."""
    markers = list(_ANSWER_MARKER_RE.finditer(text))
    for idx in range(len(markers) - 1, -1, -1):
        start = markers[idx].end()
        stop = markers[idx + 1].start() if idx + 1 < len(markers) else len(text)
        line_end = text.find("\n", start, stop)
        rest = text[start : line_end if line_end >= 0 else stop]
        segment = rest
        if line_end >= 0 and not _clean_segment(rest).strip():
            segment = ""
            pos = line_end + 1
            for _ in range(5):
                nl = text.find("\n", pos, stop)
                line = text[pos : nl if nl >= 0 else stop]
                if line.strip() or nl < 0:
                    segment = line
                    break
                pos = nl + 1
        yield rest, segment


def _final_answer_line(text: str) -> tuple[str, str] | None:
    """The last "Answer:" marker whose segment states a number: (canonical number, rest of its line)."""
    for rest, segment in _answer_segments(text):
        value = _segment_number(segment)
        if value is not None:
            return value, rest
    return None


def extract_strict_answer(response: str) -> str | None:
    """The answer in the asked-for format ``Answer: <number>``, else None.

    Strict means: the final "Answer:" line (the one `extract_flexible_answer` reads; case-insensitive, Markdown
    bold/italic allowed around the marker or the number, as in ``**Answer:** 42`` or ``**Answer: 42**``) gives
    the number in *digits* on the same line (thousands separators, a leading ``$`` or ``-``, a trailing ``%``, up
    to three unit words and a final ``.`` allowed, nothing else). Number words (``Answer: seven``), LaTeX
    (``Answer: $42$``), ``\\boxed{}``, ``#### 42`` and prose are not strict. Because both extractors read the same
    line, a strict answer always equals the flexible one. Returns the canonical number (see `normalize_number`).
    """
    text = _prepare(response)
    found = _final_answer_line(text)
    if found is None:
        return None
    m = _STRICT_TAIL_RE.fullmatch(found[1])
    return normalize_number(m.group("num")) if m else None


# ---- flexible extraction ----------------------------------------------------------------------------

_DECOR = r"(?:[\s:：*_`$]|\\\(|\\\[|\\(?:boxed|text|textbf|mathbf|mathrm)\s*\{)*"
_FILLER = r"(?:\s+(?:therefore|thus|then|simply|just|exactly|clearly|indeed|now|also|probably|likely))?"
_PHRASE_RES = [
    re.compile(p + _FILLER + _DECOR, re.IGNORECASE)
    for p in (
        r"\banswer\s+(?:is|would\s+be|will\s+be|should\s+be|equals|=)",
        r"\b(?:total|sum|result|count|difference|product|quotient|amount|number)\b(?:\s+number)?"
        r"(?:\s+of\s+[^\n.=]{1,60}?)?\s+(?:is|are|was|were|equals|comes\s+to|would\s+be|will\s+be)\b",
        r"\b(?:a\s+)?total\s+of",
        r"\bthere\s+(?:are|is|were|was|will\s+be)(?:\s+(?:a\s+total\s+of|exactly|only|in\s+total|altogether))?",
        r"\bI\s+(?:count(?:ed)?|can\s+see|see|found|find)(?:\s+(?:a\s+total\s+of|exactly|only))?",
    )
]
_THERE_ARE_NONE_RE = re.compile(r"\bthere\s+(?:are|is|were|was)\s+(?:no|none)\b", re.IGNORECASE)
_IN_TOTAL_AFTER_RE = re.compile(r"[^\n.0-9]{0,40}?\b(?:in\s+total|altogether)\b", re.IGNORECASE)
_EQUALS_RE = re.compile(r"=" + _DECOR)
_END_TAIL_RE = re.compile(r"(?:[ \t]*[A-Za-z]+(?:[ \t]+[A-Za-z]+){0,2})?[\s.!*_`$})\]\\]*")
_GSM8K_RE = re.compile(r"^[ \t]*####[ \t]*(?P<num>" + _NUMBER_RE.pattern + r")[ \t]*\.?[ \t]*$", re.MULTILINE)
_BOLD_RE = re.compile(r"\*\*([^*\n]{1,100})\*\*")
_BOLD_LABEL_RE = re.compile(r"\s*(?:[A-Za-z][A-Za-z ]{0,30}[:=]\s*)?")
_BOLD_TAIL_RE = re.compile(r"(?:\s*[A-Za-z]+(?:\s+[A-Za-z]+){0,2})?\s*[.!]?\s*")
_REFUSAL_RE = re.compile(
    r"\s*(?:I['’]?m sorry|I am sorry|sorry\b|I apologi[sz]e|unfortunately,? I\b|I can(?:not|['’]t| not)\b"
    r"|I['’]?m (?:unable|not able)\b|I am (?:unable|not able)\b|as an AI\b)",
    re.IGNORECASE,
)


def _phrase_answer(text: str) -> str | None:
    """The number after the last answer phrase, or a trailing "= number" ending the response."""
    best: tuple[int, str] | None = None

    def offer(pos: int, value: str | None) -> None:
        nonlocal best
        if value is not None and (best is None or pos >= best[0]):
            best = (pos, value)

    for regex in _PHRASE_RES:
        for m in regex.finditer(text):
            offer(m.start(), _number_at(text, m.end()))
    for m in _THERE_ARE_NONE_RE.finditer(text):
        offer(m.start(), "0")
    for start, end, value in _find_numbers(text):
        if _IN_TOTAL_AFTER_RE.match(text, end):
            offer(start, value)
    last_eq = text.rfind("=")
    if last_eq >= 0:
        m = _EQUALS_RE.match(text, last_eq)
        num = _NUMBER_RE.match(text, m.end())
        if num and _END_TAIL_RE.fullmatch(text, num.end()):
            offer(last_eq, normalize_number(num.group()))
    return best[1] if best else None


def _bold_answer(text: str) -> str | None:
    """A bold number (``**42**``, ``**$18**``, ``**7 triangles**``, ``**Total: 42**``) in the last three
    non-empty lines; the last such."""
    lines = text.rstrip().split("\n")
    tail_lines, kept = 0, len(lines)
    while kept > 0 and tail_lines < 3:
        kept -= 1
        if lines[kept].strip():
            tail_lines += 1
    tail = "\n".join(lines[kept:])
    for m in reversed(list(_BOLD_RE.finditer(tail))):
        content = _clean_segment(m.group(1))
        label = _BOLD_LABEL_RE.match(content)
        pos = label.end() if label else 0
        num = _NUMBER_RE.match(content, pos)
        if num:
            value, end = normalize_number(num.group()), num.end()
        else:
            hit = _word_number_at(content, pos)
            if hit is None:
                continue
            value, end = str(hit[0]), hit[1]
        if value is not None and _BOLD_TAIL_RE.fullmatch(content, end):
            return value
    return None


def extract_flexible_answer(response: str) -> str | None:
    """The final answer wherever a careful grader would find it, as a canonical number; None if there is none.

    Reasoning in ``<think>`` blocks is dropped first. Rules, in priority order (the first that yields wins):

    1. ``Answer:`` line: the last "Answer:" marker (any case, Markdown bold allowed) whose segment (the rest of
       its line, or the next non-empty line if that is empty) states a number in any form: digits, words
       (``Answer: seven``), ``**42**``, ``$42$``, ``\\boxed{42}``, ``42 apples``. In an equation (``3 + 4 = 7``)
       the number after the last "=" counts, else the first number in the segment.
    2. ``\\boxed{...}``: the last box stating a number (nested braces, ``\\boxed{\\text{42}}``, ``\\boxed{1,234}``).
    3. GSM8K's ``#### 42`` line (the last one).
    4. Answer phrases: whichever comes last of "the answer is N", "the total/sum/result/number (of ...) is N",
       "a total of N", "there are N" (and "there are no ..." = 0), "I count/see/found N", "N ... in total", and
       an "= N" that ends the response. N may be wrapped in Markdown/LaTeX and be written in words.
    5. If the response opens with a refusal or apology ("I'm sorry", "I cannot", "Unfortunately, I", ...), stop
       here: None. Rules 1-4 still apply to a model that apologises and then answers.
    6. A bold number (``**42**``, ``**$18**``, ``**7 triangles**``, ``**Total: 42**``) in the last three
       non-empty lines: the last such.
    7. The last number in the response, digits or words, ignoring the pronoun "one" ("one of them", "each one").

    Numbers: thousands separators (``1,234``, ``1{,}234``), currency and percent signs, units, trailing
    punctuation, negatives and decimals are handled; fractions (``1/2``, ``\\frac{1}{2}``) are not numbers here.
    """
    text = _prepare(response)
    if not text.strip():
        return None
    found = _final_answer_line(text)
    if found is not None:
        return found[0]
    for content in reversed(boxed_contents(text)):
        value = _segment_number(content)
        if value is not None:
            return value
    gsm8k = list(_GSM8K_RE.finditer(text))
    if gsm8k:
        return normalize_number(gsm8k[-1].group("num"))
    value = _phrase_answer(text)
    if value is not None:
        return value
    if _REFUSAL_RE.match(text):
        return None
    value = _bold_answer(text)
    if value is not None:
        return value
    numbers = _find_numbers(text, skip_pronoun_one=True)
    return numbers[-1][2] if numbers else None


def score_number(response: str, target: str) -> dict[str, str | int | None]:
    """Score a numeric answer: ``{"extracted": flexible answer or None, "correct": 0/1, "strict": 0/1}``.

    Comparison is numeric on canonical forms ("42.0" == "42", "1,234" == "1234"). Raises ValueError if the
    target itself is not a number.
    """
    gold = normalize_number(str(target))
    if gold is None:
        raise ValueError(f"target is not a number: {target!r}")
    extracted = extract_flexible_answer(response)
    strict = extract_strict_answer(response)
    return {"extracted": extracted, "correct": int(extracted == gold), "strict": int(strict == gold)}


# ---- transcriptions -----------------------------------------------------------------------------------

_TEXT_TABLE = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u00b4": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u2033": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2015": "-",
        "\u2212": "-",
        "\u00ad": None,
        "\u200b": None,
        "\u200c": None,
        "\u200d": None,
        "\u2060": None,
        "\ufeff": None,
    }
)
_WHITESPACE_RE = re.compile(r"\s+")
# A hypothesis longer than this is cut before the edit distance, the rest counted as deletions.
_HYP_CAP_FACTOR = 4
_HYP_CAP_SLACK = 100


def normalize_text(text: str, *, casefold: bool = False) -> str:
    """Normalise a transcription for comparison: typographic quotes to ``'``/``"``, dashes and the minus sign
    to ``-``, zero-width characters and soft hyphens removed, Unicode NFKC (full-width forms, ligatures,
    ``…`` -> ``...``), every run of whitespace (newlines included) to one space, stripped. Case is kept unless
    ``casefold``."""
    s = unicodedata.normalize("NFKC", text.translate(_TEXT_TABLE)).translate(_TEXT_TABLE)
    s = _WHITESPACE_RE.sub(" ", s).strip()
    return s.casefold() if casefold else s


def edit_distance(a: str, b: str) -> int:
    """Exact Levenshtein distance (unit-cost insertions, deletions, substitutions) between two strings.

    Myers/Hyyrö bit-parallel algorithm on Python integers: O(len(a) * len(b) / word size) time, O(len(b)) memory,
    after trimming the common prefix and suffix.
    """
    start = 0
    limit = min(len(a), len(b))
    while start < limit and a[start] == b[start]:
        start += 1
    end_a, end_b = len(a), len(b)
    while end_a > start and end_b > start and a[end_a - 1] == b[end_b - 1]:
        end_a -= 1
        end_b -= 1
    a, b = a[start:end_a], b[start:end_b]
    if len(a) < len(b):
        a, b = b, a
    m = len(b)
    if m == 0:
        return len(a)
    peq: dict[str, int] = {}
    for i, ch in enumerate(b):
        peq[ch] = peq.get(ch, 0) | (1 << i)
    mask = (1 << m) - 1
    high = 1 << (m - 1)
    pv, mv, score = mask, 0, m
    for ch in a:
        eq = peq.get(ch, 0)
        xv = eq | mv
        xh = ((((eq & pv) + pv) & mask) ^ pv) | eq
        ph = mv | (~(xh | pv) & mask)
        mh = pv & xh
        if ph & high:
            score += 1
        elif mh & high:
            score -= 1
        ph = ((ph << 1) | 1) & mask
        mh = (mh << 1) & mask
        pv = mh | (~(xv | ph) & mask)
        mv = ph & xv
    return score


def character_error_rate(hypothesis: str, reference: str, *, casefold: bool = False) -> float:
    """Character error rate: Levenshtein distance / reference length, both sides `normalize_text`-ed.

    0.0 when both are empty; 1.0 when only the reference is empty. Can exceed 1 (insertions). A hypothesis
    longer than ``4 * len(reference) + 100`` characters is cut to that length and the excess added as
    deletions: the result is then an upper bound that exceeds the exact CER by at most 1.0, while the exact
    CER is already above 3 (exact >= (len(hyp) - len(ref)) / len(ref)). Every other case is exact.
    """
    hyp = normalize_text(hypothesis, casefold=casefold)
    ref = normalize_text(reference, casefold=casefold)
    if not ref:
        return 0.0 if not hyp else 1.0
    cap = _HYP_CAP_FACTOR * len(ref) + _HYP_CAP_SLACK
    excess = max(0, len(hyp) - cap)
    return (edit_distance(hyp[:cap], ref) + excess) / len(ref)


# ---- multisets ------------------------------------------------------------------------------------------


def multiset_f1(predicted: Iterable[str], gold: Iterable[str]) -> dict[str, float | int]:
    """Precision, recall and F1 over multisets (``Counter`` intersection), and ``exact`` (0/1) multiset equality.

    Items are compared as given (normalise them first if needed). Both empty: all 1.0, exact 1. One side
    empty: precision and recall 0.0 for the empty prediction / non-empty gold (and vice versa), F1 0.0.
    """
    pred, ref = Counter(predicted), Counter(gold)
    n_pred, n_ref = sum(pred.values()), sum(ref.values())
    if n_pred == 0 and n_ref == 0:
        return {"precision": 1.0, "recall": 1.0, "f1": 1.0, "exact": 1}
    overlap = sum((pred & ref).values())
    precision = overlap / n_pred if n_pred else 0.0
    recall = overlap / n_ref if n_ref else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "exact": int(pred == ref)}

"""Times on a 12-hour dial: their arithmetic, and reading a time given as an answer in model output.

A time is counted in minutes after 12:00 on the dial, 0 to 719, and written ``H:MM`` (H from 1 to 12).
A response's time is read by the shared answer reader (`scoring.read_answer`) with the `TIME` answer
type: the same rules find it (``Answer:`` line, box, phrase, last value), the same rules refuse it
(alternatives, negation, approximation, retraction); this module only says what a time looks like.
Every written form names a position of the dial, so forms that name the same position are the same
answer: ``3:05``, ``03:05``, ``3:05 pm``, ``3.05``, ``15:05`` (a 24-hour reading of the same hands),
``five past three``, ``three oh five``; ``three o'clock``, ``noon``. See the task card (README.md).
"""

from __future__ import annotations

import re

from lmms_compgap import scoring
from lmms_compgap.scoring.numbers import NumberSpan, find_numbers, number_at

DIAL_MINUTES = 720  # minutes once round a 12-hour dial

# ---- arithmetic ---------------------------------------------------------------------------------------------


def time_of(hour: int, minute: int) -> int:
    """Minutes after 12:00 on the dial for hour 1-12 (or 0-23) and minute 0-59."""
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        raise ValueError(f"not a time: hour {hour}, minute {minute}")
    return (hour % 12) * 60 + minute


def format_time(minutes: int) -> str:
    """``H:MM`` on the 12-hour dial (H from 1 to 12) for any number of minutes after 12:00 (wrapping)."""
    minutes %= DIAL_MINUTES
    return f"{minutes // 60 or 12}:{minutes % 60:02d}"


_GOLD_RE = re.compile(r"(1[0-2]|[1-9]):([0-5][0-9])")


def parse_time(text: str) -> int:
    """Minutes after 12:00 of a canonical ``H:MM`` (as the gold rows hold it); ValueError otherwise."""
    m = _GOLD_RE.fullmatch(text)
    if m is None:
        raise ValueError(f"not a canonical H:MM time: {text!r}")
    return time_of(int(m.group(1)), int(m.group(2)))


def dial_distance(a: int, b: int) -> int:
    """How many minutes apart two times are round the dial, the shorter way (0 to 360)."""
    d = (a - b) % DIAL_MINUTES
    return min(d, DIAL_MINUTES - d)


# ---- what a time looks like in text -------------------------------------------------------------------------
_HOURS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve")
_UNITS = _HOURS[:9]
_TEENS = ("ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen")
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fourty": 40, "fifty": 50}
HOUR_WORDS: dict[str, int] = {word: value for value, word in enumerate(_HOURS, start=1)}
#: Minute words, 1 to 59 ("twenty-five" and "twenty five" both).
MINUTE_WORDS: dict[str, int] = {word: value for value, word in enumerate(_UNITS, start=1)}
MINUTE_WORDS.update({word: value for value, word in enumerate(_TEENS, start=10)})
for _tens, _value in _TENS.items():
    MINUTE_WORDS[_tens] = _value
    for _unit, _unit_value in zip(_UNITS, range(1, 10), strict=True):
        MINUTE_WORDS[f"{_tens}-{_unit}"] = MINUTE_WORDS[f"{_tens} {_unit}"] = _value + _unit_value


def _words(words: list[str]) -> str:
    """An alternation of words, longest first (so "seventeen" is not read as "seven"); a space or hyphen inside a
    word ("twenty-five") may be written as either."""
    patterns = {re.sub(r"[ -]", "[ \\t-]", word) for word in words}
    return "|".join(sorted(patterns, key=lambda pattern: (-len(pattern), pattern)))


_HOUR_WORD = _words(list(HOUR_WORDS))
_MINUTE_WORD = _words(list(MINUTE_WORDS))
_UNIT_WORD = _words(list(_UNITS))
_TWO_DIGIT_WORD = _words([word for word, value in MINUTE_WORDS.items() if value >= 10])
_HOUR_DIGITS = r"1[0-2]|0?[1-9]"
_TIME_RE = re.compile(
    r"(?:"
    # 3:05, 15:05, 03:05:00; not part of a longer number or ratio ("1:2:3", "v3:05")
    r"(?<![\w.$€£])(?<![0-9]:)(?P<ch>[0-9]{1,2}):(?P<cm>[0-9]{2})(?::(?P<cs>[0-9]{2}))?(?![0-9]|:[0-9])"
    # 3.05 (British usage); not a decimal glued to a currency sign, not followed by more decimals
    r"|(?<![\w.$€£])(?P<dh>[0-9]{1,2})\.(?P<dm>[0-5][0-9])(?![0-9]|[.,][0-9])"
    # five past three, quarter to four, 25 minutes after 3 (digits need "minutes"); not "2 hours and 35 minutes
    # after 3" (a duration, then an hour)
    r"|(?<!hour )(?<!hours )(?<!hour and )(?<!hours and )(?<![\w-])"
    rf"(?:(?P<rw>{_MINUTE_WORD})(?:[ \t]+minutes?)?|(?P<rd>[0-9]{{1,2}})[ \t]+minutes?"
    r"|(?P<rq>(?:a[ \t]+)?quarter|half))"
    rf"[ \t]+(?P<rel>past|after|to|till|til|until|before)[ \t]+(?P<rh>{_HOUR_WORD}|{_HOUR_DIGITS})\b(?![.:][0-9])"
    # three o'clock, 3 o'clock, 3 oclock
    rf"|(?<![\w-])(?P<oh>{_HOUR_WORD}|{_HOUR_DIGITS})[ \t]*o['’`]?[ \t]?clock\b"
    # three fifteen, twelve oh five (not "one twenty-minute interval")
    rf"|(?<![\w-])(?P<wh>{_HOUR_WORD})[ \t-]+(?P<wm>(?:oh|o)[ \t-]+(?:{_UNIT_WORD})|{_TWO_DIGIT_WORD})\b"
    r"(?![ \t-]*(?:minutes?|hours?|seconds?|mins?)\b)"
    # noon, midnight, twelve noon
    r"|(?<![\w-])(?P<noon>(?:(?:twelve|12)[ \t]+)?(?:noon|midday|midnight))\b"
    r")"
    # a.m. or p.m. (a dial has neither: the position named is the same)
    r"(?:[ \t]*(?P<ap>[ap])\.?[ \t]?m\b\.?)?"
    # not a duration ("3.05 hours", "2:35 h"), not glued to a word ("5:40ish")
    r"(?![\w:]|-ish\b|[ \t]*(?:hours?|hrs?|h|minutes?|mins?|seconds?|secs?)\b)",
    re.IGNORECASE,
)


def _hour_value(text: str) -> int:
    return HOUR_WORDS[text.lower()] if text.lower() in HOUR_WORDS else int(text)


def _minute_word(text: str) -> int:
    return MINUTE_WORDS[re.sub(r"[ \t-]+", " ", text.lower())]


def _clock_value(hour: int, minute: int, second: str | None, ap: str | None, raw: str) -> str:
    """The canonical time of hour/minute digits (24-hour forms and a.m./p.m. allowed), or the text itself, as a
    value no gold time equals, when they name no time: 25:00, 3:75, 15:05 pm, 3:05:30 (a time to the second)."""
    if minute > 59 or hour > 23 or (ap and not 1 <= hour <= 12) or (second is not None and int(second) != 0):
        return re.sub(r"\s+", " ", raw.strip().lower())
    return format_time(time_of(hour, minute))


def _value(m: re.Match[str]) -> str | None:
    """The canonical ``H:MM`` a match names; None when the words name no time ("half to four", "90 minutes past
    3")."""
    ap = m.group("ap")
    if m.group("ch") is not None:
        return _clock_value(int(m.group("ch")), int(m.group("cm")), m.group("cs"), ap, m.group())
    if m.group("dh") is not None:
        return _clock_value(int(m.group("dh")), int(m.group("dm")), None, ap, m.group())
    if m.group("rel") is not None:
        hour = _hour_value(m.group("rh"))
        quarter = (m.group("rq") or "").lower()
        if quarter:
            minutes = 30 if quarter == "half" else 15
        else:
            minutes = _minute_word(m.group("rw")) if m.group("rw") else int(m.group("rd"))
        before = m.group("rel").lower() not in ("past", "after")
        if not 1 <= minutes <= 59 or (before and quarter == "half"):
            return None
        return format_time(time_of(hour, 0) + (-minutes if before else minutes))
    if m.group("oh") is not None:
        return format_time(time_of(_hour_value(m.group("oh")), 0))
    if m.group("wh") is not None:
        spoken = re.sub(r"^o(?:h)?[ \t-]+", "", m.group("wm").lower())
        return format_time(time_of(HOUR_WORDS[m.group("wh").lower()], _minute_word(spoken)))
    return "12:00"  # noon, midnight


def find_times(text: str, *, spaced: bool = False, skip_pronoun_one: bool = False) -> list[NumberSpan]:
    """Every time ``text`` names, as (start, end, canonical ``H:MM``), in order; linear time.

    The keywords are those of `scoring.find_numbers` (a `scoring.Values` finder) and change nothing here. A
    written time that names no time of a dial (``3:75``, ``25:00``) is found with its own text as the value, so
    that it is read as an answer (a wrong one) rather than skipped.
    """
    found: list[NumberSpan] = []
    for m in _TIME_RE.finditer(text):
        value = _value(m)
        if value is not None:
            found.append((m.start(), m.end(), value))
    return found


def time_at(text: str, pos: int) -> NumberSpan | None:
    """The time starting exactly at ``pos``, or None."""
    m = _TIME_RE.match(text, pos)
    value = _value(m) if m else None
    return None if m is None or value is None else (m.start(), m.end(), value)


# ---- the answer type --------------------------------------------------------------------------------------
_BOUND_BEFORE_RE = re.compile(
    r"\b(?:(?:just|shortly|a[ \t]+little|a[ \t]+bit|well)[ \t]+)?"
    r"(?:after|before|past|by|later[ \t]+than|earlier[ \t]+than)[ \t]+$",
    re.IGNORECASE,
)
_BOUND_AFTER_RE = re.compile(r"[ \t]*,?[ \t]*or[ \t]+(?:later|earlier|after|before)\b", re.IGNORECASE)
_ANCHOR_RE = re.compile(
    r"(?:\b(?:shows?|showed|reads?|says?|displays?|displayed|points[ \t]+to|becomes?)|->|=>|→|⇒)[ \t]+$", re.IGNORECASE
)


def _bounded(text: str, span: NumberSpan, low: int) -> str | None:
    """A time bounded rather than stated: "after 5:40", "just before 5:40", "5:40 or later" (the shared rules
    already refuse "about 5:40", "at least 5:40", "not 5:40", "5:40 or 5:45")."""
    if _BOUND_BEFORE_RE.search(scoring.context_before(text, span, low)) or _BOUND_AFTER_RE.match(text, span[1]):
        return "a bound on the time, not a time"
    return None


def _stated_by_clock_verb(text: str, span: NumberSpan, low: int) -> bool:
    """A time a clock verb or an arrow states: "it shows 5:40", "3:05 → 5:40" (beside the shared "is", "=")."""
    return bool(_ANCHOR_RE.search(scoring.context_before(text, span, low)))


_STRICT_TIME_RE = re.compile(
    r"[ \t]*(?:(?:\*\*|__|\*|_)[ \t]*)?(?P<h>1[0-2]|0?[1-9]):(?P<m>[0-5][0-9])"
    r"[ \t]*(?:\*\*|__|\*|_)?[ \t]*[.!]?[ \t]*(?:\*\*|__|\*|_)?[ \t]*"
)


def strict_time(line: str) -> str | None:
    """The time when an ``Answer:`` line's rest is ``H:MM`` on the 12-hour clock and nothing else (a leading zero,
    Markdown bold and a final full stop allowed; no a.m./p.m., no words, no 24-hour form), else None."""
    m = _STRICT_TIME_RE.fullmatch(line)
    return format_time(time_of(int(m.group("h")), int(m.group("m")))) if m else None


#: Phrases that announce a time as an answer: "the answer is", "the new time is", "the clock will show", "it was",
#: "which gives". Not the present tense ("the clock shows", "it is"): that is how a response restates the time
#: it read, which a second thought ("Wait, the clock shows 3:10.") may do without giving a new answer.
TIME_PHRASES: tuple[str, ...] = (
    scoring.ANSWER_IS_PHRASE,
    r"\b(?:new|resulting|final|later|earlier|that)[ \t]+time[ \t]+(?:is|was|will[ \t]+be|would[ \t]+be)",
    r"\btime[ \t]+(?:will|would)[ \t]+be",
    r"\b(?:it|clock|dial|hands|time)[ \t]+(?:(?:will|would|should|did)[ \t]+(?:then[ \t]+)?"
    r"(?:show|read|say|display|point[ \t]+to|be)|showed|read|said|displayed|pointed[ \t]+to|was)\b",
    r"\b(?:gives|giving|makes|making|brings[ \t]+(?:us|it)[ \t]+to|lands[ \t]+(?:on|at))\b",
)
#: A time of day on a 12-hour dial, as an answer.
TIME = scoring.AnswerType(
    values=scoring.Values(find_times, time_at, none_is_zero=False, qualifier=_bounded, anchor=_stated_by_clock_verb),
    phrases=scoring.phrase_pattern(TIME_PHRASES),
    strict=strict_time,
)


def read_time(response: str, question: str | None = None) -> scoring.AnswerReading:
    """The time a response gives as its final answer, read by the shared rules (`scoring.read_answer`), against
    `question` when given."""
    return scoring.read_answer(response, TIME, question)


def score_time(response: str, target: str, question: str | None = None) -> dict[str, str | int | None]:
    """Score a time answer like `scoring.score_number` scores a number: ``{"extracted", "correct", "strict"}``.
    Raises ValueError when the target is not a canonical ``H:MM``."""
    gold = format_time(parse_time(target))
    reading = read_time(response, question)
    return {"extracted": reading.value, "correct": int(reading.value == gold), "strict": int(reading.strict == gold)}


# ---- a number of minutes, also written as hours and minutes -----------------------------------------------
#: A duration in hours (and minutes): "8 hours and 45 minutes", "2 h 5 min", "an hour and ten minutes", "3 hours".
_DURATION_RE = re.compile(
    rf"(?<![\w.,:])(?P<h>[0-9]{{1,2}}|{_HOUR_WORD}|an?)[ \t]*(?:hours?|hrs?|h)\b"
    rf"(?:[ \t]*,?[ \t]*(?:and[ \t]+)?(?P<m>[0-9]{{1,2}}|{_MINUTE_WORD})[ \t]*(?:minutes?|mins?|m)\b)?",
    re.IGNORECASE,
)


def _duration_value(m: re.Match[str]) -> str:
    hours = m.group("h").lower()
    hour_count = 1 if hours in ("a", "an") else int(hours) if hours.isdigit() else HOUR_WORDS[hours]
    minutes = m.group("m")
    minute_count = 0 if minutes is None else int(minutes) if minutes.isdigit() else _minute_word(minutes)
    return str(60 * hour_count + minute_count)


def find_minutes(text: str, *, spaced: bool = False, skip_pronoun_one: bool = False) -> list[NumberSpan]:
    """Every number of minutes ``text`` states, in order, linear time: numbers (`scoring.find_numbers`), and
    durations in hours and minutes as their minutes ("8 hours and 45 minutes" -> 525), one value each."""
    durations = [(m.start(), m.end(), _duration_value(m)) for m in _DURATION_RE.finditer(text)]
    numbers = find_numbers(text, spaced=spaced, skip_pronoun_one=skip_pronoun_one)
    found: list[NumberSpan] = []
    index = 0
    for span in numbers:  # both lists are in order and a duration's spans do not overlap: one merge pass
        while index < len(durations) and durations[index][1] <= span[0]:
            found.append(durations[index])
            index += 1
        if index < len(durations) and durations[index][0] < span[1]:
            continue  # a number inside a duration ("8" of "8 hours") is part of it
        found.append(span)
    found.extend(durations[index:])
    return found


def minutes_at(text: str, pos: int) -> NumberSpan | None:
    """The number of minutes stated exactly at ``pos`` (a duration first, then a number), or None."""
    m = _DURATION_RE.match(text, pos)
    return (m.start(), m.end(), _duration_value(m)) if m else number_at(text, pos)


#: A number of minutes, as an answer ("How many minutes until ...?"): a number, or hours and minutes. Strict
#: wants the number of minutes in digits, as for any number.
MINUTES = scoring.AnswerType(
    values=scoring.Values(find_minutes, minutes_at), phrases=scoring.NUMBER.phrases, strict=scoring.NUMBER.strict
)


def score_minutes(response: str, target: str, question: str | None = None) -> dict[str, str | int | None]:
    """Score a number-of-minutes answer (`MINUTES`) as `scoring.score_number` scores a number."""
    return scoring.score_number(response, target, MINUTES, question)

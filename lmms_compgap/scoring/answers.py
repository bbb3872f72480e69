"""The final answer of a response, as a careful grader finds it: where it is, what it says, whether it stands.

`read_answer` gives both scores' answers with the rule that found them and, when there is none, why. Answers
are numbers unless an `AnswerType` says otherwise (a family with its own kind of answer, such as a time of
day, gives one: the same rules then find, read and check that kind of value).
"""

from __future__ import annotations

import dataclasses
import re
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from lmms_compgap.scoring import arith
from lmms_compgap.scoring.numbers import normalize_number
from lmms_compgap.scoring.questions import asked_quantity
from lmms_compgap.scoring.retraction import retraction_cues
from lmms_compgap.scoring.statements import (
    NUMBERS,
    Choice,
    Reading,
    Values,
    asked_values,
    clean_statement,
    read_statement,
    zero_statement,
)
from lmms_compgap.scoring.text import boxed_spans, prepare_for_reading, strip_thinking

__all__ = [
    "ANSWER_IS_PHRASE",
    "NUMBER",
    "AnswerReading",
    "AnswerSegment",
    "AnswerType",
    "answer_segments",
    "extract_flexible_answer",
    "extract_strict_answer",
    "phrase_pattern",
    "read_answer",
    "reading_text",
    "score_number",
]


def reading_text(response: str) -> str:
    """A response as every reader of answers sees it: reasoning blocks dropped (`strip_thinking`), then
    `prepare_for_reading` (NFKC, format characters, digits of every script, whitespace)."""
    return prepare_for_reading(strip_thinking(response))


# ---- "Answer:" lines ------------------------------------------------------------------------------
_ANSWER_MARKER_RE = re.compile(r"\banswer[ \t]*(?:(?:\*\*|__)[ \t]*)?:[ \t]*(?:\*\*|__)?", re.IGNORECASE)
# What may stand before the marker on its line for the line to be the asked-for "Answer: <...>" (the strict
# format): Markdown marks (emphasis, heading, quote, list), not words ("Final answer:", "The answer:").
_BARE_MARKER_LEAD_RE = re.compile(r"[ \t>#*_\-]*")
_STRICT_LINE_RE = re.compile(
    r"[ \t]*(?:(?:\*\*|__|\*|_)[ \t]*)?"
    r"(?P<num>-?[$€£]?(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]{1,3}(?: [0-9]{3})+|[0-9]+)(?:\.[0-9]+|,[0-9]{1,2})?%?)"
    r"(?![0-9])[ \t]*(?:\*\*|__|\*|_)?"
    r"(?:[ \t]+[A-Za-z]+){0,3}"
    r"[ \t]*[.!]?[ \t]*(?:\*\*|__|\*|_)?[ \t]*"
)
_NEXT_LINES = 5


@dataclass(frozen=True)
class AnswerSegment:
    """One "Answer:" marker: `line` is the rest of its line; `segment` what it answers (that rest, or the next
    non-empty line when the rest is blank: then `on_marker_line` is False) and `start` where the segment begins
    in the text."""

    line: str
    segment: str
    start: int
    on_marker_line: bool = True
    #: The marker opens its line (Markdown marks aside): the line is in the asked-for ``Answer: ...`` form.
    bare: bool = True
    #: Where the marker itself begins in the text (what comes before it is the response's working).
    marker: int = 0


def answer_segments(text: str) -> Iterator[AnswerSegment]:
    """Every "Answer:" marker (any case, Markdown bold around it allowed), the last first. A segment never runs
    into the next marker. Linear in the length of ``text`` overall."""
    markers = list(_ANSWER_MARKER_RE.finditer(text))
    for idx in range(len(markers) - 1, -1, -1):
        start = markers[idx].end()
        stop = markers[idx + 1].start() if idx + 1 < len(markers) else len(text)
        low = markers[idx - 1].end() if idx else 0  # searching back only to the previous marker keeps this linear
        line_start = max(text.rfind("\n", low, markers[idx].start()) + 1, low)
        bare = _BARE_MARKER_LEAD_RE.fullmatch(text, line_start, markers[idx].start()) is not None
        line_end = text.find("\n", start, stop)
        line = text[start : line_end if line_end >= 0 else stop]
        if line_end < 0 or clean_statement(line).strip():
            yield AnswerSegment(line, line, start, bare=bare, marker=markers[idx].start())
            continue
        segment, segment_start, pos = "", start, line_end + 1
        for _ in range(_NEXT_LINES):
            nl = text.find("\n", pos, stop)
            candidate = text[pos : nl if nl >= 0 else stop]
            if candidate.strip() or nl < 0:
                segment, segment_start = candidate, pos
                break
            pos = nl + 1
        yield AnswerSegment(line, segment, segment_start, on_marker_line=False, bare=bare, marker=markers[idx].start())


# ---- the rules, in priority order ---------------------------------------------------------------
@dataclass(frozen=True)
class _Found:
    reading: Reading
    end: int  # where the statement read ends in the text: what comes after may retract it
    rule: str
    strict: str | None = None
    begin: int = 0  # where the answer's marker begins (an "Answer:" line); the text before it is the working


_MAX_STATEMENT = 300
_STATEMENT_END_RE = re.compile(r"[.!?;](?=\s|$)|\n")
_DECOR = r"(?:[ \t:*_`$]|\\\(|\\\[)*"
_FILLER = r"(?:[ \t]+(?:therefore|thus|then|simply|just|exactly|clearly|indeed|now|also|probably|likely))?"
# "The answer is" / "Answer:" in the languages models answer in besides English (flexible only: the strict format
# is the English "Answer:" line): the noun, in the Romance languages an adjective after it ("la respuesta
# correcta es"), then the verb or a colon. (Their "or" is in `statements._ALTERNATIVE_WORD_RE`.)
_OTHER_LANGUAGE_PHRASES = (
    r"\bantwort(?:[ \t]+(?:ist|lautet|wäre)|[ \t]*:)",  # German
    r"\br[ée]ponse(?:[ \t]+[^\W\d_]{3,12})?(?:[ \t]+(?:est|serait)|[ \t]*:)",  # French
    r"\brespuesta(?:[ \t]+[^\W\d_]{3,12})?(?:[ \t]+(?:es|ser[íi]a)|[ \t]*:)",  # Spanish
    r"\brisposta(?:[ \t]+[^\W\d_]{3,12})?(?:[ \t]+(?:è|sarebbe)|[ \t]*:)",  # Italian
    r"\bresposta(?:[ \t]+[^\W\d_]{3,12})?(?:[ \t]+(?:é|seria)|[ \t]*:)",  # Portuguese
    r"\bantwoord(?:[ \t]+is|[ \t]*:)",  # Dutch
    r"\bответ(?:[ \t]*:|[ \t]+[-—])",  # Russian
    r"答案(?:是|为|為|:)|答え(?:は|:)|정?답(?:은|:)",  # Chinese, Japanese, Korean (no word boundaries there)
)
#: "the answer is": every kind of answer is announced so.
ANSWER_IS_PHRASE = r"\banswer[ \t]+(?:is|would[ \t]+be|will[ \t]+be|should[ \t]+be|equals|=)"
_PHRASES = (
    ANSWER_IS_PHRASE,
    r"\b(?:total|sum|result|count|difference|product|quotient|amount|number)\b(?:[ \t]+number)?"
    r"(?:[ \t]+of[ \t]+[^\n.=]{1,60}?)?[ \t]+(?:is|are|was|were|equals|comes[ \t]+to|would[ \t]+be|will[ \t]+be)\b",
    r"\b(?:a[ \t]+)?total[ \t]+of",
    r"\bthere(?:[ \t]+(?:are|is|were|was|will[ \t]+be)|['’](?:s|re))"
    r"(?:[ \t]+(?:a[ \t]+total[ \t]+of|exactly|only|in[ \t]+total"
    r"|altogether))?",
    r"\bI[ \t]+(?:count(?:ed)?|can[ \t]+see|see|found|find)(?:[ \t]+(?:a[ \t]+total[ \t]+of|exactly|only))?",
    *_OTHER_LANGUAGE_PHRASES,
)


def phrase_pattern(phrases: tuple[str, ...]) -> re.Pattern[str]:
    """One pattern for answer phrases (regexes, each ending where the value should start), allowing a filler word
    ("therefore", "simply") and decoration (``**``, ``$``, ``:``) between a phrase and its value."""
    # The alternatives grouped: the filler and the decoration follow every phrase, not only the last one.
    return re.compile("(?:" + "|".join(f"(?:{p})" for p in phrases) + ")" + _FILLER + _DECOR, re.IGNORECASE)


_PHRASE_RE = phrase_pattern(_PHRASES)
# After a retraction the correction is often phrased "it should be 70", "it's actually 70".
_CORRECTION_RE = re.compile(
    r"(?:\b(?:should|must|would|will)[ \t]+(?:actually[ \t]+)?be|\b(?:it|that|this)(?:'s|[ \t]+is)(?:[ \t]+actually)?"
    r"|\bis[ \t]+actually)" + _DECOR,
    re.IGNORECASE,
)
_NO_DIFFERENCE_RE = re.compile(r"\b(?:no|zero)[ \t]+difference\b", re.IGNORECASE)
_IN_TOTAL_AFTER_RE = re.compile(r"[^\n.0-9]{0,40}?\b(?:in[ \t]+total|altogether)\b", re.IGNORECASE)
_END_TAIL_RE = re.compile(r"(?:[ \t]*[A-Za-z]+(?:[ \t]+[A-Za-z]+){0,2})?[\s.!*_`$})\]\\]*")
_GSM8K_RE = re.compile(r"^[ \t]*####(?P<rest>[^\n]*)$", re.MULTILINE)
_BOLD_RE = re.compile(r"\*\*([^*\n]{1,100})\*\*")
_REFUSAL_RE = re.compile(
    r"\s*(?:I['’]?m sorry|I am sorry|sorry\b|I apologi[sz]e|unfortunately,? I\b|I can(?:not|['’]t| not)\b"
    r"|I['’]?m (?:unable|not able)\b|I am (?:unable|not able)\b|as an AI\b)",
    re.IGNORECASE,
)
_SENTENCE_START_RE = re.compile(r"[.!?](?=\s)|\n")
_CLAUSE_BREAK_RE = re.compile(r"[,;:]")


def _statement_at(
    text: str, start: int, rule: str, kind: AnswerType, *, choose: Choice = "first", limit: int | None = None
) -> _Found | None:
    """The statement running from `start` to the end of its sentence (at most _MAX_STATEMENT characters), if its
    value comes first: at most two words ("not", "exactly", "at least") stand before its first number, so "there
    are many shapes, including 3 stars" does not state 3."""
    stop = min(len(text) if limit is None else limit, start + _MAX_STATEMENT)
    end = _STATEMENT_END_RE.search(text, start, stop)
    raw = text[start : end.end() if end else stop]
    numbers = kind.values.find(raw)
    if not numbers and not (kind.values.none_is_zero and zero_statement(raw)):
        return None
    if numbers and (len(raw[: numbers[0][0]].split()) > 2 or _CLAUSE_BREAK_RE.search(raw, 0, numbers[0][0])):
        return None
    reading = read_statement(raw, choose, kind.values)
    return _Found(reading, start + reading.consumed, rule) if reading.states_something else None


def _answer_line(text: str, kind: AnswerType) -> _Found | None:
    """Rule 1: the last "Answer:" marker whose segment states a value (an echoed ``Answer: <number>`` is not)."""
    for marker in answer_segments(text):
        reading = read_statement(marker.segment, values=kind.values)
        if reading.states_something:
            strict = kind.strict(marker.line) if reading.value is not None and marker.on_marker_line else None
            strict = strict if marker.bare else None
            return _Found(reading, marker.start + reading.consumed, "answer line", strict, begin=marker.marker)
    return None


def _boxed(text: str, kind: AnswerType) -> _Found | None:
    """Rule 2: the last innermost ``\\boxed{...}`` that states a value."""
    for start, end in reversed(boxed_spans(text)):
        reading = read_statement(text[start:end], values=kind.values)
        if reading.states_something:
            return _Found(reading, end, "boxed")
    return None


def _gsm8k(text: str, kind: AnswerType) -> _Found | None:
    """Rule 3: GSM8K's ``#### 42`` line, the last one."""
    lines = list(_GSM8K_RE.finditer(text))
    if not lines:
        return None
    reading = read_statement(lines[-1].group("rest"), values=kind.values)
    return _Found(reading, lines[-1].end(), "####") if reading.states_something else None


def _last_match(regex: re.Pattern[str], text: str) -> re.Match[str] | None:
    """The last match of `regex` in `text` (one pass)."""
    last = deque(regex.finditer(text), maxlen=1)
    return last[0] if last else None


def _phrase(text: str, kind: AnswerType, correction: bool = False) -> _Found | None:
    """Rule 4: whichever answer phrase comes last: "the answer is N", "the total (of ...) is N", "a total of N",
    "there are N", "I count N", "N ... in total", an "= N" that ends the response (with `correction`, also
    "it should be N" and "it's actually N"). The answer type names its phrases; these are a number's."""
    candidates: list[tuple[int, _Found]] = []
    regexes = (kind.phrases, _CORRECTION_RE) if correction else (kind.phrases,)
    starts = sorted(m.end() for regex in regexes for m in regex.finditer(text))
    # The last phrase that states something; a phrase's statement ends where the next phrase starts, so all
    # the readings together cover the text at most once.
    for index in range(len(starts) - 1, -1, -1):
        limit = starts[index + 1] if index + 1 < len(starts) else len(text)
        found = _statement_at(text, starts[index], "phrase", kind, limit=limit)
        if found is not None:
            candidates.append((starts[index], found))
            break
    for start, end, _ in reversed(kind.values.find(text)):
        in_total = _IN_TOTAL_AFTER_RE.match(text, end)
        if in_total:
            found = _statement_at(text, start, "phrase", kind, limit=in_total.end())
            if found is not None:
                candidates.append((start, found))
                break
    asked = kind.values.asked
    if asked is not None and asked.comparison:  # "there is no difference": a difference of 0
        no_difference = _last_match(_NO_DIFFERENCE_RE, text)
        if no_difference is not None:
            candidates.append((no_difference.start(), _Found(Reading(value="0"), no_difference.end(), "phrase")))
    last_eq = text.rfind("=")
    if last_eq >= 0:
        numbers = kind.values.find(text[last_eq + 1 : last_eq + 1 + _MAX_STATEMENT])
        if numbers and _END_TAIL_RE.fullmatch(text, last_eq + 1 + numbers[0][1]):
            found = _statement_at(text, last_eq + 1, "phrase", kind)
            if found is not None:
                candidates.append((last_eq, found))
    return max(candidates, key=lambda candidate: candidate[0])[1] if candidates else None


def _bold(text: str, kind: AnswerType) -> _Found | None:
    """Rule 6: a bold value (``**42**``, ``**7 triangles**``, ``**Total: 42**``) in the last three non-empty
    lines, the last such."""
    lines = text.rstrip().split("\n")
    kept, count = len(lines), 0
    while kept > 0 and count < 3:
        kept -= 1
        count += bool(lines[kept].strip())
    offset = sum(len(line) + 1 for line in lines[:kept])
    for m in reversed(list(_BOLD_RE.finditer(text, offset))):
        reading = read_statement(m.group(1), values=kind.values)
        if reading.states_something:
            return _Found(reading, m.end(), "bold")
    return None


# A list item's number ("5. blue heart", "2) 19 left") counts the items; it is not a value the response states.
_ITEM_NUMBER_RE = re.compile(r"[.)][ \t]")
_LINE_LEAD_RE = re.compile(r"(?:^|\n)[ \t>*\-]*$")


def _item_number(text: str, start: int, end: int) -> bool:
    return bool(_ITEM_NUMBER_RE.match(text, end) and _LINE_LEAD_RE.search(text, max(0, start - 8), start))


# Words no sentence ends with, even an informal one ("That's it" may end one; "The highest is" may not).
_NO_END_RE = re.compile(
    r"(?:[-+*/×÷=(\[]|\b(?:and|or|the|a|an|is|are|was|were|of|to|plus|minus|times|gives|makes|equals|than)\b)"
    r"[ \t\n]*$",
    re.IGNORECASE,
)


def _cut_before_conclusion(text: str, kind: AnswerType) -> bool:
    """Whether the response stops in the middle of a sentence that has no value yet ("The highest is"): cut off
    before it concluded, so no earlier number is its answer."""
    if not _NO_END_RE.search(text[-16:]):
        return False
    boundaries = list(_SENTENCE_START_RE.finditer(text, max(0, len(text) - _MAX_STATEMENT)))
    last = text[boundaries[-1].end() if boundaries else max(0, len(text) - _MAX_STATEMENT) :]
    return not kind.values.find(last)


def _last_number(text: str, kind: AnswerType) -> _Found | None:
    """Rule 7: the last number (value) of the response (the pronoun "one" and list items' numbers aside), read
    within its sentence; none when the response stops in a sentence that has no value yet."""
    if _cut_before_conclusion(text, kind):
        return None
    shift = max(0, len(text) - _MAX_STATEMENT * 4)
    numbers = [
        number
        for number in kind.values.find(text[shift:], skip_pronoun_one=True)
        if not _item_number(text, number[0] + shift, number[1] + shift)
    ]
    if not numbers:
        return None
    start, end = numbers[-1][0] + shift, numbers[-1][1] + shift
    low = max(0, start - _MAX_STATEMENT)
    boundaries = list(_SENTENCE_START_RE.finditer(text, low, start))
    sentence_start = boundaries[-1].end() if boundaries else low
    sentence_end = _STATEMENT_END_RE.search(text, end, min(len(text), end + _MAX_STATEMENT))
    raw = text[sentence_start : sentence_end.end() if sentence_end else min(len(text), end + _MAX_STATEMENT)]
    reading = read_statement(raw, "last", kind.values)
    return _Found(reading, sentence_start + reading.consumed, "last number") if reading.states_something else None


def _final_answer(text: str, kind: AnswerType, *, correction: bool = False, last_number: bool = True) -> _Found | None:
    """The first rule that finds a statement of a value (or of an ambiguous one) wins."""
    for rule in (_answer_line, _boxed, _gsm8k):
        found = rule(text, kind)
        if found is not None:
            return found
    found = _phrase(text, kind, correction)
    if found is not None:
        return found
    if _REFUSAL_RE.match(text):  # rule 5: a response that opens by refusing has no answer unless rules 1-4 found one
        return None
    found = _bold(text, kind)
    if found is not None or not last_number:
        return found
    return _last_number(text, kind)


_LEADING_RE = re.compile(
    r"[\s,.;:!\u2014-]*(?:(?:no|nope|actually|sorry|oops|I[ \t]+mean|rather|make[ \t]+that|it's|it[ \t]+is)\b"
    r"[\s,.;:!\u2014-]*)*",
    re.IGNORECASE,
)


def _leading_value(text: str, kind: AnswerType) -> _Found | None:
    """After a second thought, a value that opens what follows is the corrected answer ("wait, no, 70")."""
    start = _LEADING_RE.match(text).end()  # type: ignore[union-attr]  # the pattern matches the empty string
    if kind.values.at(text, start) is None:
        return None
    return _statement_at(text, start, "correction", kind)


# ---- kinds of answer ------------------------------------------------------------------------------
@dataclass(frozen=True)
class AnswerType:
    """A kind of final answer: the values it states (`statements.Values`), the phrases that announce it ("the
    answer is", "there are"), and `strict(line)`: the canonical value when the rest of an ``Answer:`` line is
    that value in the asked-for form and nothing else, else None."""

    values: Values
    phrases: re.Pattern[str]
    strict: Callable[[str], str | None]

    def asking(self, question: str | None) -> AnswerType:
        """This kind of answer read against `question` (`questions.asked_quantity`): the value attached to the
        quantity it asks for counts, a percentage does not answer a count, "no difference" is a difference of 0."""
        asked = asked_quantity(question)
        if asked is None:
            return self
        return dataclasses.replace(self, values=dataclasses.replace(self.values, asked=asked))


def _strict_number(line: str) -> str | None:
    m = _STRICT_LINE_RE.fullmatch(line)
    return normalize_number(m.group("num")) if m else None


#: A number (digits or words); strict in digits (`extract_strict_answer`).
NUMBER = AnswerType(NUMBERS, _PHRASE_RE, _strict_number)


# ---- the answer, and whether it stands --------------------------------------------------------------
@dataclass(frozen=True)
class AnswerReading:
    """A response's final answer: `value` for the flexible score, `strict` for the strict one (the value when
    the final ``Answer:`` line gives it in digits and nothing takes it back), `rule` that found it, and
    `reason` when there is no value (ambiguous, negated, qualified, retracted)."""

    value: str | None
    strict: str | None
    rule: str | None
    reason: str | None


def read_answer(response: str, kind: AnswerType | None = None, question: str | None = None) -> AnswerReading:
    """Read a response's final answer the way a careful grader does (rules in docs/scoring.md).

    The rules, first that finds a statement wins: the last ``Answer:`` line; the last ``\\boxed{}``; GSM8K's
    ``####``; the last answer phrase ("the answer is", "there are", ...); unless the response opens with a
    refusal, a bold value near the end; the last number. The statement found must state one value
    (`read_statement`). If the response then takes it back ("No wait, that is wrong. It should be 70."), what
    follows decides: a value stated after the last retraction replaces it; a plain second thought ("wait",
    "let me recheck") with no new value leaves it; an outright retraction ("that is wrong") with no new value
    leaves no answer. The strict answer is the ``Answer:`` line's, in digits, only if it still stands.

    `kind` is the kind of answer read (`NUMBER` by default): its values, phrases and strict form; `question`,
    the question answered, whose asked-for quantity decides between the values of one sentence
    (`AnswerType.asking`). A response cut off while checking its work is read for the conclusion it completed
    before (`completed_part`).
    """
    kind = (NUMBER if kind is None else kind).asking(question)
    text = reading_text(response)
    if not text.strip():
        return AnswerReading(None, None, None, "empty response")
    completed = completed_part(text)
    if completed is not None:
        reading = _read_answering(completed, kind, question)
        if reading.rule is not None:
            return reading
    return _read_answering(text, kind, question)


# A response that restates the problem before it answers (the transcription the chain-of-thought prompts ask for,
# or a copy of the problem) states the problem's givens there, in answer phrases too ("There are 6 candles in Sam's
# box."): they are not its answer. When it repeats the question word for word, what follows is read first; unless
# an answer was marked before the repetition (an "Answer:" line, a box, "####"): then the question is repeated after
# the answer, and the whole response is read as before.
_MAX_QUESTION = 300
_WORD_RE = re.compile(r"[^\W_]+")


def after_restated_question(text: str, question: str | None) -> str | None:
    """What follows the last word-for-word repetition of `question` in `text` (its words in order, in any case,
    with any spaces and punctuation between them), or None when the text does not repeat it or marks an answer
    before the repetition. A question over `_MAX_QUESTION` characters is not looked for: the search is linear."""
    words = _WORD_RE.findall(prepare_for_reading(question)) if question else []
    if not words or len(question or "") > _MAX_QUESTION:
        return None
    repeated = _last_match(re.compile(r"\b" + r"\W+".join(map(re.escape, words)) + r"\b\W*", re.IGNORECASE), text)
    if repeated is None:
        return None
    return None if _marks_an_answer(text[: repeated.start()]) else text[repeated.end() :]


def _marks_an_answer(text: str) -> bool:
    """Whether `text` holds an "Answer:" marker, a box or a GSM8K "####" line."""
    return bool(_ANSWER_MARKER_RE.search(text) or "\\boxed" in text or "\\fbox" in text or _GSM8K_RE.search(text))


def _read_answering(text: str, kind: AnswerType, question: str | None) -> AnswerReading:
    """`_read` on what follows the last repetition of the question (`after_restated_question`) when that states an
    answer, else on the whole text."""
    after = after_restated_question(text, question)
    if after is not None:
        reading = _read(after, kind)
        if reading.rule is not None:
            return reading
    return _read(text, kind)


# A response cut off at the token limit while checking its work ("So he has 68. Let me verify: 49 + 19 is 6"):
# its unfinished check is not its answer; the conclusion it completed before the check is.
_CHECK_CUE_RE = re.compile(
    r"\b(?:let[ \t]+me[ \t]+|let's[ \t]+|let[ \t]+us[ \t]+|to[ \t]+)?(?:verify|verifying|verification"
    r"|double[- ]?check(?:ing)?|cross[- ]?check(?:ing)?|re-?check(?:ing)?|(?<=let me )check|(?<=let's )check"
    r"|(?<=let us )check|check(?:ing)?(?=[ \t]*:)"
    r"|check(?:ing)?[ \t]+(?:again|the[ \t]+(?:work|answer|sum|total|count|result|math|arithmetic)|my|this|that)"
    r"|make[ \t]+sure|go(?:ing)?[ \t]+(?:back[ \t]+)?over|proof|in[ \t]+reverse|working[ \t]+backwards?"
    r"|re-?count(?:ing)?|re-?calculat(?:e|ing)|confirm(?:ing)?|to[ \t]+be[ \t]+(?:sure|safe|thorough|certain)"
    r"|sanity[ \t]+check)\b",
    re.IGNORECASE,
)
_CHECK_TAIL = 100
_FINISHED_RE = re.compile(r"[.!?)\]}*_`$\"'”’✓✔]\s*$")
# How a cut-off text ends: in a number ("49 + 19 is 6"), an operator or a word that cannot end a sentence ("and",
# "is", "the"). A check that ends in a noun ("... that's 3 red circles") reads as finished, its full stop left off.
_CUT_END_RE = re.compile(
    r"(?:[0-9]|[-+*/×÷=:,(\[]|\b(?:and|or|the|a|an|is|are|was|were|of|to|plus|minus|times|gives|makes|equals"
    r"|so|then|which|that|with|by|from|in|on|at|for|we|I|it|this)\b)[ \t\n]*$",
    re.IGNORECASE,
)
# A check that ends in an equation that holds ("Double-checking: 49 - 19 = 30") is finished, full stop or not.
_LAST_EQUATION_RE = re.compile(
    r"(?P<lhs>[0-9(][0-9 +\-*/×÷()]*?)[ \t]*(?:=|\bis\b|\bequals\b|\bgives\b|\bmakes\b)[ \t]*(?P<rhs>[0-9]+)[ \t\n]*$",
    re.IGNORECASE,
)


def _holds(tail: str) -> bool:
    """Whether `tail` ends in an equation whose sides are equal (`arith.evaluate_expression`, bounded)."""
    m = _LAST_EQUATION_RE.search(tail)
    if m is None:
        return False
    try:
        return arith.evaluate_expression(m.group("lhs")) == int(m.group("rhs"))
    except ValueError:
        return False


def completed_part(text: str) -> str | None:
    """The text before the last check of the work when the response stops in the middle of it: it ends in a
    number (not one an equation that holds ends in), an operator or a word no sentence ends with, and, after the
    check begins, gives no ``Answer:`` line, box or ``####``. None otherwise."""
    if _FINISHED_RE.search(text[-8:]) or not _CUT_END_RE.search(text[-16:]) or _holds(text[-_CHECK_TAIL:]):
        return None
    cue = _last_match(_CHECK_CUE_RE, text)
    if cue is None:
        return None
    tail = text[cue.start() :]
    if _marks_an_answer(tail):
        return None
    boundaries = list(_SENTENCE_START_RE.finditer(text, max(0, cue.start() - _MAX_STATEMENT), cue.start()))
    return text[: boundaries[-1].end() if boundaries else cue.start()]


# How a check's last sentence gives what it concludes: confirming ("Yes, 17.", "Correct: 17", "✓ 17") or not ("So
# 18."); its working before ("1. red heart", "64 + 25 = 89") is not what it concludes.
_CONFIRM_RE = re.compile(
    r"\s*(?:(?:yes|yep|yeah|correct|right|confirmed|indeed|verified|exactly|good|so|thus|therefore|hence"
    r"|that(?:'s|[ \t]+is|[ \t]+makes|[ \t]+gives)|this[ \t]+(?:is|makes|gives)|which[ \t]+(?:is|makes|gives)"
    r"|in[ \t]+total|altogether|total|count)\b|✓|✔)"
    r"(?:[ \t]*(?:,|!|:|\.|\u2014|-|(?:so|the[ \t]+answer[ \t]+is|it(?:'s|[ \t]+is)|that(?:'s|[ \t]+is)))[ \t]*)*",
    re.IGNORECASE,
)


def _confirmation(after: str, kind: AnswerType) -> _Found | None:
    """The value the last sentence of a check concludes ("... 40 - 23 = 17\nYes, 17.", "... So 18."), or None."""
    stripped = after.rstrip()
    low = max(0, len(stripped) - _MAX_STATEMENT)
    boundaries = list(_SENTENCE_START_RE.finditer(stripped, low, max(low, len(stripped) - 1)))
    m = _CONFIRM_RE.match(stripped, boundaries[-1].end() if boundaries else low)
    return _statement_at(stripped, m.end(), "check", kind) if m else None


# An "Answer:" line that a later sentence contradicts, concluding another value for the asked quantity ("Answer: 8
# \n\nSo there are 9 yellow stars in total."), is in doubt. (A box or "####" outranks what follows it, as before.)
_MARKED_RULES = frozenset({"answer line"})
# A sentence that concludes: it opens (after at most three words: "Pablo therefore has", "In the image I count")
# with a conclusion word, "the answer is", the total or count "is", or a present-tense count ("there are", "I
# count"); not a past-tense recap of the givens ("At first there were 49").
_CONCLUDING_RE = re.compile(
    r"\W{0,8}(?:[A-Za-z]{1,20}[ \t]{1,4}){0,3}?(?:(?:so|therefore|thus|hence|overall|altogether|finally|in[ \t]+total"
    r"|in[ \t]+all|(?:that|this|which)[ \t]+(?:makes|gives|leaves)|leaving|there(?:'s|[ \t]+is|[ \t]+are)"
    r"|I[ \t]+(?:count|counted|see|can[ \t]+see|found|find)|(?:total|count|result|sum)[ \t]+(?:is|comes[ \t]+to))\b"
    r"|" + _PHRASES[0] + ")",
    re.IGNORECASE,
)
_ANSWER_IS_RE = re.compile(ANSWER_IS_PHRASE, re.IGNORECASE)
# A conclusion that names the result itself ("So the total of the red cards is 33.", "So the difference is 7.",
# "So the clock will show 9:36."): its value answers the question whatever noun the question uses.
_RESULT_IS_RE = re.compile(
    r"[ \t,]*(?:the[ \t]+)?(?:(?:total|sum|result|difference|product|time)\b[^\n.=]{0,60}?[ \t]+"
    r"(?:is|was|comes[ \t]+to|will[ \t]+be)|clock[ \t]+(?:will[ \t]+)?(?:show|shows|showed|read|reads))\b",
    re.IGNORECASE,
)


def _concluded_at(text: str, start: int, kind: AnswerType) -> str | None:
    """The value the sentence at `start` concludes for the asked quantity, or None: it opens with a conclusion
    (`_CONCLUDING_RE`: "So", "Therefore", "In total", "There are") and says "the answer is" or attaches one value
    to the noun the question asks about ("So Grace has 24 buttons.")."""
    opening = _CONCLUDING_RE.match(text, start)
    if opening is None:
        return None
    end = _STATEMENT_END_RE.search(text, opening.end(), min(len(text), opening.end() + _MAX_STATEMENT))
    sentence = text[start : end.end() if end else min(len(text), start + _MAX_STATEMENT)]
    reading = read_statement(sentence, values=kind.values)
    if reading.value is not None and (
        _ANSWER_IS_RE.search(sentence)
        or _RESULT_IS_RE.match(text, opening.end())
        or asked_values(sentence, kind.values, opening.end() - start) == {reading.value}
    ):
        return reading.value
    return None


def _later_conclusion(after: str, kind: AnswerType) -> str | None:
    """The value a sentence after a marked answer concludes for the asked quantity (`_concluded_at`); the last
    such, None if there is none. Bounded runs at each sentence start (`_CONCLUDING_RE`) keep this linear."""
    concluded = None
    for start in [0] + [m.end() for m in _SENTENCE_START_RE.finditer(after)]:
        concluded = _concluded_at(after, start, kind) or concluded
    return concluded


def _earlier_conclusion(before: str, kind: AnswerType) -> str | None:
    """The value the last sentence before a marked answer concludes for the asked quantity (`_concluded_at`), or
    None: the recap just above an "Answer:" line ("So there are 9 black diamonds.\n\nAnswer: 8"). Only that
    sentence: a conclusion earlier in the working may be a step ("So he has 45 apples. Then he gives 12 away")."""
    stripped = before.rstrip()
    low = max(0, len(stripped) - _MAX_STATEMENT)
    boundaries = list(_SENTENCE_START_RE.finditer(stripped, low, max(low, len(stripped) - 1)))
    start = boundaries[-1].end() if boundaries else low
    return _concluded_at(stripped, start, kind) if start > 0 or low == 0 else None


def _read(text: str, kind: AnswerType) -> AnswerReading:
    """`read_answer` on prepared text."""
    found = _final_answer(text, kind)
    if found is None:
        return AnswerReading(None, None, None, "no answer found")
    value, strict, reason = found.reading.value, found.strict, found.reading.reason
    cues = retraction_cues(text, found.end)
    if found.rule in _MARKED_RULES and value is not None:
        later = _later_conclusion(text[found.end : cues[0].start if cues else len(text)], kind)
        if later is not None and later != value:
            return AnswerReading(None, None, found.rule, "a later sentence concludes another value")
        earlier = _earlier_conclusion(text[: found.begin], kind)
        if earlier is not None and earlier != value:
            return AnswerReading(None, None, found.rule, "the sentence before it concludes another value")
    if cues:
        strong = any(cue.strong for cue in cues)
        after = text[cues[-1].end :]
        if cues[-1].check:  # a check's working is no answer: what it concludes is ("Yes, 17.", "so it is 70")
            tail = _confirmation(after, kind) or _final_answer(after, kind, correction=True, last_number=strong)
            tail = tail or (_leading_value(after, kind) if strong else None)
        else:
            tail = _final_answer(after, kind, correction=True, last_number=strong) or _leading_value(after, kind)
        if tail is not None and tail.reading.states_something:
            if tail.reading.value != value:
                strict = None
            value, reason = tail.reading.value, tail.reading.reason
        elif strong:
            value, strict, reason = None, None, "the answer is retracted"
    if strict != value:
        strict = None
    return AnswerReading(value, strict, found.rule, reason)


def extract_flexible_answer(response: str) -> str | None:
    """The final answer wherever a careful grader would find it, as a canonical number; None if there is none
    or it is not one unambiguous value (see `read_answer`)."""
    return read_answer(response).value


def extract_strict_answer(response: str) -> str | None:
    """The answer in the asked-for format: the final ``Answer:`` line gives it in digits on the same line
    (thousands separators, a leading ``$`` or ``-``, a trailing ``%``, up to three unit words, a final ``.``;
    Markdown bold allowed), it is the flexible answer, and nothing after it takes it back; else None."""
    return read_answer(response).strict


def score_number(
    response: str, target: str, kind: AnswerType | None = None, question: str | None = None
) -> dict[str, str | int | None]:
    """Score a numeric answer: ``{"extracted": flexible answer or None, "correct": 0/1, "strict": 0/1}``.

    Comparison is numeric on canonical forms ("42.0" == "42", "1,234" == "1234"). Raises ValueError if the
    target itself is not a number. `kind`: an answer type whose values are numbers (default `NUMBER`), e.g. one
    that also reads "8 hours and 45 minutes" as 525; `question`: the question answered (see `read_answer`).
    """
    gold = normalize_number(str(target))
    if gold is None:
        raise ValueError(f"target is not a number: {target!r}")
    reading = read_answer(response, kind, question)
    return {"extracted": reading.value, "correct": int(reading.value == gold), "strict": int(reading.strict == gold)}

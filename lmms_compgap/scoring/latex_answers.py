"""The final answer of a response whose answer is a mathematical expression (MATH), found as a careful grader finds it.

Where: the last ``Answer:`` line (the rest of its line, or the next non-empty line), else the last
innermost ``\\boxed{...}``, else the last "the (final) answer is ...". What: the first sentence of it, without
a justification (``..., because ...``), Markdown emphasis or a final full stop. It must be one answer: words
offering alternatives (``or``, ``maybe``), approximations (``about``, ``\\approx``) or a negation (``not``)
refuse it. Whether it stands: a retraction after it (`scoring.retraction`) hands the answer to what follows,
as for numbers (docs/scoring.md). Whether it equals the gold answer is decided by math-verify
(`scoring.equivalence`), never here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lmms_compgap.scoring.answers import answer_segments, reading_text
from lmms_compgap.scoring.equivalence import equivalent
from lmms_compgap.scoring.retraction import retraction_cues
from lmms_compgap.scoring.text import boxed_spans, unwrap_latex

__all__ = ["LatexAnswerReading", "read_latex_answer", "score_latex_answer"]

_MAX_STATEMENT = 600
_PHRASE_RE = re.compile(
    r"\b(?:the\s+)?(?:final\s+)?answer\s+(?:is|would\s+be|will\s+be|should\s+be|equals)\b[\s:]*", re.IGNORECASE
)
# After a retraction the correction is often phrased "it should be ...", "it's actually ...".
_CORRECTION_RE = re.compile(
    r"\b(?:it|that|this)(?:\s+should\s+be|\s+is\s+actually|'s\s+actually)\b[\s:]*", re.IGNORECASE
)
# A sentence ends at a full stop (or ! ?) followed by a space and a capital letter, or at a line end; a decimal
# point ("0.5") or an abbreviation inside a formula does not end it.
_SENTENCE_END_RE = re.compile(r"[.!?](?=[ \t]+[A-Z])|\n")
_JUSTIFICATION_RE = re.compile(r"[\s,;]+(?:because|since|as|which|where|given\s+that|so\s+that)\b", re.IGNORECASE)
_HEDGES: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(r"\b(?:or|either|maybe|perhaps|possibly|alternatively|and/or)\b", re.IGNORECASE),
        "it offers alternative answers",
    ),
    (
        re.compile(
            r"\b(?:about|approximately|approx|around|roughly|nearly|almost|circa)\b|\\approx|≈|\\sim\b", re.IGNORECASE
        ),
        "an approximate answer",
    ),
    (re.compile(r"^\W*(?:not|never|isn't|is\s+not)\b", re.IGNORECASE), "the answer is negated"),
)
_LEADING_RE = re.compile(
    r"^[\s,.;:!\u2014-]*(?:(?:no|nope|actually|sorry|oops|rather|I\s+mean)\b[\s,.;:!\u2014-]*)*", re.IGNORECASE
)
# What opens a new answer stated right after a second thought ("wait, no, $6$"): mathematics, not words.
_MATH_START_RE = re.compile(r"\s*(?:[$0-9+\-(\[]|\\[A-Za-z(\[])")
_EMPHASIS_RE = re.compile(r"\*\*|__|(?<!\\)`")
_WRAPPERS: tuple[tuple[str, str], ...] = (("$$", "$$"), ("$", "$"), ("\\(", "\\)"), ("\\[", "\\]"))


@dataclass(frozen=True)
class LatexAnswerReading:
    """A response's final answer as written (`answer`, wrappers removed), whether it counts for the strict score
    (`strict`: it is the final ``Answer:`` line's, on the marker's own line, and nothing takes it back), the rule
    that found it, and why there is none that counts (`reason`)."""

    answer: str | None
    strict: bool
    rule: str | None
    reason: str | None = None


@dataclass(frozen=True)
class _Found:
    text: str
    end: int  # where the statement ends in the response: a retraction after it may take it back
    rule: str
    strict: bool = False


def _statement(raw: str) -> str:
    """The first sentence of a statement, without a justification."""
    end = _SENTENCE_END_RE.search(raw)
    first = raw[: end.start()] if end else raw
    justification = _JUSTIFICATION_RE.search(first)
    return first[: justification.start()] if justification else first


def _answer_line(text: str) -> _Found | None:
    for marker in answer_segments(text):
        statement = _statement(marker.segment[:_MAX_STATEMENT])
        if _EMPHASIS_RE.sub("", statement).strip(" \t.:*"):
            return _Found(statement, marker.start + len(statement), "answer line", marker.on_marker_line)
    return None


def _boxed(text: str) -> _Found | None:
    spans = boxed_spans(text)
    for start, end in reversed(spans):
        if text[start:end].strip():
            return _Found(text[start:end], end, "boxed")
    return None


def _phrase(text: str, regex: re.Pattern[str] = _PHRASE_RE) -> _Found | None:
    matches = list(regex.finditer(text))
    for match in reversed(matches):
        statement = _statement(text[match.end() : match.end() + _MAX_STATEMENT])
        if statement.strip(" \t.*"):
            return _Found(statement, match.end() + len(statement), "phrase")
    return None


def _find(text: str, correction: bool = False) -> _Found | None:
    """The first rule that finds a statement: the last answer line, the last box, the last answer phrase (with
    `correction`, also "it should be ...")."""
    for rule in (_answer_line, _boxed, _phrase):
        found = rule(text)
        if found is not None:
            return found
    return _phrase(text, _CORRECTION_RE) if correction else None


def _unwrap(answer: str) -> str:
    """The answer without presentation: Markdown emphasis, ``\\boxed{}``, one pair of math delimiters, a final
    full stop or comma."""
    answer = unwrap_latex(_EMPHASIS_RE.sub("", answer)).strip().rstrip(".,;").strip()
    for opening, closing in _WRAPPERS:
        if answer.startswith(opening) and answer.endswith(closing) and len(answer) > len(opening) + len(closing):
            inner = answer[len(opening) : -len(closing)]
            if opening not in inner:
                answer = inner.strip()
                break
    return answer.rstrip(".,;").strip()


def _hedge(answer: str) -> str | None:
    plain = re.sub(r"\\text\{([^{}]*)\}", r"\1", answer)
    return next((reason for regex, reason in _HEDGES if regex.search(plain)), None)


def read_latex_answer(response: str) -> LatexAnswerReading:
    """The final answer of a response (see the module docstring), or why it has none that counts."""
    text = reading_text(response)
    found = _find(text)
    if found is None:
        return LatexAnswerReading(None, False, None, "no answer found")
    statement, strict, rule = found.text, found.strict, found.rule
    # A retraction inside the statement ("5, wait, no, 6"): what follows it is the answer, if anything.
    inner = retraction_cues(statement)
    if inner:
        tail = _LEADING_RE.sub("", statement[inner[-1].end :]).strip()
        if tail:
            statement, strict = tail, False
        elif any(cue.strong for cue in inner):
            return LatexAnswerReading(None, False, rule, "the answer is retracted")
        else:
            statement = statement[: inner[0].start]
    cues = retraction_cues(text, found.end)
    if cues:
        after = text[cues[-1].end :]
        replacement = _find(after, correction=True)
        leading = _LEADING_RE.sub("", after)
        if replacement is None and leading != after and _MATH_START_RE.match(leading):
            replacement = _Found(_statement(leading), len(after), "correction")
        if replacement is not None:
            same = _unwrap(replacement.text) == _unwrap(statement)
            statement, strict, rule = replacement.text, strict and same, "correction"
        elif any(cue.strong for cue in cues):
            return LatexAnswerReading(None, False, rule, "the answer is retracted")
    answer = _unwrap(statement)
    if not answer:
        return LatexAnswerReading(None, False, rule, "no answer found")
    reason = _hedge(answer)
    if reason:
        return LatexAnswerReading(None, False, rule, reason)
    return LatexAnswerReading(answer, strict, rule)


def score_latex_answer(response: str, target: str) -> dict[str, str | int | None]:
    """``{"extracted", "correct", "strict", "reason"}``: the answer found, 1 when math-verify finds it equal to
    `target`, 1 for the strict score when it is also the standing final ``Answer:`` line's; `reason` says why
    not (no answer, a hedge, a retraction, or math-verify's reason)."""
    reading = read_latex_answer(response)
    if reading.answer is None:
        return {"extracted": None, "correct": 0, "strict": 0, "reason": reading.reason}
    verdict = equivalent(target, reading.answer)
    correct = int(verdict.equal)
    return {
        "extracted": reading.answer,
        "correct": correct,
        "strict": int(correct and reading.strict),
        "reason": verdict.reason,
    }

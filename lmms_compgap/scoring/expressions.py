"""An arithmetic expression given as an answer ("make 24 from these cards"): find it, and refuse what falls outside.

The grammar is `lmms_compgap.scoring.arith`'s: integers, ``+ - * /`` and parentheses. An answer that uses
anything else anywhere in its line (``^2``, ``!``, ``mod``, ``\\ln``, ``\\log``, ``sqrt``, a decimal,
Python code) is refused rather than read around; an answer line offering two expressions is refused;
an answer taken back afterwards is replaced by what follows, as for numbers (`scoring.retraction`).
An answer worked out in steps (``8 - 4 = 4``, ``3 + 3 = 6``, ``4 × 6 = 24``) is rebuilt into one
expression by `derive_expression`.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from fractions import Fraction

from lmms_compgap.scoring import arith
from lmms_compgap.scoring.answers import answer_segments, completed_part, reading_text
from lmms_compgap.scoring.retraction import retraction_cues
from lmms_compgap.scoring.statements import negated_before
from lmms_compgap.scoring.text import boxed_spans, unwrap_latex

__all__ = ["ExpressionReading", "derive_expression", "extract_expression", "read_expression"]

_RUN_RE = re.compile(r"[-+*/() 0-9]+")
_LITERAL_RE = re.compile(r"[0-9]+")
_BINARY_OP_RE = re.compile(r"[0-9)] ?[-+*/]")
_BULLET_RE = re.compile(r"^[ \t]*(?:[-*•]|[0-9]+[.)]|step[ \t]+[0-9]+[ \t]*[:.)])[ \t]+", re.IGNORECASE)
_POWER_RE = re.compile(r"[0-9)][ \t]*\*\*[ \t]*[0-9(]")
_MARKDOWN_RE = re.compile(r"\*\*|__|`")
_IF_RE = re.compile(r"\bif\b")
_ELSE_RE = re.compile(r"\belse\b")
_ALLOWED_COMMANDS = "times|cdot|ast|div|frac|dfrac|tfrac|left|right|big|Big|bigg|Bigg|quad|qquad|displaystyle|approx"
_FOREIGN: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(rf"\\(?!(?:{_ALLOWED_COMMANDS})(?![A-Za-z]))[A-Za-z]+"), "the LaTeX command {}"),
    (re.compile(r"\^"), "a power (^)"),
    (re.compile(r"(?<=[0-9)])[ \t]*!(?![ \t]*(?:$|[A-Z\n]))"), "a factorial (!)"),
    (re.compile(r"(?<=[0-9)])[ \t]*%"), "% (a percentage or a modulo)"),
    (re.compile(r"//"), "floor division (//)"),
    (re.compile(r"√"), "a root (√)"),
    (re.compile(r"[0-9]\.[0-9]"), "a decimal number"),
    (re.compile(r";|==|:=|\b__[A-Za-z]+__\b"), "code"),
    (re.compile(r"(?<![\\A-Za-z0-9_.)])[A-Za-z_][A-Za-z0-9_.]*\("), "a function call"),
    (
        re.compile(
            r"\b(?:mod|modulo|sqrt|root|log|ln|exp|pow|power|squared|cubed|factorial|choose|floor|ceil|ceiling|abs"
            r"|lambda|import|eval|exec|print|def)\b",
            re.IGNORECASE,
        ),
        "the operation {!r}",
    ),
)
_ALTERNATIVE_RE = re.compile(r"\b(?:or|either|alternatively|another)\b", re.IGNORECASE)


@dataclass(frozen=True)
class ExpressionReading:
    """The expression a response gives as its answer (normalised, see `arith.normalize_expression`), or why it
    gives none that counts (`reason`). `rule` names where it was found; `answer_line` is the rest of the final
    ``Answer:`` line when the expression came from it and still stands (the strict score reads it)."""

    expression: str | None
    reason: str | None = None
    rule: str | None = None
    answer_line: str | None = None

    @property
    def states_something(self) -> bool:
        return self.expression is not None or self.reason is not None


_NOTHING = ExpressionReading(None)


def _foreign(text: str) -> str | None:
    """What in `text` lies outside the grammar, described, or None."""
    if _POWER_RE.search(text):
        return "a power (**)"
    if _IF_RE.search(text) and _ELSE_RE.search(text):  # Python's "x if c else y"
        return "code"
    for regex, description in _FOREIGN:
        found = regex.search(text)
        if found:
            return description.format(found.group().strip())
    return None


def _trim_span(run: str) -> str:
    """Cut a run down to a plausible expression: no dangling operators at the ends, unmatched outer
    parentheses dropped."""
    span = run.strip(" +*/").rstrip("-( ").strip(" +*/")
    excess = span.count(")") - span.count("(")
    end = len(span)
    while excess > 0 and end > 0 and span[end - 1] in ") ":
        excess -= span[end - 1] == ")"
        end -= 1
    start = 0
    while excess < 0 and start < end and span[start] in "( ":
        excess += span[start] == "("
        start += 1
    return span[start:end].strip()


_NEGATION_WINDOW = 48


def _runs(text: str) -> tuple[list[str], int]:
    """The candidate expressions of a normalised text: maximal runs of digits, operators, parentheses and
    spaces (split at "=") with at least two literals and a binary operator; and how many such runs are negated
    ("the answer is 6 * 4 * 1, not 8 * 3 * 1": a grader reads the first only), left out of the list."""
    found = []
    negated = 0
    for part in re.split(r"=|≈", text):
        for m in _RUN_RE.finditer(part):
            span = _trim_span(m.group())
            if len(_LITERAL_RE.findall(span)) >= 2 and _BINARY_OP_RE.search(span):
                # The run starts with the space after "not"; the negation needs it.
                if negated_before(part[max(0, m.start() - _NEGATION_WINDOW) : m.start()] + " "):
                    negated += 1
                else:
                    found.append(span)
    return found, negated


def _prepared_line(segment: str) -> str:
    """One line as the evaluator reads it: bullets and Markdown marks dropped, LaTeX and Unicode normalised."""
    line = _BULLET_RE.sub("", segment)
    return arith.normalize_expression(_MARKDOWN_RE.sub(" ", unwrap_latex(line)))


def read_segment(segment: str, *, answer: bool = True) -> tuple[ExpressionReading, int]:
    """The expression one line (an answer line, a box, a line of the response) gives, and how much of it was
    read (reading stops at a retraction cue after an expression). Refused when anything in the line falls
    outside the grammar or when it offers two expressions; nothing when it holds no expression (with `answer`,
    a line with a number and something outside the grammar, ``Answer: 4!``, is an answer, refused)."""
    consumed = len(segment)
    first = next((m for m in _RUN_RE.finditer(segment) if len(_LITERAL_RE.findall(m.group())) >= 2), None)
    if first is not None:
        cue = next(iter(retraction_cues(segment, first.end())), None)
        consumed = cue.start if cue else consumed
    raw = segment[:consumed]
    foreign = _foreign(raw) or _foreign(_prepared_line(raw))
    text = _prepared_line(raw)
    runs, negated = _runs(text)
    if foreign:
        if runs or negated or (answer and re.search(r"[0-9]", raw)):
            return ExpressionReading(None, f"it uses {foreign}, outside + - * / and parentheses"), consumed
        return _NOTHING, consumed
    if not runs:
        # An answer line that only negates ("Answer: not 8 * 3 * 1") is refused; any other line is passed over.
        return (ExpressionReading(None, "the expression is negated") if negated and answer else _NOTHING), consumed
    if len(set(runs)) > 1 and _ALTERNATIVE_RE.search(text):
        return ExpressionReading(None, "it offers more than one expression"), consumed
    best = max(enumerate(runs), key=lambda item: (len(_LITERAL_RE.findall(item[1])), item[0]))[1]
    return ExpressionReading(best), consumed


@dataclass(frozen=True)
class _Found:
    reading: ExpressionReading
    end: int


def _find(text: str) -> _Found | None:
    """The last ``Answer:`` line holding an expression, else the last innermost box, else the last line."""
    for marker in answer_segments(text):
        reading, consumed = read_segment(marker.segment)
        if reading.states_something:
            line = marker.line if marker.on_marker_line and marker.bare else None  # strict: a bare "Answer:" line
            return _Found(
                ExpressionReading(reading.expression, reading.reason, "answer line", line), marker.start + consumed
            )
    for start, end in reversed(boxed_spans(text)):
        reading, consumed = read_segment(text[start:end].replace("\n", " "))
        if reading.states_something:
            return _Found(ExpressionReading(reading.expression, reading.reason, "boxed"), start + consumed)
    end = len(text)
    while end > 0:
        start = text.rfind("\n", 0, end) + 1
        reading, consumed = read_segment(text[start:end], answer=False)
        if reading.states_something:
            return _Found(ExpressionReading(reading.expression, reading.reason, "last line"), start + consumed)
        end = start - 1
    return None


def read_expression(response: str, literals: int | None = None) -> ExpressionReading:
    """The expression a response gives as its final answer: the last ``Answer:`` line holding one (the rest of
    its line, or the next non-empty line), else the last ``\\boxed{}``, else the last line holding one; in
    that line the run with the most literals (``(8 - 4) * 6 * 1 = 24`` gives ``(8 - 4) * 6 * 1``). Refused
    (`reason`) when the line uses anything outside the grammar or offers two expressions. A retraction after
    it ("wait, that's wrong") hands the answer to what follows: an expression stated there replaces it; with
    none, an outright retraction leaves no answer and a second thought leaves it standing (a complete
    expression, with `literals` numbers when given, replaces it after a second thought). A response cut off
    while checking its work is read for the conclusion it completed before (`answers.completed_part`), as a
    numeric answer is."""
    text = reading_text(response)
    completed = completed_part(text)
    if completed is not None:
        reading = _read_expression(completed, literals)
        if reading.rule is not None:
            return reading
    return _read_expression(text, literals)


def _read_expression(text: str, literals: int | None) -> ExpressionReading:
    """`read_expression` on prepared text."""
    found = _find(text)
    if found is None:
        return _NOTHING
    cues = retraction_cues(text, found.end)
    if not cues:
        return found.reading
    tail = _find(text[cues[-1].end :])
    strong = any(cue.strong for cue in cues)
    if tail is not None and not strong and tail.reading.rule == "last line" and tail.reading.expression:
        # After a mere second thought, a shorter expression ("let me check: 4 * 6 = 24") checks a step of the
        # answer; only a complete one (as many numbers as the cards, or as the answer) replaces it.
        complete = literals if literals is not None else len(_LITERAL_RE.findall(found.reading.expression or ""))
        if len(_LITERAL_RE.findall(tail.reading.expression)) < complete:
            tail = None
    if tail is not None:
        same = tail.reading.expression == found.reading.expression
        return ExpressionReading(
            tail.reading.expression, tail.reading.reason, "correction", found.reading.answer_line if same else None
        )
    if strong:
        return ExpressionReading(None, "the answer is retracted", found.reading.rule)
    return found.reading


def extract_expression(response: str) -> str | None:
    """The expression `read_expression` finds, or None."""
    return read_expression(response).expression


# ---- answers worked out in steps ----------------------------------------------------------------
_RESULT_RE = re.compile(r" ?(-? ?[0-9]+(?: ?/ ?[0-9]+)?)")
_MAX_STEPS = 32


def _steps(text: str) -> list[tuple[str, Fraction]]:
    """Every ``<expression> = <number>`` in the text, in order (the last _MAX_STEPS): the expression holds at
    least two literals and a binary operator; the number is not followed by another operation."""
    steps: list[tuple[str, Fraction]] = []
    for line in text.split("\n"):
        if "=" not in line or _foreign(line):
            continue
        parts = _prepared_line(line).split("=")
        for left, right in zip(parts, parts[1:], strict=False):
            runs = list(_RUN_RE.finditer(left))
            if not runs or runs[-1].end() < len(left.rstrip()):
                continue
            lhs = _trim_span(runs[-1].group())
            result = _RESULT_RE.match(right)
            if result is None or len(_LITERAL_RE.findall(lhs)) < 2 or not _BINARY_OP_RE.search(lhs):
                continue
            rest = right[result.end() :].lstrip()
            if rest[:1] and rest[0] in "+-*/(0123456789":
                continue
            try:
                value = arith.evaluate_expression(result.group(1).replace(" ", ""))
            except arith.ExpressionError:
                continue
            if not steps or steps[-1] != (lhs, value) or lhs.replace(" ", "") != steps[-1][0].replace(" ", ""):
                steps.append((lhs, value))  # a step restated ("Answer: 4 × 6 = 24" after it) is one step
    return steps[-_MAX_STEPS:]


def _replay(steps: list[tuple[str, Fraction]], values: list[int], target: int) -> str | None:
    """Replay steps from the cards: each step's literals must be cards or earlier results not yet used, each
    step must compute what it says, and at the end only the target remains. The expression, rebuilt."""
    pool: Counter[Fraction] = Counter(Fraction(value) for value in values)
    built: dict[Fraction, list[str]] = {}  # value -> expressions of earlier results with it, latest last
    for lhs, result in steps:
        try:
            if arith.evaluate_expression(lhs) != result:
                return None
        except arith.ExpressionError:
            return None
        pieces: list[str] = []
        position = 0
        for literal in _LITERAL_RE.finditer(lhs):
            value = Fraction(int(literal.group()))
            if pool[value] <= 0:
                return None
            pool[value] -= 1
            earlier = built.get(value)
            pieces += [lhs[position : literal.start()], f"({earlier.pop()})" if earlier else literal.group()]
            position = literal.end()
        pool[result] += 1
        built.setdefault(result, []).append("".join([*pieces, lhs[position:]]))
    if +pool != Counter({Fraction(target): 1}):
        return None
    expression = built[Fraction(target)][-1]
    checked = arith.check_make_target(expression, values, target)
    return expression if checked["valid"] else None


def derive_expression(response: str, values: list[int], target: int, final: str | None = None) -> str | None:
    """One expression for an answer worked out in steps that end the response's arithmetic: the last steps
    (``8 - 4 = 4``, ``3 + 3 = 6``, ``4 × 6 = 24``), replayed from the cards, use each card once and end in
    the target. Earlier failed attempts do not matter; the steps must be the response's last ones, and when
    the response states a final expression (`final`) it must be the last step's (``Answer: 4 × 6 = 24``). None
    if no run of final steps does that."""
    steps = _steps(reading_text(response))
    if not steps or (final is not None and final.replace(" ", "") != steps[-1][0].replace(" ", "")):
        return None
    for first in range(len(steps) - 1, -1, -1):
        expression = _replay(steps[first:], values, target)
        if expression is not None:
            return expression
    return None

"""Reading one answer statement (an answer line, a box, the words after "the answer is") for its one value.

A statement is credited with a value only when it states exactly one: not two (``68 or 70``,
``68, 70``), not a negated one (``not 68``), not an approximate or bounded one (``about 68``,
``at least 68``), not an operation left undone (``68 - 1``, ``68/3``, ``\\sqrt{68}``, ``68^2``,
``68e5``) and not one scaled by a word (``68 thousand``, ``68k``). See docs/scoring.md.

Statements are read for numbers unless told otherwise: another kind of value (a time of day, say) is read
by the same rules when its `Values` is given (how to find such values in a text). When `Values.asked` names
what the question asks for, a sentence that states several values is read for the one that answers it
(``The baker now has 45 loaves after baking 12 more`` asked "how many loaves": 45).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Literal

from lmms_compgap.scoring.numbers import NumberSpan, find_numbers, number_at
from lmms_compgap.scoring.questions import Asked
from lmms_compgap.scoring.retraction import retraction_cues
from lmms_compgap.scoring.text import unwrap_latex

__all__ = [
    "asked_values",
    "NOTHING",
    "NUMBERS",
    "Choice",
    "Reading",
    "Values",
    "clean_statement",
    "context_before",
    "negated_before",
    "read_statement",
    "zero_statement",
]


@dataclass(frozen=True)
class Values:
    """The kind of value a statement is read for.

    `find(text, *, spaced=False, skip_pronoun_one=False)` lists every such value in a text as NumberSpans (start,
    end, canonical value), in order, in linear time (the keywords matter to numbers only: thousands separated by
    spaces, "one" as a pronoun); `at(text, pos)` is the value starting exactly at `pos`, or None; with
    `none_is_zero`, a statement saying there are none ("none", "no red circles") states 0; `qualifier` and
    `anchor` add the kind's own rules to the shared ones (`_qualifier`, `_anchored`); `asked`, the quantity the
    question asks for (`questions.asked_quantity`), lets a sentence that states several values be read for the
    one attached to it.
    """

    find: Callable[..., list[NumberSpan]]
    at: Callable[[str, int], NumberSpan | None]
    none_is_zero: bool = True
    #: The kind's own reason why the value at a span is not a plain one ("after 5:40"), beyond the shared ones;
    #: called as (text, span, low) where the context before the span stops at `low`.
    qualifier: Callable[[str, NumberSpan, int], str | None] | None = None
    #: Whether the kind's own words state the value at a span ("the clock shows 5:40"), beyond "is", "=", ...
    anchor: Callable[[str, NumberSpan, int], bool] | None = None
    asked: Asked | None = None


#: Numbers, in digits or words (`numbers.find_numbers`): what answers are read for unless told otherwise.
NUMBERS = Values(find_numbers, number_at)


@dataclass(frozen=True)
class Reading:
    """What a statement says: ``value`` (canonical number) when it states exactly one; else ``reason`` says why
    it does not count (both None: it states no value at all). ``consumed`` is how much of the raw statement
    was read (it stops at a retraction cue such as "wait")."""

    value: str | None = None
    reason: str | None = None
    consumed: int = 0

    @property
    def states_something(self) -> bool:
        return self.value is not None or self.reason is not None


NOTHING = Reading()

# ---- cleaning ------------------------------------------------------------------------------------
_LATEX_REWRITES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\\[dt]?frac\s*\{([^{}]{0,60})\}\s*\{([^{}]{0,60})\}"), r" (\1)/(\2) "),
    (re.compile(r"\\(?:times|cdot|ast)(?![A-Za-z])"), " × "),
    (re.compile(r"\\div(?![A-Za-z])"), " ÷ "),
    (re.compile(r"\\(?:pm|mp)(?![A-Za-z])"), " ± "),
    (re.compile(r"\\(?:approx|sim|simeq)(?![A-Za-z])"), " ≈ "),
    (re.compile(r"\\(?:neq|ne)(?![A-Za-z])"), " ≠ "),
    (re.compile(r"\\(?:leq|le|geq|ge|lt|gt|ll|gg)(?![A-Za-z])"), " < "),
    (re.compile(r"\\sqrt(?![A-Za-z])"), " √"),
    (re.compile(r"\\(?:ln|log|exp|lg|sin|cos|tan|lfloor|rfloor|lceil|rceil|binom|bmod|pmod|mod)(?![A-Za-z])"), " √"),
    (re.compile(r"\\(?:left|right|big|Big|bigg|Bigg|displaystyle|quad|qquad)(?![A-Za-z])|\\[,;:! ]|\\[()\[\]]"), " "),
    (re.compile(r"\\%"), "%"),
)
# Emphasis marks around a value (``*68*``, ``_68_``), not a product (``2*34``) or a subscript (``x_2``).
_EMPHASIS_RE = re.compile(r"`|(?<![\w)\]])(?:\*\*|__|[*_])(?=[\w$\\(\[.-])|(?<=[\w.!?)\]%])(?:\*\*|__|[*_])(?![\w(\[])")


def clean_statement(text: str) -> str:
    """A statement without presentation: LaTeX wrappers unwrapped (``\\boxed``, ``\\text``), LaTeX operators as
    symbols (``\\times`` -> ``×``, ``\\frac{a}{b}`` -> ``(a)/(b)``, ``\\sqrt`` and functions such as ``\\ln``
    -> ``√``), ``$``, braces, Markdown emphasis and code marks removed. Linear time."""
    s = unwrap_latex(text)
    for regex, replacement in _LATEX_REWRITES:
        s = regex.sub(replacement, s)
    s = s.replace("$", " ").replace("{", " ").replace("}", " ").replace("!=", " ≠ ")
    # Twice: a mark may stand next to another ("***68***", "**_68_**").
    return _EMPHASIS_RE.sub(" ", _EMPHASIS_RE.sub(" ", s))


# ---- the context of one number -------------------------------------------------------------------
_SCALE_WORDS = r"thousand|million|billion|trillion|hundred|dozen|grand|lakh|crore"
_AFTER_QUALIFIER_RE = re.compile(
    r"[ \t]*(?:"
    r"(?P<fraction>[/÷][ \t]*[-−]?[0-9(])"
    r"|(?P<exponent>[eE][-+]?[0-9]|\^|\*\*[ \t]*[0-9(])"
    r"|(?P<operation>[-+×*·x−][ \t]*[-−]?[0-9(√])"
    r"|(?P<factorial>![ \t]*[-+×*·/÷=0-9(])"
    r"|(?P<plusminus>±|\+[ \t]*/[ \t]*-|\+(?![ \t]*[0-9]))"
    r"|(?P<range>(?:to|through|thru|[–—])[ \t]*[-−$]?[0-9])"
    r"|(?P<hedge>or[ \t]+(?:so|more|less|fewer|higher|lower|above|below|greater|larger|smaller|thereabouts)\b)"
    rf"|(?P<scale>(?:{_SCALE_WORDS})\b)"
    r")",
    re.IGNORECASE,
)
# A percent sign or word after a value: "17 %", "17 percent", "17 per cent" (a glued "17%" is part of the number).
_PERCENT_AFTER_RE = re.compile(r"[ \t]*(?:%|per[ \t]?cent(?:age)?s?\b)", re.IGNORECASE)
_GLUED_SCALE_RE = re.compile(r"(?:k|K|M|B|bn|mn|mil)(?![A-Za-z])")
_BEFORE_WINDOW = 48
_BEFORE_QUALIFIER_RE = re.compile(
    r"(?:"
    r"(?P<root>(?:√|\bsqrt|\broot[ \t]+of|\blog|\bln|\bexp)[ \t]*[(\[]?[ \t]*(?:of[ \t]+)?)"
    r"|(?P<operand>[0-9)\]][ \t]*[-+×*·x÷/^−][ \t]*[(\[]?[ \t]*)"
    r"|(?P<bound>[<>≤≥≈~][ \t]*=?[ \t]*)"
    r"|(?P<approximate>\b(?:about|approximately|approx\.?|around|roughly|nearly|almost|circa|ca\.|over|under|above"
    r"|below|at[ \t]+least|at[ \t]+most|more[ \t]+than|less[ \t]+than|fewer[ \t]+than|greater[ \t]+than"
    r"|(?<!\badd )(?<!\badds )(?<!\badded )(?<!\bsum )(?<!\bsums )(?<!\bsummed )up[ \t]+to"
    r"|close[ \t]+to|upwards[ \t]+of|between|either)[ \t]+)"
    r")$",
    re.IGNORECASE,
)
# The upper end of a range: "from 4 to 5", "4 to 5", "between 4 and 5" (the lower end is refused by the
# "range" qualifier after it). Read on the text itself, not `context_before`, to see a whole lower end: a time of
# day ("from 2:45 to 4:05") is a span of time, not a range of answers.
_RANGE_END_RE = re.compile(
    r"(?:(?<![0-9:.,])[-−$]?[0-9]+(?:[.,][0-9]+)?[ \t]*(?:to|through|thru|[–—])"
    r"|\bbetween[ \t]+[-−$]?[0-9]+(?:[.,][0-9]+)?[ \t]+and)[ \t]*[-−$]?$",
    re.IGNORECASE,
)
# ... unless it is where a change ends: "rose from 30 to 45", "grew by 3 to 45" state 45.
_CHANGE_RE = re.compile(
    r"(?:\b(?:went|goes|go|grew|grows|rose|rises|increased|increases|decreased|decreases|fell|falls|dropped|drops"
    r"|changed|changes|jumped|jumps|climbed|climbs|moved|moves|up|down)[ \t]+from|\bby)[ \t]+$",
    re.IGNORECASE,
)
_NEGATED_RE = re.compile(
    r"(?:\bnot|n't|\bnever|\bnor|\bneither|\bno[ \t]+longer|\brather[ \t]+than|\binstead[ \t]+of|\bexcept"
    r"|\bother[ \t]+than|≠|!=)[ \t]+(?:(?:be|equal|equals|equal[ \t]+to|exactly|just|quite|simply|only|really"
    r"|actually|even|the|a|an|it|is)[ \t]+){0,3}$|(?:≠|!=)[ \t]*$",
    re.IGNORECASE,
)
_ANCHOR_RE = re.compile(
    r"(?:\b(?:is|are|was|were|be|equals?|equal[ \t]+to|has|have|had|makes?|gives?|leaves?|gets?|got|totals?"
    r"|remains?|remaining|comes?[ \t]+to|came[ \t]+to|results?[ \t]+in|sum(?:s|med)?[ \t]+(?:up[ \t]+)?to"
    r"|add(?:s|ed)?[ \t]+up[ \t]+to|total(?:s|led|ed|ling|ing)?|total[ \t]+of)|=)"
    r"[ \t]+(?:(?:now|still|only|exactly|just|therefore|thus|then|finally|left[ \t]+with|altogether)[ \t]+){0,3}$",
    re.IGNORECASE,
)
_WHOLE_RE = re.compile(
    r"(?:\b(?:out[ \t]+of|(?:of|among|amongst)[ \t]+(?:the|all|these|those|its|their)|the[ \t]+other)"
    r"|[0-9][ \t]+of)[ \t]+$",
    re.IGNORECASE,
)
_PART_RE = re.compile(r"[ \t]+of[ \t]+(?:which|whom|them|these|those)\b", re.IGNORECASE)
_ALTERNATIVE_WORD_RE = re.compile(  # "or" in English and in the other languages read (`answers`): ou, oder, o, oppure
    r"\b(?:or|either|alternatively|and/or|otherwise|maybe|perhaps|possibly|between|ou|oder|o|oppure)\b|或|还是|還是",
    re.IGNORECASE,
)
_CANNOT_RE = re.compile(
    r"\b(?:cannot|can't|can[ \t]+not|unable|not[ \t]+able|not[ \t]+sure|unclear|don't[ \t]+know|no[ \t]+image"
    r"|impossible)\b",
    re.IGNORECASE,
)
_LETTER_RE = re.compile(r"[A-Za-z]")

_REASONS = {
    "fraction": "a fraction, not one whole value",
    "exponent": "a power or scientific notation",
    "operation": "an operation left undone",
    "factorial": "a factorial",
    "plusminus": "a value with a margin",
    "range": "a range of values",
    "hedge": "an approximate value",
    "scale": "a value scaled by a word",
    "root": "a root, logarithm or other function of the value",
    "operand": "an operation left undone",
    "bound": "a bound or an approximation, not a value",
    "approximate": "an approximate or bounded value",
}


def context_before(text: str, span: NumberSpan, low: int) -> str:
    """The text before a number that its context is read from: at most _BEFORE_WINDOW characters, and not past
    `low` (the last digit of the previous number: "68 - 1" still sees "8 - " before the 1)."""
    return text[max(low, span[0] - _BEFORE_WINDOW) : span[0]]


def _qualifier(text: str, span: NumberSpan, low: int = 0, values: Values = NUMBERS) -> str | None:
    """Why the number at `span` is not a plain value (a qualifier right before or after it), or None."""
    percent = text[span[1] - 1 : span[1]] == "%" or _PERCENT_AFTER_RE.match(text, span[1])
    if values.asked is not None and not values.asked.percentage and percent:
        # One rule for every kind of answer: a percentage answers only a question that asks for one.
        return "a percentage, not a count" if values.asked.count else "a percentage, not what the question asks for"
    if values.qualifier is not None:
        own = values.qualifier(text, span, low)
        if own is not None:
            return own
    after = _AFTER_QUALIFIER_RE.match(text, span[1])
    if after:
        return _REASONS[after.lastgroup or "operation"]
    if _GLUED_SCALE_RE.match(text, span[1]):
        return _REASONS["scale"]
    before = _BEFORE_QUALIFIER_RE.search(context_before(text, span, low))
    if before:
        return _REASONS[before.lastgroup or "operation"]
    range_end = _RANGE_END_RE.search(text, max(0, span[0] - _BEFORE_WINDOW), span[0])
    if range_end and not _CHANGE_RE.search(text, max(0, range_end.start() - _BEFORE_WINDOW), range_end.start()):
        return _REASONS["range"]
    return None


def negated_before(context: str) -> bool:
    """Whether `context`, the text right before a value, negates it ("not 68", "rather than 68", "≠ 68")."""
    return bool(_NEGATED_RE.search(context))


def _negated(text: str, span: NumberSpan, low: int = 0) -> bool:
    return negated_before(context_before(text, span, low))


def _aside_number(text: str, span: NumberSpan, low: int = 0) -> bool:
    """A number that is not the value: the whole the value is part of ("7 out of 10", "5 of the 12", "among the
    14"), the rest of it ("the other 8"), or a part named in a relative clause ("12 apples, 5 of which are
    green")."""
    return bool(_WHOLE_RE.search(context_before(text, span, low)) or _PART_RE.match(text, span[1]))


# A number that only relates the givens to each other ("12 more than in the morning", "after baking 12 more",
# "up from 33", "after selling 12"), not the quantity asked for.
_RELATION_AFTER_RE = re.compile(r"[ \t]+(?:more|fewer|less|extra|additional)\b", re.IGNORECASE)
_RELATION_BEFORE_RE = re.compile(
    r"(?:\b(?:up|down|increased|decreased|rose|fell|went)[ \t]+from|\bcompared[ \t]+(?:to|with)|\bthan"
    r"|\b(?:started|starts|began|begins)[ \t]+with|\b(?:after|by|from|when|since|before)[ \t]+[A-Za-z]+ing"
    r"(?:[ \t]+(?:away|out|up|off|back|in))?)[ \t]+$",
    re.IGNORECASE,
)
_FOLLOWING_WORDS_RE = re.compile(r"(?:[ \t]+[A-Za-z][A-Za-z'\-]*){1,4}")
# Words that end the noun phrase after a value: the value is not attached to a noun beyond them.
_NOT_MODIFIERS = frozenset(
    [
        "and",
        "or",
        "of",
        "more",
        "fewer",
        "less",
        "than",
        "in",
        "on",
        "at",
        "to",
        "from",
        "with",
        "by",
        "is",
        "are",
        "was",
        "were",
        "each",
        "per",
    ]
)


_CONCLUSION_RE = re.compile(
    r"\b(?:so|now|therefore|thus|hence|which[ \t]+(?:leaves|means|gives|makes)|that[ \t]+(?:leaves|means|gives|makes)"
    r"|this[ \t]+(?:leaves|means|gives|makes)|leaving|giving|making)\b",
    re.IGNORECASE,
)
# A value said to be the whole: "45 loaves in total", "45 altogether".
_IN_TOTAL_RE = re.compile(r"(?:[ \t]+[A-Za-z][A-Za-z'\-]*){0,3}?[ \t]+(?:in[ \t]+total|altogether)\b", re.IGNORECASE)


def _last_conclusion(text: str, before: int) -> int | None:
    """Where the last conclusion word ("so", "now", "therefore", "that leaves") that ends before `before` ends, or
    None."""
    end = None
    for m in _CONCLUSION_RE.finditer(text, 0, before):
        end = m.end()
    return end


def _relation(text: str, span: NumberSpan, low: int = 0) -> bool:
    return bool(_RELATION_AFTER_RE.match(text, span[1]) or _RELATION_BEFORE_RE.search(context_before(text, span, low)))


def _names_asked(text: str, span: NumberSpan, asked: Asked, *, fully: bool = False) -> bool:
    """Whether the value at `span` is followed by the noun asked about ("45 loaves", "9 blue circles"); when the
    question names modifiers ("red circles"), only they may stand between ("9 blue circles" is not red). With
    `fully`, all of them must ("4 blue objects", not "14 objects", answers "How many blue objects")."""
    if not asked.nouns:
        return False
    m = _FOLLOWING_WORDS_RE.match(text, span[1])
    seen: set[str] = set()
    for word in m.group().lower().split() if m else ():
        if word in asked.nouns:
            return not fully or seen >= asked.modifiers
        if word in _NOT_MODIFIERS or (asked.modifiers and word not in asked.modifiers):
            return False
        seen.add(word)
    return False


def asked_values(text: str, values: Values, stated_from: int | None = None) -> set[str]:
    """The values `text` states ("has", "are", "=", ...; or, from `stated_from` on, the first value at most two
    words after it: the end of a phrase such as "I count") attached to the quantity the question asks for,
    modifiers and all ("there are 9 yellow stars" for "How many yellow stars", not "gave away 9 yellow
    stars"). Empty without an asked noun."""
    asked = values.asked
    if asked is None or not asked.nouns:
        return set()
    spans = values.find(text, spaced=True)
    lows = [0] + [span[1] - 1 for span in spans[:-1]]
    return {
        span[2]
        for span, low in zip(spans, lows, strict=True)
        if _names_asked(text, span, asked, fully=True)
        and (
            _anchored(text, span, low, values)
            or (stated_from is not None and span[0] >= stated_from and len(text[stated_from : span[0]].split()) <= 2)
        )
    }


def _anchored(text: str, span: NumberSpan, low: int = 0, values: Values = NUMBERS) -> bool:
    if values.anchor is not None and values.anchor(text, span, low):
        return True
    return bool(_ANCHOR_RE.search(context_before(text, span, low)))


# ---- the parts of a statement --------------------------------------------------------------------
_SENTENCE_END_RE = re.compile(r"[.!?](?=[ \t]+[A-Z\"'(]|[ \t]*\n)|\n")
# A justification after the value ("68, because 49 + 19 = 68"): the keyword is searched alone and the cut made
# before the spaces and punctuation leading to it, so that no pattern starts on a run of spaces.
_JUSTIFICATION_RE = re.compile(
    r"(?<![A-Za-z])(?<!of )(?:(?:because|since|as|given|from|using|via|where|so[ \t]+that|this[ \t]+is"
    r"|which(?![ \t]+(?:sum|sums|summed|add|adds|added|total|totals|totalled|totaled|makes?|made|comes?|came"
    r"|gives?|gave|leaves?|left)\b)"
    r"|that[ \t]+is|by[ \t]+(?:adding|subtracting|multiplying|dividing|counting|computing|summing))\b"
    r"|i\.[ \t]?e\.|e\.[ \t]?g\.)",  # no word boundary after the abbreviations' last dot: a space follows it
    re.IGNORECASE,
)
_JUSTIFICATION_LEAD = " \t,;\u2014\u2013-"
# After a comma, a phrase saying how the value came about or looks ("9, in 3 rows of 3", "45, up from 33").
_COMMA_JUSTIFICATION_RE = re.compile(
    r",[ \t]*(?:in|with|after|arranged|across|spread|split|grouped|laid|made|including|counting|up|down"
    r"|compared|one|each|all|both)\b",
    re.IGNORECASE,
)
_APPROXIMATE_ASIDE_RE = re.compile(
    r"\b(?:approx\w*|about|around|roughly|rounded|estimated?|maybe|perhaps|possibly)\b", re.IGNORECASE
)
_HEDGED_SENTENCE_RE = re.compile(r"^\W*(?:or|maybe|perhaps|possibly|alternatively|otherwise|either)\b", re.IGNORECASE)
_LABEL_RE = re.compile(r"[ \t]*(?:[A-Za-z][A-Za-z ]{0,30}:[ \t]*)?")
_NOT_A_UNIT = rf"(?:{_SCALE_WORDS}|or|and|to|not|plus|minus|times|over|more|less|fewer|squared|cubed)\b"
_UNIT_TAIL_RE = re.compile(
    rf"[ \t]*%?(?:[ \t]+(?!{_NOT_A_UNIT})[A-Za-z][A-Za-z'\-]*\b){{0,3}}[ \t]*[.!,;]?[ \t]*", re.IGNORECASE
)
_MAX_TAIL = 120
_ZERO_RE = re.compile(
    r"[ \t]*(?:(?:there[ \t]+(?:are|is|were|was)|I[ \t]+(?:see|count|counted|found|find|can[ \t]+see))[ \t]+)?"
    r"(?:none|nothing|nil|no(?:[ \t]+(?!(?:answer|solution|idea|clue|way|image|picture|information|data|such"
    r"|clear|definitive|valid|number|numeric|numerical|one[ \t]+knows)\b)[A-Za-z][A-Za-z\-]*){1,4})\b",
    re.IGNORECASE,
)


def zero_statement(text: str) -> bool:
    """Whether a statement opens by saying there are none: "none", "nothing", "no red circles", "there are
    no ...", "I see no ..." (but not "no answer", "no idea")."""
    return _ZERO_RE.match(clean_statement(text)) is not None


def _first_sentence(text: str) -> tuple[str, str]:
    m = _SENTENCE_END_RE.search(text)
    return (text, "") if m is None else (text[: m.end()], text[m.end() :])


def _asides(text: str) -> tuple[str, list[tuple[str, bool]]]:
    """The text without bracketed asides that follow a word or a value (``68 (49 + 19)``, ``68 [3 large]``),
    and the asides, each with whether it follows a value (``68 (70)``) rather than a word (``the highest (10)``).
    A group after an operator (``2 × (30 + 4)``) or opening the text is kept. Linear time."""
    out: list[str] = []
    asides: list[tuple[str, bool]] = []
    after_value = False
    depth, start, last = 0, 0, 0
    previous = ""  # the last non-space character outside asides
    for index, char in enumerate(text):
        if depth == 0 and char in "([" and (previous.isalnum() or previous in ("%", ".", ",")) and previous:
            out.append(text[last:index])
            start, depth, after_value = index, 1, not previous.isalpha()
        elif depth and char in "([":
            depth += 1
        elif depth and char in ")]":
            depth -= 1
            if depth == 0:
                asides.append((text[start + 1 : index], after_value))
                last = index + 1
        elif depth == 0 and not char.isspace():
            previous = char
    if depth:  # an aside never closed is not an aside
        out.append(text[start:])
    else:
        out.append(text[last:])
    return "".join(out), asides


def _single(part: str, values: Values = NUMBERS) -> NumberSpan | None:
    """The one value of a part that is nothing but that value, with an optional label (``Total:``), unit
    words (``apples``), ``%`` and final punctuation; else None."""
    spans = values.find(part, spaced=True)
    if len(spans) != 1:
        return None
    start, end, _ = spans[0]
    if not _LABEL_RE.fullmatch(part, 0, start) or len(part) - end > _MAX_TAIL:
        return None
    if not _UNIT_TAIL_RE.fullmatch(part, end) or _qualifier(part, spans[0], values=values):
        return None
    return spans[0]


Choice = Literal["stated", "first", "last"]
"""Which number of a sentence is its value: "stated" (an answer line: the last one after a verb such as "is",
"has", "=", and no choice when several stand without one), "first" (after an answer phrase: the value right
after "the answer is"), "last" (the last number of a response)."""


def _sentence_value(text: str, choose: Choice, values: Values = NUMBERS) -> Reading:
    """The value a sentence states, among its numbers that are not negated ("not 70") nor the whole the value is
    part of ("out of 10"), chosen by `choose`; refused when the sentence offers alternatives or the chosen value
    is qualified (`_qualifier`). Read against a question (`values.asked`), several values are first narrowed:
    relations to the givens set aside ("12 more"), the numbers after the last conclusion word ("so", "that
    leaves"), then one value said to be the total or attached to the noun asked about ("45 loaves")."""
    spans = values.find(text, spaced=True, skip_pronoun_one=True)
    if not spans:
        if values.none_is_zero and _ZERO_RE.match(text):
            return Reading(reason="it says it cannot answer") if _CANNOT_RE.search(text) else Reading(value="0")
        return NOTHING
    lows = [0] + [span[1] - 1 for span in spans[:-1]]  # each number's context stops at the previous number
    kept = [(span, low) for span, low in zip(spans, lows, strict=True) if not _negated(text, span, low)]
    if not kept:
        return Reading(reason="the value is negated")
    kept = [(span, low) for span, low in kept if not _aside_number(text, span, low)] or kept
    stated = {span[2] for span, _ in kept}
    if len(stated) > 1 and _ALTERNATIVE_WORD_RE.search(text):
        return Reading(reason="it offers alternative values")
    asked = values.asked
    if asked is not None and len(stated) > 1:
        # Read against the question: numbers that only relate the givens are set aside, and one value attached
        # to the noun asked about ("45 loaves") is the answer.
        if not asked.comparison:
            kept = [(span, low) for span, low in kept if not _relation(text, span, low)] or kept
        # The conclusion comes after "so", "now", "therefore", "that leaves": the numbers before it are the givens.
        conclusion = _last_conclusion(text, kept[-1][0][0])
        if conclusion is not None:
            kept = [(span, low) for span, low in kept if span[0] >= conclusion]
        in_total = [(span, low) for span, low in kept if _IN_TOTAL_RE.match(text, span[1])]
        fully = [(span, low) for span, low in kept if _names_asked(text, span, asked, fully=True)]
        attached = [(span, low) for span, low in kept if _names_asked(text, span, asked)]
        for narrowed in (in_total, fully, attached):
            if len({span[2] for span, _ in narrowed}) == 1:
                kept = narrowed
                break
        stated = {span[2] for span, _ in kept}
    if choose == "first":
        chosen = kept[0]
    elif choose == "last":
        chosen = kept[-1]
    else:
        anchored = [(span, low) for span, low in kept if _anchored(text, span, low, values)]
        if not anchored and len(stated) > 1:
            qualified = next((reason for span, low in kept if (reason := _qualifier(text, span, low, values))), None)
            return Reading(reason=qualified or "it states several values")
        chosen = (anchored or kept)[-1]
    reason = _qualifier(text, *chosen, values)
    return Reading(reason=reason) if reason else Reading(value=chosen[0][2])


def _equation_value(parts: list[str], values: Values = NUMBERS) -> Reading:
    """``3 + 4 = 7``: the value of the last part, else of the first (``68 = 49 + 19``); all parts that are a
    single value must agree."""
    singles = [span[2] if (span := _single(part, values)) else None for part in parts]
    if singles[-1] is not None:
        value = singles[-1]
    elif singles[0] is not None:
        value = singles[0]
    else:
        return _sentence_value(parts[-1], "stated", values)
    if any(other is not None and other != value for other in singles):
        return Reading(reason="it states two different values")
    return Reading(value=value)


# After a value (and up to three unit words: "7 stars, ..."), its breakdown: ", 4 large and 1 small", ": 4 + 10 +
# 2" (a lead, then parts that add up to it).
_BREAKDOWN_LEAD_RE = re.compile(r"(?:[ \t]+[A-Za-z]{1,20}){0,3}[ \t]*[,:\u2014\u2013][ \t]*")
_BREAKDOWN_PART_RE = re.compile(r"[ \t]+[A-Za-z]")
_NOT_ADDITIVE_RE = re.compile(r"[-−×*/÷=^%]|\b(?:or|minus|times|not|but)\b", re.IGNORECASE)


def _breakdown(text: str, spans: list[NumberSpan], values: Values) -> re.Match[str] | None:
    """Where the breakdown of the first value begins: after it, a comma, colon or dash, then at least two parts
    that add up to it, each a number followed by a word ("5, 4 large and 1 small") or joined by "+" ("37: 4 + 10 +
    23"). A list of bare values ("3, 1, 2") or parts that do not add up ("5, 4 large and 2 small") is no
    breakdown. None otherwise."""
    lead = _BREAKDOWN_LEAD_RE.match(text, spans[0][1])
    parts = spans[1:]
    if lead is None or len(parts) < 2 or _NOT_ADDITIVE_RE.search(text, lead.end()):
        return None
    if "+" not in text[lead.end() :] and not all(_BREAKDOWN_PART_RE.match(text, part[1]) for part in parts):
        return None
    try:
        whole, total = Decimal(spans[0][2]), sum(Decimal(part[2]) for part in parts)
    except InvalidOperation:  # a kind of value that is not a number (a time of day) has no breakdown
        return None
    return lead if whole == total else None


def read_statement(raw: str, choose: Choice = "stated", values: Values = NUMBERS) -> Reading:
    """The one value a statement states (see the module docstring), read the way a careful grader reads it.

    Reading stops at a retraction cue that follows a value ("68, wait, 70": what follows is for the caller);
    only the first sentence counts, but a later one offering another value ("68. Or maybe 70.") makes the
    statement ambiguous; bracketed working (``68 (49 + 19)``) and a justification (``68, because ...``) are set
    aside; in an equation the value of the last side counts (``3 + 4 = 7``). `values` says what kind of value
    is read (numbers by default).
    """
    consumed = len(raw)
    numbers = values.find(raw)
    if numbers:
        cue = next((cue for cue in retraction_cues(raw, numbers[0][1])), None)
        consumed = cue.start if cue else consumed
    text = clean_statement(raw[:consumed])
    first, rest = _first_sentence(text.strip())
    if values.find(rest) and any(_HEDGED_SENTENCE_RE.match(s) for s in _SENTENCE_END_RE.split(rest)):
        return Reading(reason="a later sentence offers another value", consumed=consumed)
    first, asides = _asides(first)
    spans = values.find(first)
    if spans:
        justification = _JUSTIFICATION_RE.search(first, spans[0][1])
        if justification and first[justification.start() - 1] not in _JUSTIFICATION_LEAD:
            justification = None
        after_comma = _COMMA_JUSTIFICATION_RE.search(first, spans[0][1])
        breakdown = _breakdown(first, spans, values)
        cut = min((m.start() for m in (justification, after_comma, breakdown) if m is not None), default=None)
        if cut is not None:
            first = first[:cut].rstrip(_JUSTIFICATION_LEAD)
    if "≈" in first:
        return Reading(reason="an approximate value", consumed=consumed)
    parts = first.split("=")
    if len(parts) > 1:
        reading = _equation_value(parts, values)
    else:
        single = _single(first, values)
        reading = Reading(value=single[2]) if single else _sentence_value(first, choose, values)
    if reading.value == "0" and not values.find(first) and any(_CANNOT_RE.search(aside) for aside, _ in asides):
        return Reading(reason="it says it cannot answer", consumed=consumed)
    if reading.value is not None:
        for aside, after_value in asides:
            other = _single(aside, values)
            # A value in brackets after the value is another answer ("68 (70)"); after a word it describes that
            # word ("8, the highest (10) minus the lowest (2)").
            if other is not None and other[2] != reading.value and (after_value or values.asked is None):
                return Reading(reason="it gives another value in brackets", consumed=consumed)
            if _APPROXIMATE_ASIDE_RE.search(aside) or (values.find(aside) and _ALTERNATIVE_WORD_RE.search(aside)):
                return Reading(reason="an aside offers another or an approximate value", consumed=consumed)
    return Reading(reading.value, reading.reason, consumed)

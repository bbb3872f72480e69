"""What a question asks for, read as a grader reads it: the quantity an answer's value must be attached to.

"How many loaves does the baker have now?" asks for a number of loaves: in "The baker now has 45 loaves after
baking 12 more", 45 is the answer and 12 only describes the givens. "How many red circles are there?" asks for a
count. A value with a percent sign answers only a question that asks for a percentage ("What percentage of ...?").
A question whose quantity is not read here (a total, a time) leaves the answer to the verbs that state it ("add up
to", "is", "="); see docs/scoring.md.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Asked", "asked_quantity"]


@dataclass(frozen=True)
class Asked:
    """The quantity a question asks for: `nouns`, the forms of its head noun an answer's value may be followed
    by ("loaves", "loaf"), with `modifiers` that may stand between them ("red", "blue"); `count` when the
    question asks how many; `percentage` when it asks for a percentage (only then does a value with a percent
    sign answer it, whatever the kind of answer); `comparison` when it asks for a
    difference ("How many more ...", "What is the difference ..."): then "12 more than ..." may be the answer,
    and "no difference" says 0. Otherwise a number that only relates the givens ("12 more", "up from 33") is
    not the answer when the sentence states another."""

    nouns: frozenset[str] = frozenset()
    modifiers: frozenset[str] = frozenset()
    count: bool = False
    comparison: bool = False
    percentage: bool = False


# The noun phrase after "how many" / "the number of", up to the verb or the question mark. Bounded runs of
# letters and single spaces: linear time.
_HOW_MANY_RE = re.compile(
    r"\bhow[ \t]+many[ \t]+(?P<np>[A-Za-z][A-Za-z'\-]*(?:[ \t][A-Za-z][A-Za-z'\-]*){0,5})", re.IGNORECASE
)
_NUMBER_OF_RE = re.compile(
    r"\b(?:what|which)[ \t]+is[ \t]+the[ \t]+(?:total[ \t]+)?number[ \t]+of[ \t]+"
    r"(?P<np>[A-Za-z][A-Za-z'\-]*(?:[ \t][A-Za-z][A-Za-z'\-]*){0,5})",
    re.IGNORECASE,
)
# Where a noun phrase ends: the verb of the question, or a preposition or clause after the noun.
_NP_STOP = frozenset(
    [
        "are",
        "is",
        "were",
        "was",
        "do",
        "does",
        "did",
        "will",
        "would",
        "can",
        "could",
        "should",
        "have",
        "has",
        "had",
        "remain",
        "remains",
        "remained",
        "left",
        "in",
        "on",
        "at",
        "with",
        "from",
        "of",
        "to",
        "for",
        "that",
        "which",
        "who",
        "there",
        "than",
        "altogether",
        "total",
        "ago",
        "now",
        "until",
        "till",
        "before",
        "after",
        "later",
        "earlier",
    ]
)
_COMPARISON = frozenset({"more", "fewer", "less", "extra"})
_COMPARISON_RE = re.compile(
    r"\bhow[ \t]+(?:many|much)[ \t]+(?:more|fewer|less)\b|\bdifference\b|\bhow[ \t]+(?:far|much)[ \t]+apart\b",
    re.IGNORECASE,
)
# A question asking for a percentage: "What percentage of ...?", "By what percent ...?", "Find the percentage ...",
# "how many percent", "as a percentage", "in %". Not one that only states one ("with a 25% discount, how much ...?").
_PERCENTAGE_RE = re.compile(
    r"\b(?:what|which|what['’]s|find|calculate|compute|determine)[ \t]+(?:(?:is|was|are|were)[ \t]+)?"
    r"(?:the[ \t]+)?(?:percent(?:age)?\b|%)"
    r"|\bhow[ \t]+(?:many|much)[ \t]+percent|\b(?:as|in)[ \t]+(?:a[ \t]+)?(?:percent(?:age)?s?\b|%)",
    re.IGNORECASE,
)


def _singular(noun: str) -> set[str]:
    """The noun and the forms of it an answer may use ("loaves" / "loaf", "boxes" / "box", "stars" / "star")."""
    forms = {noun}
    if noun.endswith("ves") and len(noun) > 4:
        forms.update({noun[:-3] + "f", noun[:-3] + "fe"})
    if noun.endswith("ies") and len(noun) > 4:
        forms.add(noun[:-3] + "y")
    if noun.endswith(("ches", "shes", "xes", "sses", "zes", "oes")):
        forms.add(noun[:-2])
    if noun.endswith("s") and not noun.endswith("ss"):
        forms.add(noun[:-1])
    return forms


def asked_quantity(question: str | None) -> Asked | None:
    """What `question` asks for: "How many red circles are there?" -> nouns circles/circle, modifiers red, a
    count; "What is the difference between ...?" -> a comparison; "What is the total value of ...?" -> no
    noun (the answer verbs state it). None without a question."""
    if not question:
        return None
    comparison = _COMPARISON_RE.search(question) is not None
    percentage = _PERCENTAGE_RE.search(question) is not None
    m = _HOW_MANY_RE.search(question) or _NUMBER_OF_RE.search(question)
    if m is None:
        return Asked(comparison=comparison, percentage=percentage)
    words: list[str] = []
    for word in m.group("np").lower().split():
        if word in _NP_STOP:
            break
        words.append(word)
    if words and words[0] in _COMPARISON:
        words = words[1:]
    if not words:
        return Asked(count=True, comparison=comparison, percentage=percentage)
    # "How many percent ...?" asks for a percentage, not a count.
    count = words[-1] not in ("percent", "percentage", "percentages", "per")
    return Asked(
        frozenset(_singular(words[-1])),
        frozenset(words[:-1]),
        count=count,
        comparison=comparison,
        percentage=percentage or not count,
    )

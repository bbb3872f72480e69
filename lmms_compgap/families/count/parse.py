"""Reading a free-text object list (a model's visual step) as a multiset of (colour, shape)."""

from __future__ import annotations

import re
from collections import Counter

from lmms_compgap import scoring
from lmms_compgap.families.count.objects import COLOURS, SHAPES

_COLOUR_WORDS: dict[str, str] = {name: name for name in COLOURS} | {"violet": "purple"}
_SHAPE_WORDS: dict[str, str] = {}
for _shape, _plural_form in SHAPES.items():
    _SHAPE_WORDS[_shape] = _shape
    _SHAPE_WORDS[_plural_form] = _shape
_SHAPE_WORDS.update(
    {
        "disc": "circle",
        "discs": "circle",
        "disk": "circle",
        "disks": "circle",
        "rhombus": "diamond",
        "rhombuses": "diamond",
        "rhombi": "diamond",
        "plus": "cross",
        "pluses": "cross",
        "plusses": "cross",
    }
)
#: Count words besides the number words `scoring.words_to_int` reads.
_COUNT_WORDS: dict[str, int] = {"no": 0, "zero": 0, "a": 1, "an": 1, "single": 1}
_NUMBER_WORDS: tuple[str, ...] = (
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
    "twenty",
)
_MODIFIERS = r"(?:small|large|big|tiny|little|medium|dark|light|bright|pale|solid|filled)"
_WORD_COUNT = "|".join(sorted([*_NUMBER_WORDS, *_COUNT_WORDS], key=len, reverse=True))
_MENTION = re.compile(
    rf"(?:\b(?P<before>\d+|{_WORD_COUNT})\s*(?:x|×)?\s+)?"  # "3 red circles", "3x red circle", "three red circles"
    rf"(?:{_MODIFIERS}[\s,-]+)*"
    rf"\b(?P<colour>{'|'.join(_COLOUR_WORDS)})\b[\s-]+"
    rf"(?:{_MODIFIERS}[\s,-]+)*"
    rf"(?P<shape>{'|'.join(sorted(_SHAPE_WORDS, key=len, reverse=True))})\b"
    r"(?:\s*(?:[x×*]\s*(?P<times>\d+)\b|\(\s*(?:x\s*)?(?P<paren>\d+)\s*\)|[:=]\s*(?P<colon>\d+)\b))?",
    re.IGNORECASE,
)
#: A count above this in one mention is treated as noise (no scene has more objects).
MAX_MENTION_COUNT = 100


def parse_objects(text: str) -> Counter[tuple[str, str]]:
    """The multiset of (colour, shape) a free-text object list names.

    Every mention of a known colour followed by a known shape counts, wherever it is ("red circle",
    "- Red circle.", "2. red circle", "**red circle**", "There are 3 red circles"), so bullets,
    numbering, markdown and chatter do not matter, and lines naming no coloured shape are ignored.
    A mention counts once unless it carries a count: before it ("3 red circles", "three red circles",
    "3x red circle", "no red circles" = 0) or after it ("red circle x3", "red circle (3)",
    "red circles: 3"). Plurals, "violet" (purple), "disc" (circle), "rhombus" (diamond) and "plus"
    (cross) are accepted, as are size and shade words between count, colour and shape ("2 large red
    circles", "dark blue square"). Case does not matter.
    """
    found: Counter[tuple[str, str]] = Counter()
    # One space for each run of horizontal whitespace (and NFKC, digits of every script): the mention pattern
    # has adjacent optional spaces, which would make a long run of spaces quadratic to scan.
    for line in scoring.prepare_for_reading(text).splitlines():
        for mention in _MENTION.finditer(line):
            count = _mention_count(mention)
            if count:
                key = (_COLOUR_WORDS[mention.group("colour").lower()], _SHAPE_WORDS[mention.group("shape").lower()])
                found[key] += count
    return found


def _mention_count(mention: re.Match[str]) -> int:
    after = mention.group("times") or mention.group("paren") or mention.group("colon")
    before = mention.group("before")
    if after is not None:
        count = int(after) if len(after) <= 6 else MAX_MENTION_COUNT
    elif before is None:
        count = 1
    elif before.isdigit():
        count = int(before) if len(before) <= 6 else MAX_MENTION_COUNT
    else:
        word = before.lower()
        count = _COUNT_WORDS[word] if word in _COUNT_WORDS else scoring.words_to_int(word) or 0
    return min(count, MAX_MENTION_COUNT)

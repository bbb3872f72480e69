"""Object counting: list the objects in a drawn scene (detection), then count the ones asked about.

Each image is a scene of 1 to 20 flat, upright shapes of named colours and two sizes, drawn apart
from one another on a light background. The question asks how many objects of a category there
are (a colour and a shape, a shape, or a colour). The intermediate (the visual skill's output) is
the list of every object, one per line as ``<colour> <shape>``, in reading order.
"""

from __future__ import annotations

import json
import math
import random
import re
from collections import Counter
from typing import Any, ClassVar

from PIL import Image, ImageDraw

from lmms_compgap import scoring
from lmms_compgap.core.family import IntermediateScore, Item, TaskFamily

#: Colour name -> RGB fill. Saturated, far apart, and far from every background.
COLOURS: dict[str, tuple[int, int, int]] = {
    "red": (220, 30, 35),
    "orange": (245, 130, 15),
    "yellow": (240, 200, 0),
    "green": (30, 150, 55),
    "blue": (35, 85, 220),
    "purple": (135, 50, 185),
    "black": (25, 25, 25),
}
#: Shape name -> plural.
SHAPES: dict[str, str] = {
    "circle": "circles",
    "square": "squares",
    "triangle": "triangles",
    "star": "stars",
    "hexagon": "hexagons",
    "diamond": "diamonds",
    "heart": "hearts",
    "cross": "crosses",
}
#: Object sizes: a large object's bounding radius is LARGE_RATIO times a small one's.
SIZES: tuple[str, ...] = ("small", "large")
LARGE_RATIO = 1.7
LARGE_SHARE = 0.45
#: Light backgrounds (plain, or a vertical gradient between two of them).
BACKGROUNDS: tuple[tuple[int, int, int], ...] = (
    (255, 255, 255),
    (248, 246, 240),
    (238, 238, 238),
    (230, 236, 244),
    (244, 239, 228),
    (235, 243, 236),
    (242, 236, 242),
)
CANVAS_SIDES: tuple[int, ...] = (448, 512, 576, 640)
MAX_OBJECTS = 20
#: Question kinds and their shares of the items.
KINDS: tuple[tuple[str, float], ...] = (("colour+shape", 0.5), ("shape", 0.25), ("colour", 0.25))
ZERO_SHARE = 0.04
#: Share of items (with a non-zero answer) whose scene holds only objects of the asked category.
NO_DISTRACTOR_SHARE = 0.06
MAX_DISTRACTORS = 12
QUESTION_TEMPLATES: tuple[str, ...] = ("How many {target} are there?", "What is the number of {target}?")
#: Supersampling factor: shapes are drawn this much larger, then downsampled (anti-aliasing).
SUPERSAMPLE = 2


# ---- shapes, as unit polygons inside the unit bounding circle -------------------------------------
def _regular(n: int, radius: float, phase: float) -> list[tuple[float, float]]:
    return [
        (radius * math.cos(phase + 2 * math.pi * k / n), radius * math.sin(phase + 2 * math.pi * k / n))
        for k in range(n)
    ]


def _star(outer: float, inner: float) -> list[tuple[float, float]]:
    points = []
    for k in range(10):
        radius = outer if k % 2 == 0 else inner
        angle = -math.pi / 2 + math.pi * k / 5
        points.append((radius * math.cos(angle), radius * math.sin(angle)))
    return points


def _heart(samples: int = 72) -> list[tuple[float, float]]:
    raw = []
    for k in range(samples):
        t = 2 * math.pi * k / samples
        raw.append(
            (16 * math.sin(t) ** 3, -(13 * math.cos(t) - 5 * math.cos(2 * t) - 2 * math.cos(3 * t) - math.cos(4 * t)))
        )
    xs, ys = [p[0] for p in raw], [p[1] for p in raw]
    cx, cy = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
    reach = max(math.hypot(x - cx, y - cy) for x, y in raw)
    return [(0.95 * (x - cx) / reach, 0.95 * (y - cy) / reach) for x, y in raw]


def _cross(half_length: float, half_width: float) -> list[tuple[float, float]]:
    a, b = half_length, half_width
    return [(-b, -a), (b, -a), (b, -b), (a, -b), (a, b), (b, b), (b, a), (-b, a), (-b, b), (-a, b), (-a, -b), (-b, -b)]


#: Every polygon fits in the unit circle, so a bounding circle of radius r contains the shape.
_POLYGONS: dict[str, list[tuple[float, float]]] = {
    "square": [(-0.68, -0.68), (0.68, -0.68), (0.68, 0.68), (-0.68, 0.68)],
    "triangle": [(0.0, -0.95), (0.95 * math.sin(math.pi / 3), 0.475), (-0.95 * math.sin(math.pi / 3), 0.475)],
    "star": _star(0.97, 0.42),
    "hexagon": _regular(6, 0.9, 0.0),
    "diamond": [(0.0, -0.96), (0.66, 0.0), (0.0, 0.96), (-0.66, 0.0)],
    "heart": _heart(),
    "cross": _cross(0.88, 0.3),
}
_CIRCLE_RADIUS = 0.86


# ---- generation -----------------------------------------------------------------------------------
def counting_steps(target: str, matching: list[str]) -> tuple[str, ...]:
    """The worked count: each object of the asked category, numbered in reading order, then the total."""
    if not matching:
        return (f"Counting the {target}: there are none.",)
    tally = ", ".join(f"{name} ({number})" for number, name in enumerate(matching, start=1))
    return (f"Counting the {target}: {tally}.", f"That makes {len(matching)}.")


def _plural(colour: str | None, shape: str | None) -> str:
    if shape is None:
        return f"{colour} objects"
    return f"{colour} {SHAPES[shape]}" if colour else SHAPES[shape]


def _matches(colour: str, shape: str, target_colour: str | None, target_shape: str | None) -> bool:
    return (target_colour is None or colour == target_colour) and (target_shape is None or shape == target_shape)


def _place(
    rng: random.Random, radii: list[float], width: int, height: int, gap: float
) -> list[tuple[float, float]] | None:
    """Centres for circles of `radii`, inside the canvas and `gap` apart (rejection sampling)."""
    placed: list[tuple[float, float, float]] = []  # centre and radius + gap
    for radius in radii:
        low_x, high_x = radius + gap, width - radius - gap
        low_y, high_y = radius + gap, height - radius - gap
        for _ in range(200):
            x, y = rng.uniform(low_x, high_x), rng.uniform(low_y, high_y)
            for px, py, reach in placed:
                if (x - px) ** 2 + (y - py) ** 2 < (radius + reach) ** 2:
                    break
            else:
                placed.append((x, y, radius + gap))
                break
        else:
            return None
    return [(x, y) for x, y, _reach in placed]


class Count(TaskFamily):
    """Count objects of a category (colour and shape, shape, or colour) in a scene of drawn shapes."""

    name: ClassVar[str] = "count"
    data_version: ClassVar[int] = 1
    intermediate_metric: ClassVar[str] = "f1"

    def _answer(self, rng: random.Random) -> int:
        if rng.random() < ZERO_SHARE:
            return 0
        return rng.randint(1, 10) if rng.random() < 0.8 else rng.randint(11, MAX_OBJECTS)

    def generate_item(self, rng: random.Random) -> Item:
        roll, kind = rng.random(), KINDS[-1][0]
        for name, share in KINDS:
            if roll < share:
                kind = name
                break
            roll -= share
        colours, shapes = list(COLOURS), list(SHAPES)
        target_colour = rng.choice(colours) if kind != "shape" else None
        target_shape = rng.choice(shapes) if kind != "colour" else None
        answer = self._answer(rng)
        if answer == MAX_OBJECTS or (answer and rng.random() < NO_DISTRACTOR_SHARE):
            distractors = 0
        else:
            distractors = rng.randint(1, min(MAX_OBJECTS - answer, MAX_DISTRACTORS))

        kinds: list[tuple[str, str]] = []
        for _ in range(answer):
            kinds.append((target_colour or rng.choice(colours), target_shape or rng.choice(shapes)))
        near = 0
        for _ in range(distractors):
            while True:
                if kind == "colour+shape" and rng.random() < 0.5:
                    # A near distractor: the asked colour or the asked shape, not both.
                    if rng.random() < 0.5:
                        colour, shape = target_colour, rng.choice(shapes)
                    else:
                        colour, shape = rng.choice(colours), target_shape
                else:
                    colour, shape = rng.choice(colours), rng.choice(shapes)
                if not _matches(colour, shape, target_colour, target_shape):
                    break
            near += kind == "colour+shape" and (colour == target_colour or shape == target_shape)
            kinds.append((colour, shape))
        rng.shuffle(kinds)

        side = rng.choice(CANVAS_SIDES)
        width, height = side, rng.choice([s for s in CANVAS_SIDES if abs(s - side) <= 64])
        small = min(width, height) * rng.uniform(0.042, 0.05)
        sizes = [SIZES[1] if rng.random() < LARGE_SHARE else SIZES[0] for _ in kinds]
        radii = [small * LARGE_RATIO if size == SIZES[1] else small for size in sizes]
        # Place large objects first: random sequential placement packs better that way.
        order = sorted(range(len(kinds)), key=lambda i: -radii[i])
        while (centres := _place(rng, [radii[i] for i in order], width, height, gap=0.5 * small)) is None:
            pass
        objects = []
        for slot, i in enumerate(order):
            x, y = centres[slot]
            objects.append([kinds[i][0], kinds[i][1], sizes[i], round(x), round(y), round(radii[i], 1)])
        objects.sort(key=lambda o: (o[4], o[3]))  # reading order: top to bottom, then left to right

        if rng.random() < 0.5:
            background: dict[str, Any] = {"top": list(rng.choice(BACKGROUNDS))}
            background["bottom"] = background["top"]
        else:
            top, bottom = rng.sample(BACKGROUNDS, 2)
            background = {"top": list(top), "bottom": list(bottom)}
        spec = {"width": width, "height": height, "background": background, "objects": objects}

        target = _plural(target_colour, target_shape)
        question = rng.choice(QUESTION_TEMPLATES).format(target=target)
        intermediate = "\n".join(f"{o[0]} {o[1]}" for o in objects)
        attributes = {
            "kind": kind,
            "colour": target_colour,
            "shape": target_shape,
            "answer": answer,
            "objects": len(objects),
            "distractors": distractors,
            "near_distractors": near,
            "object_kinds": len(set(kinds)),
            "large": sizes.count(SIZES[1]),
            "width": width,
            "height": height,
            "gradient": background["top"] != background["bottom"],
        }
        matching = [f"{o[0]} {o[1]}" for o in objects if _matches(o[0], o[1], target_colour, target_shape)]
        return Item(
            question=question,
            answer=str(answer),
            intermediate=intermediate,
            attributes=attributes,
            spec=spec,
            solution=counting_steps(target, matching),
        )

    # ---- drawing --------------------------------------------------------------------------------
    def draw(self, spec: dict[str, Any]) -> Image.Image:
        scale = SUPERSAMPLE
        width, height = spec["width"], spec["height"]
        top, bottom = tuple(spec["background"]["top"]), tuple(spec["background"]["bottom"])
        canvas = Image.new("RGB", (width * scale, height * scale), top)
        if top != bottom:
            mask = Image.linear_gradient("L").resize(canvas.size, Image.Resampling.BILINEAR)
            canvas = Image.composite(Image.new("RGB", canvas.size, bottom), canvas, mask)
        pen = ImageDraw.Draw(canvas)
        for colour, shape, _size, x, y, radius in spec["objects"]:
            fill = COLOURS[colour]
            cx, cy, r = x * scale, y * scale, radius * scale
            if shape == "circle":
                reach = _CIRCLE_RADIUS * r
                pen.ellipse((cx - reach, cy - reach, cx + reach, cy + reach), fill=fill)
            else:
                pen.polygon([(cx + px * r, cy + py * r) for px, py in _POLYGONS[shape]], fill=fill)
        return canvas.reduce(scale)

    # ---- scoring --------------------------------------------------------------------------------
    def score_intermediate(self, response: str, row: dict[str, Any]) -> IntermediateScore:
        """Multiset F1 of the listed (colour, shape) objects against the gold list (see `parse_objects`).

        `exact`: the same multiset; `usable`: counting the listed objects of the asked category gives the
        answer (what the cascade's step 2 needs), whatever else the list gets wrong.
        """
        gold = parse_objects(row["intermediate"])
        predicted = parse_objects(scoring.strip_thinking(response))
        overlap = scoring.multiset_f1(_elements(predicted), _elements(gold))
        attributes = _row_attributes(row)
        colour, shape = attributes.get("colour"), attributes.get("shape")
        counted = sum(n for (c, s), n in predicted.items() if _matches(c, s, colour, shape))
        usable = int(counted == int(row["answer"]))
        details = {
            "f1": overlap["f1"],
            "precision": overlap["precision"],
            "recall": overlap["recall"],
            "listed": sum(predicted.values()),
            "gold_objects": sum(gold.values()),
            "counted": counted,
        }
        return IntermediateScore(exact=int(overlap["exact"]), score=overlap["f1"], usable=usable, details=details)


def _elements(objects: Counter[tuple[str, str]]) -> list[str]:
    return [f"{colour} {shape}" for (colour, shape), n in sorted(objects.items()) for _ in range(n)]


def _row_attributes(row: dict[str, Any]) -> dict[str, Any]:
    raw = row.get("attributes")
    if isinstance(raw, dict):
        return raw
    return json.loads(raw) if isinstance(raw, str) and raw else {}


# ---- parsing an object list -----------------------------------------------------------------------
_COLOUR_WORDS: dict[str, str] = {name: name for name in COLOURS} | {"violet": "purple"}
_SHAPE_WORDS: dict[str, str] = {}
for _shape, _plural_form in SHAPES.items():
    _SHAPE_WORDS[_shape] = _shape
    _SHAPE_WORDS[_plural_form] = _shape
_SHAPE_WORDS.update(
    {
        "disc": "circle", "discs": "circle", "disk": "circle", "disks": "circle",
        "rhombus": "diamond", "rhombuses": "diamond", "rhombi": "diamond",
        "plus": "cross", "pluses": "cross", "plusses": "cross",
    }
)  # fmt: skip
#: Count words besides the number words `scoring.words_to_int` reads.
_COUNT_WORDS: dict[str, int] = {"no": 0, "zero": 0, "a": 1, "an": 1, "single": 1}
_NUMBER_WORDS: tuple[str, ...] = (
    "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve", "thirteen",
    "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty",
)  # fmt: skip
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

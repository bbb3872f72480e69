"""Generating counting items: the asked category and count, distractors, where every object lies."""

from __future__ import annotations

import random
from typing import Any

from lmms_compgap.core.family import Item
from lmms_compgap.families.count.objects import COLOURS, SHAPES, matches, plural

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


def counting_steps(target: str, matching: list[str]) -> tuple[str, ...]:
    """The worked count: each object of the asked category, numbered in reading order, then the total."""
    if not matching:
        return (f"Counting the {target}: there are none.",)
    tally = ", ".join(f"{name} ({number})" for number, name in enumerate(matching, start=1))
    return (f"Counting the {target}: {tally}.", f"That makes {len(matching)}.")


def place(
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


def _answer(rng: random.Random) -> int:
    if rng.random() < ZERO_SHARE:
        return 0
    return rng.randint(1, 10) if rng.random() < 0.8 else rng.randint(11, MAX_OBJECTS)


def scene_item(rng: random.Random) -> Item:
    """One counting item: a category, a scene holding the asked number of its objects among distractors, and the
    question; `rng` is the only source of randomness."""
    roll, kind = rng.random(), KINDS[-1][0]
    for name, share in KINDS:
        if roll < share:
            kind = name
            break
        roll -= share
    colours, shapes = list(COLOURS), list(SHAPES)
    target_colour = rng.choice(colours) if kind != "shape" else None
    target_shape = rng.choice(shapes) if kind != "colour" else None
    answer = _answer(rng)
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
            if not matches(colour, shape, target_colour, target_shape):
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
    while (centres := place(rng, [radii[i] for i in order], width, height, gap=0.5 * small)) is None:
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

    target = plural(target_colour, target_shape)
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
    matching = [f"{o[0]} {o[1]}" for o in objects if matches(o[0], o[1], target_colour, target_shape)]
    return Item(
        question=question,
        answer=str(answer),
        intermediate=intermediate,
        attributes=attributes,
        spec=spec,
        solution=counting_steps(target, matching),
    )

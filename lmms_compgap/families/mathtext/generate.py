"""Generating word problems: a plan of arithmetic steps, told as a short story, and the page it is printed on."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from typing import Any

from lmms_compgap.core.family import Item
from lmms_compgap.draw.fonts import wrap_text
from lmms_compgap.draw.text import sample_text_style

NAMES: dict[str, str] = {
    # name -> pronoun set key
    "Ana": "she",
    "Ben": "he",
    "Carla": "she",
    "Dev": "he",
    "Elena": "she",
    "Farid": "he",
    "Grace": "she",
    "Hugo": "he",
    "Ines": "she",
    "Jonas": "he",
    "Keiko": "she",
    "Liam": "he",
    "Maya": "she",
    "Nikhil": "he",
    "Olga": "she",
    "Pablo": "he",
    "Quinn": "they",
    "Rosa": "she",
    "Sam": "they",
    "Tariq": "he",
    "Uma": "she",
    "Victor": "he",
    "Wen": "she",
    "Xavier": "he",
    "Yara": "she",
    "Zane": "he",
    "Aitor": "he",
    "Nerea": "she",
    "Malik": "he",
    "Sofia": "she",
    "Omar": "he",
    "Lucia": "she",
}
PRONOUNS: dict[str, dict[str, str]] = {
    "she": {"sub": "she", "obj": "her", "pos": "her", "has": "has", "s": "s"},
    "he": {"sub": "he", "obj": "him", "pos": "his", "has": "has", "s": "s"},
    "they": {"sub": "they", "obj": "them", "pos": "their", "has": "have", "s": ""},
}
OBJECTS = [
    "marbles",
    "stickers",
    "apples",
    "pencils",
    "stamps",
    "seashells",
    "coins",
    "cookies",
    "books",
    "cards",
    "balloons",
    "buttons",
    "crayons",
    "beads",
    "shells",
    "toy cars",
    "postcards",
    "oranges",
    "cupcakes",
    "eggs",
    "plums",
    "candles",
    "feathers",
    "puzzles",
    "comics",
    "notebooks",
    "pebbles",
    "lemons",
    "ribbons",
    "tickets",
]
PLACES = ["box", "drawer", "backpack", "basket", "room", "bag", "collection"]
MULTIPLIER_WORDS = {2: "two", 3: "three", 4: "four", 5: "five"}

# Each template is filled with: N (name), P/p (subject pronoun, capitalised or not), O (object pronoun),
# S (possessive), H ("has"/"have"), s (the verb ending that agrees with the pronoun), F (a friend),
# X (plural noun), L (place), a/b (numbers), k (multiplier word).
START = [
    "{N} has {a} {X}.",
    "{N} starts the day with {a} {X}.",
    "There are {a} {X} in {N}'s {L}.",
    "{N} keeps {a} {X} in a {L}.",
]
ADD = [
    "{P} buy{s} {b} more {X}.",
    "{F} gives {O} {b} more {X}.",
    "{P} find{s} another {b} {X}.",
    "Later, {p} get{s} {b} more {X} as a gift.",
]
SUB = [
    "{P} give{s} {b} {X} to {F}.",
    "{P} sell{s} {b} of the {X}.",
    "{P} lose{s} {b} {X} on the way home.",
    "{F} borrows {b} {X} and does not return them.",
]
MUL = [
    "By the end of the month, {p} {H} {k} times as many {X} as before.",
    "Then the number of {X} {p} {H} becomes {k} times larger.",
]
DIV = [
    "{P} split{s} the {X} into {k} equal groups and keep{s} only one group.",
    "{P} share{s} the {X} equally among {k} people, {O}self included, and keep{s} one share.",
]
QUESTION = [
    "How many {X} does {N} have now?",
    "How many {X} does {N} have at the end?",
    "How many {X} are left with {N}?",
]

MAX_VALUE = 999


@dataclass(frozen=True)
class _Step:
    op: str
    value: int


#: op -> (how a worked solution names the step, its operator)
STEP_WORDS: dict[str, tuple[str, str]] = {
    "add": ("Add", "+"),
    "sub": ("Subtract", "-"),
    "mul": ("Multiply by", "*"),
    "div": ("Divide by", "/"),
}


def solution_step(before: int, step: _Step, after: int) -> str:
    """One line of the worked solution: "Add 5: 12 + 5 = 17."."""
    verb, operator = STEP_WORDS[step.op]
    return f"{verb} {step.value}: {before} {operator} {step.value} = {after}."


_SOLUTION_STEP_RE = re.compile(r"[A-Za-z ]+ (\d+): (\d+) ([-+*/]) \d+ = (\d+)\.")
_STEP_OPS: dict[str, str] = {operator: op for op, (_, operator) in STEP_WORDS.items()}


def solution_plan(solution: tuple[str, ...]) -> tuple[int, list[tuple[str, int]]]:
    """The start and the (operation, value) steps a worked solution states (the inverse of `solution_step` over
    the lines after the opening one, which names the object): the problem without its names, objects or wording."""
    steps: list[tuple[str, int]] = []
    start = None
    for line in solution[1:]:
        m = _SOLUTION_STEP_RE.fullmatch(line)
        if m is None:
            raise ValueError(f"not a worked step of a word problem: {line!r}")
        value, before, operator = int(m.group(1)), int(m.group(2)), m.group(3)
        start = before if start is None else start
        steps.append((_STEP_OPS[operator], value))
    if start is None:
        raise ValueError("a word problem's solution has at least one step")
    return start, steps


def _apply(total: int, step: _Step) -> int | None:
    """The running total after one step, or None when the step would make a bad problem."""
    if step.op == "add":
        result = total + step.value
    elif step.op == "sub":
        result = total - step.value
    elif step.op == "mul":
        result = total * step.value
    else:
        if total % step.value:
            return None
        result = total // step.value
    return result if 1 <= result <= MAX_VALUE else None


def _plan(rng: random.Random, steps: int) -> tuple[int, list[_Step]] | None:
    start = rng.randint(4, 80)
    total = start
    plan: list[_Step] = []
    for _ in range(steps):
        op = rng.choice(["add", "sub", "mul", "div"])
        if op in ("add", "sub"):
            step = _Step(op, rng.randint(2, 60))
        elif op == "mul":
            step = _Step(op, rng.randint(2, 4))
        else:
            divisors = [k for k in (2, 3, 4, 5) if total % k == 0]
            if not divisors:
                return None
            step = _Step(op, rng.choice(divisors))
        new_total = _apply(total, step)
        if new_total is None:
            return None
        plan.append(step)
        total = new_total
    return start, plan


def layout_attributes(spec: dict[str, Any]) -> dict[str, Any]:
    """The difficulty attributes a page's drawing spec sets: font, font size, characters and wrapped lines."""
    font, size, width, margin = spec["font"], spec["size"], spec["width"], spec["margin"]
    lines = len(wrap_text(spec["text"], font, size, width - 2 * margin))
    return {"font": font, "font_size": size, "chars": len(spec["text"]), "lines": lines}


def problem_item(rng: random.Random) -> Item:
    """One word problem: a plan of 1-4 operations told as a story, and how its text is laid out in the picture;
    `rng` is the only source of randomness."""
    steps = rng.randint(1, 4)
    while (planned := _plan(rng, steps)) is None:
        pass
    start, plan = planned
    name = rng.choice(sorted(NAMES))
    pronoun = PRONOUNS[NAMES[name]]
    friend = rng.choice([n for n in sorted(NAMES) if n != name])
    noun = rng.choice(OBJECTS)
    fields = {
        "N": name,
        "P": pronoun["sub"].capitalize(),
        "p": pronoun["sub"],
        "O": pronoun["obj"],
        "S": pronoun["pos"],
        "H": pronoun["has"],
        "s": pronoun["s"],
        "F": friend,
        "X": noun,
        "L": rng.choice(PLACES),
    }
    sentences = [rng.choice(START).format(a=start, **fields)]
    solution = [f"Start with {start} {noun}."]
    total = start
    templates = {"add": ADD, "sub": SUB, "mul": MUL, "div": DIV}
    previous = ""
    for step in plan:
        template = rng.choice([t for t in templates[step.op] if t != previous])
        previous = template
        sentence = template.format(b=step.value, k=MULTIPLIER_WORDS.get(step.value, step.value), **fields)
        # "themself" reads oddly; "{O}self" covers her/him, fix the plural form.
        sentences.append(sentence.replace("themself", "themselves"))
        before, total = total, _apply(total, step)
        assert total is not None
        solution.append(solution_step(before, step, total))
    question = rng.choice(QUESTION).format(**fields)
    text = " ".join([*sentences, question])

    spec = {"text": text, **sample_text_style(rng)}
    attributes = {"steps": steps, "operations": "+".join(step.op for step in plan), **layout_attributes(spec)}
    return Item(
        question=question,
        answer=str(total),
        intermediate=text,
        attributes=attributes,
        spec=spec,
        solution=tuple(solution),
    )

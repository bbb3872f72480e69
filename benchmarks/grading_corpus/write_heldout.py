"""Write the held-out grading corpus: realistic responses, graded blind, that nobody tunes the scorer on.

    python benchmarks/grading_corpus/write_heldout.py   # writes tests/data/grading_corpus/heldout/<family>.jsonl

Written without reading the scorer, its verdict tables or the first corpus: the verdicts are a careful human
grader's, from the task's prompts and the rules of docs/scoring.md ("Per task" and "Strict"). Flexible: the final
answer, wherever a grader finds it, is one unambiguous value equal to the target (a hedge, a range, two
answers that contradict each other or no answer at all earn 0). Strict: also, the final `Answer:` line gives it in
the asked-for format (digits, or a H:MM time, or for make-24 the expression alone; up to three unit words, bold
and a final full stop may go with it) and nothing after it takes it back.

Each response is built from a template (the styles of real model families: Qwen2.5-VL, LLaVA, Llama 3.2 Vision,
Molmo, Gemma 3, InternVL, SmolVLM, GPT-style Markdown, reasoning traces) applied to a real item of the committed
test split with either the target or a wrong value; the template says which value a grader reads as the final
answer (or none) and whether the form is strict. A fixed seed makes the files deterministic.
"""

from __future__ import annotations

import ast
import json
import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
OUT = REPO / "tests" / "data" / "grading_corpus" / "heldout"
SEED = 18_2026
SETTINGS = ("direct", "cot", "cascade", "language")
PER_SETTING = 100  # with about 100 per cell, one disagreement still leaves a cell at 99%
WRONG_SHARE = 0.25  # with the templates that give no answer, about a third is graded wrong

ONES = [
    "zero",
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
]
TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
MULTIPLIERS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "half": 2}


def words(n: int) -> str:
    """An integer 0-999 in English words ("sixty-eight")."""
    if n < 20:
        return ONES[n]
    if n < 100:
        return TENS[n // 10] + ("" if n % 10 == 0 else "-" + ONES[n % 10])
    rest = n % 100
    return ONES[n // 100] + " hundred" + ("" if rest == 0 else " and " + words(rest))


# ----------------------------------------------------------------------------------------------- item facts


@dataclass
class Item:
    """What the templates need of one test row: the target, working that leads to a value, and phrases."""

    family: str
    row: dict[str, Any]
    doc_id: int
    kind: str  # "number", "time", "minutes" or "expression"
    noun: str  # the quantity asked about ("seashells", "yellow stars", "minutes")
    subject: str  # a sentence frame with {v}: "Pablo has {v} seashells now"
    working: Callable[[str], list[str]]  # lines of working ending in the given value
    listing: str  # what a cot response writes first (transcription, object list, card list, clock reading)

    @property
    def target(self) -> str:
        return str(self.row["answer"])


def _num_in(sentence: str) -> int | None:
    found = re.search(r"\d+", sentence)
    if found:
        return int(found.group())
    for word, value in MULTIPLIERS.items():
        if re.search(rf"\b{word}\b", sentence):
            return value
    return None


def mathtext_item(row: dict[str, Any], doc_id: int) -> Item:
    text = row["intermediate"]
    sentences = re.split(r"(?<=[.?]) ", text)
    ops = json.loads(row["attributes"])["operations"].split("+")
    question = row["question"]
    found = re.match(r"How many ([\w ]+?) (?:does|do|did|are left with|is|are) (\w+)", question)
    noun, name = (found.group(1), found.group(2)) if found else ("items", "they")
    if found and re.search(r"are left with", question):
        subject = f"{name} is left with {{v}} {noun}"
    else:
        subject = f"{name} has {{v}} {noun} at the end"
    start = _num_in(sentences[0]) or 0
    steps: list[tuple[str, int, int]] = []
    value = start
    symbol = {"add": "+", "sub": "-", "mul": "×", "div": "÷"}
    for op, sentence in zip(ops, sentences[1:-1], strict=False):
        n = _num_in(sentence)
        if n is None:
            break
        before = value
        value = {"add": value + n, "sub": value - n, "mul": value * n, "div": value // n if n else value}[op]
        steps.append((f"{before} {symbol[op]} {n}", n, value))
    exact = len(steps) == len(ops) and str(value) == row["answer"]

    def working(v: str) -> list[str]:
        if not exact:
            return [f"Start: {start} {noun}.", f"Working through the changes step by step gives {v}."]
        lines = [f"Start: {start} {noun}."]
        for i, (expr, _, result) in enumerate(steps):
            shown = v if i == len(steps) - 1 else str(result)
            lines.append(f"{expr} = {shown}")
        return lines

    return Item("mathtext", row, doc_id, "number", noun, subject, working, text)


def count_item(row: dict[str, Any], doc_id: int) -> Item:
    q = row["question"]
    found = re.match(r"How many (.+?) are there\?", q) or re.match(r"What is the number of (.+?)\?", q)
    noun = found.group(1) if found else "objects"
    objects = row["intermediate"].split("\n")
    attrs = json.loads(row["attributes"])

    def matches(obj: str) -> bool:
        colour, shape = obj.split(" ", 1)
        return (attrs.get("colour") in (None, colour)) and (attrs.get("shape") in (None, shape))

    def working(v: str) -> list[str]:
        hits = [o for o in objects if matches(o)]
        if not hits:
            return [f"None of the objects are {noun}.", f"Count: {v}"]
        return [f"Matching {noun}: " + ", ".join(f"{o} ({i})" for i, o in enumerate(hits, 1)), f"Total: {v}"]

    return Item("count", row, doc_id, "number", noun, f"There are {{v}} {noun}", working, "\n".join(objects))


def card_values(row: dict[str, Any]) -> list[tuple[str, int]]:
    q = row["question"]
    ace = 11 if "Aces count as 11" in q else 1
    high = "jacks as 11" in q
    out = []
    for card in row["intermediate"].split("\n"):
        rank = card.split(" of ")[0]
        value = {"A": ace, "J": 11 if high else 10, "Q": 12 if high else 10, "K": 13 if high else 10}.get(rank)
        out.append((card, value if value is not None else int(rank)))
    return out


def solve24(values: list[int]) -> list[str]:
    """Every expression (as text) that makes 24 from `values`, each used once (small exhaustive search)."""
    found: list[str] = []

    def go(items: list[tuple[Fraction, str]]) -> None:
        if len(items) == 1:
            if items[0][0] == 24:
                found.append(items[0][1])
            return
        for i in range(len(items)):
            for j in range(len(items)):
                if i == j:
                    continue
                (a, ea), (b, eb) = items[i], items[j]
                rest = [items[k] for k in range(len(items)) if k not in (i, j)]
                options = [(a + b, f"({ea} + {eb})"), (a - b, f"({ea} - {eb})"), (a * b, f"{_wrap(ea)} * {_wrap(eb)}")]
                if b != 0:
                    options.append((a / b, f"{_wrap(ea)} / {_wrap(eb)}"))
                for value, expr in options:
                    go([*rest, (value, expr)])
                if len(found) > 40:
                    return

    go([(Fraction(v), str(v)) for v in values])
    stripped = [e[1:-1] if e.startswith("(") and e.endswith(")") and _balanced(e[1:-1]) else e for e in found]
    return [e for e in stripped if expression_value(e) == 24]


def _wrap(expr: str) -> str:
    """`expr` as an operand of * or /: in parentheses unless it is a number or one parenthesised group already."""
    if " " not in expr or (expr.startswith("(") and expr.endswith(")") and _balanced(expr[1:-1])):
        return expr
    return f"({expr})"


def _balanced(text: str) -> bool:
    depth = 0
    for ch in text:
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if depth < 0:
            return False
    return depth == 0


def expression_value(text: str) -> Fraction | None:
    """The value of an arithmetic expression this script wrote (numbers, + - * /, parentheses), or None."""
    text = text.replace("×", "*").replace("÷", "/").replace("\\times", "*").replace("\\div", "/")
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError:
        return None

    def ev(node: ast.AST) -> Fraction:
        if isinstance(node, ast.Expression):
            return ev(node.body)
        if isinstance(node, ast.Constant) and isinstance(node.value, int):
            return Fraction(node.value)
        if isinstance(node, ast.BinOp):
            a, b = ev(node.left), ev(node.right)
            if isinstance(node.op, ast.Add):
                return a + b
            if isinstance(node.op, ast.Sub):
                return a - b
            if isinstance(node.op, ast.Mult):
                return a * b
            if isinstance(node.op, ast.Div):
                return a / b
        raise ValueError(text)

    try:
        return ev(tree)
    except (ValueError, ZeroDivisionError):
        return None


def cards_item(row: dict[str, Any], doc_id: int) -> Item:
    attrs = json.loads(row["attributes"])
    kind = attrs["kind"]
    cards = card_values(row)
    listing = "\n".join(card for card, _ in cards)
    if kind == "make24":

        def working(v: str) -> list[str]:
            vals = ", ".join(str(value) for _, value in cards)
            return [f"Card values: {vals}.", f"Try: {v}"]

        return Item(
            "cards", row, doc_id, "expression", "expression", "One expression that works is {v}", working, listing
        )
    if kind == "range":

        def working(v: str) -> list[str]:
            vals = [value for _, value in cards]
            return [
                f"Values: {', '.join(map(str, vals))}.",
                f"Highest {max(vals)}, lowest {min(vals)}.",
                f"{max(vals)} - {min(vals)} = {v}",
            ]

        return Item("cards", row, doc_id, "number", "difference", "The difference is {v}", working, listing)
    if kind == "total":
        chosen, what = cards, "total value of all the cards"
    elif kind == "colour_sum":
        colour = attrs.get("colour") or ("black" if "black" in row["question"] else "red")
        suits = ("spades", "clubs") if colour == "black" else ("hearts", "diamonds")
        chosen, what = [c for c in cards if c[0].split(" of ")[1] in suits], f"total of the {colour} cards"
    else:
        suit = re.search(r"suit is (\w+)", row["question"]).group(1)  # type: ignore[union-attr]
        chosen, what = [c for c in cards if c[0].endswith(suit)], f"total of the {suit}"

    def working(v: str) -> list[str]:
        if not chosen:
            return [f"No cards qualify, so the {what} is {v}."]
        return [f"{card} = {value}" for card, value in chosen] + [
            " + ".join(str(value) for _, value in chosen) + f" = {v}"
        ]

    return Item("cards", row, doc_id, "number", "points", f"The {what} is {{v}}", working, listing)


def to_minutes(time: str) -> int:
    h, m = time.split(":")
    return (int(h) % 12) * 60 + int(m)


def from_minutes(total: int) -> str:
    total %= 720
    h, m = divmod(total, 60)
    return f"{h or 12}:{m:02d}"


def clock_item(row: dict[str, Any], doc_id: int) -> Item:
    attrs = json.loads(row["attributes"])
    kind, shown = attrs["kind"], row["intermediate"]
    offset = attrs["offset_minutes"]
    hours, mins = divmod(offset, 60)
    if kind in ("later", "earlier", "later_minutes"):
        verb = "will show" if kind != "earlier" else "showed"
        sign = "-" if kind == "earlier" else "+"

        def working(v: str) -> list[str]:
            span = f"{offset} minutes ({hours} h {mins} min)" if kind == "later_minutes" else f"{hours} h {mins} min"
            return [f"The clock shows {shown}.", f"{shown} {sign} {span} = {v}"]

        return Item("clock", row, doc_id, "time", "time", f"The clock {verb} {{v}}", working, shown)
    named = re.search(r"shows? (\d{1,2}:\d{2})", row["question"]).group(1)  # type: ignore[union-attr]

    def working_m(v: str) -> list[str]:
        if kind == "until":
            return [
                f"The clock shows {shown}; it next shows {named} after {v} minutes.",
                f"From {shown} to {named}: {v} minutes.",
            ]
        return [
            f"The clock shows {shown}; it last showed {named} {v} minutes ago.",
            f"From {named} to {shown}: {v} minutes.",
        ]

    phrase = (
        f"It is {{v}} minutes until the clock shows {named}"
        if kind == "until"
        else f"The clock showed {named} {{v}} minutes ago"
    )
    return Item("clock", row, doc_id, "minutes", "minutes", phrase, working_m, shown)


ITEMS: dict[str, Callable[[dict[str, Any], int], Item]] = {
    "mathtext": mathtext_item,
    "count": count_item,
    "cards": cards_item,
    "clock": clock_item,
    "spoken": mathtext_item,  # the spoken family's items are mathtext's problems (its generator, its own seed)
}


def wrong_value(item: Item, rng: random.Random) -> str:
    """A plausible wrong answer of the same kind as the target."""
    t = item.target
    if item.kind == "time":
        return from_minutes(to_minutes(t) + rng.choice([60, -60, 5, -5, 10, 120, 360]))
    if item.kind == "minutes":
        return str(max(1, int(t) + rng.choice([60, -60, 5, -5, 10, -10, 120])))
    if item.kind == "expression":
        vals = [value for _, value in card_values(item.row)]
        ops = ["+", "*", "-"]
        for _ in range(30):
            order = vals[:]
            rng.shuffle(order)
            a, b, c, d = order
            expr = f"({a} {rng.choice(ops)} {b}) {rng.choice(ops)} ({c} {rng.choice(ops)} {d})"
            if expression_value(expr) != 24:
                return expr
        return " + ".join(map(str, vals))
    n = int(t)
    return str(max(0, n + rng.choice([1, -1, 2, -2, 3, 10]))) if n > 0 else str(rng.choice([1, 2]))


def same(item: Item, value: str | None) -> bool:
    """The grader's comparison of a value read as the final answer with the target."""
    if value is None:
        return False
    if item.kind == "time":
        return to_minutes(value) == to_minutes(item.target)
    if item.kind == "expression":
        vals = sorted(v for _, v in card_values(item.row))
        used = sorted(int(n) for n in re.findall(r"\d+", value))
        return used == vals and expression_value(value) == 24
    return value == item.target


# ----------------------------------------------------------------------------------------------- templates
# A template takes the item, the value it states (target or wrong), a second wrong value and the rng; it returns
# the response, the value a grader reads as the final answer (None: no answer or ambiguous), whether the form is
# strict, the style and the reason. `family` limits it to families; `settings` to settings.


@dataclass
class Template:
    name: str
    build: Callable[[Item, str, str, random.Random], tuple[str, str | None, bool, str]]
    families: tuple[str, ...] = ("mathtext", "count", "cards", "clock")
    settings: tuple[str, ...] = SETTINGS
    numeric_only: bool = False


def S(item: Item, v: str) -> str:
    return item.subject.format(v=v)


def cot_head(item: Item, rng: random.Random) -> str:
    """The first part of a cot response: what the model read from the image."""
    if item.family == "mathtext":
        before, after = rng.choice(
            [("**Transcription:**\n", ""), ('Text in the image:\n"', '"'), ("The problem says:\n> ", "")]
        )
        return before + item.listing + after + "\n\n"
    if item.family == "count":
        objects = item.listing.split("\n")
        style = rng.choice(["dash", "num", "plain"])
        lines = [
            f"- {o}" if style == "dash" else f"{i}. {o}" if style == "num" else o for i, o in enumerate(objects, 1)
        ]
        return "Objects in the image:\n" + "\n".join(lines) + "\n\n"
    if item.family == "cards":
        return "Cards, left to right:\n" + item.listing + "\n\n"
    return f"The clock shows {item.listing}.\n\n"


def t_plain(item: Item, v: str, w: str, rng: random.Random) -> tuple[str, str | None, bool, str]:
    body = "\n".join(item.working(v))
    return f"{body}\n\n{S(item, v)}.\n\nAnswer: {v}", v, True, "qwen2.5-vl: working, sentence, Answer line"


def t_units(item: Item, v: str, w: str, rng: random.Random) -> tuple[str, str | None, bool, str]:
    unit = item.noun.split()[-1] if item.kind != "time" else ""
    if item.family == "cards":
        unit = "points"
    body = " ".join(item.working(v))
    return f"{body}\nAnswer: {v} {unit}".rstrip(), v, True, "internvl: Answer line with a unit word"


def t_boxed_llama(item: Item, v: str, w: str, rng: random.Random) -> tuple[str, str | None, bool, str]:
    steps = item.working(v)
    parts = [f"## Step {i}: {'Read the givens' if i == 1 else 'Compute'}\n{line}" for i, line in enumerate(steps, 1)]
    return (
        "\n\n".join(parts) + f"\n\nThe final answer is: $\\boxed{{{v}}}$",
        v,
        False,
        "llama-3.2-vision: steps and a boxed final answer, no Answer line",
    )


def t_bold_marker(item: Item, v: str, w: str, rng: random.Random) -> tuple[str, str | None, bool, str]:
    bullets = "\n".join(f"- {line}" for line in item.working(v))
    return f"Let's work it out:\n\n{bullets}\n\n**Answer:** {v}", v, True, "gpt-style: bullets and a bold Answer marker"


def t_final_answer_bold(item: Item, v: str, w: str, rng: random.Random) -> tuple[str, str | None, bool, str]:
    return (
        "\n".join(item.working(v)) + f"\n\n**Final answer: {v}**",
        v,
        False,
        "gemma-3: bold 'Final answer:' (not the asked-for marker)",
    )


def t_first_then_justify(item: Item, v: str, w: str, rng: random.Random) -> tuple[str, str | None, bool, str]:
    return (
        f"{S(item, v)}. " + " ".join(item.working(v)),
        v,
        False,
        "answer sentence first, then the numbers it came from; no Answer line",
    )


def t_answer_line_justified(item: Item, v: str, w: str, rng: random.Random) -> tuple[str, str | None, bool, str]:
    why = item.working(v)[-1]
    return (
        f"Answer: {v}, since {why[0].lower()}{why[1:].rstrip('.')}.",
        v,
        False,
        "Answer line followed by a justification with other numbers",
    )


def t_think(item: Item, v: str, w: str, rng: random.Random) -> tuple[str, str | None, bool, str]:
    inner = " ".join(item.working(w)) + f" Hmm, that gives {w}, let me recheck. " + " ".join(item.working(v))
    return (
        f"<think>\n{inner}\nOK, so it's {v}.\n</think>\n\n{S(item, v)}.\n\nAnswer: {v}",
        v,
        True,
        "reasoning trace considering another value, then the answer outside it",
    )


def t_think_truncated(item: Item, v: str, w: str, rng: random.Random) -> tuple[str, str | None, bool, str]:
    inner = " ".join(item.working(v))
    cut = inner[: max(10, int(len(inner) * 0.6))]
    return (
        f"<think>\nOkay, let me figure this out. {cut}",
        None,
        False,
        "reasoning trace cut off at the token limit before any conclusion: no answer",
    )


def t_truncated_after_conclusion(item: Item, v: str, w: str, rng: random.Random) -> tuple[str, str | None, bool, str]:
    check = item.working(v)[-1]
    return (
        f"{S(item, v)}.\n\nLet me double-check: {check[: max(4, len(check) // 2)]}",
        v,
        False,
        "conclusion stated, then cut off while checking: the conclusion stands",
    )


def t_table(item: Item, v: str, w: str, rng: random.Random) -> tuple[str, str | None, bool, str]:
    rows = "\n".join(f"| {i} | {line.replace('|', '/')} |" for i, line in enumerate(item.working(v), 1))
    return f"| # | Step |\n|---|---|\n{rows}\n\nAnswer: {v}", v, True, "markdown table of steps, Answer line"


def t_number_word(item: Item, v: str, w: str, rng: random.Random) -> tuple[str, str | None, bool, str]:
    return f"{S(item, words(int(v)))}.", v, False, "answer in number words, no digits"


def t_answer_word(item: Item, v: str, w: str, rng: random.Random) -> tuple[str, str | None, bool, str]:
    return (
        " ".join(item.working(v)) + f"\n\nAnswer: {words(int(v))}",
        v,
        False,
        "Answer line in number words (not digits)",
    )


def t_hedge(item: Item, v: str, w: str, rng: random.Random) -> tuple[str, str | None, bool, str]:
    word = rng.choice(["approximately", "about", "roughly", "around", "at least"])
    return (
        f"{S(item, word + ' ' + v)}.\n\nAnswer: {word} {v}",
        None,
        False,
        f"hedged with '{word}': no exact answer committed to",
    )


def t_range(item: Item, v: str, w: str, rng: random.Random) -> tuple[str, str | None, bool, str]:
    a, b = sorted([int(v), int(w)]) if v != w else (int(v), int(v) + 1)
    return (
        f"It's hard to be sure; I'd say between {a} and {b}.\n\nAnswer: {a}-{b}",
        None,
        False,
        "a range, not one value",
    )


def t_either(item: Item, v: str, w: str, rng: random.Random) -> tuple[str, str | None, bool, str]:
    return f"{S(item, v)}, or possibly {w}.\n\nAnswer: {v} or {w}", None, False, "two alternatives: ambiguous"


def t_self_correct(item: Item, v: str, w: str, rng: random.Random) -> tuple[str, str | None, bool, str]:
    return (
        (
            f"{' '.join(item.working(w))}\n\nAnswer: {w}\n\nWait, I made a mistake above. Let me redo it. "
            f"{' '.join(item.working(v))}\n\nAnswer: {v}"
        ),
        v,
        True,
        "self-correction ('wait') followed by a new final Answer line",
    )


def t_retract_no_line(item: Item, v: str, w: str, rng: random.Random) -> tuple[str, str | None, bool, str]:
    return (
        (
            f"Answer: {w}\n\nHmm, wait. Checking again: {' '.join(item.working(v))} "
            f"So actually the answer is {v}, not {w}."
        ),
        v,
        False,
        "Answer line taken back afterwards; the corrected value is the answer",
    )


def t_contradiction(item: Item, v: str, w: str, rng: random.Random) -> tuple[str, str | None, bool, str]:
    sentence = S(item, v)
    if sentence.split()[0] in ("There", "The", "It", "One"):  # not a name
        sentence = sentence[0].lower() + sentence[1:]
    return (
        f"{' '.join(item.working(v))}\n\nSo {sentence}.\n\nAnswer: {w}",
        None,
        False,
        "the work concludes one value and the Answer line gives another, with no correction: ambiguous",
    )


def t_bare(item: Item, v: str, w: str, rng: random.Random) -> tuple[str, str | None, bool, str]:
    return rng.choice([v, f"{v}.", f" {v}"]), v, False, "molmo/smolvlm: the bare value, no Answer marker"


def t_bare_answer(item: Item, v: str, w: str, rng: random.Random) -> tuple[str, str | None, bool, str]:
    return f"Answer: {v}", v, True, "smolvlm: the Answer line alone"


def t_latex(item: Item, v: str, w: str, rng: random.Random) -> tuple[str, str | None, bool, str]:
    return " ".join(item.working(v)) + f"\n\nAnswer: ${v}$", v, False, "Answer line in LaTeX math (not plain digits)"


def t_boxed_display(item: Item, v: str, w: str, rng: random.Random) -> tuple[str, str | None, bool, str]:
    return (
        " ".join(item.working(v)) + f"\n\nTherefore:\n\\[\n\\boxed{{{v}}}\n\\]",
        v,
        False,
        "display LaTeX with \\boxed{}",
    )


def t_gsm(item: Item, v: str, w: str, rng: random.Random) -> tuple[str, str | None, bool, str]:
    return "\n".join(item.working(v)) + f"\n#### {v}", v, False, "GSM8K-style '#### value'"


def t_not_that(item: Item, v: str, w: str, rng: random.Random) -> tuple[str, str | None, bool, str]:
    return (
        f"At first glance it looks like {w}, but that is not right. {S(item, v)}.\n\nAnswer: {v}",
        v,
        True,
        "a rejected value first, then the answer and Answer line",
    )


def t_refusal(item: Item, v: str, w: str, rng: random.Random) -> tuple[str, str | None, bool, str]:
    return (
        rng.choice(
            [
                "I'm sorry, but I can't determine that from the image provided.",
                "The image is not clear enough for me to answer this reliably.",
                "I am unable to answer this question.",
            ]
        ),
        None,
        False,
        "refusal: no answer",
    )


def t_german(item: Item, v: str, w: str, rng: random.Random) -> tuple[str, str | None, bool, str]:
    return (
        "Rechnung:\n" + "\n".join(item.working(v)) + f"\n\nDie Antwort ist {v}.\n\nAntwort: {v}",
        v,
        False,
        "German, 'Antwort:' instead of the asked-for 'Answer:'",
    )


def t_french_answer(item: Item, v: str, w: str, rng: random.Random) -> tuple[str, str | None, bool, str]:
    return (
        "Calcul :\n" + "\n".join(item.working(v)) + f"\n\nLa réponse est donc {v}.\n\nAnswer: {v}",
        v,
        True,
        "French working, asked-for Answer line",
    )


def t_spanish(item: Item, v: str, w: str, rng: random.Random) -> tuple[str, str | None, bool, str]:
    return (
        "Paso a paso:\n" + "\n".join(item.working(v)) + f"\n\nPor lo tanto, la respuesta es {v}.",
        v,
        False,
        "Spanish, answer phrase, no Answer line",
    )


def t_chinese(item: Item, v: str, w: str, rng: random.Random) -> tuple[str, str | None, bool, str]:
    return (
        "解题过程：\n" + "\n".join(item.working(v)) + f"\n\n答案：{v}",
        v,
        False,
        "Chinese, '答案：' marker (not the asked-for 'Answer:')",
    )


def t_japanese_answer(item: Item, v: str, w: str, rng: random.Random) -> tuple[str, str | None, bool, str]:
    return (
        "計算：\n" + "\n".join(item.working(v)) + f"\n\nしたがって、答えは {v} です。\nAnswer: {v}",
        v,
        True,
        "Japanese working, asked-for Answer line",
    )


def t_answer_then_given(item: Item, v: str, w: str, rng: random.Random) -> tuple[str, str | None, bool, str]:
    givens = re.findall(r"\d+", " ".join(item.working(v)))
    extra = givens[0] if givens else "0"
    return (
        f"The answer is {v}. (The first number I used was {extra}.)",
        v,
        False,
        "answer phrase, then a parenthetical given number",
    )


def t_percent(item: Item, v: str, w: str, rng: random.Random) -> tuple[str, str | None, bool, str]:
    return f"Answer: {v}%", None, False, "a percentage for a count or sum: not the quantity asked"


def t_cot_bullets_end(item: Item, v: str, w: str, rng: random.Random) -> tuple[str, str | None, bool, str]:
    bullets = "\n".join(f"* {line}" for line in item.working(v))
    return f"{bullets}\n\nSo the answer is **{v}**.", v, False, "bullets, bold value in a final answer phrase"


def t_sentence_only(item: Item, v: str, w: str, rng: random.Random) -> tuple[str, str | None, bool, str]:
    return f"{S(item, v)}.", v, False, "llava: one answer sentence, nothing else"


def t_bold_line(item: Item, v: str, w: str, rng: random.Random) -> tuple[str, str | None, bool, str]:
    return (
        "### Solution\n\n" + "\n".join(item.working(v)) + f"\n\n**Answer: {v}**",
        v,
        True,
        "markdown heading, working, the whole Answer line in bold",
    )


def t_prose_answer_line(item: Item, v: str, w: str, rng: random.Random) -> tuple[str, str | None, bool, str]:
    return (
        " ".join(item.working(v)) + f"\n\nAnswer: {S(item, v)}.",
        v,
        False,
        "Answer line holding a sentence, not the value alone",
    )


def t_next_line(item: Item, v: str, w: str, rng: random.Random) -> tuple[str, str | None, bool, str]:
    return " ".join(item.working(v)) + f"\n\nAnswer:\n{v}", v, False, "Answer marker with the value on the next line"


def t_other_digits(item: Item, v: str, w: str, rng: random.Random) -> tuple[str, str | None, bool, str]:
    table = str.maketrans("0123456789", rng.choice(["٠١٢٣٤٥٦٧٨٩", "０１２３４５６７８９"]))
    return (
        " ".join(item.working(v)) + f"\n\nAnswer: {v.translate(table)}",
        v,
        True,
        "Answer line in Arabic-Indic or full-width digits",
    )


def t_korean(item: Item, v: str, w: str, rng: random.Random) -> tuple[str, str | None, bool, str]:
    return (
        "풀이:\n" + "\n".join(item.working(v)) + f"\n\n따라서 정답은 {v}입니다.",
        v,
        False,
        "Korean answer phrase, no Answer line",
    )


def t_i_think(item: Item, v: str, w: str, rng: random.Random) -> tuple[str, str | None, bool, str]:
    return (
        f"I think {S(item, v)[0].lower()}{S(item, v)[1:]}."
        if S(item, v).split()[0] in ("There", "The", "It", "One")
        else f"I think {S(item, v)}.",
        v,
        False,
        "'I think' before a committed value: still one answer",
    )


def t_clock_suffix(item: Item, v: str, w: str, rng: random.Random) -> tuple[str, str | None, bool, str]:
    h, m = (int(x) for x in v.split(":"))
    form = rng.choice(["am", "24h", "oclock_words"])
    if form == "am":
        said = f"{v} {rng.choice(['AM', 'PM', 'a.m.', 'p.m.'])}"
    elif form == "24h":
        said = f"{(h % 12) + 12}:{m:02d}" if h != 12 else f"00:{m:02d}"  # 12:xx in 24 hours would be H:MM
    else:
        said = f"{m} minutes past {h}" if m else f"{h} o'clock"
    return (
        " ".join(item.working(v)) + f"\n\nAnswer: {said}",
        v,
        False,
        f"the right place on the dial written as '{said}' (not H:MM)",
    )


def t_twice(item: Item, v: str, w: str, rng: random.Random) -> tuple[str, str | None, bool, str]:
    return (
        f"The answer is: {v}\n\n" + "\n".join(item.working(v)) + f"\n\nAnswer: {v}",
        v,
        True,
        "answer stated first and again on the Answer line",
    )


COMMON = [
    Template("plain", t_plain),
    Template("units", t_units),
    Template("boxed_llama", t_boxed_llama),
    Template("bold_marker", t_bold_marker),
    Template("final_bold", t_final_answer_bold),
    Template("first_then_justify", t_first_then_justify),
    Template("line_justified", t_answer_line_justified),
    Template("think", t_think),
    Template("think_truncated", t_think_truncated),
    Template("truncated_after", t_truncated_after_conclusion),
    Template("table", t_table),
    Template("number_word", t_number_word, numeric_only=True),
    Template("answer_word", t_answer_word, numeric_only=True),
    Template("hedge", t_hedge, numeric_only=True),
    Template("range", t_range, numeric_only=True),
    Template("either", t_either),
    Template("self_correct", t_self_correct),
    Template("retract", t_retract_no_line),
    Template("contradiction", t_contradiction),
    Template("bare", t_bare, settings=("direct", "language", "cascade")),
    Template("bare_answer", t_bare_answer, settings=("direct", "language", "cascade")),
    Template("latex", t_latex),
    Template("boxed_display", t_boxed_display),
    Template("gsm", t_gsm),
    Template("not_that", t_not_that),
    Template("refusal", t_refusal, settings=("direct",)),
    Template("german", t_german),
    Template("french", t_french_answer),
    Template("spanish", t_spanish),
    Template("chinese", t_chinese),
    Template("japanese", t_japanese_answer),
    Template("answer_then_given", t_answer_then_given),
    Template("percent", t_percent, families=("count", "cards")),
    Template("bullets_end", t_cot_bullets_end),
    Template("sentence_only", t_sentence_only, settings=("direct", "language", "cascade")),
    Template("bold_line", t_bold_line),
    Template("prose_answer_line", t_prose_answer_line),
    Template("next_line", t_next_line),
    Template("other_digits", t_other_digits, numeric_only=True),
    Template("korean", t_korean),
    Template("i_think", t_i_think, settings=("direct", "language", "cascade")),
    Template("clock_suffix", t_clock_suffix, families=("clock",)),
    Template("twice", t_twice),
]


def applicable(template: Template, item: Item, setting: str) -> bool:
    if item.family not in template.families or setting not in template.settings:
        return False
    if template.numeric_only and item.kind not in ("number", "minutes"):
        return False
    if template.name == "clock_suffix" and item.kind != "time":
        return False
    # a unit, a percentage or a justification clause makes no sense after an expression
    return not (
        item.kind == "expression" and template.name in ("percent", "answer_then_given", "units", "line_justified")
    )


# ----------------------------------------------------------------------------------------------- hand-written


def hand_written(family: str, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Cases written by hand for one family: (doc_id, setting, response, flexible, strict, style, reason)."""
    cases: list[tuple[int, str, str, int, int, str, str]] = []
    if family == "mathtext":
        r0 = rows[0]  # Pablo: 49 + 19 = 68
        cases += [
            (
                0,
                "direct",
                "Pablo now has 68 seashells after finding 19 more.",
                1,
                0,
                "qwen2.5-vl",
                "answer sentence, then the number added",
            ),
            (0, "language", "49 + 19 = 68\n\nAnswer: 68 seashells", 1, 1, "internvl", "equation then Answer line"),
            (
                0,
                "cascade",
                "He had 49 and found 19, so that's 68 in total, 19 more than... no wait, 68 is right.\n\nAnswer: 68",
                1,
                1,
                "llava",
                "rambling but a clean Answer line",
            ),
            (
                0,
                "cot",
                f"{r0['intermediate']}\n\nPablo has 49 seashells and finds 19 more: 49 + 19 = 68.\n\nAnswer: 67",
                0,
                0,
                "llava",
                "working says 68 but Answer line says 67: contradiction, and the marked answer is wrong",
            ),
            (
                1,
                "language",
                "9 × 3 = 27\n27 + 16 = 43\n43 + 21 = 64\n\nJonas has **64** marbles left.",
                1,
                0,
                "gemma-3",
                "bold value in the answer sentence",
            ),
            (1, "direct", "Answer: sixty-four", 1, 0, "smolvlm", "number words"),
            (
                1,
                "cascade",
                "Step 1: 9 x 3 = 27. Step 2: 27 + 16 = 43. Step 3: 43 + 21 = 64.\n\nAnswer: 64.",
                1,
                1,
                "molmo",
                "Answer line with a full stop",
            ),
            (
                1,
                "cot",
                "Jonas starts with 9 marbles, triples them to 27, buys 16 (43), gets 21 (64).\n\n"
                "Answer: 64 marbles left",
                1,
                1,
                "qwen2.5-vl",
                "Answer line with up to three unit words",
            ),
            (
                2,
                "direct",
                "**Step 1:** 46 + 19 = 65\n**Step 2:** 65 + 13 = 78\n\n### Final Answer\n**78**",
                1,
                0,
                "llama-3.2-vision",
                "bold value under a Final Answer heading",
            ),
            (
                2,
                "language",
                "Quinn ends up with $46 + 19 + 13 = \\boxed{78}$ cookies.",
                1,
                0,
                "latex",
                "inline boxed sum",
            ),
            (
                2,
                "cascade",
                "Quinn has 78 cookies now, 32 more than at the start of the day.\n\nAnswer: 78",
                1,
                1,
                "gpt-style",
                "answer sentence with a second number, then the Answer line",
            ),
            (
                3,
                "language",
                "51 × 4 = 204; 204 ÷ 3 = 68; 68 ÷ 2 = 34.\n\nAnswer: 34 cookies.",
                1,
                1,
                "internvl",
                "Answer line with a unit word and a full stop",
            ),
            (
                3,
                "cot",
                "Wen has 51 cookies ... four times ... 204 ... shares among three ... 68 ... halves ... so Wen has 3",
                0,
                0,
                "smolvlm",
                "cut off mid-number: no answer completed",
            ),
            (3, "direct", "Answer: 34 or 35", 0, 0, "molmo", "two alternatives"),
            (
                4,
                "direct",
                "Olga has 84 buttons at the end. (62 / 2 = 31, 31 + 53 = 84)",
                1,
                0,
                "qwen2.5-vl",
                "answer first, then the arithmetic",
            ),
            (
                4,
                "cascade",
                "<think>62/2 = 31. 31 + 53 = 84.</think>\nAnswer: 84",
                1,
                1,
                "reasoning model",
                "short trace and the Answer line",
            ),
            (
                4,
                "language",
                "62 ÷ 2 = 31 buttons, then 31 + 53 = 85.\n\nAnswer: 85",
                0,
                0,
                "llava",
                "addition slip: wrong",
            ),
            (
                4,
                "cot",
                "Olga keeps 62 buttons in a room. She splits the buttons into two equal groups and keeps "
                "only one group. She buys 53 more buttons. How many buttons does Olga have at the end?\n\n"
                "Half of 62 is 31; plus 53 is eighty-four.\n\nAnswer: 84",
                1,
                1,
                "gemma-3",
                "number word in the working, digits on the Answer line",
            ),
        ]
    if family == "count":
        r0 = rows[0]  # 8 yellow stars
        cases += [
            (
                0,
                "direct",
                "I can see 8 yellow stars scattered across the image, 5 small and 3 large.",
                1,
                0,
                "llava",
                "answer sentence followed by a breakdown with other numbers",
            ),
            (0, "direct", "There are eight yellow stars.", 1, 0, "molmo", "number word"),
            (
                0,
                "language",
                "Counting 'yellow star' lines: 1, 2, 3, 4, 5, 6, 7, 8.\n\nAnswer: 8",
                1,
                1,
                "qwen2.5-vl",
                "enumeration then the Answer line",
            ),
            (0, "cascade", "There are 7 yellow stars.\n\nAnswer: 7", 0, 0, "internvl", "wrong count"),
            (
                0,
                "cot",
                r0["intermediate"] + "\n\nYellow stars: 8 of the 19 objects.\n\nAnswer: 8",
                1,
                1,
                "gemma-3",
                "part of the whole, then the Answer line",
            ),
            (3, "direct", "There are no green crosses in the image.", 1, 0, "gpt-style", "none is zero"),
            (
                3,
                "language",
                "No object in the list is a green cross.\n\nAnswer: 0",
                1,
                1,
                "qwen2.5-vl",
                "none, then Answer: 0",
            ),
            (3, "cascade", "Answer: none", 1, 0, "molmo", "'none' is 0, but not digits"),
            (
                3,
                "cot",
                "green circle\nred cross\n\nI see 1 green cross.\n\nAnswer: 1",
                0,
                0,
                "llava",
                "wrong: there is none",
            ),
            (
                45,
                "direct",
                "I don't see any blue stars, so the count is zero.\n\nAnswer: 0",
                1,
                1,
                "gemma-3",
                "zero in words and digits",
            ),
            (
                0,
                "cascade",
                "| colour | shape | count |\n|---|---|---|\n| yellow | star | 8 |\n| orange | star | 3 |\n\nAnswer: 8",
                1,
                1,
                "gpt-style",
                "table of counts, Answer line",
            ),
            (
                0,
                "language",
                "Let me count... 1, 2, 3, 4, 5, 6, 7. Wait, I missed one at line 18. So 8.\n\nAnswer: 8",
                1,
                1,
                "reasoning model",
                "self-correction before the Answer line",
            ),
            (0, "direct", "Approximately 8 yellow stars.", 0, 0, "llava", "hedged count"),
        ]
    if family == "cards":
        cases += [
            (
                0,
                "direct",
                "The black cards are the 7 of clubs and the 7 of spades, which add up to 14.",
                1,
                0,
                "gpt-style",
                "sum verb 'add up to'",
            ),
            (
                0,
                "language",
                "Black cards: 7 of clubs (7), 7 of spades (7). Total = 14.\n\nAnswer: 14",
                1,
                1,
                "qwen2.5-vl",
                "Answer line",
            ),
            (
                0,
                "cascade",
                "Answer: the clubs and spades are 7 and 7, which sum to 14.",
                1,
                0,
                "llava",
                "Answer line with the addends before the sum",
            ),
            (
                0,
                "cot",
                "7 of clubs\n7 of spades\n6 of hearts\n\nBlack: 7 + 7 + 6 = 20\n\nAnswer: 20",
                0,
                0,
                "smolvlm",
                "counted a red card: wrong",
            ),
            (3, "language", "Answer: (4 + 2 * 10) * 1", 1, 1, "qwen2.5-vl", "a reordering of the solution"),
            (3, "direct", "Answer: 24", 0, 0, "llava", "the target value, not an expression"),
            (
                3,
                "cascade",
                "10 * 2 + 4 * 1 = 24\n\nAnswer: 10 * 2 + 4 * 1",
                1,
                1,
                "internvl",
                "another valid expression, alone on the Answer line",
            ),
            (
                33,
                "language",
                "K = 10 and 10 = 10. There is no difference; both are worth 10.",
                1,
                0,
                "gpt-style",
                "a difference of zero said in words",
            ),
            (33, "direct", "Highest 10, lowest 10, difference 0.\n\nAnswer: 0", 1, 1, "qwen2.5-vl", "Answer: 0"),
            (
                4,
                "language",
                "7 + 11 + 9 + 3 + 8 ... wait, the ace rule doesn't apply, there is no ace. "
                "7 + 9 + 3 + 8 = 27.\n\nAnswer: 27",
                1,
                1,
                "reasoning model",
                "self-correction then the Answer line",
            ),
            (
                4,
                "cascade",
                "The four cards total 27 points (7, 9, 3 and 8).",
                1,
                0,
                "llava",
                "answer first, then the card values",
            ),
            (4, "direct", "**Total: 26**", 0, 0, "gemma-3", "wrong total"),
            (5, "language", "Only the J of diamonds is a diamond: 10.\n\nAnswer: 10", 1, 1, "internvl", "Answer line"),
            (
                5,
                "cascade",
                "Diamonds: J (10). Clubs are not counted, so the 2 of clubs is left out. The total is ten.",
                1,
                0,
                "molmo",
                "number word",
            ),
            (9, "language", "Answer: (7 + 5) * 2 * 1", 1, 1, "qwen2.5-vl", "another valid expression"),
            (
                9,
                "cot",
                "7 of spades\n5 of clubs\n2 of clubs\nA of clubs\n\n(7 + 5) × 2 × 1 = 24\n\n"
                "Answer: (7 + 5) × 2 × 1 = 24",
                1,
                0,
                "gpt-style",
                "valid expression with '= 24': not the expression alone",
            ),
            (9, "direct", "Answer: 7 * 5 - 2 - 1", 0, 0, "llava", "7 * 5 - 2 - 1 = 32, not 24"),
        ]
    if family == "clock":
        cases += [
            (
                0,
                "language",
                "1:40 plus 8 hours is 9:40, plus 3 minutes is 9:43.\n\nAnswer: 9:43",
                1,
                1,
                "qwen2.5-vl",
                "Answer line in H:MM",
            ),
            (0, "direct", "Answer: 9:43 PM", 1, 0, "llava", "right time with PM: not the asked-for form"),
            (
                0,
                "cascade",
                "The clock will show 9:43, which is 8 hours and 3 minutes after 1:40.",
                1,
                0,
                "gpt-style",
                "answer sentence, then the givens",
            ),
            (
                0,
                "cot",
                "The clock shows 1:40.\n\n1:40 + 8:03 = 9:43\n\nAnswer: 9:43",
                1,
                1,
                "gemma-3",
                "reading, equation, Answer line",
            ),
            (1, "direct", "It showed 3:25.\n\nAnswer: 03:25", 1, 1, "internvl", "leading zero on the hour"),
            (
                1,
                "language",
                "4:55 minus 1 hour 30 minutes = 3:25, i.e. twenty-five past three.\n\nAnswer: 3:35",
                0,
                0,
                "llava",
                "working says 3:25 but the Answer line says 3:35: contradiction",
            ),
            (
                2,
                "language",
                "From 2:40 to 11:25 is 8 hours 45 minutes, i.e. 525 minutes.\n\nAnswer: 525",
                1,
                1,
                "qwen2.5-vl",
                "hours and minutes, then minutes, Answer line",
            ),
            (
                2,
                "direct",
                "The clock last showed 2:40 about 8¾ hours ago.\n\nAnswer: 525 minutes",
                1,
                1,
                "gpt-style",
                "Answer line with a unit word",
            ),
            (
                2,
                "cascade",
                "Answer: 8 hours 45 minutes",
                1,
                0,
                "llava",
                "the same duration in hours and minutes: right, not the asked-for number of minutes",
            ),
            (4, "language", "35 minutes before 8:35 is 8:00.\n\nAnswer: 8:00", 1, 1, "internvl", "Answer line"),
            (4, "direct", "Answer: 8 o'clock", 1, 0, "molmo", "same time in words"),
            (
                5,
                "language",
                "8:50 → 12:50 is 240 min, → 4:30 is another 220 min. 240 + 220 = 460.\n\nAnswer: 460",
                1,
                1,
                "gemma-3",
                "sum of parts then the Answer line",
            ),
            (
                5,
                "cot",
                "The clock shows 8:50.\n\nUntil 4:30: 7 hours 40 minutes = 460 minutes.\n\nAnswer: 460 minutes",
                1,
                1,
                "qwen2.5-vl",
                "Answer line with minutes",
            ),
            (
                6,
                "direct",
                "<think>\n5:55 minus 1:50 is 4:05.\n</think>\n\nAnswer: 4:05",
                1,
                1,
                "reasoning model",
                "trace then the Answer line",
            ),
            (
                7,
                "language",
                "It was 7:40 exactly one hour ago, so 60 minutes.\n\nAnswer: 60",
                1,
                1,
                "llava",
                "Answer line",
            ),
            (
                7,
                "cascade",
                "Answer: 1 hour",
                1,
                0,
                "smolvlm",
                "60 minutes said as one hour: right, not the asked-for number of minutes",
            ),
        ]
    out = []
    for doc_id, setting, response, flexible, strict, style, reason in cases:
        row = rows[doc_id]
        out.append(
            {
                "family": family,
                "setting": setting,
                "uid": row["uid"],
                "doc_id": doc_id,
                "target": row["answer"],
                "response": response,
                "flexible": flexible,
                "strict": strict,
                "style": f"hand-written, {style}",
                "reason": reason,
            }
        )
    return out


# ----------------------------------------------------------------------------------------------- writing


def family_lines(family: str, rng: random.Random) -> list[dict[str, Any]]:
    path = REPO / "task_yamls" / family / "data" / "test.jsonl"
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    lines = hand_written(family, rows)
    doc_ids = rng.sample(range(10, len(rows)), PER_SETTING * len(SETTINGS))
    used: dict[str, int] = {}
    for s, setting in enumerate(SETTINGS):
        for k in range(PER_SETTING):
            doc_id = doc_ids[s * PER_SETTING + k]
            item = ITEMS[family](rows[doc_id], doc_id)
            pool = [t for t in COMMON if applicable(t, item, setting)]
            # the least used template that fits (ties broken by the rng), so every style occurs in every family
            fewest = min(used.get(t.name, 0) for t in pool)
            template = rng.choice([t for t in pool if used.get(t.name, 0) == fewest])
            used[template.name] = used.get(template.name, 0) + 1
            right = rng.random() >= WRONG_SHARE
            wrong = wrong_value(item, rng)
            if item.kind == "expression":
                alternatives = solve24([v for _, v in card_values(item.row)])
                good = rng.choice(alternatives) if alternatives and rng.random() < 0.5 else item.target
            else:
                good = item.target
            value, other = (good, wrong) if right else (wrong, good)
            if other == value:
                other = wrong_value(item, rng)
            response, read, strict_form, why = template.build(item, value, other, rng)
            if setting == "cot":
                response = cot_head(item, rng) + response
            flexible = int(same(item, read))
            strict = int(flexible and strict_form)
            verdict = "right" if flexible else ("no single answer" if read is None else f"wrong value {read}")
            lines.append(
                {
                    "family": family,
                    "setting": setting,
                    "uid": item.row["uid"],
                    "doc_id": doc_id,
                    "target": item.target,
                    "response": response,
                    "flexible": flexible,
                    "strict": strict,
                    "style": template.name,
                    "reason": f"{why}; {verdict}",
                }
            )
    return lines


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for family in ITEMS:
        rng = random.Random(f"{SEED}-{family}")
        lines = family_lines(family, rng)
        text = "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines)
        (OUT / f"{family}.jsonl").write_text(text, encoding="utf-8")
        right = sum(line["flexible"] for line in lines)
        print(
            f"{family}: {len(lines)} responses, {right} graded right (flexible), "
            f"{sum(line['strict'] for line in lines)} strict"
        )


if __name__ == "__main__":
    main()

"""Write the grading-agreement corpus: realistic responses to real test items, each with a careful grader's verdict.

Run from the repository root: `python benchmarks/grading_corpus/write_corpus.py` (rewrites
`tests/data/grading_corpus/<family>.jsonl`; the same seed gives the same files).

The responses are written in the styles of the model families of docs/models.md (Qwen2.5-VL terse,
LLaVA chatty, Llama 3.2 Vision Markdown with bold steps and a boxed final answer, Molmo and SmolVLM
short, Gemma 3 bulleted, InternVL "the answer is", LaTeX `\\boxed{}`, GSM8K `####`, answers cut off at
the token limit, other languages, hedged, retracted and contradictory answers), filled from the real
items of the committed test split and the generator's worked solution for each item.

The verdicts are a careful human grader's, written for each template without reference to the
project's scorer: *flexible* is 1 when the response's final answer is one unambiguous value equal to
the target (any wording, any notation a reader accepts); *strict* is 1 when it is also given on an
`Answer:` line in the asked-for form (docs/scoring.md, "Strict": digits, `H:MM` for a time, or the bare
expression for make-24; units, bold and a final full stop allowed) that nothing after takes back.
"""

from __future__ import annotations

import ast
import json
import random
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

from lmms_compgap.core.registry import get_family
from lmms_compgap.core.settings import ANSWER_SETTINGS

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "tests" / "data" / "grading_corpus"
FAMILIES = ("mathtext", "count", "cards", "clock", "spoken")  # the generated families (`generated_family_names()`)
PER_SETTING = 82
SEED = 20261206

_ONES = [
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
_TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]


def words(n: int) -> str:
    """An integer 0-999 in English words ("one hundred and five")."""
    if n < 20:
        return _ONES[n]
    if n < 100:
        return _TENS[n // 10] + ("-" + _ONES[n % 10] if n % 10 else "")
    rest = n % 100
    return _ONES[n // 100] + " hundred" + (" and " + words(rest) if rest else "")


def exact_value(expression: str) -> Fraction:
    """The exact value of one of OUR OWN make-24 expressions (integers, + - * /, parentheses); no eval."""

    def walk(node: ast.AST) -> Fraction:
        if isinstance(node, ast.Expression):
            return walk(node.body)
        if isinstance(node, ast.Constant) and isinstance(node.value, int):
            return Fraction(node.value)
        if isinstance(node, ast.BinOp):
            left, right = walk(node.left), walk(node.right)
            ops: dict[type, Callable[[Fraction, Fraction], Fraction]] = {
                ast.Add: lambda a, b: a + b,
                ast.Sub: lambda a, b: a - b,
                ast.Mult: lambda a, b: a * b,
                ast.Div: lambda a, b: a / b,
            }
            return ops[type(node.op)](left, right)
        raise ValueError(f"not a make-24 expression: {expression}")

    return walk(ast.parse(expression, mode="eval"))


@dataclass
class Case:
    """One item in one setting, with what a response to it may say."""

    family: str
    setting: str
    row: dict[str, Any]
    solution: tuple[str, ...]
    rng: random.Random
    wrong: bool
    target: str = ""
    value: str = ""  # the value the response states (the target, or a wrong value)
    other: str = ""  # a second, different value (for alternatives and corrections)
    info: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.value == self.target


@dataclass(frozen=True)
class Entry:
    response: str
    flexible: int
    strict: int
    style: str
    reason: str


def graded(case: Case, response: str, style: str, flex_form: bool, strict_form: bool, why: str) -> Entry:
    """The verdict for a response stating `case.value` in a form a grader accepts (flex_form) and that follows the
    asked-for format (strict_form): right only when the value is the target."""
    if not flex_form:
        return Entry(response, 0, 0, style, why)
    if not case.ok:
        return Entry(response, 0, 0, style, f"states {case.value}, the target is {case.target}")
    return Entry(response, 1, int(strict_form), style, why)


# ---------------------------------------------------------------------------------------------------------------
# Family adapters: the working a response shows, the units, and the sentences that state an answer.
# ---------------------------------------------------------------------------------------------------------------

_STEP = re.compile(r"^(\w+)(?: by)? (\d+): (\d+) ([*/+-]) (\d+) = (\d+)\.$")
_OPWORD = {"+": "plus", "-": "minus", "*": "times", "/": "divided by"}
_OPSYM = {"+": "+", "-": "-", "*": "×", "/": "÷"}
_OPTEX = {"+": "+", "-": "-", "*": r"\times", "/": r"\div"}


class Mathtext:
    name = "mathtext"

    @staticmethod
    def prepare(case: Case) -> None:
        start = re.match(r"Start with (\d+) (.+)\.$", case.solution[0])
        assert start, case.solution
        steps = []
        for line in case.solution[1:]:
            m = _STEP.match(line)
            assert m, line
            name = m.group(1) + (" by" if m.group(1) in ("Multiply", "Divide") else "")
            steps.append([name, int(m.group(3)), m.group(4), int(m.group(5)), int(m.group(6))])
        first = case.row["intermediate"].split()[0]
        case.info.update(
            start=int(start.group(1)),
            noun=start.group(2),
            steps=steps,
            who=None if first in ("There", "A", "An", "The") else first,
        )
        t = int(case.target)
        if case.wrong:
            slips = [t + 1, t - 1, t + 10, t - 10, t + 2]
            slips = [s for s in slips if s >= 0 and s != t]
            case.value = str(case.rng.choice(slips))
            steps[-1][4] = int(case.value)  # the slip is in the last step: the working leads to the wrong answer
        else:
            case.value = case.target
        shift = case.rng.choice([1, 2, -1, 10]) if int(case.value) > 2 else 1
        case.other = str(int(case.value) + shift)

    @staticmethod
    def unit(case: Case) -> str:
        return case.info["noun"]

    @staticmethod
    def working(case: Case, kind: str) -> str:
        steps, noun = case.info["steps"], case.info["noun"]
        s0 = case.info["start"]
        if kind == "symbols":
            return "\n".join(f"{a} {_OPSYM[op]} {b} = {c}" for _, a, op, b, c in steps)
        if kind == "sentences":
            out = [f"We start with {s0} {noun}."]
            for i, (_, a, op, b, c) in enumerate(steps):
                lead = ["Then", "Next,", "After that,", "Finally,"][min(i, 3) if i < len(steps) - 1 or i == 0 else 3]
                out.append(f"{lead} {a} {_OPWORD[op]} {b} is {c}.")
            return " ".join(out)
        if kind == "markdown":
            out = []
            for i, (name, a, op, b, c) in enumerate(steps, 1):
                out.append(f"**Step {i}: {name} {b}**\n{a} {_OPSYM[op]} {b} = {c}")
            return "\n\n".join(out)
        if kind == "latex":
            return "\n".join(f"$$ {a} {_OPTEX[op]} {b} = {c} $$" for _, a, op, b, c in steps)
        if kind == "bullets":
            return "\n".join(
                [f"* Start: {s0} {noun}"] + [f"* {n} {b}: {a} {_OPSYM[op]} {b} = {c}" for n, a, op, b, c in steps]
            )
        if kind == "numbered":
            return "\n".join(f"{i}. {n} {b}: {a} {op} {b} = {c}" for i, (n, a, op, b, c) in enumerate(steps, 1))
        raise ValueError(kind)

    @staticmethod
    def cut_working(case: Case) -> str:
        """Working cut off at the token limit in the middle of its last step (no result yet)."""
        steps = case.info["steps"]
        lines = [f"{a} × {b} = {c}".replace("×", _OPSYM[op]) for _, a, op, b, c in steps[:-1]]
        _, a, op, b, _c = steps[-1]
        lines.append(
            case.rng.choice(
                [
                    f"{a} {_OPSYM[op]} {b} =",
                    f"Now {_OPWORD[op]} {b}: {a} {_OPSYM[op]}",
                    f"The last step is to {steps[-1][0].lower()} {b}, which gives",
                ]
            )
        )
        return "\n".join(lines)

    @staticmethod
    def check(case: Case) -> str:
        steps = case.info["steps"]
        text = ", ".join(f"{a} {_OPSYM[op]} {b} = {c}" for _, a, op, b, c in steps)
        return text[: max(8, len(text) - case.rng.randint(3, 6))]  # a check cut off mid-sum

    @staticmethod
    def sentences(case: Case) -> list[tuple[str, str]]:
        v, noun, s0 = case.value, case.info["noun"], case.info["start"]
        who = case.info["who"]
        steps = case.info["steps"]
        _, a, op, b, _c = steps[-1]
        diff = abs(int(v) - s0)
        out = [
            (f"{a} {_OPSYM[op]} {b} = {v}, so the answer is {v} {noun}.", "the answer phrase gives the value"),
            (f"So the final count is {v} {noun}, starting from {s0}.", "the answer is stated, then the start value"),
            (f"The answer is {v} {noun} ({a} {_OPSYM[op]} {b} = {v}).", "answer with its working in brackets"),
            (f"Therefore, there are {v} {noun} in the end.", "answer sentence"),
        ]
        if who:
            out += [
                (
                    f"{who} ends up with {v} {noun} after "
                    + {
                        "+": f"adding {b} more",
                        "-": f"{b} are taken away",
                        "*": f"multiplying by {b}",
                        "/": f"dividing by {b}",
                    }[op]
                    + ".",
                    "the answer is attached to the noun asked about; the step's number follows",
                ),
                (f"So {who} has {v} {noun}, having started with {s0}.", "answer, then the starting value"),
                (f"{who} has {v} {noun} now.", "plain answer sentence"),
            ]
        if diff and str(diff) != v:
            more = "more" if int(v) > s0 else "fewer"
            out.append(
                (
                    f"That leaves {v} {noun}, {diff} {more} than at the start.",
                    "the answer verb 'leaves' gives the value; the difference is a justification",
                )
            )
        return out

    @staticmethod
    def wrong_reading(case: Case) -> tuple[str, str] | None:
        """A response that answers something else than asked (graded wrong whatever the value)."""
        s0, noun = case.info["start"], case.info["noun"]
        if str(s0) == case.target:
            return None
        return f"At the start there are {s0} {noun}.\nAnswer: {s0}", "answers the starting amount, not the question"


class Count:
    name = "count"

    @staticmethod
    def prepare(case: Case) -> None:
        attrs = json.loads(case.row["attributes"])
        spec = json.loads(case.row["spec"])
        colour, shape = attrs["colour"], attrs["shape"]
        plural = {"cross": "crosses"}.get(shape or "", (shape or "") + "s")
        what = f"{colour} {plural}" if colour and shape else (plural if shape else f"{colour} objects")
        objects = spec["objects"]
        match = [o for o in objects if (colour is None or o[0] == colour) and (shape is None or o[1] == shape)]
        large = sum(1 for o in match if o[2] == "large")
        case.info.update(
            colour=colour,
            shape=shape,
            what=what,
            objects=objects,
            total=len(objects),
            large=large,
            small=len(match) - large,
            listing=case.row["intermediate"].split("\n"),
        )
        t = int(case.target)
        if case.wrong:
            near = [o for o in objects if o not in match and (o[0] == colour or o[1] == shape)]
            options = [t + 1, t + 1, t - 1, t + 2]
            if near:
                options.append(t + len(near))  # counted the near distractors too
            case.value = str(case.rng.choice([o for o in options if o >= 0 and o != t]))
        else:
            case.value = case.target
        case.other = str(int(case.value) + 1)

    @staticmethod
    def unit(case: Case) -> str:
        what = case.info["what"]
        if case.value != "1":
            return what
        return what[:-2] if what.endswith("sses") else what[:-1]

    @staticmethod
    def is_match(case: Case, line: str) -> bool:
        colour, shape = line.split(" ", 1)
        return (case.info["colour"] in (None, colour)) and (case.info["shape"] in (None, shape))

    @staticmethod
    def working(case: Case, kind: str) -> str:
        listing = case.info["listing"]
        hits = [i for i, line in enumerate(listing, 1) if Count.is_match(case, line)]
        v = int(case.value)
        if case.wrong and v > len(hits):  # the miscount: a near object counted as well
            extra = [i for i in range(1, len(listing) + 1) if i not in hits]
            hits = sorted(hits + extra[: v - len(hits)])
        elif case.wrong:
            hits = hits[:v]
        what = case.info["what"]
        matches = [listing[i - 1] for i in hits]
        enumerated = "\n".join(f"{k}. {m}" for k, m in enumerate(matches, 1)) or f"No {what}."
        if kind in ("symbols", "numbered"):
            return enumerated
        if kind == "sentences":
            if not hits:
                return f"I look for {what} but do not find any."
            if case.setting == "direct":
                return f"Scanning the image, I count the {what} one by one: {', '.join(map(str, range(1, v + 1)))}."
            return f"Going through the list, the {what} are on lines {', '.join(map(str, hits))}."
        if kind == "markdown":
            return f"**Counting the {what}:**\n" + (
                "\n".join(f"{k}. **{m}**" for k, m in enumerate(matches, 1)) or f"No {what}."
            )
        if kind == "bullets":
            return "\n".join(f"* {m} ({k})" for k, m in enumerate(matches, 1)) or f"* no {what}"
        if kind == "latex":
            return (
                ("Matching objects: $" + " + ".join("1" for _ in hits) + f" = {len(hits)}$")
                if hits
                else "Matching objects: none."
            )
        raise ValueError(kind)

    @staticmethod
    def cut_working(case: Case) -> str:
        listing = case.info["listing"]
        k = case.rng.randint(1, max(1, len(listing) - 1))
        cut = listing[k - 1][: case.rng.randint(1, len(listing[k - 1]))]
        return "\n".join(f"{i}. {line}" for i, line in enumerate(listing[: k - 1], 1)) + f"\n{k}. {cut}"

    @staticmethod
    def check(case: Case) -> str:
        listing = case.info["listing"]
        return f"Double-checking by going through the list again: {listing[0]}, {listing[-1][:4]}"

    @staticmethod
    def sentences(case: Case) -> list[tuple[str, str]]:
        v, what, total = case.value, case.info["what"], case.info["total"]
        out = [
            (f"There are {v} {what} in the image.", "answer sentence"),
            (f"I count {v} {what} among the {total} objects.", "the count of the asked objects; the total is context"),
            (f"In total, I can see {v} {what}.", "answer sentence"),
        ]
        if int(v) not in (0, total):
            out += [
                (f"{v} of the {total} objects are {what}.", "part of a whole: the part is the answer"),
                (
                    f"There are {v} {what}; the other {total - int(v)} objects have a different colour or shape.",
                    "the count, then the rest of the picture",
                ),
            ]
        if not case.wrong and case.info["large"] and case.info["small"]:
            out.append(
                (
                    f"I can see {v} {what}: {case.info['large']} large and {case.info['small']} small.",
                    "the count, then its breakdown",
                )
            )
        if v == "0":
            out += [
                (f"There are no {what} in the image.", "none is zero"),
                (f"I don't see any {what}; the answer is 0.", "answer phrase"),
            ]
        return out

    @staticmethod
    def wrong_reading(case: Case) -> tuple[str, str] | None:
        total = case.info["total"]
        if str(total) == case.target:
            return None
        return f"There are {total} objects in the image.\nAnswer: {total}", "counts every object, not the ones asked"


_VALUES = {"A": 1, "J": 10, "Q": 10, "K": 10}


class Cards:
    name = "cards"

    @staticmethod
    def prepare(case: Case) -> None:
        spec = json.loads(case.row["spec"])
        q = spec["question"]
        kind, rule = q["kind"], q["rule"]
        cards = [line.split(" of ") for line in case.row["intermediate"].split("\n")]

        def value(rank: str) -> int:
            if rank == "A":
                return 11 if rule == "ace11" else 1
            if rank in "JQK":
                return {"J": 11, "Q": 12, "K": 13}[rank] if rule == "high13" else 10
            return int(rank)

        vals = [value(r) for r, _ in cards]
        if kind == "colour_sum":
            suits = ("hearts", "diamonds") if q["colour"] == "red" else ("spades", "clubs")
            chosen = [value(r) for r, s in cards if s in suits]
            label = f"{q['colour']} cards"
        elif kind == "suit_sum":
            chosen = [value(r) for r, s in cards if s == q["suit"]]
            label = q["suit"]
        else:
            chosen, label = vals, "cards"
        case.info.update(kind=kind, cards=cards, vals=vals, chosen=chosen, label=label)
        if kind == "make24":
            Cards.prepare_make24(case, q)
            return
        assert str(max(vals) - min(vals) if kind == "range" else sum(chosen)) == case.target, case.row["uid"]
        t = int(case.target)
        if case.wrong:
            options = [t + 1, t - 1, t + 10, t - 10] if kind != "range" else [t + 1, t - 1, t + 2]
            if kind == "total" and any(r == "A" for r, _ in cards):
                options.append(t + (-10 if rule == "ace11" else 10))  # the ace counted the other way
            case.value = str(case.rng.choice([o for o in options if o >= 0 and o != t]))
        else:
            case.value = case.target
        case.other = str(int(case.value) + case.rng.choice([1, 2, 10]))

    @staticmethod
    def value_or_none(expression: str) -> Fraction | None:
        try:
            return exact_value(expression)
        except ZeroDivisionError:
            return None

    @staticmethod
    def prepare_make24(case: Case, q: dict[str, Any]) -> None:
        solution = q["solution"]
        assert exact_value(solution) == 24
        # Near misses: one operator changed, so the value is no longer 24 (every card still used once).
        misses = [
            alt
            for i, ch in enumerate(solution)
            if ch in "+-*/"
            for new in "+-*/".replace(ch, "")
            for alt in [solution[:i] + new + solution[i + 1 :]]
            if Cards.value_or_none(alt) not in (24, None)
        ]
        if not misses:
            misses = [f"{solution} + 1"]
        case.rng.shuffle(misses)
        case.info["expr"] = misses[0] if case.wrong else solution
        case.value = case.info["expr"]
        case.other = (
            misses[-1] if case.wrong and len(misses) > 1 else (misses[0] if not case.wrong else f"{solution} - 1")
        )

    @staticmethod
    def unit(case: Case) -> str:
        return ""

    @staticmethod
    def working(case: Case, kind: str) -> str:
        cards, vals, label, chosen = case.info["cards"], case.info["vals"], case.info["label"], case.info["chosen"]
        names = [f"{r} of {s}" for r, s in cards]
        if case.info["kind"] == "make24":
            return Cards.make24_working(case, kind)
        v = case.value
        if case.info["kind"] == "range":
            hi, lo = max(vals), min(vals)
            if kind == "markdown":
                listed = ", ".join(map(str, vals))
                return (
                    f"**Card values:** {listed}\n\n**Highest:** {hi}\n**Lowest:** {lo}\n\n"
                    f"**Difference:** {hi} - {lo} = {v}"
                )
            if kind == "latex":
                return f"The values are ${', '.join(map(str, vals))}$, so $\\max - \\min = {hi} - {lo} = {v}$."
            return (
                f"The values are {', '.join(map(str, vals))}. The highest is {hi} and the lowest is {lo}; "
                f"{hi} - {lo} = {v}."
            )
        terms = " + ".join(map(str, chosen)) or "0"
        if len(chosen) < 2:
            only = (
                f"The only one of the {label} is worth {v}."
                if chosen
                else f"There are no {label}, so the total is {v}."
            )
            return f"The cards are {', '.join(names)}. {only}"
        if kind == "markdown":
            body = "\n".join(f"{i}. {n} = {x}" for i, (n, x) in enumerate(zip(names, vals, strict=True), 1))
            return f"**Cards:**\n{body}\n\n**Sum of the {label}:** {terms} = {v}"
        if kind == "latex":
            return f"$$ {terms} = {v} $$"
        if kind == "bullets":
            listed = "\n".join(f"* {n}: {x}" for n, x in zip(names, vals, strict=True))
            return f"{listed}\n\n{label.capitalize()}: {terms} = {v}"
        if kind == "numbered":
            return "\n".join(f"{i}. {n}" for i, n in enumerate(names, 1)) + f"\n\nThe {label} add {terms} = {v}."
        return f"The cards are {', '.join(names)}. Adding up the {label}: {terms} = {v}."

    @staticmethod
    def make24_working(case: Case, kind: str) -> str:
        vals = case.info["vals"]
        expr = case.info["expr"]
        if kind == "markdown":
            return f"**Card values:** {', '.join(map(str, vals))}\n\n**Trying combinations:**\n- {expr}"
        return f"The card values are {', '.join(map(str, vals))}. I need to combine them to get 24."

    @staticmethod
    def cut_working(case: Case) -> str:
        text = Cards.working(case, "sentences")
        return text[: case.rng.randint(len(text) // 2, len(text) - 4)]

    @staticmethod
    def check(case: Case) -> str:
        return "Checking: " + " + ".join(map(str, case.info["chosen"][:2]))

    @staticmethod
    def sentences(case: Case) -> list[tuple[str, str]]:
        v, label, chosen, vals = case.value, case.info["label"], case.info["chosen"], case.info["vals"]
        kind = case.info["kind"]
        if kind == "make24":
            return [
                (f"{v} = 24", "an expression equal to 24"),
                (f"One solution is {v}, which equals 24.", "the expression, then its value"),
                (f"You can make 24 with {v}.", "the expression in a sentence"),
            ]
        if kind == "range":
            hi, lo = max(vals), min(vals)
            out = [
                (
                    f"The highest card is {hi} and the lowest is {lo}, so the difference is {v}.",
                    "'the difference is' gives the value",
                ),
                (f"The difference is {v} ({hi} - {lo}).", "answer with its working in brackets"),
                (f"The range of the card values is {v}: from {lo} up to {hi}.", "answer, then the two values"),
            ]
            if v == "0" and hi == lo:
                out = [
                    (f"There is no difference; all the cards are worth {hi}.", "no difference is 0"),
                    (f"The highest and lowest values are both {hi}, so the difference is 0.", "difference is 0"),
                ]
            return out
        terms = " + ".join(map(str, chosen))
        out = [
            (f"The {label} add up to {v}.", "'add up to' gives the value"),
            (f"Together the {label} are worth {v}: {terms}.", "the total, then the terms"),
            (f"The total value is {v} ({terms}).", "answer with its working in brackets"),
        ]
        if len(chosen) >= 2:
            out += [
                (
                    f"The {label} are {', '.join(map(str, chosen[:-1]))} and {chosen[-1]}, which sum to {v}.",
                    "the values, then 'sum to' the answer",
                ),
                (f"{terms} = {v}, so the {label} total {v}.", "'total' as a verb gives the value"),
            ]
        return out

    @staticmethod
    def wrong_reading(case: Case) -> tuple[str, str] | None:
        if case.info["kind"] == "make24":
            return None
        n = len(case.info["cards"])
        if str(n) == case.target:
            return None
        return f"There are {n} cards in the image.\nAnswer: {n}", "counts the cards instead of adding their values"


class Clock:
    name = "clock"

    @staticmethod
    def prepare(case: Case) -> None:
        spec = json.loads(case.row["spec"])
        q = spec["question"]
        kind = q["kind"]
        shown = case.row["intermediate"]
        case.info.update(kind=kind, shown=shown, minutes=kind in ("until", "since"), q=q)
        t = case.target
        if case.info["minutes"]:
            n = int(t)
            if case.wrong:
                options = [n + 60, n - 60, n + 5, n - 10, 720 - n]
                case.value = str(case.rng.choice([o for o in options if 0 < o < 720 and o != n]))
            else:
                case.value = t
            case.other = str(int(case.value) + 60 if int(case.value) < 600 else int(case.value) - 60)
        else:
            h, m = map(int, t.split(":"))
            if case.wrong:
                options = [(h % 12 + 1, m), ((h - 2) % 12 + 1, m), (h, (m + 5) % 60), (h, (m + 10) % 60)]
                options = [o for o in options if o != (h, m)]
                wh, wm = case.rng.choice(options)
                case.value = f"{wh}:{wm:02d}"
            else:
                case.value = t
            oh, om = map(int, case.value.split(":"))
            case.other = f"{oh % 12 + 1}:{om:02d}"

    @staticmethod
    def unit(case: Case) -> str:
        return "minutes" if case.info["minutes"] else ""

    @staticmethod
    def steps(case: Case) -> list[str]:
        lines = list(case.solution)
        if case.wrong:  # the slip is in the last line
            last = lines[-1]
            if case.info["minutes"]:
                lines[-1] = re.sub(r"\d+ minutes\.$", f"{case.value} minutes.", last)
            else:
                lines[-1] = re.sub(r"\d+:\d\d\.$", f"{case.value}.", last)
            assert lines[-1] != last, last
        return lines

    @staticmethod
    def working(case: Case, kind: str) -> str:
        lines = Clock.steps(case)
        if kind == "markdown":
            return "\n".join(f"**Step {i}:** {line}" for i, line in enumerate(lines, 1))
        if kind == "bullets":
            return "\n".join(f"* {line}" for line in lines)
        if kind == "numbered":
            return "\n".join(f"{i}. {line}" for i, line in enumerate(lines, 1))
        if kind == "latex":
            return "\n".join(f"\\text{{{line}}}\\\\" for line in lines)
        return " ".join(lines) if kind == "sentences" else "\n".join(lines)

    @staticmethod
    def cut_working(case: Case) -> str:
        lines = Clock.steps(case)
        last = lines[-1]
        cut = last[: last.rindex("=") + 1] if "=" in last else last[: len(last) // 2]
        return "\n".join(lines[:-1] + [cut])

    @staticmethod
    def check(case: Case) -> str:
        return f"Let me verify by counting back from {case.value}: {case.value[:-1]}"

    @staticmethod
    def sentences(case: Case) -> list[tuple[str, str]]:
        v, shown, q = case.value, case.info["shown"], case.info["q"]
        kind = case.info["kind"]
        if kind in ("later", "earlier", "later_minutes"):
            off = q["offset"]
            dur = (
                f"{off // 60} hour{'s' if off // 60 != 1 else ''} and {off % 60} minutes"
                if off >= 60 and off % 60
                else (f"{off // 60} hours" if off % 60 == 0 else f"{off} minutes")
            )
            later = kind != "earlier"
            reads = "the clock will read" if later else "ago the clock read"
            return [
                (
                    f"The clock shows {shown}, so {dur} {'later' if later else 'earlier'} it "
                    f"{'will show' if later else 'showed'} {v}.",
                    "the reading, then the answer stated by the clock verb",
                ),
                (
                    f"It {'will be' if later else 'was'} {v}, which is {dur} {'after' if later else 'before'} {shown}.",
                    "the answer first, then the reading it comes from",
                ),
                (
                    f"{'In' if later else ''} {dur} {reads} {v}.".strip().replace("  ", " ").capitalize(),
                    "answer sentence",
                ),
                (f"So the new time is {v}.", "answer phrase"),
            ]
        named = q["time"]
        if kind == "until":
            return [
                (f"It is {v} minutes from {shown} until the clock next shows {named}.", "minutes stated by 'is'"),
                (f"The clock will next show {named} in {v} minutes.", "the minutes asked, after the named time"),
                (f"So there are {v} minutes to go until {named}.", "answer sentence"),
            ]
        return [
            (f"The clock last showed {named} exactly {v} minutes ago.", "the minutes asked, after the named time"),
            (f"{v} minutes have passed since {named}, as it is {shown} now.", "the minutes first, then the times"),
            (f"So it was {v} minutes ago.", "answer sentence"),
        ]

    @staticmethod
    def wrong_reading(case: Case) -> tuple[str, str] | None:
        shown = case.info["shown"]
        if case.info["minutes"] or shown == case.target:
            return None
        return f"The clock shows {shown}.\nAnswer: {shown}", "gives the time shown, not the time asked"


#: The spoken family's items are mathtext's problems (its generator, its own seed): they are written alike.
ADAPTERS: dict[str, Any] = {"mathtext": Mathtext, "count": Count, "cards": Cards, "clock": Clock, "spoken": Mathtext}


# ---------------------------------------------------------------------------------------------------------------
# What a response says before its working (the transcription or listing a cot response is asked for).
# ---------------------------------------------------------------------------------------------------------------


def cot_intro(c: Case) -> str:
    """The visual step a cot response writes first (empty in the other settings)."""
    if c.setting != "cot":
        return ""
    inter = c.row["intermediate"]
    pick = c.rng.randrange(3)
    if c.family == "mathtext":
        return [
            f'The text in the image reads:\n"{inter}"\n\n',
            f"Transcription: {inter}\n\n",
            f"**Transcription:**\n> {inter}\n\n",
        ][pick]
    if c.family == "count":
        return ["Objects in the image:\n" + inter + "\n\n", "List:\n" + inter + "\n\n", ""][pick]
    if c.family == "cards":
        cards = inter.split("\n")
        return [
            "Cards, left to right: " + ", ".join(cards) + ".\n\n",
            "\n".join(cards) + "\n\n",
            "**Cards:**\n" + "\n".join(f"- {x}" for x in cards) + "\n\n",
        ][pick]
    return ""  # the clock's working opens with the time it reads


def is_time(c: Case) -> bool:
    return c.family == "clock" and not c.info["minutes"]


def is_expr(c: Case) -> bool:
    return c.family == "cards" and c.info["kind"] == "make24"


def numeric(c: Case) -> bool:
    return not is_time(c) and not is_expr(c)


def unit_suffix(c: Case, a: Any) -> str:
    u = a.unit(c)
    return f" {u}" if u else ""


def sentence(c: Case, a: Any) -> tuple[str, str]:
    return c.rng.choice(a.sentences(c))


Style = Callable[[Case, Any], "Entry | None"]


# Each style: the response it writes, and the verdict a careful grader gives (see the module docstring).


def qwen_terse(c: Case, a: Any) -> Entry:
    return graded(c, f"Answer: {c.value}", "qwen-terse", True, True, "the asked-for answer line")


def qwen_bare(c: Case, a: Any) -> Entry:
    return graded(c, c.value, "qwen-bare", True, False, "the value alone: right, but no Answer: line")


def qwen_working(c: Case, a: Any) -> Entry:
    body = cot_intro(c) + a.working(c, "symbols")
    return graded(c, f"{body}\nAnswer: {c.value}", "qwen-working", True, True, "working, then the answer line")


def llava_chatty(c: Case, a: Any) -> Entry:
    opener = {
        "direct": "In the image, ",
        "cot": "",
        "cascade": "Based on the information given, ",
        "language": "To answer this question, ",
    }[c.setting]
    body = a.working(c, "sentences")
    text, _ = sentence(c, a)
    resp = f"{cot_intro(c)}{opener}{body[0].lower() + body[1:] if opener else body}\n\n{text}\n\nAnswer: {c.value}"
    return graded(c, resp, "llava-chatty", True, True, "chatty working, an answer sentence, then the answer line")


def llava_no_line(c: Case, a: Any) -> Entry:
    text, why = sentence(c, a)
    lead = c.rng.choice(["", "Sure! ", "Looking at the image, " if c.setting in ("direct", "cot") else "Okay. "])
    body = a.working(c, "sentences") + " " if c.rng.random() < 0.5 else ""
    if lead.endswith(", ") and not body and text.split()[0] in ("So", "That", "There", "The", "Therefore", "In"):
        text = text[0].lower() + text[1:]
    resp = f"{cot_intro(c)}{lead}{body}{text}"
    return graded(c, resp, "llava-sentence", True, False, f"no Answer: line; {why}")


def llama_boxed(c: Case, a: Any) -> Entry:
    resp = f"{cot_intro(c)}{a.working(c, 'markdown')}\n\nThe final answer is: $\\boxed{{{c.value}}}$"
    return graded(c, resp, "llama-md-boxed", True, False, "Llama's boxed final answer: right, not the asked format")


def llama_answer(c: Case, a: Any) -> Entry:
    mark = c.rng.choice(["**Answer:** {v}", "**Answer: {v}**", "Answer: **{v}**"]).format(v=c.value)
    resp = f"{cot_intro(c)}## Solution\n\n{a.working(c, 'markdown')}\n\n{mark}"
    return graded(c, resp, "llama-md-answer", True, True, "Markdown steps, a bold answer line")


def llama_final_bold(c: Case, a: Any) -> Entry:
    resp = f"{cot_intro(c)}{a.working(c, 'markdown')}\n\n**Final answer: {c.value}**"
    return graded(c, resp, "llama-final-bold", True, False, "'Final answer' in bold is not the Answer: line asked")


def gemma_bullets(c: Case, a: Any) -> Entry:
    end = c.rng.choice(["Answer: {v}", "**Answer: {v}**", "Answer: {v}{u}"]).format(v=c.value, u=unit_suffix(c, a))
    resp = f"{cot_intro(c)}Here's how to solve this:\n\n{a.working(c, 'bullets')}\n\n{end}"
    return graded(c, resp, "gemma-bullets", True, True, "bulleted working, then the answer line")


def internvl_phrase(c: Case, a: Any) -> Entry:
    with_line = c.rng.random() < 0.5
    resp = f"{cot_intro(c)}{a.working(c, 'sentences')} Therefore, the answer is {c.value}."
    if with_line:
        return graded(c, resp + f"\nAnswer: {c.value}", "internvl", True, True, "answer phrase and answer line")
    return graded(c, resp, "internvl", True, False, "'the answer is' with no Answer: line")


def molmo_short(c: Case, a: Any) -> Entry:
    text, why = sentence(c, a)
    return graded(c, " " + text, "molmo", True, False, f"one sentence, no Answer: line; {why}")


def smolvlm_units(c: Case, a: Any) -> Entry:
    return graded(
        c,
        f"Answer: {c.value}{unit_suffix(c, a)}.",
        "smolvlm",
        True,
        True,
        "the answer line with its unit and a full stop",
    )


def latex_boxed(c: Case, a: Any) -> Entry:
    resp = f"{cot_intro(c)}{a.working(c, 'latex')}\n\n\\[\n\\boxed{{{c.value}}}\n\\]"
    return graded(c, resp, "latex-boxed", True, False, "a boxed answer: right, not the asked format")


def gsm8k_hashes(c: Case, a: Any) -> Entry | None:
    if not numeric(c):
        return None
    resp = f"{cot_intro(c)}{a.working(c, 'symbols')}\n#### {c.value}"
    return graded(c, resp, "gsm8k-hashes", True, False, "GSM8K's #### line: right, not the asked format")


def answer_sentence_line(c: Case, a: Any) -> Entry:
    text, why = sentence(c, a)
    resp = f"{cot_intro(c)}{a.working(c, 'numbered')}\n\nAnswer: {text}"
    return graded(c, resp, "answer-line-prose", True, False, f"the answer line is a sentence; {why}")


def number_words(c: Case, a: Any) -> Entry | None:
    if not numeric(c) or int(c.value) > 999:
        return None
    return graded(
        c,
        f"{cot_intro(c)}Answer: {words(int(c.value))}",
        "number-words",
        True,
        False,
        "the value in words: right, not digits",
    )


def answer_period(c: Case, a: Any) -> Entry:
    resp = f"{cot_intro(c)}{a.working(c, 'symbols')}\n\nAnswer: {c.value}."
    return graded(c, resp, "answer-period", True, True, "answer line with a full stop")


def latex_inline_answer(c: Case, a: Any) -> Entry | None:
    if is_expr(c):
        return None
    return graded(
        c,
        f"{cot_intro(c)}Answer: ${c.value}$",
        "latex-inline",
        True,
        False,
        "the value in LaTeX math: right, not the plain form asked",
    )


_LANG = [
    ("de", "{w}\n\nDie Antwort ist {v}.", False),
    ("de", "{w}\n\nAntwort: {v}", False),
    ("zh", "{w}\n\n所以答案是 {v}。", False),
    ("zh", "{w}\n\n答案：{v}", False),
    ("es", "{w}\n\nPor lo tanto, la respuesta es {v}.\nRespuesta: {v}", False),
    ("fr", "{w}\n\nDonc la réponse est {v}.\n\nRéponse : {v}", False),
    ("ru", "{w}\n\nОтвет: {v}", False),
    ("de", "{w}\n\nDas Ergebnis ist {v}.\nAnswer: {v}", True),
    ("zh", "{w}\n\n因此结果是 {v}。\nAnswer: {v}", True),
    ("es", "{w}\n\nEl resultado es {v}.\n\nAnswer: {v}", True),
]


def other_language(c: Case, a: Any) -> Entry:
    lang, template, strict = c.rng.choice(_LANG)
    resp = template.format(w=cot_intro(c) + a.working(c, "symbols"), v=c.value)
    why = "English answer line" if strict else "answer in another language, no Answer: line"
    return graded(c, resp, f"other-language-{lang}", True, strict, why)


def alternatives(c: Case, a: Any) -> Entry:
    form = c.rng.choice(
        [
            "Answer: {v} or {o}",
            "It could be {v} or {o}; the image is hard to read.",
            "Answer: {v} (maybe {o})",
            "I think it's either {o} or {v}.\nAnswer: {v} or {o}",
        ]
    )
    return graded(
        c,
        cot_intro(c) + form.format(v=c.value, o=c.other),
        "hedged-alternatives",
        False,
        False,
        "offers two different values",
    )


def approximate(c: Case, a: Any) -> Entry | None:
    if is_expr(c):
        return None
    form = c.rng.choice(
        ["Answer: about {v}", "Answer: approximately {v}", "It's roughly {v}.", "There are around {v}{u}, I think."]
    )
    if is_time(c) and "There are" in form:
        form = "It will be around {v}."
    return graded(
        c,
        cot_intro(c) + form.format(v=c.value, u=unit_suffix(c, a)),
        "hedged-approximate",
        False,
        False,
        "only an approximate value",
    )


def value_range(c: Case, a: Any) -> Entry | None:
    if is_expr(c):
        return None
    lo, hi = sorted([c.value, c.other], key=lambda x: [int(p) for p in x.split(":")])
    form = c.rng.choice(["Answer: between {lo} and {hi}", "Answer: {lo}-{hi}", "Somewhere from {lo} to {hi}."])
    return graded(c, form.format(lo=lo, hi=hi), "hedged-range", False, False, "a range, not one value")


def retracted(c: Case, a: Any) -> Entry:
    tail = c.rng.choice(
        [
            "Wait, that's not right. Let me recount.",
            "Hmm, that is wrong.",
            "Actually, I made a mistake somewhere above.",
        ]
    )
    resp = f"{cot_intro(c)}{a.working(c, 'symbols')}\nAnswer: {c.value}\n\n{tail}"
    return graded(c, resp, "retracted", False, False, "the answer is taken back and none is given instead")


def corrected_line(c: Case, a: Any) -> Entry:
    resp = (
        f"{cot_intro(c)}Answer: {c.other}\n\nWait, I made a mistake in the last step. "
        f"Correcting it:\n{a.working(c, 'symbols')}\n\nAnswer: {c.value}"
    )
    return graded(c, resp, "corrected", True, True, "a first answer corrected; the final answer line stands")


def corrected_sentence(c: Case, a: Any) -> Entry:
    resp = f"{cot_intro(c)}Answer: {c.other}\n\nWait, that's wrong. It should be {c.value}."
    return graded(
        c,
        resp,
        "corrected-no-line",
        True,
        False,
        "the correction gives the answer; the answer line holds the retracted value",
    )


def confirmed(c: Case, a: Any) -> Entry:
    resp = f"{cot_intro(c)}Answer: {c.value}\n\nLet me double-check: {a.working(c, 'symbols')}\nYes, {c.value}."
    return graded(c, resp, "double-checked", True, True, "the check confirms the answer line")


def refusal(c: Case, a: Any) -> Entry:
    text = (
        c.rng.choice(
            [
                "I'm sorry, but I can't determine that from the image provided.",
                "I'm unable to see the image clearly enough to answer this question.",
                "Unfortunately, I cannot answer this question accurately.",
            ]
        )
        if c.setting in ("direct", "cot")
        else "I'm sorry, but I don't have enough information to answer that."
    )
    return Entry(text, 0, 0, "refusal", "no answer")


def truncated_no_answer(c: Case, a: Any) -> Entry:
    resp = cot_intro(c) + a.cut_working(c)
    return Entry(resp, 0, 0, "truncated-mid-working", "cut off at the token limit before any answer")


def truncated_after_answer(c: Case, a: Any) -> Entry:
    concl = c.rng.choice(["So the answer is {v}.", "Therefore the final answer is {v}.", "The result is {v}."])
    resp = f"{cot_intro(c)}{a.working(c, 'symbols')}\n\n{concl.format(v=c.value)}\n\n{a.check(c)}"
    return graded(
        c, resp, "truncated-while-checking", True, False, "cut off while checking; the conclusion before it stands"
    )


def wrong_reading(c: Case, a: Any) -> Entry | None:
    found = a.wrong_reading(c)
    if found is None:
        return None
    text, why = found
    return Entry(cot_intro(c) + text, 0, 0, "answers-another-question", why)


def first_sentence_then_prose(c: Case, a: Any) -> Entry:
    text, why = sentence(c, a)
    resp = f"{cot_intro(c)}Answer: {c.value}. {text}"
    return graded(
        c,
        resp,
        "answer-then-justification",
        True,
        False,
        "the answer line starts with the value, then prose: right, not the bare form",
    )


def equation_answer(c: Case, a: Any) -> Entry | None:
    eq = a.equation(c) if hasattr(a, "equation") else None
    if eq is None:
        return None
    return graded(
        c,
        f"{cot_intro(c)}Answer: {eq}",
        "answer-equation",
        True,
        False,
        "an equation whose result is the value: right, not the bare form",
    )


def bold_sentence(c: Case, a: Any) -> Entry:
    text, why = sentence(c, a)
    text = text.replace(c.value, f"**{c.value}**", 1) if c.value else text
    resp = f"{cot_intro(c)}{a.working(c, 'numbered')}\n\n{text}"
    return graded(c, resp, "bold-sentence", True, False, f"bold value in a closing sentence; {why}")


GENERIC: list[Style] = [
    qwen_terse,
    qwen_bare,
    qwen_working,
    llava_chatty,
    llava_no_line,
    llama_boxed,
    llama_answer,
    llama_final_bold,
    gemma_bullets,
    internvl_phrase,
    molmo_short,
    smolvlm_units,
    latex_boxed,
    gsm8k_hashes,
    answer_sentence_line,
    number_words,
    answer_period,
    latex_inline_answer,
    other_language,
    alternatives,
    approximate,
    value_range,
    retracted,
    corrected_line,
    corrected_sentence,
    confirmed,
    refusal,
    truncated_no_answer,
    truncated_after_answer,
    wrong_reading,
    first_sentence_then_prose,
    equation_answer,
    bold_sentence,
    llava_no_line,
    molmo_short,
    qwen_terse,
]


def _equation(c: Case) -> str | None:
    """An equation whose last side is the stated value (None where a family has no natural one)."""
    if c.family == "mathtext":
        _, a, op, b, _r = c.info["steps"][-1]
        return f"{a} {_OPSYM[op]} {b} = {c.value}"
    if c.family == "cards" and numeric(c):
        vals, chosen = c.info["vals"], c.info["chosen"]
        if c.info["kind"] == "range":
            return f"{max(vals)} - {min(vals)} = {c.value}"
        return f"{' + '.join(map(str, chosen))} = {c.value}" if len(chosen) >= 2 else None
    if c.family == "clock" and c.info["minutes"]:
        m = re.search(r"((?:\d+ \+ )+\d+) = \d+ minutes\.$", c.solution[-1])
        return f"{m.group(1)} = {c.value}" if m else None
    return None


for _adapter in (Mathtext, Count, Cards, Clock):
    _adapter.equation = staticmethod(_equation)


# ---------------------------------------------------------------------------------------------------------------
# Family-specific forms.
# ---------------------------------------------------------------------------------------------------------------


def count_none(c: Case, a: Any) -> Entry | None:
    if c.family != "count" or c.value != "0":
        return None
    form, strict = c.rng.choice(
        [
            ("There are no {w} in the image.\nAnswer: 0", True),
            ("Answer: none", False),
            ("I don't see any {w}.\n\nAnswer: 0", True),
            ("Answer: zero", False),
            ("Answer: There are no {w}.", False),
        ]
    )
    return graded(
        c,
        form.format(w=c.info["what"]),
        "count-none",
        True,
        strict,
        "none is zero" + ("" if strict else "; not in digits"),
    )


def count_part_of_whole(c: Case, a: Any) -> Entry | None:
    if c.family != "count" or int(c.value) in (0, c.info["total"]):
        return None
    resp = f"{cot_intro(c)}Answer: {c.value} of the {c.info['total']} shapes are {c.info['what']}."
    return graded(c, resp, "part-of-whole", True, False, "the part is the answer; the whole is context")


def count_breakdown_line(c: Case, a: Any) -> Entry | None:
    if c.family != "count" or c.wrong or not (c.info["large"] and c.info["small"]):
        return None
    resp = f"{cot_intro(c)}Answer: {c.value}, {c.info['large']} large and {c.info['small']} small."
    return graded(c, resp, "answer-with-breakdown", True, False, "the count, then its breakdown: not the bare form")


def clock_ampm(c: Case, a: Any) -> Entry | None:
    if not is_time(c):
        return None
    suffix = c.rng.choice([" PM", " a.m.", " pm", "AM"])
    return graded(
        c,
        f"{a.working(c, 'symbols')}\nAnswer: {c.value}{suffix}",
        "clock-ampm",
        True,
        False,
        "a.m./p.m. added: the dial place is right, not the asked H:MM",
    )


def clock_24h(c: Case, a: Any) -> Entry | None:
    if not is_time(c):
        return None
    h, m = c.value.split(":")
    if h == "12":
        return None
    return graded(
        c,
        f"Answer: {int(h) + 12}:{m}",
        "clock-24h",
        True,
        False,
        "the 24-hour form of the same dial place; the 12-hour form was asked",
    )


def clock_leading_zero(c: Case, a: Any) -> Entry | None:
    if not is_time(c) or len(c.value) != 4:
        return None
    return graded(
        c,
        f"{a.working(c, 'bullets')}\n\nAnswer: 0{c.value}",
        "clock-leading-zero",
        True,
        True,
        "H:MM with a leading zero",
    )


def clock_words(c: Case, a: Any) -> Entry | None:
    if not is_time(c):
        return None
    h, m = map(int, c.value.split(":"))
    name = _ONES[h] if h < 20 else str(h)
    said = {
        0: f"{name} o'clock",
        15: f"quarter past {name}",
        30: f"half past {name}",
        45: f"quarter to {_ONES[h % 12 + 1]}",
    }.get(m)
    if said is None:
        return None
    return graded(
        c,
        f"So the clock will show {said}.\n\nAnswer: {said}",
        "clock-words",
        True,
        False,
        "the time in words: right, not H:MM",
    )


def minutes_hours(c: Case, a: Any) -> Entry | None:
    if c.family != "clock" or not c.info["minutes"] or int(c.value) < 60 or int(c.value) % 60 == 0:
        return None
    n = int(c.value)
    h, m = divmod(n, 60)
    hs = f"{h} hour{'s' if h != 1 else ''} and {m} minutes"
    form = c.rng.choice([f"Answer: {hs}", f"Answer: {n} minutes ({hs})", f"It takes {hs}, which is {n} minutes."])
    return graded(c, form, "minutes-as-hours", True, False, "the same duration, not the bare minutes asked")


FAMILY_STYLES: list[Style] = [
    count_none,
    count_part_of_whole,
    count_breakdown_line,
    clock_ampm,
    clock_24h,
    clock_leading_zero,
    clock_words,
    minutes_hours,
]


# ---------------------------------------------------------------------------------------------------------------
# Make-24: the answer is an expression over the four card values.
# ---------------------------------------------------------------------------------------------------------------


def _steps(expression: str) -> list[str] | None:
    """The expression replayed as steps "a op b = r", or None when a step's result is not an integer."""
    out: list[str] = []
    sym = {ast.Add: "+", ast.Sub: "-", ast.Mult: "×", ast.Div: "/"}

    def walk(node: ast.AST) -> Fraction | None:
        if isinstance(node, ast.Constant):
            return Fraction(node.value)
        assert isinstance(node, ast.BinOp)
        left, right = walk(node.left), walk(node.right)
        if left is None or right is None:
            return None
        if isinstance(node.op, ast.Div) and right == 0:
            return None
        value = {ast.Add: left + right, ast.Sub: left - right, ast.Mult: left * right}.get(
            type(node.op), left / right if right else Fraction(0)
        )
        if value.denominator != 1 or value < 0:
            return None
        out.append(f"{left} {sym[type(node.op)]} {right} = {value}")
        return value

    return out if walk(ast.parse(expression, mode="eval").body) is not None else None


def _m24(form: str, style: str, strict: bool, why: str, flexible: bool = True) -> Style:
    def write(c: Case, a: Any) -> Entry:
        v = c.value
        text = form.format(
            v=v,
            u=v.replace("*", "×").replace("/", "÷"),
            t=v.replace("*", r"\times").replace("/", r"\div"),
            vals=", ".join(map(str, c.info["vals"])),
        )
        return graded(c, cot_intro(c) + text, style, flexible, strict and flexible, why)

    return write


def m24_steps(c: Case, a: Any) -> Entry | None:
    steps = _steps(c.value)
    if steps is None:
        return None
    with_line = c.rng.random() < 0.5
    body = "Let's combine the values step by step:\n" + "\n".join(steps)
    if with_line:
        return graded(
            c,
            cot_intro(c) + body + f"\n\nAnswer: {c.value}",
            "make24-steps",
            True,
            True,
            "steps, then the expression on the answer line",
        )
    return graded(
        c,
        cot_intro(c) + body,
        "make24-steps-only",
        True,
        False,
        "the steps use every card once and reach 24; no answer line",
    )


def m24_card_twice(c: Case, a: Any) -> Entry:
    x = c.info["vals"][0]
    return Entry(f"Answer: {c.value} + {x} - {x}", 0, 0, "make24-card-twice", f"uses the {x} twice")


def m24_number_only(c: Case, a: Any) -> Entry:
    return Entry(
        cot_intro(c) + "The cards can make 24.\nAnswer: 24",
        0,
        0,
        "make24-number-only",
        "gives 24, not the expression asked",
    )


def m24_impossible(c: Case, a: Any) -> Entry:
    return Entry(
        cot_intro(c)
        + c.rng.choice(
            [
                "There is no way to make 24 with these cards.",
                "After trying several combinations, I don't think 24 is possible.\nAnswer: impossible",
            ]
        ),
        0,
        0,
        "make24-impossible",
        "says it cannot be done (it can)",
    )


def m24_truncated(c: Case, a: Any) -> Entry:
    v = c.value
    return Entry(
        cot_intro(c)
        + f"The card values are {', '.join(map(str, c.info['vals']))}.\n\nLet me try: "
        + v[: max(3, len(v) // 2)],
        0,
        0,
        "make24-truncated",
        "cut off before a whole expression",
    )


MAKE24: list[Style] = [
    _m24("Answer: {v}", "make24-terse", True, "the expression alone on the answer line"),
    _m24("Answer: {v} = 24", "make24-equals", True, "the expression with '= 24'"),
    _m24("The values are {vals}.\n\nAnswer: {u}", "make24-unicode", True, "× and ÷ are the operators asked"),
    _m24("Answer: ${t}$", "make24-latex", True, "the expression in LaTeX math"),
    _m24("**Answer:** {v}", "make24-bold", True, "bold answer line"),
    _m24(
        "The values are {vals}.\n\n**Solution:** $\\boxed{{{t} = 24}}$",
        "make24-boxed",
        False,
        "a boxed expression: right, not the answer line",
    ),
    _m24("One solution is {v}, which equals 24.", "make24-sentence", False, "the expression in a sentence"),
    _m24("Answer: {v} is one way.", "make24-answer-prose", False, "the expression with prose after it"),
    _m24("Die Werte sind {vals}.\n\nAntwort: {v}", "make24-other-language-de", False, "German label"),
    _m24("数值是 {vals}。\n答案：{u} = 24", "make24-other-language-zh", False, "Chinese label"),
    _m24("Answer: {v} or {v} + 0", "make24-alternatives", False, "offers two expressions", flexible=False),
    _m24(
        "Answer: {v}\n\nWait, that's wrong.", "make24-retracted", False, "taken back, nothing instead", flexible=False
    ),
    m24_steps,
    m24_steps,
    m24_card_twice,
    m24_number_only,
    m24_impossible,
    m24_truncated,
    qwen_terse,
    llama_boxed,
    gemma_bullets,
    alternatives,
    corrected_line,
    internvl_phrase,
]


# ---------------------------------------------------------------------------------------------------------------
# More model styles.
# ---------------------------------------------------------------------------------------------------------------


def qwen_cot(c: Case, a: Any) -> Entry:
    """Qwen2.5-VL's step-by-step answer: an announced plan, numbered steps, a closing sentence, the answer line."""
    text, why = sentence(c, a)
    opener = c.rng.choice(
        [
            "To solve this, we need to follow these steps:",
            "Let's solve this step by step.",
            "To determine the answer, we can break the problem down:",
        ]
    )
    resp = f"{cot_intro(c)}{opener}\n\n{a.working(c, 'numbered')}\n\n{text}\n\nAnswer: {c.value}"
    return graded(c, resp, "qwen-cot", True, True, f"steps, a closing sentence, the answer line; {why}")


def gemma_okay(c: Case, a: Any) -> Entry:
    """Gemma 3: "Okay, let's ...", bullets, the value in bold, with or without the answer line."""
    body = (
        f"{cot_intro(c)}Okay, let's work through this.\n\n{a.working(c, 'bullets')}\n\nSo, the answer is **{c.value}**."
    )
    if c.rng.random() < 0.6:
        return graded(c, body + f"\n\nAnswer: {c.value}", "gemma-okay", True, True, "bold answer phrase, answer line")
    return graded(c, body, "gemma-okay-no-line", True, False, "'the answer is' in bold, no Answer: line")


def thinking(c: Case, a: Any) -> Entry:
    """A reasoning model: its thinking in <think> tags, then the answer; or cut off while still thinking."""
    if c.rng.random() < 0.7:
        resp = f"<think>\n{cot_intro(c)}{a.working(c, 'sentences')}\n</think>\n\nAnswer: {c.value}"
        return graded(c, resp, "thinking", True, True, "reasoning in <think> tags, then the answer line")
    resp = f"<think>\n{cot_intro(c)}Let me work this out.\n{a.cut_working(c)}"
    return Entry(resp, 0, 0, "thinking-cut-off", "cut off inside its reasoning, before any answer")


def smolvlm_bare_unit(c: Case, a: Any) -> Entry | None:
    if is_expr(c):
        return None
    return graded(c, f"{c.value}{unit_suffix(c, a)}.", "smolvlm-bare", True, False, "the value alone, no Answer: line")


def hedged_single(c: Case, a: Any) -> Entry:
    form, strict_possible = c.rng.choice(
        [
            ("I think the answer is {v}.", False),
            ("Answer: probably {v}", False),
            ("The answer is most likely {v}.", False),
        ]
    )
    return graded(
        c,
        cot_intro(c) + form.format(v=c.value),
        "hedged-one-value",
        True,
        strict_possible,
        "one value, said with less than certainty: still its answer; not the bare form",
    )


def llama_headings(c: Case, a: Any) -> Entry | None:
    """Llama 3.2 Vision: "## Step N:" headings and "The final answer is: $\\boxed{N}$" (for worked sums)."""
    if c.family == "count":
        return None
    lines = [line for line in a.working(c, "symbols").split("\n") if line.strip()]
    body = "\n\n".join(
        f"## Step {i}: {'Work out the next value' if i > 1 else 'Start from what is given'}\n{line}"
        for i, line in enumerate(lines, 1)
    )
    resp = f"{cot_intro(c)}{body}\n\nThe final answer is: $\\boxed{{{c.value}}}$"
    return graded(
        c, resp, "llama-headings-boxed", True, False, "Llama's boxed final answer: right, not the asked format"
    )


def molmo_points(c: Case, a: Any) -> Entry | None:
    """Molmo's counting answer: a <points> element with one coordinate pair per object, then the total."""
    if c.family != "count" or c.value == "0":
        return None
    spec = json.loads(c.row["spec"])
    width, height = json.loads(c.row["attributes"])["width"], json.loads(c.row["attributes"])["height"]
    colour, shape = c.info["colour"], c.info["shape"]
    match = [o for o in spec["objects"] if colour in (None, o[0]) and shape in (None, o[1])]
    others = [o for o in spec["objects"] if o not in match]
    chosen = (match + others)[: int(c.value)]
    coords = " ".join(
        f'x{i}="{100 * o[3] / width:.1f}" y{i}="{100 * o[4] / height:.1f}"' for i, o in enumerate(chosen, 1)
    )
    what = c.info["what"]
    resp = f'Counting the <points {coords} alt="{what}">{what}</points> shows a total of {c.value}.'
    return graded(c, resp, "molmo-points", True, False, "Molmo's points, then 'a total of' the count")


def count_halves(c: Case, a: Any) -> Entry | None:
    if c.family != "count" or c.wrong or int(c.value) < 2:
        return None
    spec = json.loads(c.row["spec"])
    width = json.loads(c.row["attributes"])["width"]
    colour, shape = c.info["colour"], c.info["shape"]
    match = [o for o in spec["objects"] if colour in (None, o[0]) and shape in (None, o[1])]
    left = sum(1 for o in match if o[3] < width / 2)
    if left in (0, len(match)):
        return None
    right, what = len(match) - left, c.info["what"]
    form, strict = c.rng.choice(
        [
            (f"There are {c.value} {what}: {left} on the left side and {right} on the right side.", False),
            (f"Answer: {c.value} ({left} on the left, {right} on the right)", False),
            (
                f"I see {left} {what} on the left and {right} on the right, so {c.value} in total."
                f"\n\nAnswer: {c.value}",
                True,
            ),
        ]
    )
    return graded(c, form, "count-by-halves", True, strict, "the count with where the objects are")


def count_tally(c: Case, a: Any) -> Entry | None:
    if c.family != "count" or c.setting == "direct" or not (c.info["colour"] and c.info["shape"]):
        return None
    asked = f"{c.info['colour']} {c.info['shape']}"
    tally = Counter(c.info["listing"])
    tally[asked] = int(c.value)  # a miscount shows in the tally too
    lines = "\n".join(f"- {kind}: {n}" for kind, n in tally.most_common() if n)
    resp = f"{cot_intro(c)}Tally by kind:\n{lines}\n\nSo there are {c.value} {c.info['what']}.\nAnswer: {c.value}"
    return graded(c, resp, "count-tally", True, True, "a tally of every kind, then the asked kind's count")


def cards_named(c: Case, a: Any) -> Entry | None:
    if c.family != "cards" or not numeric(c) or c.info["kind"] == "range" or len(c.info["chosen"]) < 2:
        return None
    chosen, label, v = c.info["chosen"], c.info["label"], c.value
    n = len(chosen)
    forms = [
        (f"The {words(n)} {label} add up to {v}.", "'add up to' gives the value; the number of cards comes first"),
        (f"Together, the {label} come to {v}.", "'come to' gives the value"),
        (f"Answer: {v}, from {' + '.join(map(str, chosen))}.", "the value, then where it comes from"),
    ]
    if n == 2:
        forms.append(
            (
                f"Answer: the {label} are {chosen[0]} and {chosen[1]}, which sum to {v}.",
                "the two values, then 'sum to' the answer",
            )
        )
    else:
        forms.append(
            (
                f"The {label} are worth {', '.join(map(str, chosen[:-1]))} and {chosen[-1]}, which total {v}.",
                "the values, then 'total' the answer",
            )
        )
    text, why = c.rng.choice(forms)
    return graded(c, cot_intro(c) + text, "cards-sum-sentence", True, False, why)


def cards_table(c: Case, a: Any) -> Entry | None:
    if c.family != "cards" or not numeric(c) or c.info["kind"] == "range":
        return None
    names = [f"{r} of {s}" for r, s in c.info["cards"]]
    table = "\n".join(
        ["| Card | Value |", "|---|---|"] + [f"| {n} | {x} |" for n, x in zip(names, c.info["vals"], strict=True)]
    )
    end, strict = c.rng.choice([(f"**Total: {c.value}**", False), (f"**Answer: {c.value}**", True)])
    resp = f"{table}\n\nAdding the {c.info['label']}: {' + '.join(map(str, c.info['chosen'])) or '0'}\n\n{end}"
    return graded(c, resp, "llama-table", True, strict, "a Markdown table, then the total in bold")


def clock_reason_in_brackets(c: Case, a: Any) -> Entry | None:
    if not is_time(c):
        return None
    off = c.info["q"].get("offset")
    if off is None:
        return None
    sign = "+" if c.info["kind"] != "earlier" else "-"
    resp = f"Answer: {c.value} ({c.info['shown']} {sign} {off} minutes)"
    return graded(
        c,
        resp,
        "clock-answer-with-working",
        True,
        False,
        "the time, with its working in brackets: right, not the bare H:MM",
    )


def minutes_same_value_twice(c: Case, a: Any) -> Entry | None:
    if c.family != "clock" or not c.info["minutes"] or int(c.value) < 60 or int(c.value) % 60 == 0:
        return None
    h, m = divmod(int(c.value), 60)
    resp = f"That is {h} hour{'s' if h > 1 else ''} and {m} minutes, or {c.value} minutes in all."
    return graded(c, resp, "minutes-said-twice", True, False, "one duration said two ways, no Answer: line")


MORE_STYLES: list[Style] = [
    qwen_cot,
    gemma_okay,
    thinking,
    smolvlm_bare_unit,
    hedged_single,
    llama_headings,
    molmo_points,
    count_halves,
    count_tally,
    cards_named,
    cards_table,
    clock_reason_in_brackets,
    minutes_same_value_twice,
    molmo_points,
    cards_named,
]


# ---------------------------------------------------------------------------------------------------------------
# Hand-written responses to particular items (uid, setting, response, flexible, strict, style, reason).
# ---------------------------------------------------------------------------------------------------------------

HAND: dict[str, list[tuple[str, str, str, int, int, str]]] = {
    "mathtext": [
        (
            "mathtext-v1-00001",
            "direct",
            "Jonas has 64 marbles left after getting 21 more as a gift.",
            1,
            0,
            "answer first; the gift's 21 is a given",
        ),
        (
            "mathtext-v1-00001",
            "cot",
            "Jonas starts with 9 marbles. Three times larger gives 27. He buys 16, so 43. "
            "He gets 21 more: 64.\n\nAnswer: 64 marbles, 55 more than he started with.",
            1,
            0,
            "answer line with a justification holding another number",
        ),
        (
            "mathtext-v1-00001",
            "language",
            "9 × 3 = 27\n27 + 16 = 43\n43 + 21 = 64\n\nJonas has 64 marbles. "
            "Let me check: 64 - 21 = 43, 43 - 16 = 27, 27 / 3 =",
            1,
            0,
            "cut off while checking a stated answer",
        ),
        (
            "mathtext-v1-00001",
            "cascade",
            "Jonas: 9 marbles, then three times as many (27), plus 16 (43), plus 21. That comes to 64.",
            1,
            0,
            "'comes to' gives the value",
        ),
        ("mathtext-v1-00005", "direct", "Quinn has 78 stamps.\n\nAnswer: 78", 1, 1, "answer sentence and line"),
        (
            "mathtext-v1-00005",
            "cot",
            "28 / 2 = 14, 14 * 4 = 56, 56 + 50 = 106, 106 - 28 = 78.\n"
            "So Quinn ends up with 78 stamps, after Zane borrows 28.",
            1,
            0,
            "answer, then the last given",
        ),
        (
            "mathtext-v1-00005",
            "language",
            "Quinn keeps half of 28, which is 14. Four times that is 56. Buying 50 "
            "makes 106, and after Zane borrows 28 there are 78 left.\nAnswer: 78",
            1,
            1,
            "working, answer line",
        ),
        (
            "mathtext-v1-00005",
            "cascade",
            "After sharing: 14. After quadrupling: 56. After buying: 106. After "
            "Zane: 106 - 28 = 78.\n\nAnswer: 78 stamps (28 were borrowed)",
            1,
            0,
            "answer line with a bracketed given: not the bare form",
        ),
        (
            "mathtext-v1-00012",
            "direct",
            "Grace has 14 + 18 + 46 - 54 = 24 buttons, and a quarter of 24 is 6.\nAnswer: 6",
            1,
            1,
            "working, answer line",
        ),
        (
            "mathtext-v1-00012",
            "cot",
            "14 + 18 = 32\n32 + 46 = 78\n78 - 54 = 24\n24 / 4 = 6\n\nAnswer: 24",
            0,
            0,
            "answers the amount before sharing",
        ),
        (
            "mathtext-v1-00012",
            "language",
            "Grace keeps one of four equal shares of 24 buttons, so she has 6 buttons now.",
            1,
            0,
            "the answer attached to 'buttons'; 24 and four are givens",
        ),
        (
            "mathtext-v1-00012",
            "cascade",
            "The answer is 6 or 24, depending on whether she shares the buttons.",
            0,
            0,
            "two answers offered",
        ),
        (
            "mathtext-v1-00040",
            "direct",
            "75 × 3 = 225\n225 − 12 = 213\n213 ÷ 3 = 71\n\n**Answer: 71**",
            1,
            1,
            "bold answer line",
        ),
        (
            "mathtext-v1-00040",
            "cot",
            "Uma ends up with 71 postcards: she had 75, tripled them to 225, gave away 12 and kept a third of 213.",
            1,
            0,
            "the answer first, then the working with other numbers",
        ),
        ("mathtext-v1-00040", "language", "Uma has seventy-one postcards now.", 1, 0, "the value in words"),
        (
            "mathtext-v1-00040",
            "cascade",
            "75 * 3 = 225, 225 - 12 = 213, 213 / 3 = 71.\nAnswer: 71\n\n"
            "Wait, she gives the postcards before tripling? No, the text says after. So 71 stands.",
            1,
            1,
            "a second thought that confirms the answer line",
        ),
        (
            "mathtext-v1-00000",
            "direct",
            "Pablo has 49 + 19 = 68 seashells now.\nAnswer: 68",
            1,
            1,
            "working sentence, answer line",
        ),
        (
            "mathtext-v1-00000",
            "cot",
            "Pablo keeps 49 seashells in a backpack. He finds another 19 seashells. How many "
            "seashells does Pablo have now?\n\n49 - 19 = 30\n\nAnswer: 30",
            0,
            0,
            "subtracts instead of adding",
        ),
        (
            "mathtext-v1-00000",
            "language",
            "Pablo now has sixty-eight seashells (49 + 19).",
            1,
            0,
            "the value in words, its working in brackets",
        ),
        (
            "mathtext-v1-00000",
            "cascade",
            "Answer: 68\n\nSo Pablo has 69 seashells in total.",
            0,
            0,
            "the answer line and the closing sentence contradict each other",
        ),
        (
            "mathtext-v1-00012",
            "direct",
            "Answer: 6\n\nSo Grace has 24 buttons.",
            0,
            0,
            "the answer line and the closing sentence contradict each other",
        ),
        (
            "mathtext-v1-00012",
            "language",
            "She ends with 6. (Before sharing she had 24.)\n\nAnswer: 6",
            1,
            1,
            "answer, a note on an earlier amount, answer line",
        ),
    ],
    "clock": [
        (
            "clock-v1-00002",
            "direct",
            "The clock shows 11:25. From 2:40 to 11:25 is 8 hours and 45 minutes, which is 525 minutes.\n\nAnswer: 525",
            1,
            1,
            "working, answer line",
        ),
        (
            "clock-v1-00002",
            "cot",
            "The clock shows 11:25.\n2:40 to 11:40 is 9 hours = 540 minutes, minus 15 "
            "minutes gives 525 minutes.\nAnswer: 525 minutes",
            1,
            1,
            "answer line with its unit",
        ),
        ("clock-v1-00002", "language", "2:40 was 525 minutes ago.", 1, 0, "the minutes asked, after the named time"),
        ("clock-v1-00002", "cascade", "Answer: 8:45", 0, 0, "a duration written as a time, not minutes"),
        (
            "clock-v1-00005",
            "direct",
            "From 8:50 to 4:30 is 7 hours and 40 minutes.\nAnswer: 460",
            1,
            1,
            "working, answer line",
        ),
        (
            "clock-v1-00005",
            "cot",
            "The clock shows 8:50. Until 4:30: 10 minutes to 9:00, then 7 hours to 4:00 "
            "(420 minutes), then 30 minutes. 10 + 420 + 30 = 460.\n\nAnswer: 460",
            1,
            1,
            "working, answer line",
        ),
        (
            "clock-v1-00005",
            "language",
            "It will show 4:30 in 460 minutes, which is 7 hours and 40 minutes from 8:50.",
            1,
            0,
            "the minutes first, then the same duration and the reading",
        ),
        (
            "clock-v1-00005",
            "cascade",
            "Answer: 460 minutes, or 7 hours and 40 minutes",
            1,
            0,
            "the same duration in two forms; not the bare minutes",
        ),
        (
            "clock-v1-00009",
            "direct",
            "It is 7:22 now, so 3 hours and 5 minutes from now it will be 10:27.",
            1,
            0,
            "the answer stated by 'it will be'",
        ),
        ("clock-v1-00009", "cot", "The clock shows 7:22.\n7:22 + 3:05 = 10:27\n\nAnswer: 10:27", 1, 1, "answer line"),
        ("clock-v1-00009", "language", "Answer: 10:27 p.m.", 1, 0, "p.m. added: not the asked H:MM"),
        ("clock-v1-00009", "cascade", "Answer: 10:27 or 10:32", 0, 0, "two different times"),
        (
            "clock-v1-00009",
            "cot",
            "The clock shows 4:37.\n4:37 + 3 hours = 7:37.\n7:37 + 5 minutes = 7:42.\n\nAnswer: 7:42",
            0,
            0,
            "the hands read the wrong way round (7:22 read as 4:37)",
        ),
        (
            "clock-v1-00000",
            "cot",
            "The clock shows 1:40.\n1:40 + 8 hours = 9:40, + 3 minutes = 9:43.\n\n"
            "Answer: 9:43\n\nWait, the clock shows 1:40, so 8 hours later is 9:40 and 3 minutes more is 9:43. Yes.",
            1,
            1,
            "a second thought that confirms the answer line",
        ),
        ("clock-v1-00000", "direct", "Answer: 9:43 in the evening", 1, 0, "a time of day added: not the bare H:MM"),
        (
            "clock-v1-00001",
            "direct",
            "It was 3:25, an hour and a half before 4:55.",
            1,
            0,
            "the answer first, then the reading",
        ),
        ("clock-v1-00001", "language", "Answer: 6:25", 0, 0, "goes forward instead of back"),
        (
            "clock-v1-00001",
            "cascade",
            "4:55 minus 1 hour is 3:55, minus 30 minutes is 3:25.\nAnswer: **3:25**",
            1,
            1,
            "bold answer line",
        ),
        ("clock-v1-00002", "language", "Answer: 195", 0, 0, "counts from 11:25 to 2:40 instead"),
        ("clock-v1-00005", "direct", "Answer: 260", 0, 0, "counts the other way round the dial"),
        ("clock-v1-00038", "direct", "Half an hour ago it was noon.\n\nAnswer: 12:00", 1, 1, "answer line"),
        (
            "clock-v1-00038",
            "cot",
            "The clock shows 12:30. 30 minutes earlier it showed 12:00.\nAnswer: noon",
            1,
            0,
            "noon is 12:00: right, not H:MM",
        ),
        ("clock-v1-00038", "language", "Answer: 0:00", 1, 0, "the 24-hour form of 12:00"),
        (
            "clock-v1-00104",
            "cascade",
            "8:10 plus 230 minutes (3 hours 50 minutes) brings it to twelve o'clock.",
            1,
            0,
            "twelve o'clock in words after the working",
        ),
    ],
    "cards": [
        ("cards-v1-00007", "direct", "7 + 11 + 10 + 9 + 2 + 2 = 41\n\nAnswer: 41", 1, 1, "sum, answer line"),
        (
            "cards-v1-00007",
            "cot",
            "7 of diamonds\nA of spades\nQ of spades\n9 of clubs\n2 of clubs\n2 of hearts\n\n"
            "With the ace as 11 and the queen as 10, the six cards total 41.\n\nAnswer: 41",
            1,
            1,
            "card list, the total, answer line",
        ),
        ("cards-v1-00007", "language", "Answer: 31", 0, 0, "the ace counted as 1 although the rule says 11"),
        (
            "cards-v1-00007",
            "cascade",
            "The total value is 41 (the ace counts as 11, the queen as 10).",
            1,
            0,
            "total with the rule in brackets",
        ),
        (
            "cards-v1-00033",
            "direct",
            "There is no difference; both cards are worth 10.",
            1,
            0,
            "no difference is 0; 10 is each card's value",
        ),
        (
            "cards-v1-00033",
            "cot",
            "K of diamonds\n10 of spades\n\nThe king counts as 10 and so does the 10, so the "
            "highest and lowest are equal: the difference is 0.\n\nAnswer: 0",
            1,
            1,
            "answer line",
        ),
        ("cards-v1-00033", "language", "Answer: 10", 0, 0, "gives the card value, not the difference"),
        (
            "cards-v1-00033",
            "cascade",
            "The highest is 10 and the lowest is 10, a difference of zero.",
            1,
            0,
            "'a difference of zero'",
        ),
        (
            "cards-v1-00000",
            "cot",
            "7 of clubs\n7 of spades\n6 of hearts\n\nThe black cards are the 7 of clubs "
            "and the 7 of spades: 7 + 7 = 14. The red 6 is not counted.\n\nAnswer: 14",
            1,
            1,
            "answer line",
        ),
        ("cards-v1-00000", "direct", "Answer: 20", 0, 0, "adds every card, the red 6 too"),
        (
            "cards-v1-00001",
            "language",
            "Highest 10, lowest 2, so the difference is 8.\n\nAnswer: 8",
            1,
            1,
            "answer line",
        ),
        ("cards-v1-00001", "cascade", "Answer: 10 - 2 = 8", 1, 0, "an equation ending in the value"),
        ("cards-v1-00003", "direct", "Answer: 10 * 2 + 4 * 1", 1, 1, "another expression that uses each card once"),
        (
            "cards-v1-00003",
            "cot",
            "2 of hearts\n10 of diamonds\nA of hearts\n4 of diamonds\n\nValues: 2, 10, 1, 4.\n"
            "10 * 2 = 20, 20 + 4 = 24, 24 * 1 = 24.\n\nAnswer: (10 * 2 + 4) * 1",
            1,
            1,
            "steps, then the expression",
        ),
        ("cards-v1-00003", "language", "Answer: 10 × 2 + 4 = 24", 0, 0, "leaves the ace out"),
        ("cards-v1-00003", "cascade", "Answer: 24", 0, 0, "the value, not the expression asked"),
        ("cards-v1-00011", "direct", "Answer: 13 + 9 + 1 + 8", 0, 0, "equals 31, not 24"),
        (
            "cards-v1-00011",
            "cot",
            "K is 13 here. 13 - 9 = 4, 4 - 1 = 3, 3 × 8 = 24.\n\nAnswer: (13 - 9 - 1) × 8",
            1,
            1,
            "steps, then the expression",
        ),
        (
            "cards-v1-00011",
            "language",
            "With K = 10: (10 - 9 + 1) * 8 = 16, which does not work. With K = 13: "
            "8 * (13 - 1 - 9) = 24.\nAnswer: 8 * (13 - 1 - 9)",
            1,
            1,
            "a failed try, then the expression",
        ),
        ("cards-v1-00011", "cascade", "Answer: 8 * (13 - 9 - 1)", 1, 1, "the expression"),
    ],
    "count": [
        (
            "count-v1-00000",
            "direct",
            "I can see 8 yellow stars among the 19 shapes, along with 3 orange stars.",
            1,
            0,
            "the count of the asked objects, then other objects",
        ),
        (
            "count-v1-00000",
            "cot",
            "yellow star x8\norange star x3\nblack star x2\npurple star x2\nyellow hexagon\n"
            "blue star\ngreen diamond\nyellow circle\n\nAnswer: 8",
            1,
            1,
            "grouped list, answer line",
        ),
        (
            "count-v1-00000",
            "language",
            "There are 8 yellow stars. (The yellow hexagon and the yellow circle are not stars.)\nAnswer: 8",
            1,
            1,
            "answer line after a note",
        ),
        ("count-v1-00000", "cascade", "Answer: 11", 0, 0, "counts every star that is yellow or orange"),
        (
            "count-v1-00003",
            "direct",
            "There are no green crosses in the image; the only shape is a green diamond.",
            1,
            0,
            "none is zero",
        ),
        (
            "count-v1-00003",
            "cot",
            "green diamond\n\nThe image contains a single green diamond and no crosses.\n\nAnswer: 0",
            1,
            1,
            "answer line",
        ),
        ("count-v1-00003", "language", "Answer: 1", 0, 0, "counts the diamond"),
        (
            "count-v1-00003",
            "cascade",
            "The list has 1 object, a green diamond, so there are zero green crosses.",
            1,
            0,
            "zero in words, after the list's one object",
        ),
        ("count-v1-00004", "direct", "**8** yellow hexagons.", 1, 0, "bold count, no Answer: line"),
        ("count-v1-00004", "cot", "I count 8 yellow hexagons and 2 yellow squares.\n\nAnswer: 8", 1, 1, "answer line"),
        ("count-v1-00004", "language", "Answer: 8 of 20", 1, 0, "the part is the answer; the whole is context"),
        (
            "count-v1-00004",
            "cascade",
            "Yellow hexagons: lines 5, 8, 11, 14, 15, 16, 17 and 19, so eight in all.",
            1,
            0,
            "the count in words after the line numbers",
        ),
        (
            "count-v1-00005",
            "direct",
            "There are 11 blue diamonds and 1 blue cross.",
            1,
            0,
            "the count of the asked objects, then another kind",
        ),
        ("count-v1-00005", "cot", "Answer: 12", 0, 0, "counts the blue cross too"),
        ("count-v1-00005", "language", "Eleven.\n\nAnswer: 11", 1, 1, "answer line"),
        ("count-v1-00005", "cascade", "Answer: 11 or 12", 0, 0, "two counts offered"),
        (
            "count-v1-00000",
            "direct",
            "Answer: 8\n\nSo there are 9 yellow stars in total.",
            0,
            0,
            "the answer line and the closing sentence contradict each other",
        ),
        ("count-v1-00005", "direct", "I count eleven blue diamonds.", 1, 0, "the count in words"),
    ],
}


def hand_entries(family: str, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    by_uid = {row["uid"]: row for row in rows}
    out = []
    for uid, setting, response, flexible, strict, reason in HAND.get(family, []):
        row = by_uid[uid]
        out.append(
            {
                "family": family,
                "setting": setting,
                "uid": uid,
                "doc_id": row["index"],
                "target": row["answer"],
                "response": response,
                "flexible": flexible,
                "strict": strict,
                "style": "hand-written",
                "reason": reason,
            }
        )
    return out


# ---------------------------------------------------------------------------------------------------------------
# Writing the corpus.
# ---------------------------------------------------------------------------------------------------------------


def build(family: str) -> list[dict[str, Any]]:
    """The family's corpus lines: PER_SETTING responses in each answer setting, to random items of the test split."""
    path = ROOT / "task_yamls" / family / "data" / "test.jsonl"
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    items = get_family(family).generate_items()
    assert [(i.question, i.answer) for i in items] == [(r["question"], r["answer"]) for r in rows], family
    adapter = ADAPTERS[family]
    rng = random.Random(f"{SEED}:{family}")
    out: list[dict[str, Any]] = []
    seen: set[tuple[str, str]] = set()
    for setting in ANSWER_SETTINGS:
        queues: dict[str, list[Style]] = {"generic": [], "make24": []}
        made = 0
        while made < PER_SETTING:
            index = rng.randrange(len(rows))
            row = rows[index]
            case = Case(
                adapter.name,  # the kind of item (spoken's are mathtext's); the line names the family
                setting,
                row,
                items[index].solution,
                random.Random(rng.random()),
                wrong=rng.random() < 0.2,
                target=row["answer"],
            )
            adapter.prepare(case)
            pool = "make24" if is_expr(case) else "generic"
            if not queues[pool]:
                queues[pool] = list(MAKE24 if pool == "make24" else GENERIC + FAMILY_STYLES + MORE_STYLES)
                rng.shuffle(queues[pool])
            style = queues[pool].pop()
            entry = style(case, adapter)
            if entry is None or (setting, entry.response) in seen:
                continue
            seen.add((setting, entry.response))
            out.append(
                {
                    "family": family,
                    "setting": setting,
                    "uid": row["uid"],
                    "doc_id": row["index"],
                    "target": row["answer"],
                    "response": entry.response,
                    "flexible": entry.flexible,
                    "strict": entry.strict,
                    "style": entry.style,
                    "reason": entry.reason,
                }
            )
            made += 1
    return out + hand_entries(family, rows)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for family in FAMILIES:
        lines = build(family)
        text = "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines)
        (OUT / f"{family}.jsonl").write_text(text, encoding="utf-8")
        wrong = sum(1 for line in lines if not line["flexible"])
        print(f"{family}: {len(lines)} responses, {wrong} not credited ({wrong / len(lines):.0%})")


if __name__ == "__main__":
    main()

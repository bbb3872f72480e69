"""Card playing: recognise the playing cards in an image, then do the arithmetic the question asks.

Step 1 (visual skill) lists the cards, one per line, left to right (top row first):
``7 of hearts``, ``K of spades``, ``A of diamonds``, ``10 of clubs``. Step 2 (textual skill) answers
a question about their values. Every question states its value rules, so the answer follows from
the card list alone. Question kinds:

- ``total``: the total value of all the cards;
- ``colour_sum`` / ``suit_sum``: the total value of the red/black cards, or of one suit;
- ``range``: the highest card value minus the lowest;
- ``make24``: four cards; write an expression with + - * / and parentheses that uses each card's
  value exactly once and equals 24 (the GeneralPoints game). Only solvable hands are generated; the
  ``answer`` column holds one known solution, and any valid expression is accepted.
"""

from __future__ import annotations

import json
import math
import random
import re
from fractions import Fraction
from functools import cache, lru_cache
from typing import Any, ClassVar

import numpy as np
from PIL import Image, ImageDraw

from lmms_compgap import arith, scoring
from lmms_compgap.core.family import AnswerScore, IntermediateScore, Item, TaskFamily
from lmms_compgap.draw.fonts import load_font

# ---- the deck -----------------------------------------------------------------------------------
RANKS: tuple[str, ...] = ("A", "2", "3", "4", "5", "6", "7", "8", "9", "10", "J", "Q", "K")
SUITS: tuple[str, ...] = ("spades", "hearts", "diamonds", "clubs")
RED_SUITS = frozenset({"hearts", "diamonds"})
SUIT_SYMBOLS: dict[str, str] = {"spades": "\u2660", "hearts": "\u2665", "diamonds": "\u2666", "clubs": "\u2663"}
DECK: tuple[tuple[str, str], ...] = tuple((rank, suit) for suit in SUITS for rank in RANKS)
COURT = frozenset({"J", "Q", "K"})

# ---- value rules (stated in every question) -----------------------------------------------------
#: rule -> (ace value, (J, Q, K) values, the sentence stating it)
RULES: dict[str, tuple[int, tuple[int, int, int], str]] = {
    "ace1": (1, (10, 10, 10), "Aces count as 1; jacks, queens and kings as 10; number cards as their number."),
    "ace11": (11, (10, 10, 10), "Aces count as 11; jacks, queens and kings as 10; number cards as their number."),
    "high13": (
        1,
        (11, 12, 13),
        "Aces count as 1; jacks as 11, queens as 12 and kings as 13; number cards as their number.",
    ),
}
#: question kind -> the rules it is asked with
KIND_RULES: dict[str, tuple[str, ...]] = {
    "total": ("ace1", "ace11"),
    "colour_sum": ("ace1", "ace11"),
    "suit_sum": ("ace1", "ace11"),
    "range": ("ace1", "ace11", "high13"),
    "make24": ("ace1", "high13"),
}
KIND_WEIGHTS: dict[str, float] = {"total": 0.25, "colour_sum": 0.125, "suit_sum": 0.125, "range": 0.2, "make24": 0.3}
TARGET = 24
MAKE24_TEXT = (
    "Using each card's value exactly once, and only +, -, *, / and parentheses, write an expression that "
    "equals 24. {rule} Write the expression with the card values as numbers; your answer is the expression itself."
)


def card_value(rank: str, rule: str) -> int:
    ace, court, _ = RULES[rule]
    if rank == "A":
        return ace
    if rank in COURT:
        return court["JQK".index(rank)]
    return int(rank)


def question_text(question: dict[str, Any]) -> str:
    """The question an item asks, from its `spec["question"]` (kind, rule, and colour or suit)."""
    kind, rule = question["kind"], RULES[question["rule"]][2]
    if kind == "total":
        return f"What is the total value of all the cards? {rule}"
    if kind == "colour_sum":
        suits = "hearts and diamonds" if question["colour"] == "red" else "spades and clubs"
        return f"What is the total value of the {question['colour']} cards ({suits})? {rule}"
    if kind == "suit_sum":
        return f"What is the total value of the cards whose suit is {question['suit']}? {rule}"
    if kind == "range":
        return f"What is the difference between the highest and the lowest card value? {rule}"
    if kind == "make24":
        return MAKE24_TEXT.format(rule=rule)
    raise ValueError(f"unknown cards question kind {kind!r}")


def numeric_answer(cards: list[tuple[str, str]], question: dict[str, Any]) -> int | None:
    """The answer to a numeric question about `cards` (None when it has none, e.g. range of no cards)."""
    kind, rule = question["kind"], question["rule"]
    if kind == "total":
        chosen = cards
    elif kind == "colour_sum":
        chosen = [card for card in cards if (card[1] in RED_SUITS) == (question["colour"] == "red")]
    elif kind == "suit_sum":
        chosen = [card for card in cards if card[1] == question["suit"]]
    elif kind == "range":
        values = [card_value(rank, rule) for rank, _ in cards]
        return max(values) - min(values) if values else None
    else:
        raise ValueError(f"cards question kind {kind!r} has no numeric answer")
    return sum(card_value(rank, rule) for rank, _ in chosen)


def worked_answer(cards: list[tuple[str, str]], question: dict[str, Any]) -> str:
    """The arithmetic behind an answer, over card values only (it does not restate the card list)."""
    kind, rule = question["kind"], question["rule"]
    values = [card_value(rank, rule) for rank, _ in cards]
    listed = ", ".join(map(str, values))
    if kind == "make24":
        return f"The values are {listed}: {question['solution']} = {TARGET}."
    if kind == "range":
        high, low = max(values), min(values)
        return f"The values are {listed}; the highest is {high} and the lowest {low}: {high} - {low} = {high - low}."
    if kind == "total":
        chosen, what = cards, "All the cards"
    elif kind == "colour_sum":
        chosen = [card for card in cards if (card[1] in RED_SUITS) == (question["colour"] == "red")]
        what = f"The {question['colour']} cards"
    else:
        chosen = [card for card in cards if card[1] == question["suit"]]
        what = f"The {question['suit']}"
    terms = [card_value(rank, rule) for rank, _ in chosen]
    total = numeric_answer(cards, question)
    if len(terms) == 1:
        return f"{what} count {terms[0]}."
    return f"{what} count {' + '.join(map(str, terms))} = {total}."


# ---- the exact make-24 solver -------------------------------------------------------------------
# An expression is (text, precedence): 3 for a number, 2 for * and /, 1 for + and -. Parentheses are
# added only where precedence needs them, so solutions read naturally: "(8 - 4) * (3 + 3)".
_Expr = tuple[str, int]


def _combine(a: _Expr, op: str, b: _Expr) -> _Expr:
    (left, left_prec), (right, right_prec) = a, b
    if op in "*/" and left_prec == 1:
        left = f"({left})"
    if (op == "-" and right_prec == 1) or (op == "*" and right_prec == 1) or (op == "/" and right_prec <= 2):
        right = f"({right})"
    return f"{left} {op} {right}", 2 if op in "*/" else 1


@cache
def _reachable(values: tuple[int, ...]) -> dict[Fraction, _Expr]:
    """Every value an expression over exactly `values` (sorted) can take, each with one expression.

    Covers every binary expression tree: split the multiset into two non-empty parts in every way,
    combine each pair of reachable values with every operation. Used for up to three values (the
    parts of a four-card hand), cached by sorted tuple, so each part is expanded once per process.
    """
    if len(values) == 1:
        return {Fraction(values[0]): (str(values[0]), 3)}
    found: dict[Fraction, _Expr] = {}
    for left, right in _splits(values):
        right_values = _reachable(right)
        for x, x_expr in _reachable(left).items():
            for y, y_expr in right_values.items():
                candidates = [(x + y, "+"), (x - y, "-"), (x * y, "*")]
                if y:
                    candidates.append((x / y, "/"))
                for value, op in candidates:
                    if value not in found:
                        found[value] = _combine(x_expr, op, y_expr)
    return found


def _splits(values: tuple[int, ...]) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
    """Every ordered split of a sorted multiset into two non-empty sorted parts, each once."""
    n = len(values)
    splits: dict[tuple[tuple[int, ...], tuple[int, ...]], None] = {}
    for mask in range(1, (1 << n) - 1):
        left = tuple(values[i] for i in range(n) if mask >> i & 1)
        right = tuple(values[i] for i in range(n) if not mask >> i & 1)
        splits.setdefault((left, right))
    return list(splits)


@cache
def _solve_sorted(values: tuple[int, ...], target: int) -> str | None:
    """Exact search for `target` over sorted `values`: at the root, `left op right` with each side's
    reachable values, looking the other side's needed value up instead of trying every pair."""
    if len(values) <= 3:
        expr = _reachable(values).get(Fraction(target))
        return expr[0] if expr else None
    goal = Fraction(target)
    for left, right in _splits(values):
        lefts, rights = _reachable(left), _reachable(right)
        if len(lefts) <= len(rights):
            for a, a_expr in lefts.items():
                needed = [(goal - a, "+"), (a - goal, "-"), (goal / a if a else None, "*"), (a / goal, "/")]
                for b, op in needed:
                    if b is not None and b in rights and (op != "/" or b):
                        return _combine(a_expr, op, rights[b])[0]
        else:
            for b, b_expr in rights.items():
                wanted = [
                    (goal - b, "+"),
                    (goal + b, "-"),
                    (goal / b if b else None, "*"),
                    (goal * b if b else None, "/"),
                ]
                for a, op in wanted:
                    if a is not None and a in lefts:
                        return _combine(lefts[a], op, b_expr)[0]
    return None


def solve_target(values: list[int] | tuple[int, ...], target: int = TARGET) -> str | None:
    """One expression using each of `values` exactly once that equals `target` exactly, or None.

    Exact (Fractions, so 8 / (3 - 8 / 3) counts) and complete over every expression tree with
    + - * / and parentheses. Cached by the sorted values.
    """
    return _solve_sorted(tuple(sorted(values)), target)


# ---- reading a card list ------------------------------------------------------------------------
_RANK_WORDS: dict[str, str] = {
    "ace": "A", "1": "A", "a": "A", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6",
    "seven": "7", "eight": "8", "nine": "9", "ten": "10", "t": "10", "jack": "J", "j": "J", "queen": "Q",
    "q": "Q", "king": "K", "k": "K",
}  # fmt: skip
_SUIT_NAMES: dict[str, str] = {
    "spade": "spades", "heart": "hearts", "diamond": "diamonds", "club": "clubs",
    "\u2660": "spades", "\u2664": "spades", "\u2665": "hearts", "\u2661": "hearts",
    "\u2666": "diamonds", "\u2662": "diamonds", "\u2663": "clubs", "\u2667": "clubs",
    "s": "spades", "h": "hearts", "d": "diamonds", "c": "clubs",
}  # fmt: skip
# Single-letter ranks must be capitals ("a ♠ in the corner" is not the ace of spades).
_WORD_RANK = r"ace|two|three|four|five|six|seven|eight|nine|ten|jack|queen|king|10|[1-9]|(?-i:[AJQK])"
_SYMBOL = "[\u2660-\u2667]\ufe0f?"
_LOWER_WORD = re.compile(r"\s+[a-z]")
_CARD = re.compile(
    rf"(?<![\w.])(?P<r1>{_WORD_RANK})\s+of\s+(?P<s1>spade|heart|diamond|club)s?\b"  # 7 of hearts, King of Spades
    rf"|(?<![\w.])(?P<r2>{_WORD_RANK}|(?-i:T))\s*(?:of\s*)?(?P<s2>{_SYMBOL})"  # K♠, 10 ♥, Queen ♦, 7 of ♥
    rf"|(?P<s3>{_SYMBOL})\s*(?P<r3>{_WORD_RANK}|(?-i:T))(?![\w])"  # ♠K
    r"|(?<![\w.])(?P<r4>(?-i:10|[2-9TAJQK]))(?P<s4>[SHDC])(?![\w])",  # 7H, 10c, KS, Ah (capital rank letter)
    re.IGNORECASE,
)


def parse_cards(text: str) -> list[tuple[str, str]]:
    """The cards a free-text card list names, in order, as (rank, suit) pairs.

    Accepts "7 of hearts", "King of Spades", "ten of hearts", "K♠", "♠K", "7H", "10c" and the like, with
    any bullets, numbering or prose around them. A card named twice on one line (e.g. "7 of hearts (7♥)")
    counts once; a card on two lines counts twice (a deck has no duplicates, so that is an error).
    """
    cards: list[tuple[str, str]] = []
    for line in scoring.prepare_for_reading(text).splitlines():
        line_cards: list[tuple[str, str]] = []
        for match in _CARD.finditer(line):
            groups = match.groupdict()
            number = next(i for i in "1234" if groups[f"r{i}"] is not None)
            rank_text, suit_text = groups[f"r{number}"], groups[f"s{number}"]
            # A short code of a capital and a lowercase letter must not start an English sentence ("As the").
            if number == "4" and rank_text.isalpha() and suit_text.islower() and _LOWER_WORD.match(line, match.end()):
                continue
            suit_key = suit_text.rstrip("\ufe0f").lower()
            card = (_RANK_WORDS.get(rank_text.lower(), rank_text.upper()), _SUIT_NAMES[suit_key])
            if card[0] in RANKS and card not in line_cards:
                line_cards.append(card)
        cards.extend(line_cards)
    return cards


def format_cards(cards: list[tuple[str, str]]) -> str:
    """The gold card list: one card per line, "7 of hearts"."""
    return "\n".join(f"{rank} of {suit}" for rank, suit in cards)


# ---- drawing ------------------------------------------------------------------------------------
SUPERSAMPLE = 2
CARD_RATIO = 1.4
BACKGROUNDS: dict[str, tuple[int, int, int]] = {
    "green_felt": (38, 112, 64),
    "wood": (128, 84, 48),
    "blue": (42, 72, 128),
    "grey": (112, 114, 118),
}
BACKGROUND_STYLES: dict[str, tuple[str, ...]] = {
    "green_felt": ("plain", "noise", "gradient"),
    "wood": ("plain", "grain", "gradient"),
    "blue": ("plain", "noise", "gradient"),
    "grey": ("plain", "noise", "gradient"),
}
INDEX_FONTS: tuple[str, ...] = ("DejaVuSans", "DejaVuSerif", "LiberationSans", "LiberationSerif")
SUIT_FONT = "DejaVuSans"  # has the four suit symbols; several bundled fonts do not
RED = (196, 24, 36, 255)
BLACK = (20, 20, 24, 255)
#: Pip centres of number cards as (x, y) fractions of the card: three columns, rows from 0.21 to 0.79.
_L, _C, _R = 0.35, 0.5, 0.65
_ROWS = {"top": 0.21, "upper": 0.403, "mid": 0.5, "lower": 0.597, "bottom": 0.79,
         "high": 0.355, "low": 0.645, "higher": 0.307, "lower_c": 0.693}  # fmt: skip
_PIP_ROWS: dict[str, tuple[tuple[float, str], ...]] = {
    "2": ((_C, "top"), (_C, "bottom")),
    "3": ((_C, "top"), (_C, "mid"), (_C, "bottom")),
    "4": ((_L, "top"), (_R, "top"), (_L, "bottom"), (_R, "bottom")),
    "5": ((_L, "top"), (_R, "top"), (_C, "mid"), (_L, "bottom"), (_R, "bottom")),
    "6": ((_L, "top"), (_R, "top"), (_L, "mid"), (_R, "mid"), (_L, "bottom"), (_R, "bottom")),
    "7": ((_L, "top"), (_R, "top"), (_C, "high"), (_L, "mid"), (_R, "mid"), (_L, "bottom"), (_R, "bottom")),
    "8": ((_L, "top"), (_R, "top"), (_C, "high"), (_L, "mid"), (_R, "mid"), (_C, "low"), (_L, "bottom"),
          (_R, "bottom")),
    "9": ((_L, "top"), (_R, "top"), (_L, "upper"), (_R, "upper"), (_C, "mid"), (_L, "lower"), (_R, "lower"),
          (_L, "bottom"), (_R, "bottom")),
    "10": ((_L, "top"), (_R, "top"), (_C, "higher"), (_L, "upper"), (_R, "upper"), (_L, "lower"), (_R, "lower"),
           (_C, "lower_c"), (_L, "bottom"), (_R, "bottom")),
}  # fmt: skip
PIPS: dict[str, tuple[tuple[float, float], ...]] = {
    rank: tuple((x, _ROWS[row]) for x, row in pips) for rank, pips in _PIP_ROWS.items()
}
SHADOW = 6  # pixels around a card face for its drop shadow


def _rotated_box(width: float, height: float, degrees: float) -> tuple[float, float]:
    """Width and height of the axis-aligned box around a width x height card turned by `degrees`."""
    c, s = abs(math.cos(math.radians(degrees))), abs(math.sin(math.radians(degrees)))
    return width * c + height * s, height * c + width * s


def _text_centered(pen: ImageDraw.ImageDraw, xy: tuple[float, float], text: str, font: Any, fill: Any, **kw) -> None:
    pen.text(xy, text, font=font, fill=fill, anchor="mm", **kw)


@lru_cache(maxsize=64)
def _card_face(rank: str, suit: str, width: int, index_font: str) -> Image.Image:
    """One card face up on a transparent canvas with a margin for its shadow, drawn supersampled.

    Cached (a few, about 100 kB each): a face depends only on its rank, suit, width and font. Callers must
    not modify it.
    """
    s = SUPERSAMPLE
    w, h = width * s, round(width * CARD_RATIO) * s
    pad = SHADOW * s
    canvas = Image.new("RGBA", (w + 2 * pad, h + 2 * pad), (0, 0, 0, 0))
    pen = ImageDraw.Draw(canvas)
    radius = round(0.07 * w)
    # A soft-edged drop shadow (two offset translucent layers), then the card with a dark border.
    for offset, alpha in ((3 * s, 40), (2 * s, 50)):
        box = (pad + offset, pad + offset, pad + w - 1 + offset, pad + h - 1 + offset)
        pen.rounded_rectangle(box, radius, fill=(0, 0, 0, alpha))
    pen.rounded_rectangle((pad, pad, pad + w - 1, pad + h - 1), radius, fill=(252, 251, 246, 255),
                          outline=(70, 70, 76, 255), width=max(2, round(0.012 * w)))  # fmt: skip
    colour = RED if suit in RED_SUITS else BLACK
    symbol = SUIT_SYMBOLS[suit]

    # Corner indices: rank over a small suit symbol, top-left and (turned half round) bottom-right.
    index = Image.new("RGBA", (round(0.24 * w), round(0.38 * w)), (0, 0, 0, 0))
    index_pen = ImageDraw.Draw(index)
    rank_font = load_font(index_font, round((0.17 if rank == "10" else 0.19) * w))
    centre_x = index.width / 2
    # The rank sits on a baseline (a J's descender stays clear of the suit symbol below it).
    index_pen.text((centre_x, 0.19 * w), rank, font=rank_font, fill=colour, anchor="ms", stroke_width=1,
                   stroke_fill=colour)  # fmt: skip
    _text_centered(index_pen, (centre_x, 0.3 * w), symbol, load_font(SUIT_FONT, round(0.16 * w)), colour)
    corner = (pad + round(0.01 * w), pad + round(0.015 * w))
    canvas.alpha_composite(index, corner)
    turned = index.transpose(Image.Transpose.ROTATE_180)
    canvas.alpha_composite(turned, (canvas.width - corner[0] - turned.width, canvas.height - corner[1] - turned.height))

    if rank in PIPS:
        pip_font = load_font(SUIT_FONT, round(0.2 * w))
        for fx, fy in PIPS[rank]:
            _text_centered(pen, (pad + fx * w, pad + fy * h), symbol, pip_font, colour)
    else:
        # Court cards and aces: a big letter over a big suit symbol; court cards inside a framed panel.
        if rank in COURT:
            frame = (pad + 0.25 * w, pad + 0.11 * h, pad + 0.75 * w, pad + 0.89 * h)
            pen.rectangle(frame, fill=(250, 236, 196, 255), outline=colour, width=max(2, round(0.015 * w)))
        _text_centered(pen, (pad + 0.5 * w, pad + 0.39 * h), rank, load_font(index_font, round(0.4 * w)), colour,
                       stroke_width=s, stroke_fill=colour)  # fmt: skip
        _text_centered(pen, (pad + 0.5 * w, pad + 0.66 * h), symbol, load_font(SUIT_FONT, round(0.3 * w)), colour)
    return canvas.reduce(s)


def _background(spec: dict[str, Any]) -> Image.Image:
    """The table: a plain colour, or a subtle texture computed at reduced resolution and scaled up."""
    width, height = spec["size"]
    style, seed = spec["background"]["style"], spec["background"]["seed"]
    base = np.array(spec["background"]["colour"], dtype=np.float32)
    if style == "plain":
        return Image.new("RGB", (width, height), tuple(int(v) for v in base))
    rng = np.random.RandomState(seed)  # RandomState: a stream NumPy keeps stable across versions
    factor = {"gradient": 4, "grain": 2, "noise": 2}[style]
    small_w, small_h = -(-width // factor), -(-height // factor)
    ys = np.arange(small_h, dtype=np.float32)[:, None] * factor
    xs = np.arange(small_w, dtype=np.float32)[None, :] * factor
    if style == "gradient":
        angle = rng.uniform(0, 2 * math.pi)
        ramp = (xs * math.cos(angle) + ys * math.sin(angle)) / math.hypot(width, height)
        shade = 1.0 + 0.35 * (ramp - ramp.mean())
    elif style == "grain":
        # Wood: wavy streaks along x with a random brightness each, and faint rings.
        streaks = rng.normal(0.0, 1.0, height // 4 + 2).astype(np.float32)
        streaks = np.convolve(streaks, np.ones(3, dtype=np.float32) / 3, mode="same")
        phase, period, ring = rng.uniform(0, 2 * math.pi), rng.uniform(220, 360), rng.uniform(16, 28)
        warp = ys + 6.0 * np.sin(xs / period * 2 * math.pi + phase)
        streak = np.interp(warp / 4.0, np.arange(streaks.size, dtype=np.float32), streaks)
        shade = 1.0 + 0.06 * streak + 0.02 * np.sin(warp / ring * 2 * math.pi)
    else:  # noise: a fine felt-like grain
        shade = 1.0 + 0.05 * rng.normal(0.0, 1.0, (small_h, small_w)).astype(np.float32)
    pixels = np.clip(shade[:, :, None] * base + 0.5, 0, 255).astype(np.uint8)
    # Nearest-neighbour scaling: fast, and the fields are smooth (or meant to be grainy) at this scale.
    full = Image.fromarray(pixels, "RGB").resize((small_w * factor, small_h * factor), Image.Resampling.NEAREST)
    return full.crop((0, 0, width, height))


def draw_cards(spec: dict[str, Any]) -> Image.Image:
    """The table with its cards, from the spec alone (deterministic: same spec, same pixels)."""
    image = _background(spec).convert("RGBA")
    for card in spec["cards"]:
        face = _card_face(card["rank"], card["suit"], spec["card_width"], spec["index_font"])
        if card["angle"]:
            face = face.rotate(card["angle"], resample=Image.Resampling.BICUBIC, expand=True)
        image.alpha_composite(face, (round(card["x"] - face.width / 2), round(card["y"] - face.height / 2)))
    return image.convert("RGB")


# ---- laying out the table ----------------------------------------------------------------------
MARGIN = 10  # pixels between the image edge and any card's box
GAP = 10  # pixels between two cards' boxes (covers the shadow)


def _scene(rng: random.Random, cards: list[tuple[str, str]]) -> dict[str, Any]:
    """Where the cards lie: one or two rows of cells, one card per cell, each card turned by a small angle
    and placed at random inside its cell, so no card covers another (or its shadow another's index)."""
    n = len(cards)
    if n <= 3:
        rows = [n]
    elif n == 4:
        rows = rng.choice([[4], [2, 2]])
    elif n == 5:
        rows = rng.choice([[3, 2], [2, 3]])
    else:
        rows = [3, 3]
    width = 640
    height = rng.choice([400, 420, 440]) if len(rows) == 1 else rng.choice([460, 480])
    max_rotation = rng.choice([0, 4, 8, 12])
    card_width = rng.randint(112, 132)
    while True:  # shrink the card until the widest row and all rows fit at the largest rotation
        box_w, box_h = _rotated_box(card_width, card_width * CARD_RATIO, max_rotation)
        if max(rows) * (box_w + GAP) <= width - 2 * MARGIN and len(rows) * (box_h + GAP) <= height - 2 * MARGIN:
            break
        card_width -= 1
    band = (height - 2 * MARGIN) / len(rows)
    placed: list[dict[str, Any]] = []
    for row_number, count in enumerate(rows):
        cell = (width - 2 * MARGIN) / count
        for column in range(count):
            angle = round(rng.uniform(-max_rotation, max_rotation), 1)
            box_w, box_h = _rotated_box(card_width, card_width * CARD_RATIO, angle)
            half_w, half_h = (box_w + GAP) / 2, (box_h + GAP) / 2
            left, right = MARGIN + column * cell + half_w, MARGIN + (column + 1) * cell - half_w
            top, bottom = MARGIN + row_number * band + half_h, MARGIN + (row_number + 1) * band - half_h
            rank, suit = cards[len(placed)]
            x, y = round(rng.uniform(left, right), 1), round(rng.uniform(top, bottom), 1)
            placed.append({"rank": rank, "suit": suit, "x": x, "y": y, "angle": angle})
    table = rng.choice(sorted(BACKGROUNDS))
    style = rng.choice(BACKGROUND_STYLES[table])
    shift = rng.randint(-14, 14)  # lighter or darker, keeping the hue
    colour = [max(0, min(255, c + shift + rng.randint(-2, 2))) for c in BACKGROUNDS[table]]
    return {
        "size": [width, height],
        "rows": len(rows),
        "card_width": card_width,
        "index_font": rng.choice(INDEX_FONTS),
        "background": {"kind": table, "style": style, "colour": colour, "seed": rng.randrange(2**31)},
        "cards": placed,
    }


# ---- the family ---------------------------------------------------------------------------------
class Cards(TaskFamily):
    """Playing cards on a table: list them, then answer a question about their values."""

    name: ClassVar[str] = "cards"
    data_version: ClassVar[int] = 1
    intermediate_metric: ClassVar[str] = "f1"

    # generation ------------------------------------------------------------------------------
    def generate_item(self, rng: random.Random) -> Item:
        kinds = sorted(KIND_WEIGHTS)
        kind = rng.choices(kinds, weights=[KIND_WEIGHTS[k] for k in kinds])[0]
        rule = rng.choice(KIND_RULES[kind])
        question: dict[str, Any] = {"kind": kind, "rule": rule}
        if kind == "make24":
            # Only solvable hands: redraw until the exact solver finds an expression.
            while True:
                cards = rng.sample(DECK, 4)
                values = [card_value(rank, rule) for rank, _ in cards]
                solution = solve_target(values)
                if solution is not None:
                    break
            question.update(values=values, solution=solution)
            answer = solution
        else:
            cards = rng.sample(DECK, rng.randint(2, 6))
            if kind == "colour_sum":  # a colour (suit) that is on the table
                question["colour"] = rng.choice(sorted({"red" if suit in RED_SUITS else "black" for _, suit in cards}))
            elif kind == "suit_sum":
                question["suit"] = rng.choice([suit for suit in SUITS if any(card[1] == suit for card in cards)])
            answer = str(numeric_answer(cards, question))
        scene = _scene(rng, cards)
        spec = {**scene, "question": question}
        attributes = {
            "cards": len(cards),
            "kind": kind,
            "rule": rule,
            "has_court": any(rank in COURT for rank, _ in cards),
            "has_ace": any(rank == "A" for rank, _ in cards),
            "max_rotation": max(abs(card["angle"]) for card in scene["cards"]),
            "rows": scene["rows"],
            "background": scene["background"]["kind"],
            "background_style": scene["background"]["style"],
        }
        return Item(
            question=question_text(question),
            answer=answer,
            intermediate=format_cards(cards),
            attributes=attributes,
            spec=spec,
            solution=(worked_answer(cards, question),),
        )

    # drawing ---------------------------------------------------------------------------------
    def draw(self, spec: dict[str, Any]) -> Image.Image:
        return draw_cards(spec)

    # scoring ---------------------------------------------------------------------------------
    def score_answer(self, response: str, row: dict[str, Any]) -> AnswerScore:
        """Numeric kinds: the default number scorer. make-24: any valid expression counts (see `score_make24`)."""
        question = _spec(row)["question"]
        if question["kind"] != "make24":
            return super().score_answer(response, row)
        return score_make24(response, question["values"])

    def score_intermediate(self, response: str, row: dict[str, Any]) -> IntermediateScore:
        """The card list against the gold one, as multisets (order is reported, not scored).

        `exact`: the same cards; `score`: multiset F1; `usable`: the question's answer computed from the
        listed cards is the gold answer (make-24: the listed values are the gold values, as a multiset).
        """
        gold = parse_cards(row["intermediate"])
        listed = parse_cards(scoring.strip_thinking(response))
        overlap = scoring.multiset_f1(format_cards(listed).splitlines(), format_cards(gold).splitlines())
        exact, f1 = int(overlap["exact"]), float(overlap["f1"])
        question = _spec(row)["question"]
        computed: Any
        if question["kind"] == "make24":
            computed = sorted(card_value(rank, question["rule"]) for rank, _ in listed)
            usable = int(computed == sorted(question["values"]))
        else:
            computed = numeric_answer(listed, question)
            usable = int(computed is not None and str(computed) == row["answer"])
        details = {
            "f1": f1,
            "precision": overlap["precision"],
            "recall": overlap["recall"],
            "listed": len(listed),
            "gold": len(gold),
            "in_order": int(listed == gold),
            "computed": computed,
        }
        return IntermediateScore(exact=exact, score=f1, usable=usable, details=details)


def _spec(row: dict[str, Any]) -> dict[str, Any]:
    spec = row["spec"]
    return json.loads(spec) if isinstance(spec, str) else spec


_TRAILING_TARGET = re.compile(rf"\s*=\s*{TARGET}\s*$")


def _valid_make24(expr: str | None, values: list[int]) -> bool:
    return expr is not None and bool(arith.check_make_target(expr, values, target=TARGET)["valid"])


def strict_expression(answer_line: str | None) -> str | None:
    """The expression on the final `Answer:` line when that line holds nothing else, normalised; else None.

    Allowed around it: Markdown emphasis or code marks, LaTeX math (normalised by `arith`), a trailing
    "= 24" and a final full stop. Anything else on the line (words, a second expression) is not strict.
    """
    if answer_line is None:
        return None
    rest = re.sub(r"\*\*|__|`", " ", answer_line).strip().rstrip(".").strip()
    rest = _TRAILING_TARGET.sub("", arith.normalize_expression(rest)).strip()
    if not rest:
        return None
    try:
        arith.evaluate_expression(rest)
    except ValueError:
        return None
    return rest


def score_make24(response: str, values: list[int]) -> AnswerScore:
    """A make-24 answer (`scoring.read_expression`): `correct` if the expression the response answers with uses
    each card value exactly once, only + - * / and parentheses, and equals 24 exactly; or, failing that, if the
    response works it out in final steps that do (`scoring.derive_expression`). `strict` if the final `Answer:`
    line is such an expression and nothing else (`strict_expression`) and nothing takes it back. `extracted` is
    the expression credited or found."""
    reading = scoring.read_expression(response, literals=len(values))
    extracted = reading.expression
    strict_expr = strict_expression(reading.answer_line)
    strict = _valid_make24(strict_expr, values)
    correct = _valid_make24(extracted, values)
    if strict and not correct:  # the two readers disagree only on odd layouts; the strict one was valid
        extracted, correct = strict_expr, True
    if not correct and reading.reason is None:
        derived = scoring.derive_expression(response, values, TARGET, final=extracted)
        if derived is not None:
            extracted, correct = derived, True
    return AnswerScore(extracted=extracted, correct=int(correct), strict=int(strict))

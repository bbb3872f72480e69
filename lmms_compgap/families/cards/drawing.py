"""Drawing a table of playing cards from its spec: card faces (indices, pips, court panels) on a textured table."""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Any

import numpy as np
from PIL import Image, ImageDraw

from lmms_compgap.draw.fonts import load_font
from lmms_compgap.families.cards.deck import COURT, RED_SUITS, SUIT_SYMBOLS

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
_ROWS = {
    "top": 0.21,
    "upper": 0.403,
    "mid": 0.5,
    "lower": 0.597,
    "bottom": 0.79,
    "high": 0.355,
    "low": 0.645,
    "higher": 0.307,
    "lower_c": 0.693,
}
_PIP_ROWS: dict[str, tuple[tuple[float, str], ...]] = {
    "2": ((_C, "top"), (_C, "bottom")),
    "3": ((_C, "top"), (_C, "mid"), (_C, "bottom")),
    "4": ((_L, "top"), (_R, "top"), (_L, "bottom"), (_R, "bottom")),
    "5": ((_L, "top"), (_R, "top"), (_C, "mid"), (_L, "bottom"), (_R, "bottom")),
    "6": ((_L, "top"), (_R, "top"), (_L, "mid"), (_R, "mid"), (_L, "bottom"), (_R, "bottom")),
    "7": ((_L, "top"), (_R, "top"), (_C, "high"), (_L, "mid"), (_R, "mid"), (_L, "bottom"), (_R, "bottom")),
    "8": (
        (_L, "top"),
        (_R, "top"),
        (_C, "high"),
        (_L, "mid"),
        (_R, "mid"),
        (_C, "low"),
        (_L, "bottom"),
        (_R, "bottom"),
    ),
    "9": (
        (_L, "top"),
        (_R, "top"),
        (_L, "upper"),
        (_R, "upper"),
        (_C, "mid"),
        (_L, "lower"),
        (_R, "lower"),
        (_L, "bottom"),
        (_R, "bottom"),
    ),
    "10": (
        (_L, "top"),
        (_R, "top"),
        (_C, "higher"),
        (_L, "upper"),
        (_R, "upper"),
        (_L, "lower"),
        (_R, "lower"),
        (_C, "lower_c"),
        (_L, "bottom"),
        (_R, "bottom"),
    ),
}
PIPS: dict[str, tuple[tuple[float, float], ...]] = {
    rank: tuple((x, _ROWS[row]) for x, row in pips) for rank, pips in _PIP_ROWS.items()
}
SHADOW = 6  # pixels around a card face for its drop shadow


def rotated_box(width: float, height: float, degrees: float) -> tuple[float, float]:
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
    pen.rounded_rectangle(
        (pad, pad, pad + w - 1, pad + h - 1),
        radius,
        fill=(252, 251, 246, 255),
        outline=(70, 70, 76, 255),
        width=max(2, round(0.012 * w)),
    )
    colour = RED if suit in RED_SUITS else BLACK
    symbol = SUIT_SYMBOLS[suit]

    # Corner indices: rank over a small suit symbol, top-left and (turned half round) bottom-right.
    index = Image.new("RGBA", (round(0.24 * w), round(0.38 * w)), (0, 0, 0, 0))
    index_pen = ImageDraw.Draw(index)
    rank_font = load_font(index_font, round((0.17 if rank == "10" else 0.19) * w))
    centre_x = index.width / 2
    # The rank sits on a baseline (a J's descender stays clear of the suit symbol below it).
    index_pen.text(
        (centre_x, 0.19 * w), rank, font=rank_font, fill=colour, anchor="ms", stroke_width=1, stroke_fill=colour
    )
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
        _text_centered(
            pen,
            (pad + 0.5 * w, pad + 0.39 * h),
            rank,
            load_font(index_font, round(0.4 * w)),
            colour,
            stroke_width=s,
            stroke_fill=colour,
        )
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

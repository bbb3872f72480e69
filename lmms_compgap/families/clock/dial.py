"""Clock faces: their styles, their layout (where numerals, marks and hands go) and their drawing.

A layout keeps the hands clear of every numeral and mark (the minute hand ends short of them), so a
hand never covers a numeral; only dials with a mark for every minute show times to the minute, the
others show times on the five minutes. Drawing is a pure function of the spec (bundled fonts,
supersampling, no randomness).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from PIL import Image, ImageDraw

from lmms_compgap.draw.fonts import load_font

SUPERSAMPLE = 2
CANVAS_SIDES: tuple[int, ...] = (448, 512, 576, 640)
#: Face colour -> (face, ink for numerals, marks and hands, an accent for a minute hand of its own colour).
FACES: dict[str, tuple[tuple[int, int, int], tuple[int, int, int], tuple[int, int, int]]] = {
    "white": ((250, 250, 247), (22, 22, 24), (200, 32, 32)),
    "cream": ((244, 236, 214), (55, 38, 25), (168, 40, 30)),
    "grey": ((226, 229, 233), (20, 30, 62), (190, 40, 40)),
    "black": ((26, 26, 30), (238, 238, 232), (232, 186, 72)),
    "navy": ((24, 36, 72), (236, 236, 228), (236, 192, 84)),
}
RIMS: dict[str, tuple[int, int, int]] = {
    "black": (30, 30, 32),
    "silver": (172, 174, 180),
    "brass": (176, 140, 60),
    "wood": (118, 76, 42),
    "red": (160, 35, 35),
    "white": (246, 246, 246),
}
BACKGROUNDS: dict[str, tuple[int, int, int]] = {
    "white": (250, 250, 250),
    "light_grey": (236, 236, 236),
    "pale_blue": (222, 230, 241),
    "beige": (240, 231, 216),
    "pale_green": (221, 236, 224),
    "tan": (198, 172, 140),
    "charcoal": (70, 72, 78),
}
#: A rim this far (RGB distance) from the background at least, so the dial stands out.
MIN_RIM_CONTRAST = 90.0
FONTS: tuple[str, ...] = ("DejaVuSans", "DejaVuSerif", "LiberationSans", "LiberationSerif", "NotoSans")
HAND_STYLES: tuple[str, ...] = ("bar", "taper", "leaf", "arrow")
ROMAN: tuple[str, ...] = ("XII", "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI")
#: Layout -> (numerals it may carry, its marks, minute precision of the times it shows, share of the items).
#: ``ticks``: a mark for every minute at the edge, no numerals; ``track``: numerals round the edge and a
#: minute track inside them; ``numerals_marks``: numerals inside twelve hour marks; ``numerals``: numerals
#: alone; ``hour_marks``: twelve hour marks alone. Dials without numerals mark 12 with a triangle.
LAYOUTS: dict[str, tuple[tuple[str, ...], str, int, float]] = {
    "ticks": (("none",), "minutes", 1, 0.2),
    "track": (("arabic", "roman", "quarters"), "minutes", 1, 0.25),
    "numerals_marks": (("arabic", "roman", "quarters"), "hours", 5, 0.2),
    "numerals": (("arabic", "roman"), "none", 5, 0.15),
    "hour_marks": (("none",), "hours", 5, 0.2),
}
#: Hands at least this far apart (degrees): hands that nearly coincide cannot be told apart.
MIN_HAND_GAP = 20.0
#: The hour hand is this share of the minute hand's length at most (and at least HOUR_RATIO[0]).
HOUR_RATIO = (0.55, 0.68)
MAX_ROTATION = 10.0


def colour_distance(a: tuple[int, ...] | list[int], b: tuple[int, ...] | list[int]) -> float:
    return math.dist(a, b)


def hand_angles(hour: int, minute: int) -> tuple[float, float]:
    """(hour hand, minute hand) in degrees clockwise from 12."""
    return (30.0 * (hour % 12) + 0.5 * minute, 6.0 * minute)


def hand_gap(hour: int, minute: int) -> float:
    """The angle between the hands, 0 to 180 degrees."""
    hour_angle, minute_angle = hand_angles(hour, minute)
    gap = abs(hour_angle - minute_angle) % 360
    return min(gap, 360 - gap)


def numeral_labels(kind: str) -> list[tuple[int, str]]:
    """(hour position 0-11 with 0 at the top, text) of every numeral a dial carries."""
    if kind == "arabic":
        return [(k, str(k or 12)) for k in range(12)]
    if kind == "roman":
        return list(enumerate(ROMAN))
    if kind == "quarters":
        return [(k, str(k or 12)) for k in (0, 3, 6, 9)]
    return []


def _polar(radius: float, degrees: float) -> tuple[float, float]:
    """Offset from the centre of a point `radius` away, `degrees` clockwise from 12 (image y grows down)."""
    angle = math.radians(degrees)
    return radius * math.sin(angle), -radius * math.cos(angle)


def _ink_box(font_name: str, size: float, text: str) -> tuple[float, float]:
    """(width, height) of a numeral's ink in final pixels, measured at the drawing's resolution."""
    return _ink_box_pixels(font_name, max(1, round(size * SUPERSAMPLE)), text)


@lru_cache(maxsize=8192)
def _ink_box_pixels(font_name: str, pixels: int, text: str) -> tuple[float, float]:
    left, top, right, bottom = load_font(font_name, pixels).getbbox(text)
    return (right - left) / SUPERSAMPLE, (bottom - top) / SUPERSAMPLE


def _radial_extent(font_name: str, size: float, text: str, degrees: float) -> float:
    """How far a numeral's ink box, centred on its position, reaches towards or away from the centre."""
    width, height = _ink_box(font_name, size, text)
    angle = math.radians(degrees)
    return abs(width / 2 * math.sin(angle)) + abs(height / 2 * math.cos(angle))


def _fit_numerals(kind: str, font: str, size: float, outer: float, inner_floor: float) -> tuple[float, float, float]:
    """(font size, radius of the numerals' centres, their innermost reach) for numerals between `inner_floor`
    and `outer`: the size shrinks until each numeral fits and neighbours stay apart."""
    labels = numeral_labels(kind)
    while True:
        extents = [_radial_extent(font, size, text, 30 * k) for k, text in labels]
        radius = outer - max(extents)
        widths = [_ink_box(font, size, text)[0] for _, text in labels]
        chord = 2 * radius * math.sin(math.radians(15))
        inner = min(radius - e for e in extents)
        if (inner >= inner_floor and max(widths) <= 0.8 * chord) or size <= 8:
            return size, radius, inner
        size -= 0.5


def layout_spec(rng: random.Random, layout: str, numerals: str, face_radius: float) -> dict[str, Any]:
    """Where a dial's marks, numerals and hands go, in pixels (F = the face radius)."""
    f = face_radius
    font = rng.choice(FONTS)
    spec: dict[str, Any] = {"layout": layout, "numerals": numerals, "font": font}
    if layout == "ticks":
        spec.update(marks="minutes", mark_outer=0.97 * f, hour_inner=0.86 * f, minute_inner=0.91 * f)
        minute_length = 0.815 * f
    elif layout == "hour_marks":
        style = rng.choice(["bar", "dot"])
        spec.update(marks="hours", mark_style=style, mark_outer=0.97 * f, hour_inner=0.82 * f)
        minute_length = 0.74 * f
    elif layout == "track":
        spec.update(marks="minutes", mark_outer=0.70 * f, hour_inner=0.62 * f, minute_inner=0.655 * f)
        size, radius, _inner = _fit_numerals(numerals, font, rng.uniform(0.17, 0.21) * f, 0.95 * f, 0.75 * f)
        spec.update(numeral_size=round(size, 1), numeral_radius=round(radius, 1))
        minute_length = 0.585 * f
    else:  # numerals_marks, numerals
        marks = "hours" if layout == "numerals_marks" else "none"
        outer = 0.84 * f if marks == "hours" else 0.95 * f
        if marks == "hours":
            spec.update(marks="hours", mark_style=rng.choice(["bar", "dot"]), mark_outer=0.97 * f, hour_inner=0.89 * f)
        else:
            spec.update(marks="none")
        size, radius, inner = _fit_numerals(numerals, font, rng.uniform(0.17, 0.22) * f, outer, 0.6 * f)
        spec.update(numeral_size=round(size, 1), numeral_radius=round(radius, 1))
        minute_length = inner - 0.06 * f
    spec["twelve_marker"] = numerals == "none"
    for key in ("mark_outer", "hour_inner", "minute_inner"):
        if key in spec:
            spec[key] = round(spec[key], 1)
    hour_width = rng.uniform(0.05, 0.075) * f
    tail = rng.choice([0.0, rng.uniform(0.08, 0.16) * f])
    spec["hands"] = {
        "style": rng.choice(HAND_STYLES),
        "minute_length": round(minute_length, 1),
        "hour_length": round(rng.uniform(*HOUR_RATIO) * minute_length, 1),
        "hour_width": round(hour_width, 1),
        "minute_width": round(max(0.03 * f, rng.uniform(0.6, 0.75) * hour_width), 1),
        "tail": round(tail, 1),
        "cap": round(max(0.8 * hour_width, 0.045 * f), 1),
    }
    return spec


# ---- drawing ------------------------------------------------------------------------------------------------
def _hand_outline(style: str, length: float, width: float, tail: float) -> Points:
    """A hand pointing up from the pivot at (0, 0), as (across, along) points; `along` grows towards the tip."""
    half = width / 2
    if style == "bar":
        return [(-half, -tail), (half, -tail), (half, length), (-half, length)]
    if style == "taper":
        return [(-half, -tail), (half, -tail), (0.24 * half, length), (-0.24 * half, length)]
    if style == "leaf":
        return [
            (-0.6 * half, -tail),
            (0.6 * half, -tail),
            (1.5 * half, 0.32 * length),
            (0, length),
            (-1.5 * half, 0.32 * length),
        ]
    head = min(0.22 * length, 3.2 * width)
    return [
        (-0.6 * half, -tail),
        (0.6 * half, -tail),
        (0.6 * half, length - head),
        (1.7 * half, length - head),
        (0, length),
        (-1.7 * half, length - head),
        (-0.6 * half, length - head),
    ]


Points = list[tuple[float, float]]


def _turned(points: Points, degrees: float, cx: float, cy: float, scale: float) -> Points:
    """Hand-frame points (across, along) scaled, turned `degrees` clockwise from 12 and moved to (cx, cy)."""
    angle = math.radians(degrees)
    c, s = math.cos(angle), math.sin(angle)
    # (across, along) -> image: along points to `degrees` clockwise from 12, across to its right.
    return [(cx + scale * (a * c + b * s), cy + scale * (a * s - b * c)) for a, b in points]


@dataclass(frozen=True)
class _Canvas:
    """Where a dial is drawn: the pen, the dial's centre and face radius (in canvas pixels, supersampled), its
    tilt (degrees clockwise) and its ink."""

    image: Image.Image
    pen: ImageDraw.ImageDraw
    cx: float
    cy: float
    face: float
    tilt: float
    ink: tuple[int, ...]

    def polygon(self, points: Points, degrees: float, fill: tuple[int, ...], scale: float = 1.0) -> None:
        """Hand-frame points turned to `degrees` clockwise from the dial's 12."""
        self.pen.polygon(_turned(points, degrees + self.tilt, self.cx, self.cy, scale), fill=fill)

    def disc(self, radius: float, degrees: float, distance: float, fill: tuple[int, ...]) -> None:
        dx, dy = _polar(distance, degrees + self.tilt)
        x, y = self.cx + dx, self.cy + dy
        self.pen.ellipse((x - radius, y - radius, x + radius, y + radius), fill=fill)


def _bar(canvas: _Canvas, degrees: float, inner: float, outer: float, width: float) -> None:
    half = width / 2
    canvas.polygon([(-half, inner), (half, inner), (half, outer), (-half, outer)], degrees, canvas.ink)


def _marks(canvas: _Canvas, dial: dict[str, Any], s: float) -> None:
    marks, f = dial["marks"], canvas.face
    if marks == "none":
        return
    outer, hour_inner = dial["mark_outer"] * s, dial["hour_inner"] * s
    if marks == "minutes":
        for minute in range(60):
            if minute % 5:
                _bar(canvas, 6 * minute, dial["minute_inner"] * s, outer, 0.013 * f)
    for hour in range(12):
        if hour == 0 and dial["twelve_marker"]:
            half = 0.055 * f
            canvas.polygon([(-half, outer), (half, outer), (0, hour_inner)], 0, canvas.ink)
        elif dial.get("mark_style") == "dot":
            canvas.disc(min(0.03 * f, (outer - hour_inner) / 2), 30 * hour, (outer + hour_inner) / 2, canvas.ink)
        else:
            _bar(canvas, 30 * hour, hour_inner, outer, (0.042 if hour % 3 == 0 else 0.03) * f)


def _numerals(canvas: _Canvas, dial: dict[str, Any], s: float) -> None:
    """Each numeral drawn upright on its own tile, turned with the dial and centred (by its ink, not its line
    box: digits have no descenders) on its place."""
    if dial["numerals"] == "none":
        return
    font = load_font(dial["font"], max(1, round(dial["numeral_size"] * s)))
    for position, text in numeral_labels(dial["numerals"]):
        left, top, right, bottom = font.getbbox(text)
        side = math.ceil(math.hypot(right - left, bottom - top)) + 4
        tile = Image.new("LA", (side, side), (0, 0))
        ImageDraw.Draw(tile).text(
            (side / 2 - (left + right) / 2, side / 2 - (top + bottom) / 2), text, font=font, fill=(255, 255)
        )
        if canvas.tilt:
            tile = tile.rotate(-canvas.tilt, resample=Image.Resampling.BICUBIC, center=(side / 2, side / 2))
        dx, dy = _polar(dial["numeral_radius"] * s, 30 * position + canvas.tilt)
        corner = (round(canvas.cx + dx - side / 2), round(canvas.cy + dy - side / 2))
        canvas.image.paste(canvas.ink, (*corner, corner[0] + side, corner[1] + side), tile.getchannel("A"))


def draw_clock(spec: dict[str, Any]) -> Image.Image:
    """The clock on its background, from the spec alone (same spec, same pixels). Drawn at SUPERSAMPLE times the
    size and reduced; a tilted dial is drawn tilted (its geometry turned), not drawn upright and resampled."""
    s = SUPERSAMPLE
    width, height = spec["size"]
    image = Image.new("RGB", (width * s, height * s), tuple(spec["background"]))
    pen = ImageDraw.Draw(image)
    radius, f = spec["radius"] * s, (spec["radius"] - spec["rim_width"]) * s
    cx, cy = spec["centre"][0] * s, spec["centre"][1] * s
    canvas = _Canvas(image, pen, cx, cy, f, spec["rotation"], tuple(spec["ink"]))
    pen.ellipse((cx - radius, cy - radius, cx + radius, cy + radius), fill=tuple(spec["rim"]))
    pen.ellipse((cx - f, cy - f, cx + f, cy + f), fill=tuple(spec["face"]))
    if spec["inner_ring"]:
        ring = 0.99 * f
        pen.ellipse((cx - ring, cy - ring, cx + ring, cy + ring), outline=canvas.ink, width=max(2, round(0.008 * f)))
    dial = spec["dial"]
    _marks(canvas, dial, s)
    _numerals(canvas, dial, s)
    hands = dial["hands"]
    hour_angle, minute_angle = hand_angles(spec["time"]["hour"], spec["time"]["minute"])
    for which, angle, tail in (("hour", hour_angle, 0.7 * hands["tail"]), ("minute", minute_angle, hands["tail"])):
        outline = _hand_outline(hands["style"], hands[f"{which}_length"], hands[f"{which}_width"], tail)
        canvas.polygon(outline, angle, tuple(spec[f"{which}_hand"]), scale=s)
    canvas.disc(hands["cap"] * s, 0, 0, tuple(spec["hour_hand"]))
    return image.reduce(s)

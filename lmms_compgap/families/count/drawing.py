"""Drawing a counting scene from its spec: flat, upright shapes on a plain or gradient background."""

from __future__ import annotations

import math
from typing import Any

from PIL import Image, ImageDraw

from lmms_compgap.families.count.objects import COLOURS

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


def draw_scene(spec: dict[str, Any]) -> Image.Image:
    """The scene's picture, from its spec alone (same spec, same pixels), drawn at SUPERSAMPLE times its size
    and reduced (anti-aliasing)."""
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

"""Plain text drawn as an image (the layout rendered-problem families share) and random text styles."""

from __future__ import annotations

import random
from functools import cache
from importlib import resources
from typing import Any

from fontTools.ttLib import TTFont
from PIL import Image, ImageDraw

from lmms_compgap.draw.fonts import FONTS, load_font, wrap_text

#: The ranges a text style is drawn from (pixels; line spacing as a multiple of the font size).
FONT_SIZES = (18, 30)
WIDTHS = (448, 512, 576, 640)
MARGINS = (12, 40)
LINE_SPACINGS = (1.15, 1.6)


@cache
def covered_characters(font: str) -> frozenset[str]:
    """The characters a bundled font has a glyph for (its Unicode cmap)."""
    path = resources.files("lmms_compgap") / "fonts" / FONTS[font]
    with resources.as_file(path) as font_path:
        cmap = TTFont(str(font_path), lazy=True).getBestCmap()
    return frozenset(chr(code) for code in cmap)


def fonts_covering(text: str) -> list[str]:
    """The bundled fonts (sorted by name) that have a glyph for every visible character of `text`."""
    needed = {char for char in text if not char.isspace()}
    return [font for font in sorted(FONTS) if needed <= covered_characters(font)]


def sample_text_style(rng: random.Random, fonts: list[str] | None = None) -> dict[str, Any]:
    """A random text style: font (from `fonts`, default all bundled), size, width, margin, line spacing, colours
    (a light background, a dark foreground). The spec fields of `render_text` besides the text."""
    font = rng.choice(fonts or sorted(FONTS))
    size = rng.randint(*FONT_SIZES)
    width = rng.choice(WIDTHS)
    margin = rng.randint(*MARGINS)
    light = rng.randint(225, 255)
    background = [min(255, light + rng.randint(-8, 8)) for _ in range(3)]
    foreground = [rng.randint(0, 70)] * 3 if rng.random() < 0.7 else [rng.randint(0, 90) for _ in range(3)]
    return {
        "font": font,
        "size": size,
        "width": width,
        "margin": margin,
        "line_spacing": round(rng.uniform(*LINE_SPACINGS), 2),
        "background": background,
        "foreground": foreground,
    }


def render_text(spec: dict[str, Any]) -> Image.Image:
    """`spec["text"]` word-wrapped in a bundled font (spec: text, font, size, width, margin, line_spacing,
    background, foreground); the image is as tall as the text needs. Same spec, same pixels."""
    font = load_font(spec["font"], spec["size"])
    width, margin = spec["width"], spec["margin"]
    lines = wrap_text(spec["text"], spec["font"], spec["size"], width - 2 * margin)
    line_height = round(spec["size"] * spec["line_spacing"])
    height = 2 * margin + line_height * len(lines)
    image = Image.new("RGB", (width, height), tuple(spec["background"]))
    pen = ImageDraw.Draw(image)
    for row, line in enumerate(lines):
        pen.text((margin, margin + row * line_height), line, font=font, fill=tuple(spec["foreground"]))
    return image

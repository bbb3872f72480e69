"""Drawing a word problem's page from its spec: the text word-wrapped in one bundled font."""

from __future__ import annotations

from typing import Any

from PIL import Image, ImageDraw

from lmms_compgap.draw.fonts import load_font, wrap_text


def draw_page(spec: dict[str, Any]) -> Image.Image:
    """The page's picture, from its spec alone (same spec, same pixels)."""
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

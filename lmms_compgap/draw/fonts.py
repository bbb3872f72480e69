"""The bundled fonts (licences beside them in lmms_compgap/fonts/) and text layout."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

from PIL import ImageFont

#: Font name -> file in lmms_compgap/fonts. All are under permissive licences (see the LICENSE-* files).
FONTS: dict[str, str] = {
    "DejaVuSans": "DejaVuSans.ttf",
    "DejaVuSerif": "DejaVuSerif.ttf",
    "DejaVuSansMono": "DejaVuSansMono.ttf",
    "LiberationSans": "LiberationSans-Regular.ttf",
    "LiberationSerif": "LiberationSerif-Regular.ttf",
    "NotoSans": "NotoSans-Regular.ttf",
}


@lru_cache(maxsize=128)
def load_font(name: str, size: int) -> ImageFont.FreeTypeFont:
    """A bundled TrueType font at a pixel size (cached: fonts are immutable once loaded)."""
    if name not in FONTS:
        raise KeyError(f"unknown font {name!r}; bundled fonts: {sorted(FONTS)}")
    path = resources.files("lmms_compgap") / "fonts" / FONTS[name]
    with resources.as_file(path) as font_path:
        return ImageFont.truetype(str(font_path), size=size, layout_engine=ImageFont.Layout.BASIC)


@lru_cache(maxsize=65536)
def text_width(name: str, size: int, text: str) -> float:
    """Rendered width of `text` in pixels (cached: layout is the hot part of generation)."""
    return load_font(name, size).getlength(text)


def wrap_text(text: str, name: str, size: int, max_width: int) -> list[str]:
    """Greedy word wrap by rendered pixel width; a word wider than the line stands alone.

    A line's width is the sum of its words' widths plus its spaces', so layout costs one cached
    measurement per distinct word rather than one per candidate line.
    """
    space = text_width(name, size, " ")
    lines: list[str] = []
    current: list[str] = []
    width = 0.0
    for word in text.split():
        word_width = text_width(name, size, word)
        if current and width + space + word_width > max_width:
            lines.append(" ".join(current))
            current, width = [word], word_width
        else:
            width = width + space + word_width if current else word_width
            current.append(word)
    if current:
        lines.append(" ".join(current))
    return lines

"""mathtext's rendering variants: the same pages drawn in low contrast, in colour, smaller, larger, in one font.

Each changes one thing about every page's drawing spec and nothing of its content (`core.rendering`); the layout
attributes (font, size, lines) are recomputed from the changed spec, so slices stay true.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from lmms_compgap.core.family import Item
from lmms_compgap.core.rendering import Rendering
from lmms_compgap.families.mathtext.generate import layout_attributes

#: How far the low-contrast text is from its background, per channel (the base pages' text is 150-255 away).
LOW_CONTRAST_DISTANCE = 110
#: The colour of the coloured text (a saturated red: its luminance is that of dark grey).
RED = [200, 20, 20]
#: The small and large pages: every length of the page (font size, width, margin) times this.
SMALL_SCALE, LARGE_SCALE = 0.7, 2.0
#: The one font of the fixed-font pages (the base pages draw each from every bundled font that covers its text).
SERIF = "DejaVuSerif"


def _restyle(change: Callable[[dict[str, Any]], dict[str, Any]]) -> Callable[[Item], Item]:
    """An item's restyle: `change` gives the new spec; the layout attributes follow from it."""

    def restyle(item: Item) -> Item:
        spec = change(dict(item.spec))
        return replace(item, spec=spec, attributes={**item.attributes, **layout_attributes(spec)})

    return restyle


def _low_contrast(spec: dict[str, Any]) -> dict[str, Any]:
    return {**spec, "foreground": [max(0, channel - LOW_CONTRAST_DISTANCE) for channel in spec["background"]]}


def _scaled(factor: float) -> Callable[[dict[str, Any]], dict[str, Any]]:
    def scale(spec: dict[str, Any]) -> dict[str, Any]:
        return {**spec, **{key: round(spec[key] * factor) for key in ("size", "width", "margin")}}

    return scale


RENDERINGS: tuple[Rendering, ...] = (
    Rendering("lowcontrast", 1, "Word problems in grey text close to its background", _restyle(_low_contrast)),
    Rendering("red", 1, "Word problems in red text", _restyle(lambda spec: {**spec, "foreground": RED})),
    Rendering("small", 1, f"Word problems drawn at {SMALL_SCALE:g}x the size", _restyle(_scaled(SMALL_SCALE))),
    Rendering("large", 1, f"Word problems drawn at {LARGE_SCALE:g}x the size", _restyle(_scaled(LARGE_SCALE))),
    Rendering(
        "serif", 1, f"Word problems all in one serif font ({SERIF})", _restyle(lambda spec: {**spec, "font": SERIF})
    ),
)

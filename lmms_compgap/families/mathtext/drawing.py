"""Drawing a word problem's page from its spec: the text word-wrapped in one bundled font (`draw.text`)."""

from __future__ import annotations

from typing import Any

from PIL import Image

from lmms_compgap.draw.text import render_text


def draw_page(spec: dict[str, Any]) -> Image.Image:
    """The page's picture, from its spec alone (same spec, same pixels)."""
    return render_text(spec)

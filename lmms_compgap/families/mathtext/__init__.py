"""Reasoning over rendered text: read a word problem in an image (OCR), then solve it.

Modules: `generate` (the problems and their page layout), `drawing` (pictures), `prompts`, `family` (the
declaration and the transcription scorer), `rendering` (the pages drawn other ways: the `compgap_render`
variants), `datacheck` (the independent Tesseract check); the task card is README.md.
"""

from lmms_compgap.core.rendering import rendering_variant
from lmms_compgap.families.mathtext.family import MathText
from lmms_compgap.families.mathtext.rendering import RENDERINGS

FAMILY = MathText()
#: The same items drawn other ways (`core.rendering`): families of their own, in the group compgap_render.
VARIANTS = tuple(rendering_variant(FAMILY, rendering) for rendering in RENDERINGS)

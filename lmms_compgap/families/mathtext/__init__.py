"""Reasoning over rendered text: read a word problem in an image (OCR), then solve it.

Modules: `generate` (the problems and their page layout), `drawing` (pictures), `prompts`, `family` (the
declaration and the transcription scorer), `datacheck` (the independent Tesseract check); the task card is
README.md.
"""

from lmms_compgap.families.mathtext.family import MathText

FAMILY = MathText()

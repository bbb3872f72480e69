"""Rendered GSM8K: the openai/gsm8k test problems drawn as images; read the problem (OCR), then solve it.

Modules: `source` (the dataset, pinned), `prompts`, `family` (items, drawing, scoring); the task card is README.md.
"""

from lmms_compgap.families.gsm8k.family import Gsm8k

FAMILY = Gsm8k()

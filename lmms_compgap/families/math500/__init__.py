"""Rendered MATH-500: the HuggingFaceH4/MATH-500 problems drawn as images (formulas typeset by matplotlib's
mathtext); read the problem, then solve it; answers compared for equivalence by math-verify.

Modules: `source` (the dataset, pinned), `prompts`, `family` (items, drawing, scoring); the task card is README.md.
"""

from lmms_compgap.families.math500.family import Math500

FAMILY = Math500()

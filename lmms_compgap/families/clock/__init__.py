"""The clock family: read an analogue clock (visual skill), then do time arithmetic with the time (textual skill).

Everything about the family is in this package: `family.Clock` (generation, drawing, scoring), `dial`
(styles, layout, drawing), `questions` (the arithmetic and its worked steps), `times` (times on a dial
and reading them in model output: the `TIME` answer type), `prompts` (the task YAMLs' prompts and
versions), `datacheck` (reading the time back from the pixels with OpenCV) and README.md (the task card).
"""

from lmms_compgap.families.clock.family import Clock

FAMILY = Clock()

"""The counting family's prompts; its task YAML is generated from them (change one: bump `task_version`)."""

from __future__ import annotations

from lmms_compgap.core.family import Prompts
from lmms_compgap.families.count.objects import COLOURS, SHAPES

_COLOUR_NAMES = ", ".join(COLOURS)
_SHAPE_NAMES = ", ".join(SHAPES)
_LINE_FORMAT = 'one per line, as "<colour> <shape>" (for example "red circle")'

PROMPTS = Prompts(
    answer_format='End your reply with a final line of the form "Answer: <number>".',
    direct_prompt="{question} {answer_format}",
    cot_prompt=(
        f"{{question}} First list every object in the image, {_LINE_FORMAT}, using the colours {_COLOUR_NAMES} and "
        f"the shapes {_SHAPE_NAMES}. Then count the objects in your list that the question asks about. "
        "{answer_format}"
    ),
    visual_prompt=(
        f"List every object in the image, {_LINE_FORMAT}. Colours: {_COLOUR_NAMES}. Shapes: {_SHAPE_NAMES}. "
        "Write one line for each object, even when several objects look the same. Output only the list."
    ),
    textual_prompt=(
        "Here is a list of the objects in an image, one per line:\n{intermediate}\n\n{question} {answer_format}"
    ),
)

"""The counting family's prompts; its task YAML is generated from them (change one: bump `task_version`)."""

from __future__ import annotations

from lmms_compgap.core.family import Paraphrase, Prompts
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

#: The `compgap_wording` tasks' rewordings (`compgap_count_<setting>_w<k>`): the same requests in other words and
#: order, `answer_format`, the line format and the colour and shape names kept. Change one: bump its version (the
#: canonical prompts and task version stay).
PARAPHRASES = (
    Paraphrase(
        1,
        Prompts(
            answer_format=PROMPTS.answer_format,
            direct_prompt="Look at the image. {question} {answer_format}",
            cot_prompt=(
                f"{{question}} Begin by writing down each object you see in the image, {_LINE_FORMAT}; the colours "
                f"are {_COLOUR_NAMES} and the shapes {_SHAPE_NAMES}. Afterwards, count the objects on your list that "
                "match the question. {answer_format}"
            ),
            visual_prompt=(
                f"Write down each object in the image, {_LINE_FORMAT}. Use these colours: {_COLOUR_NAMES}; and these "
                f"shapes: {_SHAPE_NAMES}. Give every object its own line, even when several look alike. Reply with "
                "the list and nothing else."
            ),
            textual_prompt=(
                "The objects in an image are listed below, one per line:\n{intermediate}\n\n{question} {answer_format}"
            ),
        ),
    ),
    Paraphrase(
        1,
        Prompts(
            answer_format=PROMPTS.answer_format,
            direct_prompt="The image shows some coloured shapes. {question} {answer_format}",
            cot_prompt=(
                f"{{question}} Work in two steps. Step 1: list the objects in the image, {_LINE_FORMAT}; colours: "
                f"{_COLOUR_NAMES}; shapes: {_SHAPE_NAMES}. Step 2: count the listed objects the question is about. "
                "{answer_format}"
            ),
            visual_prompt=(
                f"Make a list of all the objects in the image, {_LINE_FORMAT}, with one line per object even if some "
                f"objects are identical. The colours are {_COLOUR_NAMES}; the shapes are {_SHAPE_NAMES}. Output the "
                "list only."
            ),
            textual_prompt="An image holds these objects, one per line:\n{intermediate}\n\n{question} {answer_format}",
        ),
    ),
    Paraphrase(
        1,
        Prompts(
            answer_format=PROMPTS.answer_format,
            direct_prompt="{question} Look at the picture to answer. {answer_format}",
            cot_prompt=(
                f"To answer, first go through the image and list each object, {_LINE_FORMAT}, naming colours from "
                f"{_COLOUR_NAMES} and shapes from {_SHAPE_NAMES}; then count the objects on your list that the "
                "question asks about.\n\n{question} {answer_format}"
            ),
            visual_prompt=(
                f"Colours: {_COLOUR_NAMES}. Shapes: {_SHAPE_NAMES}. Using these names, list each object in the "
                f"image, {_LINE_FORMAT}. Objects that look the same still get one line each. Output only the list."
            ),
            textual_prompt="{question}\n\nThe objects in the image, one per line:\n{intermediate}\n\n{answer_format}",
        ),
    ),
)

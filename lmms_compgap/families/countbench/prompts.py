"""The CountBenchQA family's prompts; its task YAML is generated from them (change one: bump `task_version`)."""

from __future__ import annotations

from lmms_compgap.core.family import Prompts

PROMPTS = Prompts(
    answer_format='End your reply with a final line of the form "Answer: <number>".',
    direct_prompt="{question} {answer_format}",
    cot_prompt=(
        "{question} First list every object the question asks about that you see in the image, one per line, "
        "then count them. {answer_format}"
    ),
    visual_prompt=(
        "Question about the image: {question}\nDo not answer it. Instead list every object it asks about that you "
        "see in the image, one per line, each with a few words saying where it is. Output only the list."
    ),
    textual_prompt=(
        "Here is a list of the objects seen in an image that a question asks about, one per line:\n\n"
        "{intermediate}\n\nAnswer the question from the list alone: {question} {answer_format}"
    ),
)

"""The rendered-GSM8K family's prompts; its task YAML is generated from them (change one: bump `task_version`).

The words are mathtext's, on purpose (the same skills on other problems, so the two families compare); they are
written out here rather than imported so that a change to mathtext's prompts cannot change this family's tasks
without this family's version moving too."""

from __future__ import annotations

from lmms_compgap.core.family import Prompts

PROMPTS = Prompts(
    answer_format='End your reply with a final line of the form "Answer: <number>".',
    direct_prompt="Solve the math word problem shown in the image. {answer_format}",
    cot_prompt=(
        "First transcribe the text in the image word for word. Then solve the math word problem it states, "
        "step by step. {answer_format}"
    ),
    visual_prompt="Transcribe the text in the image exactly, word for word. Output only the transcription.",
    textual_prompt="Solve the following math word problem.\n\n{intermediate}\n\n{answer_format}",
)

"""The rendered MATH-500 family's prompts; its task YAML is generated from them (change one: bump `task_version`)."""

from __future__ import annotations

from lmms_compgap.core.family import Prompts

PROMPTS = Prompts(
    answer_format=(
        'End your reply with a final line of the form "Answer: <answer>", the answer in simplest form (LaTeX is fine).'
    ),
    direct_prompt="Solve the math problem shown in the image step by step. {answer_format}",
    cot_prompt=(
        "First transcribe the math problem in the image, writing its mathematics in LaTeX. Then solve it step by "
        "step. {answer_format}"
    ),
    visual_prompt=(
        "Transcribe the math problem in the image exactly, writing every mathematical expression in LaTeX between "
        "$ signs. Output only the transcription."
    ),
    textual_prompt="Solve the following math problem step by step.\n\n{intermediate}\n\n{answer_format}",
)

"""The spoken family's prompts; its task YAML is generated from them (change one: bump `task_version`)."""

from __future__ import annotations

from lmms_compgap.core.family import Prompts

PROMPTS = Prompts(
    answer_format='End your reply with a final line of the form "Answer: <number>".',
    direct_prompt="Solve the math word problem spoken in the audio. {answer_format}",
    cot_prompt=(
        "First transcribe the speech in the audio word for word, writing numbers as digits. Then solve the math "
        "word problem it states, step by step. {answer_format}"
    ),
    visual_prompt=(
        "Transcribe the speech in the audio exactly, word for word, writing numbers as digits. "
        "Output only the transcription."
    ),
    textual_prompt="Solve the following math word problem.\n\n{intermediate}\n\n{answer_format}",
)

"""The clock family's prompts; its task YAML is generated from them (change one: bump `Clock.task_version`).

Fields: ``{question}`` (the item's question), ``{answer_format}`` (ANSWER_FORMAT), ``{intermediate}`` (the
time read from the image: the gold one in the language setting, the model's own step-1 output in the
cascade). The direct prompt and the language prompt differ only in that the second replaces the image
by the time.
"""

from __future__ import annotations

from lmms_compgap.core.family import Prompts

ANSWER_FORMAT = (
    'End your reply with a final line of the form "Answer: <answer>", where <answer> is a time written H:MM on '
    "the 12-hour clock (for example 3:05) or a number of minutes (for example 95), as the question asks."
)
DIRECT_PROMPT = "The image shows an analogue clock.\n\n{question} {answer_format}"
COT_PROMPT = (
    "The image shows an analogue clock.\n\n{question}\n\nFirst read the time the clock shows and write it as H:MM "
    "on the 12-hour clock (for example 3:05). Then use that time to answer the question, step by step. "
    "{answer_format}"
)
VISUAL_PROMPT = (
    "What time does the analogue clock in the image show? Write the time as H:MM on the 12-hour clock (for "
    "example 3:05 or 12:40), without a.m. or p.m. Output only the time."
)
TEXTUAL_PROMPT = "An analogue clock shows this time:\n{intermediate}\n\n{question} {answer_format}"

PROMPTS = Prompts(
    answer_format=ANSWER_FORMAT,
    direct_prompt=DIRECT_PROMPT,
    cot_prompt=COT_PROMPT,
    visual_prompt=VISUAL_PROMPT,
    textual_prompt=TEXTUAL_PROMPT,
)

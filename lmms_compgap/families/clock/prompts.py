"""The clock tasks' prompts and versions: what the generated task YAMLs carry (lmms_eval_specific_kwargs default).

Fields: ``{question}`` (the item's question), ``{answer_format}`` (ANSWER_FORMAT), ``{intermediate}`` (the
time read from the image: the gold one in the language setting, the model's own step-1 output in the
cascade). The direct prompt and the language prompt differ only in that the second replaces the image
by the time.
"""

from __future__ import annotations

#: Bump when a prompt or the scorer changes (the task card's version history says what changed).
TASK_VERSION = 1

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

#: The prompts keyed as every family's task YAML keys them (`lmms_eval_specific_kwargs: default:`).
PROMPTS: dict[str, str] = {
    "answer_format": ANSWER_FORMAT,
    "direct_prompt": DIRECT_PROMPT,
    "cot_prompt": COT_PROMPT,
    "visual_prompt": VISUAL_PROMPT,
    "textual_prompt": TEXTUAL_PROMPT,
}
#: The vision setting's graded metric besides exact_match and usable: mean minutes of error round the dial
#: (360, the most a reading can be off, when no time is read); lower is better.
INTERMEDIATE_METRIC: dict[str, str | bool] = {"metric": "minutes_off", "aggregation": "mean", "higher_is_better": False}

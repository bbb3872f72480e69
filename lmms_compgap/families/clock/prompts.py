"""The clock family's prompts; its task YAML is generated from them (change one: bump `Clock.task_version`).

Fields: ``{question}`` (the item's question), ``{answer_format}`` (ANSWER_FORMAT), ``{intermediate}`` (the
time read from the image: the gold one in the language setting, the model's own step-1 output in the
cascade). The direct prompt and the language prompt differ only in that the second replaces the image
by the time.
"""

from __future__ import annotations

from lmms_compgap.core.family import Paraphrase, Prompts

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

#: The `compgap_wording` tasks' rewordings (`compgap_clock_<setting>_w<k>`): the same requests in other words and
#: order, ANSWER_FORMAT kept; in each, as above, the language prompt is the direct one with the time for the image.
#: Change one: bump its version (the canonical prompts and `Clock.task_version` stay).
PARAPHRASES = (
    Paraphrase(
        1,
        Prompts(
            answer_format=ANSWER_FORMAT,
            direct_prompt="Look at the analogue clock in this picture.\n\n{question} {answer_format}",
            cot_prompt=(
                "{question}\n\nThe picture shows an analogue clock. Start by reading its time and writing it as H:MM "
                "on the 12-hour clock (for example 3:05); then answer the question from that time, one step at a "
                "time. {answer_format}"
            ),
            visual_prompt=(
                "Read the analogue clock in the image and give the time it shows as H:MM on the 12-hour clock (for "
                "example 3:05 or 12:40). Leave out a.m. and p.m. Reply with the time alone."
            ),
            textual_prompt="The time on an analogue clock is:\n{intermediate}\n\n{question} {answer_format}",
        ),
    ),
    Paraphrase(
        1,
        Prompts(
            answer_format=ANSWER_FORMAT,
            direct_prompt="Here is a picture of an analogue clock.\n\n{question} {answer_format}",
            cot_prompt=(
                "Here is a picture of an analogue clock.\n\n{question}\n\nWork step by step: read the clock's time, "
                "write it as H:MM on the 12-hour clock (for example 3:05), and answer the question from it. "
                "{answer_format}"
            ),
            visual_prompt=(
                "Give the time on the analogue clock in the image, written H:MM on the 12-hour clock with no a.m. or "
                "p.m. (for example 3:05 or 12:40). Output nothing but the time."
            ),
            textual_prompt="Here is the time an analogue clock shows:\n{intermediate}\n\n{question} {answer_format}",
        ),
    ),
    Paraphrase(
        1,
        Prompts(
            answer_format=ANSWER_FORMAT,
            direct_prompt="{question}\n\nUse the analogue clock shown in the image. {answer_format}",
            cot_prompt=(
                "{question}\n\nUse the analogue clock shown in the image. Write down the time it shows first, as H:MM "
                "on the 12-hour clock (for example 3:05), and then reason step by step from that time to the answer. "
                "{answer_format}"
            ),
            visual_prompt=(
                "The image shows an analogue clock. Which time does it show? Answer with the time only, as H:MM on the "
                "12-hour clock (for example 3:05 or 12:40) and without a.m. or p.m."
            ),
            textual_prompt=(
                "{question}\n\nUse this time, read from an analogue clock:\n{intermediate}\n\n{answer_format}"
            ),
        ),
    ),
)

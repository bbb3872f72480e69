"""The cards family's prompts; its task YAML is generated from them (change one: bump `task_version`)."""

from __future__ import annotations

from lmms_compgap.core.family import Prompts

_SETTING = "The image shows some playing cards.\n\n"
_EXAMPLES = '"7 of hearts", "K of spades", "A of diamonds"'

PROMPTS = Prompts(
    # General on purpose: most questions want a number, make-24 questions an expression (their text says so).
    answer_format='End your reply with a final line of the form "Answer: <your answer>".',
    direct_prompt=_SETTING + "{question} {answer_format}",
    cot_prompt=(
        _SETTING + '{question}\n\nFirst list every card in the image, one per line, as "<rank> of <suit>" '
        f'(for example {_EXAMPLES}, "10 of clubs"), from left to right, top row first. Then use your list to '
        "answer the question, step by step. {answer_format}"
    ),
    visual_prompt=(
        f'List every playing card in the image, one per line, as "<rank> of <suit>", for example {_EXAMPLES} or '
        '"10 of clubs" (ranks A, 2 to 10, J, Q, K; suits spades, hearts, diamonds, clubs). Go from left to right, '
        "top row first when the cards lie in two rows. Output only the list."
    ),
    textual_prompt="Here are some playing cards, one per line:\n{intermediate}\n\n{question} {answer_format}",
)

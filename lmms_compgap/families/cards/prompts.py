"""The cards family's prompts; its task YAML is generated from them (change one: bump `task_version`)."""

from __future__ import annotations

from lmms_compgap.core.family import Paraphrase, Prompts

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

_RANKS_SUITS = "ranks A, 2 to 10, J, Q, K; suits spades, hearts, diamonds, clubs"

#: The `compgap_wording` tasks' rewordings (`compgap_cards_<setting>_w<k>`): the same requests in other words and
#: order, `answer_format`, the card format and the reading order kept. Change one: bump its version (the canonical
#: prompts and task version stay).
PARAPHRASES = (
    Paraphrase(
        1,
        Prompts(
            answer_format=PROMPTS.answer_format,
            direct_prompt="Look at the playing cards in this image.\n\n{question} {answer_format}",
            cot_prompt=(
                "Look at the playing cards in this image.\n\n{question}\n\nStart by writing each card on its own "
                f'line as "<rank> of <suit>" (for example {_EXAMPLES}, "10 of clubs"), going left to right and the '
                "top row first. Then answer the question from your list, step by step. {answer_format}"
            ),
            visual_prompt=(
                'Write down each playing card shown in the image on its own line, in the form "<rank> of <suit>" '
                f'(for example {_EXAMPLES} or "10 of clubs"; {_RANKS_SUITS}). Go left to right, and when the cards '
                "lie in two rows, do the top row first. Reply with the list alone."
            ),
            textual_prompt="These playing cards are listed one per line:\n{intermediate}\n\n{question} {answer_format}",
        ),
    ),
    Paraphrase(
        1,
        Prompts(
            answer_format=PROMPTS.answer_format,
            direct_prompt="{question}\n\nThe cards are shown in the image. {answer_format}",
            cot_prompt=(
                "{question}\n\nThe cards are shown in the image. Work step by step: list the cards one per line as "
                f'"<rank> of <suit>" (for example {_EXAMPLES}, "10 of clubs"), left to right with the top row first, '
                "then answer the question from that list. {answer_format}"
            ),
            visual_prompt=(
                'Which playing cards does the image show? Give one card per line, written "<rank> of <suit>" '
                f'({_RANKS_SUITS}), for example {_EXAMPLES} or "10 of clubs". Order them left to right, the top row '
                "first if there are two rows. Output nothing but the list."
            ),
            textual_prompt="{question}\n\nThe cards, one per line:\n{intermediate}\n\n{answer_format}",
        ),
    ),
    Paraphrase(
        1,
        Prompts(
            answer_format=PROMPTS.answer_format,
            direct_prompt="Here is a picture of some playing cards.\n\n{question} {answer_format}",
            cot_prompt=(
                "Here is a picture of some playing cards.\n\n{question}\n\nStep 1: list every card, left to right "
                f'and top row first, one per line as "<rank> of <suit>" (for example {_EXAMPLES}, "10 of clubs"). '
                "Step 2: use the list to work out the answer step by step. {answer_format}"
            ),
            visual_prompt=(
                "Ranks: A, 2 to 10, J, Q, K. Suits: spades, hearts, diamonds, clubs. List the playing cards in the "
                f'image one per line as "<rank> of <suit>", for example {_EXAMPLES} or "10 of clubs", from left to '
                "right (the top row first when there are two rows). Output only the list."
            ),
            textual_prompt="A hand of playing cards, one card per line:\n{intermediate}\n\n{question} {answer_format}",
        ),
    ),
)

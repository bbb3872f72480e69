"""The spoken family's prompts; its task YAML is generated from them (change one: bump `task_version`)."""

from __future__ import annotations

from lmms_compgap.core.family import Paraphrase, Prompts

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

#: Three rewordings of every prompt (`compgap_spoken_wording`): the same content in other words and order, the answer
#: format and the transcription's form (word for word, numbers as digits) kept.
PARAPHRASES = (
    Paraphrase(
        1,
        Prompts(
            answer_format=PROMPTS.answer_format,
            direct_prompt="The audio is someone reading out a math word problem. Work out its answer. {answer_format}",
            cot_prompt=(
                "Begin by writing down, word for word, what is said in the audio, with numbers as digits. Next, work "
                "through the math word problem it states, one step at a time. {answer_format}"
            ),
            visual_prompt=(
                "Write down what is said in the audio exactly as spoken, word for word, with numbers as digits. Reply "
                "with the transcription alone."
            ),
            textual_prompt="Here is a math word problem:\n\n{intermediate}\n\nWork out its answer. {answer_format}",
        ),
    ),
    Paraphrase(
        1,
        Prompts(
            answer_format=PROMPTS.answer_format,
            direct_prompt="Listen to the math word problem in this recording and find the answer. {answer_format}",
            cot_prompt=(
                "Solve the math word problem in the recording step by step, after first writing down what is said, "
                "word for word and with digits for numbers. {answer_format}"
            ),
            visual_prompt=(
                "Write down, word for word and without changes, everything said in this recording, using digits for "
                "numbers. Give nothing but that text."
            ),
            textual_prompt="{intermediate}\n\nThe text above is a math word problem. Solve it. {answer_format}",
        ),
    ),
    Paraphrase(
        1,
        Prompts(
            answer_format=PROMPTS.answer_format,
            direct_prompt="What is the answer to the math word problem spoken in the clip? {answer_format}",
            cot_prompt=(
                "Step 1: write out the clip's speech exactly, word for word, numbers as digits. Step 2: using that "
                "text, solve the math word problem step by step. {answer_format}"
            ),
            visual_prompt=(
                "Reproduce the clip's speech exactly, word for word, numbers as digits, and output nothing else."
            ),
            textual_prompt="Find the answer to this math word problem.\n\nProblem:\n{intermediate}\n\n{answer_format}",
        ),
    ),
)

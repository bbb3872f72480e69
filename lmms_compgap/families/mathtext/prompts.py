"""The rendered-text family's prompts; its task YAML is generated from them (change one: bump `task_version`)."""

from __future__ import annotations

from lmms_compgap.core.family import Paraphrase, Prompts

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

#: The `compgap_wording` tasks' rewordings (`compgap_mathtext_<setting>_w<k>`): the same requests in other words and
#: order, `answer_format` kept. Change one: bump its version (the canonical prompts and task version stay).
PARAPHRASES = (
    Paraphrase(
        1,
        Prompts(
            answer_format=PROMPTS.answer_format,
            direct_prompt="The image contains a math word problem. Work out its answer. {answer_format}",
            cot_prompt=(
                "Begin by copying out, word for word, the text that appears in the image. Next, work through the math "
                "word problem that text states, one step at a time. {answer_format}"
            ),
            visual_prompt=(
                "Copy out the text shown in the image exactly as written, word for word. Reply with the transcription "
                "alone."
            ),
            textual_prompt="Here is a math word problem:\n\n{intermediate}\n\nWork out its answer. {answer_format}",
        ),
    ),
    Paraphrase(
        1,
        Prompts(
            answer_format=PROMPTS.answer_format,
            direct_prompt="Read the math word problem in this image and find the answer. {answer_format}",
            cot_prompt=(
                "Solve the math word problem in the image step by step, after first writing down its text word for "
                "word. {answer_format}"
            ),
            visual_prompt=(
                "Write down, word for word and without changes, all of the text in this image. Give nothing but that "
                "text."
            ),
            textual_prompt="{intermediate}\n\nThe text above is a math word problem. Solve it. {answer_format}",
        ),
    ),
    Paraphrase(
        1,
        Prompts(
            answer_format=PROMPTS.answer_format,
            direct_prompt="What is the answer to the math word problem in the picture? {answer_format}",
            cot_prompt=(
                "Step 1: write out the picture's text exactly, word for word. Step 2: using that text, solve the math "
                "word problem step by step. {answer_format}"
            ),
            visual_prompt="Reproduce the picture's text exactly, word for word, and output nothing else.",
            textual_prompt="Find the answer to this math word problem.\n\nProblem:\n{intermediate}\n\n{answer_format}",
        ),
    ),
)

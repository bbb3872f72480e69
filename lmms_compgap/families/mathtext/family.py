"""The rendered-text family's declaration: its tasks, and the generator, drawing and scorer it is made of."""

from __future__ import annotations

import random
from typing import Any, ClassVar

from PIL import Image

from lmms_compgap.core.family import (
    DataCheck,
    GeneratedFamily,
    IntermediateScore,
    Item,
    Metric,
    Paraphrase,
    Prompts,
    canonical_json,
)
from lmms_compgap.core.transcription import score_transcription
from lmms_compgap.families.mathtext.drawing import draw_page
from lmms_compgap.families.mathtext.generate import problem_item, solution_plan
from lmms_compgap.families.mathtext.prompts import PARAPHRASES, PROMPTS


class MathText(GeneratedFamily):
    """Reasoning over rendered text: read a word problem in an image, then solve it."""

    name: ClassVar[str] = "mathtext"
    task_version: ClassVar[int] = 5
    data_version: ClassVar[int] = 1
    prompts: ClassVar[Prompts] = PROMPTS
    paraphrases: ClassVar[tuple[Paraphrase, ...]] = PARAPHRASES
    intermediate_metric: ClassVar[Metric] = Metric("cer", higher_is_better=False)
    in_paper_group: ClassVar[bool] = True
    data_check: ClassVar[DataCheck] = DataCheck(".datacheck:check_mathtext", tools=("tesseract",), threshold=99.0)

    def generate_item(self, rng: random.Random) -> Item:
        return problem_item(rng)

    def problem_signature(self, item: Item) -> str:
        """The operation chain and its numbers (start, then each operation and value): the answer follows from
        them, whoever the story is about, whatever it counts and however it is told."""
        start, steps = solution_plan(item.solution)
        return canonical_json({"start": start, "steps": steps})

    def draw(self, spec: dict[str, Any]) -> Image.Image:
        return draw_page(spec)

    def score_intermediate(self, response: str, row: dict[str, Any]) -> IntermediateScore:
        return score_transcription(response, row["intermediate"])

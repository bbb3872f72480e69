"""The rendered-text family's declaration: its tasks, and the generator, drawing and scorer it is made of."""

from __future__ import annotations

import random
import re
from typing import Any, ClassVar

from PIL import Image

from lmms_compgap import scoring
from lmms_compgap.core.family import DataCheck, GeneratedFamily, IntermediateScore, Item, Metric, Prompts
from lmms_compgap.families.mathtext.drawing import draw_page
from lmms_compgap.families.mathtext.generate import problem_item
from lmms_compgap.families.mathtext.prompts import PROMPTS


class MathText(GeneratedFamily):
    """Reasoning over rendered text: read a word problem in an image, then solve it."""

    name: ClassVar[str] = "mathtext"
    task_version: ClassVar[int] = 3
    data_version: ClassVar[int] = 1
    prompts: ClassVar[Prompts] = PROMPTS
    intermediate_metric: ClassVar[Metric] = Metric("cer", higher_is_better=False)
    in_paper_group: ClassVar[bool] = True
    data_check: ClassVar[DataCheck] = DataCheck(".datacheck:check_mathtext", tools=("tesseract",), threshold=99.0)

    def generate_item(self, rng: random.Random) -> Item:
        return problem_item(rng)

    def draw(self, spec: dict[str, Any]) -> Image.Image:
        return draw_page(spec)

    def score_intermediate(self, response: str, row: dict[str, Any]) -> IntermediateScore:
        gold = row["intermediate"]
        hypothesis = scoring.strip_thinking(response)
        cer = scoring.character_error_rate(hypothesis, gold)
        exact = int(scoring.normalize_text(hypothesis) == scoring.normalize_text(gold))
        # Usable: every quantity survived, in order, and the text is otherwise close.
        numbers_kept = _numbers(scoring.normalize_text(hypothesis)) == _numbers(scoring.normalize_text(gold))
        usable = int(exact or (numbers_kept and cer <= 0.1))
        return IntermediateScore(exact=exact, score=max(0.0, 1.0 - cer), usable=usable, details={"cer": cer})


_NUMBER = re.compile(r"[0-9]+")


def _numbers(text: str) -> list[str]:
    return _NUMBER.findall(text)

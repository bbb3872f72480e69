"""The rendered-GSM8K family's declaration: items from openai/gsm8k, each problem drawn as text, numeric answers."""

from __future__ import annotations

import re
from typing import Any, ClassVar

from PIL import Image

from lmms_compgap.core.data import DataIntegrityError
from lmms_compgap.core.dataset_family import DatasetFamily, last_sentence, style_rng
from lmms_compgap.core.family import IntermediateScore, Item, Metric, Prompts
from lmms_compgap.core.hub_data import HubDataset
from lmms_compgap.core.transcription import score_transcription
from lmms_compgap.draw.fonts import wrap_text
from lmms_compgap.draw.text import fonts_covering, render_text, sample_text_style
from lmms_compgap.families.gsm8k.prompts import PROMPTS
from lmms_compgap.families.gsm8k.source import SOURCE
from lmms_compgap.scoring import normalize_number

#: GSM8K's calculator annotations in worked solutions: "48/2 = <<48/2=24>>24".
_CALCULATION = re.compile(r"<<[^<>]*>>")


def final_answer(solution: str) -> str:
    """The number after the last ``####`` of a GSM8K solution, in canonical form ("1,000" -> "1000")."""
    _, marker, tail = solution.rpartition("####")
    value = normalize_number(tail) if marker else None
    if value is None:
        raise DataIntegrityError(f"a GSM8K solution without a final '#### <number>' line: {solution[-80:]!r}")
    return value


def solution_steps(solution: str) -> tuple[str, ...]:
    """The worked solution's lines before ``####``, without calculator annotations."""
    body = solution.rpartition("####")[0]
    return tuple(line.strip() for line in _CALCULATION.sub("", body).splitlines() if line.strip())


class Gsm8k(DatasetFamily):
    """Rendered GSM8K: read a grade-school word problem of openai/gsm8k drawn as an image, then solve it."""

    name: ClassVar[str] = "gsm8k"
    task_version: ClassVar[int] = 3
    data_version: ClassVar[int] = 1
    prompts: ClassVar[Prompts] = PROMPTS
    intermediate_metric: ClassVar[Metric] = Metric("cer", higher_is_better=False)
    source: ClassVar[HubDataset] = SOURCE

    def item(self, record: dict[str, Any]) -> Item:
        text = record["question"]
        style = sample_text_style(style_rng(self.name, self.data_version, text), fonts_covering(text))
        spec = {"text": text, **style}
        lines = wrap_text(text, style["font"], style["size"], style["width"] - 2 * style["margin"])
        steps = solution_steps(record["answer"])
        attributes = {
            "steps": len(steps),
            "font": style["font"],
            "font_size": style["size"],
            "chars": len(text),
            "lines": len(lines),
        }
        return Item(
            question=last_sentence(text),
            answer=final_answer(record["answer"]),
            intermediate=text,
            attributes=attributes,
            spec=spec,
            solution=steps,
        )

    def draw(self, row: dict[str, Any]) -> Image.Image:
        return render_text(self.spec(row))

    def score_intermediate(self, response: str, row: dict[str, Any]) -> IntermediateScore:
        return score_transcription(response, row["intermediate"])

"""The rendered MATH-500 family's declaration: items from HuggingFaceH4/MATH-500, problems drawn with their
formulas typeset, answers compared for mathematical equivalence by math-verify."""

from __future__ import annotations

import re
from typing import Any, ClassVar

from PIL import Image

from lmms_compgap.core.dataset_family import DatasetFamily, last_sentence, style_rng
from lmms_compgap.core.family import AnswerScore, IntermediateScore, Item, Metric, Prompts
from lmms_compgap.core.hub_data import HubDataset
from lmms_compgap.core.transcription import score_transcription
from lmms_compgap.draw.latex import MATH_FONTSETS, render_latex, split_latex, text_mode
from lmms_compgap.draw.text import fonts_covering, sample_text_style
from lmms_compgap.families.math500.prompts import PROMPTS
from lmms_compgap.families.math500.source import SOURCE
from lmms_compgap.scoring import normalize_text
from lmms_compgap.scoring.equivalence import ensure_available
from lmms_compgap.scoring.latex_answers import score_latex_answer

#: Presentation a transcription may differ in without being wrong: math delimiters, sizing, spacing commands.
_PRESENTATION = re.compile(r"\$|\\[()\[\]]|\\(?:left|right|displaystyle|[,;:! ])(?![A-Za-z])")
_FRACTION = re.compile(r"\\[dt]frac(?![A-Za-z])")


def latex_key(text: str) -> str:
    """A LaTeX transcription as it is compared: `scoring.normalize_text`, then without math delimiters, ``\\left``
    and ``\\right``, spacing commands and any whitespace (LaTeX ignores it), ``\\dfrac``/``\\tfrac`` as
    ``\\frac``."""
    text = _FRACTION.sub(r"\\frac", _PRESENTATION.sub("", normalize_text(text)))
    return "".join(text.split())


class Math500(DatasetFamily):
    """Rendered MATH-500: read a competition math problem of HuggingFaceH4/MATH-500 drawn as an image, solve it."""

    name: ClassVar[str] = "math500"
    task_version: ClassVar[int] = 1
    data_version: ClassVar[int] = 1
    prompts: ClassVar[Prompts] = PROMPTS
    intermediate_metric: ClassVar[Metric] = Metric("cer", higher_is_better=False)
    source: ClassVar[HubDataset] = SOURCE

    def prepare(self) -> None:
        ensure_available()

    def item(self, record: dict[str, Any]) -> Item:
        text = record["problem"]
        pieces = split_latex(text)
        prose = " ".join(piece.content for piece in pieces if piece.kind == "text")
        style = sample_text_style(style_rng(self.name, self.data_version, text), fonts_covering(text_mode(prose)))
        spec = {"text": text, **style, "math_fontset": MATH_FONTSETS[style["font"]]}
        attributes = {
            "subject": record["subject"],
            "level": record["level"],
            "unique_id": record["unique_id"],
            "font": style["font"],
            "font_size": style["size"],
            "math_fontset": spec["math_fontset"],
            "chars": len(text),
            "formulas": sum(piece.kind in ("math", "display") for piece in pieces),
            "figure": any(piece.kind == "code" for piece in pieces),
        }
        return Item(
            question=last_sentence(text_mode(prose)) if prose else "",
            answer=record["answer"],
            intermediate=text,
            attributes=attributes,
            spec=spec,
        )

    def draw(self, row: dict[str, Any]) -> Image.Image:
        return render_latex(self.spec(row))[0]

    def score_answer(self, response: str, row: dict[str, Any]) -> AnswerScore:
        result = score_latex_answer(response, row["answer"])
        return AnswerScore(extracted=result["extracted"], correct=int(result["correct"]), strict=int(result["strict"]))

    def score_intermediate(self, response: str, row: dict[str, Any]) -> IntermediateScore:
        return score_transcription(response, row["intermediate"], key=latex_key)

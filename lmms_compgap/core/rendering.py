"""Rendering variants: a generated family's items and prompts, their pictures drawn from a changed spec.

REST/REST+ (van Sprang et al., 2025) and arXiv 2603.09095 find that text colour, resolution and font move results
at fixed content. A variant shows that: the same items in the same order (question, answer, intermediate), the same
prompts and scoring, only the drawing spec changed (and the layout attributes that follow from it). It is a family
of its own (`<family><rendering>`, e.g. `mathtextlowcontrast`), so its rows, data file, pictures, data check and
tasks are made, verified and cached like every family's; a family package lists its variants as `VARIANTS` (the
registry finds them), and `compgap tasks build` puts them in the group `compgap_render` with their base family,
outside `compgap` and `compgap_all`.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image

from lmms_compgap.core.family import AnswerScore, GeneratedFamily, IntermediateScore, Item

#: The group of every rendering variant and the families they vary: one command runs a sweep.
RENDER_GROUP = "compgap_render"
#: The task metadata keys naming the family a variant draws and its rendering.
RENDERING_METADATA = ("rendering_of", "rendering")


@dataclass(frozen=True)
class Rendering:
    """One way of drawing a family's pictures: `name` (lowercase letters, appended to the family's name), `version`
    (the variant's data_version: bump it when `restyle` or the base family's items change), `summary` (one line,
    heading its task YAMLs) and `restyle`, which returns the item with its spec (and the attributes that describe
    the layout) changed and its content untouched."""

    name: str
    version: int
    summary: str
    restyle: Callable[[Item], Item]


class RenderingVariant(GeneratedFamily):
    """A rendering variant of a generated family: its items and prompts, pictures drawn from a changed spec."""

    base: GeneratedFamily
    rendering: Rendering

    def generate_items(
        self, seed: int | None = None, size: int | None = None, accept: Callable[[Item], bool] | None = None
    ) -> list[Item]:
        return [self._restyled(item) for item in self.base.generate_items(seed, size, accept)]

    def _restyled(self, item: Item) -> Item:
        restyled = self.rendering.restyle(item)
        content = (item.question, item.answer, item.intermediate, item.solution)
        if (restyled.question, restyled.answer, restyled.intermediate, restyled.solution) != content:
            raise ValueError(f"rendering {self.rendering.name} changed an item's content, not only its picture")
        return restyled

    def generate_item(self, rng: random.Random) -> Item:
        return self._restyled(self.base.generate_item(rng))

    def problem_signature(self, item: Item) -> str:
        return self.base.problem_signature(item)

    def draw(self, spec: dict[str, Any]) -> Image.Image:
        return self.base.draw(spec)

    def score_answer(self, response: str, row: dict[str, Any]) -> AnswerScore:
        return self.base.score_answer(response, row)

    def score_intermediate(self, response: str, row: dict[str, Any]) -> IntermediateScore:
        return self.base.score_intermediate(response, row)

    def task_root(self) -> Path:
        return self.base.task_root()


def rendering_variant(base: GeneratedFamily, rendering: Rendering) -> RenderingVariant:
    """The variant of `base` drawn as `rendering` says: a class of its own, declared in the base family's module
    (so its task card and data check are the base's), with the base's prompts, task version and data check."""
    declared = {
        "__module__": type(base).__module__,
        "__doc__": f"{rendering.summary} ({base.name}'s items and prompts, drawn differently).",
        "name": f"{base.name}{rendering.name}",
        "task_version": base.task_version,
        "data_version": rendering.version,
        "prompts": base.prompts,
        "model_prompts": base.model_prompts,
        "paraphrases": base.paraphrases,
        "intermediate_metric": base.intermediate_metric,
        "in_paper_group": False,
        "data_check": base.data_check,
        "canonical_seed": base.canonical_seed,
        "canonical_size": base.canonical_size,
    }
    variant = type(f"{type(base).__name__}_{rendering.name}", (RenderingVariant,), declared)()
    variant.base, variant.rendering = base, rendering
    return variant


def rendering_metadata(family: object) -> dict[str, str]:
    """What a rendering variant's task metadata adds (`tasks.writer`): the family it draws and how; {} for any other
    family. The report pairs a variant with its family by these (`report.compute.sensitivity`)."""
    found = rendering_of(family)
    return dict(zip(RENDERING_METADATA, found, strict=True)) if found else {}


def rendering_of(family: object) -> tuple[str, str] | None:
    """(base family, rendering) of a rendering variant, None for any other family."""
    if isinstance(family, RenderingVariant):
        return family.base.name, family.rendering.name
    return None

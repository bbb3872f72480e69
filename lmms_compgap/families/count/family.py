"""The counting family's declaration: its tasks, and the generator, drawing and scorer it is made of."""

from __future__ import annotations

import random
from collections import Counter
from typing import Any, ClassVar

from PIL import Image

from lmms_compgap import scoring
from lmms_compgap.core.family import (
    DataCheck,
    GeneratedFamily,
    IntermediateScore,
    Item,
    Metric,
    Paraphrase,
    Prompts,
    canonical_json,
    row_json,
)
from lmms_compgap.families.count.drawing import draw_scene
from lmms_compgap.families.count.generate import scene_item
from lmms_compgap.families.count.objects import matches
from lmms_compgap.families.count.parse import parse_objects
from lmms_compgap.families.count.prompts import PARAPHRASES, PROMPTS


class Count(GeneratedFamily):
    """Object counting: list the objects in a drawn scene, then count the ones the question asks about."""

    name: ClassVar[str] = "count"
    task_version: ClassVar[int] = 5
    data_version: ClassVar[int] = 1
    prompts: ClassVar[Prompts] = PROMPTS
    paraphrases: ClassVar[tuple[Paraphrase, ...]] = PARAPHRASES
    intermediate_metric: ClassVar[Metric] = Metric("f1")
    in_paper_group: ClassVar[bool] = True
    data_check: ClassVar[DataCheck] = DataCheck(".datacheck:check_count", tools=("opencv",), threshold=99.0)

    def generate_item(self, rng: random.Random) -> Item:
        return scene_item(rng)

    def problem_signature(self, item: Item) -> str:
        """The scene's objects as a multiset of (colour, shape) and the category asked (colour, shape, either may be
        None): the answer follows from them wherever the objects lie, whatever their sizes and however it is asked."""
        objects = sorted([colour, shape] for colour, shape, *_ in item.spec["objects"])
        asked = [item.attributes["colour"], item.attributes["shape"]]
        return canonical_json({"objects": objects, "asked": asked})

    def draw(self, spec: dict[str, Any]) -> Image.Image:
        return draw_scene(spec)

    def score_intermediate(self, response: str, row: dict[str, Any]) -> IntermediateScore:
        """Multiset F1 of the listed (colour, shape) objects against the gold list (see `parse_objects`).

        `exact`: the same multiset; `usable`: counting the listed objects of the asked category gives the
        answer (what the cascade's step 2 needs), whatever else the list gets wrong.
        """
        gold = parse_objects(row["intermediate"])
        predicted = parse_objects(scoring.strip_thinking(response))
        overlap = scoring.multiset_f1(_elements(predicted), _elements(gold))
        attributes = row_json(row, "attributes")
        colour, shape = attributes.get("colour"), attributes.get("shape")
        counted = sum(n for (c, s), n in predicted.items() if matches(c, s, colour, shape))
        usable = int(counted == int(row["answer"]))
        details = {
            "f1": overlap["f1"],
            "precision": overlap["precision"],
            "recall": overlap["recall"],
            "listed": sum(predicted.values()),
            "gold_objects": sum(gold.values()),
            "counted": counted,
        }
        return IntermediateScore(exact=int(overlap["exact"]), score=overlap["f1"], usable=usable, details=details)


def _elements(objects: Counter[tuple[str, str]]) -> list[str]:
    return [f"{colour} {shape}" for (colour, shape), n in sorted(objects.items()) for _ in range(n)]

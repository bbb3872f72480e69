"""The CountBenchQA family's declaration: photos and counts from vikhyatk/CountBenchQA; list the objects, count
the list."""

from __future__ import annotations

import re
from typing import Any, ClassVar

from PIL import Image

from lmms_compgap import scoring
from lmms_compgap.core.dataset_family import DatasetFamily
from lmms_compgap.core.family import IntermediateScore, Item, Metric, Prompts
from lmms_compgap.core.hub_data import HubDataset
from lmms_compgap.families.countbench.prompts import PROMPTS
from lmms_compgap.families.countbench.source import SOURCE

_OBJECT = re.compile(
    r"^\s*how\s+many\s+(?P<object>.+?)\s+(?:are|is|were|was|can|do|does|appear|could)\b", re.IGNORECASE
)
#: Lines of a listing that are not objects: an introduction ("Here are the dogs:"), code fences, bare punctuation.
_INTRODUCTION = re.compile(r":\s*$")
_FENCE = re.compile(r"^\s*(?:```|~~~)")
_CONTENT = re.compile(r"[^\W_]")


def asked_object(question: str) -> str:
    """What a CountBenchQA question counts ("How many dogs are in the image?" -> "dogs"); "objects" otherwise."""
    match = _OBJECT.match(question)
    return match.group("object").strip() if match else "objects asked about"


def gold_list(question: str, count: int) -> str:
    """The gold intermediate: one line per object asked about ("one of the dogs"), `count` lines."""
    return "\n".join([f"one of the {asked_object(question)}"] * count)


def listed_objects(response: str) -> int:
    """How many objects a listing names: its non-empty lines, less an introduction line ending in ":" before the
    first item, code fences and lines without a letter or digit."""
    lines = [line for line in scoring.strip_code_fences(scoring.strip_thinking(response)).splitlines()]
    items = [line for line in lines if _CONTENT.search(line) and not _FENCE.match(line)]
    if items and _INTRODUCTION.search(items[0]):
        items = items[1:]
    return len(items)


class CountBench(DatasetFamily):
    """CountBenchQA: list the objects a question asks about in a real photo, then count the list."""

    name: ClassVar[str] = "countbench"
    task_version: ClassVar[int] = 3
    data_version: ClassVar[int] = 1
    prompts: ClassVar[Prompts] = PROMPTS
    intermediate_metric: ClassVar[Metric] = Metric("abs_error", higher_is_better=False)
    source: ClassVar[HubDataset] = SOURCE
    image_columns: ClassVar[tuple[str, ...]] = ("image",)
    cache_pictures: ClassVar[bool] = False

    def item(self, record: dict[str, Any]) -> Item:
        count = int(record["number"])
        return Item(
            question=record["question"],
            answer=str(count),
            intermediate=gold_list(record["question"], count),
            attributes={"count": count, "object": asked_object(record["question"])},
            spec={"caption": record["text"], "image_sha256": record["image_sha256"]},
        )

    def draw(self, row: dict[str, Any]) -> Image.Image:
        return self.source_image(row)

    def score_intermediate(self, response: str, row: dict[str, Any]) -> IntermediateScore:
        """The listing's length against the count: `exact` and `usable` when it lists exactly as many objects as
        there are (counting the list then gives the answer); `abs_error` how many too many or too few."""
        listed = listed_objects(response)
        gold = int(row["answer"])
        exact = int(listed == gold)
        details = {"abs_error": abs(listed - gold), "listed": listed}
        return IntermediateScore(exact=exact, score=float(exact), usable=exact, details=details)

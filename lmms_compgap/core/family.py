"""What a composition task family must say: how items are made, drawn and scored."""

from __future__ import annotations

import abc
import json
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from PIL import Image

from lmms_compgap import scoring


def canonical_json(value: Any) -> str:
    """The JSON text rows store for attributes and specs (sorted keys, no spaces): one value, one text."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


@dataclass(frozen=True)
class Item:
    """One generated item before it becomes a data row.

    `question` is what the textual skill is asked (it never contains the intermediate);
    `intermediate` is the gold output of the visual skill (transcription, object list, card list);
    `attributes` are the difficulty attributes results can be sliced by; `spec` is everything
    needed to draw the image, so drawing is a pure function of the row. `solution` is the textual
    skill's worked steps from the intermediate to the answer, written by the generator from what it
    computed (never by a model); fine-tuning targets are made of it. It is not part of the data row.
    """

    question: str
    answer: str
    intermediate: str
    attributes: dict[str, Any] = field(default_factory=dict)
    spec: dict[str, Any] = field(default_factory=dict)
    solution: tuple[str, ...] = ()


@dataclass(frozen=True)
class AnswerScore:
    """The final answer's score: `correct` is the flexible score, `strict` the format-following one."""

    extracted: str | None
    correct: int
    strict: int


@dataclass(frozen=True)
class IntermediateScore:
    """The visual skill's output against the gold intermediate.

    `exact` is exact match after normalisation; `score` the task's graded similarity (1 - CER for
    text, F1 for object and card lists); `usable` says whether a careful reader could solve the
    question from this output (used to attribute failures to perception).
    """

    exact: int
    score: float
    usable: int
    details: dict[str, Any] = field(default_factory=dict)


class TaskFamily(abc.ABC):
    """A composition task: one visual skill joined to one textual skill by a textual intermediate."""

    name: ClassVar[str]
    #: Bump whenever generation or drawing changes: it is part of every uid and of the results.
    data_version: ClassVar[int]
    canonical_seed: ClassVar[int] = 20261123
    canonical_size: ClassVar[int] = 1000
    #: Names of the vision-setting metrics this family reports besides `exact_match`.
    intermediate_metric: ClassVar[str] = "f1"

    # ---- generation -------------------------------------------------------------------------
    @abc.abstractmethod
    def generate_item(self, rng: random.Random) -> Item:
        """Draw one item from `rng` (the only source of randomness)."""

    def generate_items(
        self, seed: int | None = None, size: int | None = None, accept: Callable[[Item], bool] | None = None
    ) -> list[Item]:
        """The items for (seed, size), in order; no two share a question and intermediate.

        `accept` (when given) must also hold for every item kept: the training splits use it to leave
        out anything the test split holds (see `lmms_compgap.core.splits`).
        """
        seed = self.canonical_seed if seed is None else seed
        size = self.canonical_size if size is None else size
        rng = random.Random(f"compgap:{self.name}:v{self.data_version}:{seed}")
        items: list[Item] = []
        seen: set[tuple[str, str]] = set()
        attempts = 0
        while len(items) < size:
            attempts += 1
            if attempts > 50 * size + 1000:
                raise RuntimeError(f"{self.name}: could only generate {len(items)} distinct items of {size}")
            item = self.generate_item(rng)
            key = (item.question, item.intermediate)
            if key in seen or (accept is not None and not accept(item)):
                continue
            seen.add(key)
            items.append(item)
        return items

    def generate(self, seed: int | None = None, size: int | None = None) -> list[dict[str, Any]]:
        """The data rows for (seed, size), in order; no two rows share a question and intermediate."""
        return [self.to_row(index, item) for index, item in enumerate(self.generate_items(seed, size))]

    def canonical_rows(self) -> tuple[dict[str, Any], ...]:
        """The canonical split, generated once per process (every task of the family checks its data against it)."""
        cached = self.__dict__.get("_canonical_rows")
        if cached is None:
            cached = self.__dict__["_canonical_rows"] = tuple(self.generate())
        return cached

    def to_row(self, index: int, item: Item, split: str = "test") -> dict[str, Any]:
        """A data row: flat, with attributes and spec as canonical JSON strings (a stable schema).

        Rows of the test split keep their historical uids; other splits name themselves in the uid.
        """
        prefix = f"{self.name}-v{self.data_version}" + ("" if split == "test" else f"-{split}")
        return {
            "uid": f"{prefix}-{index:05d}",
            "family": self.name,
            "index": index,
            "question": item.question,
            "answer": item.answer,
            "intermediate": item.intermediate,
            "attributes": canonical_json(item.attributes),
            "spec": canonical_json(item.spec),
        }

    # ---- drawing ----------------------------------------------------------------------------
    @abc.abstractmethod
    def draw(self, spec: dict[str, Any]) -> Image.Image:
        """The item's picture, drawn from its spec alone (same spec, same pixels)."""

    def draw_row(self, row: dict[str, Any]) -> Image.Image:
        return self.draw(json.loads(row["spec"]))

    # ---- scoring ----------------------------------------------------------------------------
    def score_answer(self, response: str, row: dict[str, Any]) -> AnswerScore:
        """Score a final answer; numeric by default."""
        result = scoring.score_number(response, row["answer"])
        return AnswerScore(extracted=result["extracted"], correct=int(result["correct"]), strict=int(result["strict"]))

    @abc.abstractmethod
    def score_intermediate(self, response: str, row: dict[str, Any]) -> IntermediateScore:
        """Score the visual skill's output against the gold intermediate."""

"""One item's score in one setting, as the report needs it, taken from a scorer `compgap` record."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

SCORES: tuple[str, ...] = ("flexible", "strict")
#: What the two scores mean and how to read a gap under each: the one source of these sentences (the report
#: opens with them; README.md and docs/report.md quote them, and a test keeps them equal).
SCORES_EXPLAINED = (
    "Flexible score: the final answer counts wherever a careful grader finds it; strict score: it must also be in "
    "the asked-for format. A gap under the strict score only is a formatting effect, not a composition one."
)


@dataclass(frozen=True)
class ItemScore:
    """`correct` is the flexible score, `strict` the format-following one; `usable` is the visual step's
    output judged usable (vision and cascade only); `failed_step` is set when a model call failed."""

    uid: str
    correct: int
    strict: int
    usable: int | None = None
    failed_step: int | None = None
    attributes: dict[str, Any] = field(default_factory=dict, compare=False)

    def score(self, kind: str) -> int:
        """The item's 0/1 score under `kind` ("flexible" or "strict")."""
        if kind == "flexible":
            return self.correct
        if kind == "strict":
            return self.strict
        raise ValueError(f"unknown score {kind!r}; scores: {SCORES}")


def item_score(record: dict[str, Any]) -> ItemScore:
    """An ItemScore from the `compgap` record `score_response` returns (and lmms-eval logs)."""
    usable = record.get("intermediate_usable")
    failed = record.get("failed_step")
    if failed is None and record.get("error"):
        failed = 1
    attributes = record.get("attributes")
    return ItemScore(
        uid=str(record["uid"]),
        correct=int(bool(record.get("correct"))),
        strict=int(bool(record.get("strict"))),
        usable=None if usable is None else int(bool(usable)),
        failed_step=None if failed is None else int(failed),
        attributes=attributes if isinstance(attributes, dict) else {},
    )

"""One item's score in one setting, as the report needs it, taken from a scorer `compgap` record."""

from __future__ import annotations

import math
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
    #: The final answer the scorer extracted (None: none found, the call failed, or the record holds no text
    #: there); what the agreement between settings compares.
    extracted: str | None = field(default=None, compare=False)
    #: The response the final answer was read from (cascade: step 2), None when there is none; what the
    #: reasoning-effort diagnostic measures.
    response: str | None = field(default=None, compare=False)

    def score(self, kind: str) -> int:
        """The item's 0/1 score under `kind` ("flexible" or "strict")."""
        if kind == "flexible":
            return self.correct
        if kind == "strict":
            return self.strict
        raise ValueError(f"unknown score {kind!r}; scores: {SCORES}")


def _zero_or_one(record: dict[str, Any], key: str, required: bool = True) -> int | None:
    """A 0/1 verdict as the scorer writes it (0, 1, False or True); ValueError for anything else ("0", NaN, 2):
    an edited record is refused, never read as right."""
    value = record.get(key)
    if value is None and not required:
        return None
    if value is None and key in ("correct", "strict"):
        return 0
    if isinstance(value, bool) or (isinstance(value, int) and value in (0, 1)):
        return int(value)
    raise ValueError(f"{key} is not 0 or 1")


def _usable_attributes(attributes: Any) -> dict[str, Any]:
    """The record's attributes; ValueError for a number no report can place (NaN, infinity, beyond a float)."""
    if not isinstance(attributes, dict):
        return {}
    for name, value in attributes.items():
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError(f"attribute {name!r} is not a finite number")
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 2**53:
            raise ValueError(f"attribute {name!r} is an integer beyond 2**53")
    return attributes


def item_score(record: dict[str, Any]) -> ItemScore:
    """An ItemScore from the `compgap` record `score_response` returns (and lmms-eval logs); ValueError for a record
    no scorer wrote (a verdict other than 0/1, an attribute that is no finite number)."""
    failed = record.get("failed_step")
    if failed is None and record.get("error"):
        failed = 1
    if failed is not None and (isinstance(failed, bool) or not isinstance(failed, int) or not 0 <= failed <= 2):
        raise ValueError("failed_step is not a step number")
    return ItemScore(
        uid=str(record["uid"]),
        correct=_zero_or_one(record, "correct") or 0,
        strict=_zero_or_one(record, "strict") or 0,
        usable=_zero_or_one(record, "intermediate_usable", required=False),
        failed_step=failed,
        attributes=_usable_attributes(record.get("attributes")),
        extracted=_text_or_none(record.get("extracted")),
        response=_text_or_none(record.get("response")),
    )


def _text_or_none(value: Any) -> str | None:
    """A record's text field, or None for anything that is no text (the diagnostics count such items apart)."""
    return value if isinstance(value, str) else None

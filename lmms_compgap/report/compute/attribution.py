"""Why the direct setting failed: each wrong direct answer falls in exactly one attribution category."""

from __future__ import annotations

from collections.abc import Mapping

from lmms_compgap.report.compute.scores import ItemScore

#: The categories, in the order they are tested; the first that applies wins, so they partition
#: the items the direct setting gets wrong (see docs/report.md).
CATEGORIES: tuple[str, ...] = ("unresolved", "perception", "composition", "reasoning", "residual")

DESCRIPTIONS: dict[str, str] = {
    "unresolved": "a needed record is missing or its model call failed (direct, cascade, or language when needed)",
    "perception": "the cascade's perception step (step 1: seeing; hearing, for spoken) gave an unusable intermediate",
    "composition": "step 1 usable and the cascade right: the model has both skills but did not compose them",
    "reasoning": "step 1 usable, cascade wrong, and wrong even given the gold intermediate (language setting)",
    "residual": "step 1 usable, cascade wrong, but right given the gold intermediate",
}


def attribute_failure(direct: ItemScore, cascade: ItemScore | None, language: ItemScore | None, score: str) -> str:
    """The category of one item the direct setting got wrong under `score` ("flexible" or "strict")."""
    if direct.failed_step is not None or cascade is None or cascade.failed_step is not None or cascade.usable is None:
        return "unresolved"
    if not cascade.usable:
        return "perception"
    if cascade.score(score):
        return "composition"
    if language is None or language.failed_step is not None:
        return "unresolved"
    return "residual" if language.score(score) else "reasoning"


def attribution_counts(
    direct: Mapping[str, ItemScore], cascade: Mapping[str, ItemScore], language: Mapping[str, ItemScore], score: str
) -> dict[str, int]:
    """`direct_wrong` (items the direct setting got wrong under `score`) and how many fall in each category."""
    counts = dict.fromkeys(CATEGORIES, 0)
    wrong = 0
    for uid, item in direct.items():
        if item.score(score):
            continue
        wrong += 1
        counts[attribute_failure(item, cascade.get(uid), language.get(uid), score)] += 1
    return {"direct_wrong": wrong, **counts}

"""Attribution of the direct setting's failures: each category on a hand-built item, and a partition."""

from __future__ import annotations

import itertools

import pytest

from lmms_compgap.report.compute.attribution import CATEGORIES, attribute_failure, attribution_counts
from lmms_compgap.report.compute.scores import ItemScore

WRONG = ItemScore("u", 0, 0)


def _cascade(usable: int | None, correct: int, failed: int | None = None) -> ItemScore:
    return ItemScore("u", correct, correct, usable=usable, failed_step=failed)


@pytest.mark.parametrize(
    ("cascade", "language", "category"),
    [
        (_cascade(usable=1, correct=1), None, "composition"),
        (_cascade(usable=0, correct=0), ItemScore("u", 1, 1), "perception"),
        (_cascade(usable=0, correct=1), ItemScore("u", 0, 0), "perception"),
        (_cascade(usable=1, correct=0), ItemScore("u", 0, 0), "reasoning"),
        (_cascade(usable=1, correct=0), ItemScore("u", 1, 1), "residual"),
        (None, ItemScore("u", 1, 1), "unresolved"),
        (_cascade(usable=None, correct=0, failed=1), ItemScore("u", 1, 1), "unresolved"),
        (_cascade(usable=1, correct=0, failed=2), ItemScore("u", 1, 1), "unresolved"),
        (_cascade(usable=1, correct=0), None, "unresolved"),
        (_cascade(usable=1, correct=0), ItemScore("u", 0, 0, failed_step=1), "unresolved"),
    ],
)
def test_each_category_on_a_hand_built_item(cascade, language, category) -> None:
    assert attribute_failure(WRONG, cascade, language, "flexible") == category


def test_a_failed_direct_call_is_unresolved_not_a_composition_failure() -> None:
    direct = ItemScore("u", 0, 0, failed_step=1)
    assert attribute_failure(direct, _cascade(usable=1, correct=1), ItemScore("u", 1, 1), "flexible") == "unresolved"


def test_strict_score_uses_the_strict_verdicts() -> None:
    cascade = ItemScore("u", correct=1, strict=0, usable=1)
    language = ItemScore("u", correct=1, strict=1)
    assert attribute_failure(WRONG, cascade, language, "flexible") == "composition"
    assert attribute_failure(WRONG, cascade, language, "strict") == "residual"


def test_categories_partition_the_items_direct_gets_wrong() -> None:
    direct, cascade, language = {}, {}, {}
    # Every combination of direct verdict, cascade presence/usable/verdict/failure and language verdict/presence.
    combos = itertools.product([0, 1], [None, 0, 1], [0, 1], [None, 1, 2], [None, 0, 1])
    for index, (d, usable, c, failed, lang) in enumerate(combos):
        uid = f"u{index}"
        direct[uid] = ItemScore(uid, d, d)
        cascade[uid] = ItemScore(uid, c, c, usable=usable, failed_step=failed)
        if lang is not None:
            language[uid] = ItemScore(uid, lang, lang)
    counts = attribution_counts(direct, cascade, language, "flexible")
    assert counts["direct_wrong"] == sum(1 for item in direct.values() if not item.correct)
    assert sum(counts[category] for category in CATEGORIES) == counts["direct_wrong"]
    assert all(counts[category] > 0 for category in CATEGORIES)


def test_items_direct_gets_right_are_not_attributed() -> None:
    direct = {"a": ItemScore("a", 1, 1), "b": ItemScore("b", 0, 0)}
    counts = attribution_counts(direct, {"b": _cascade(usable=1, correct=1)}, {}, "flexible")
    assert counts["direct_wrong"] == 1 and counts["composition"] == 1

"""The task families, by name."""

from __future__ import annotations

from lmms_compgap.core.family import TaskFamily
from lmms_compgap.tasks.cards import Cards
from lmms_compgap.tasks.count import Count
from lmms_compgap.tasks.mathtext import MathText

FAMILIES: dict[str, TaskFamily] = {family.name: family for family in (MathText(), Count(), Cards())}


def get_family(name: str) -> TaskFamily:
    """The family called `name` (e.g. "mathtext"), with a clear error for unknown names."""
    try:
        return FAMILIES[name]
    except KeyError:
        raise KeyError(f"unknown compgap task family {name!r}; known: {sorted(FAMILIES)}") from None

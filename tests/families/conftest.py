"""The one family fixture of the family folders: `tests/families/<name>/` tests the registered family `<name>`."""

from __future__ import annotations

from typing import Any

import pytest

from lmms_compgap.core.family import TaskFamily
from lmms_compgap.core.registry import get_family


@pytest.fixture(scope="module")
def family(request: pytest.FixtureRequest) -> TaskFamily:
    """The registered family named by the test module's folder, or by `parametrize(..., indirect=True)`."""
    return get_family(getattr(request, "param", None) or request.path.parent.name)


@pytest.fixture(scope="module")
def rows(family: TaskFamily) -> list[dict[str, Any]]:
    """The family's canonical test split, as `compgap tasks build` writes it."""
    return list(family.canonical_rows())

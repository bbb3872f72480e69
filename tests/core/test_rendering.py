"""Rendering variants (`core.rendering`): a family's items and prompts, drawn from a changed spec, as a family."""

from __future__ import annotations

from dataclasses import replace

import pytest

from lmms_compgap.core.registry import get_family, validate
from lmms_compgap.core.rendering import Rendering, rendering_of, rendering_variant


def test_a_variant_is_a_family_of_its_own_with_the_bases_prompts_and_versions() -> None:
    base = get_family("mathtext")
    variant = rendering_variant(base, Rendering("plain", 3, "Pages as they are", lambda item: item))
    validate(variant)
    assert (variant.name, variant.data_version, variant.task_version) == ("mathtextplain", 3, base.task_version)
    assert variant.prompts == base.prompts and variant.data_check == base.data_check
    assert not variant.in_paper_group and type(variant).__module__ == type(base).__module__
    assert rendering_of(variant) == ("mathtext", "plain") and rendering_of(base) is None
    rows, base_rows = variant.generate(size=3), base.generate(size=3)
    assert [row["uid"] for row in rows] == [
        "mathtextplain-v3-00000",
        "mathtextplain-v3-00001",
        "mathtextplain-v3-00002",
    ]
    for row, base_row in zip(rows, base_rows, strict=True):
        assert {**row, "uid": base_row["uid"], "family": "mathtext"} == base_row


def test_a_rendering_that_changes_an_items_content_is_refused() -> None:
    reworded = rendering_variant(
        get_family("mathtext"), Rendering("reworded", 1, "Other words", lambda item: replace(item, answer="0"))
    )
    with pytest.raises(ValueError, match="rendering reworded changed an item's content"):
        reworded.generate(size=1)


def test_the_registry_lists_the_built_in_variants_beside_their_family() -> None:
    for name in ("mathtextlowcontrast", "mathtextred", "mathtextsmall", "mathtextlarge", "mathtextserif"):
        assert rendering_of(get_family(name)) == ("mathtext", name.removeprefix("mathtext"))

"""mathtext's rendering variants: the same pages in low contrast, red, smaller, larger and one serif font."""

from __future__ import annotations

import json

import pytest

from lmms_compgap.core.registry import get_family
from lmms_compgap.families.mathtext.rendering import LARGE_SCALE, LOW_CONTRAST_DISTANCE, RED, SERIF, SMALL_SCALE

SAMPLE = 50


def _specs(name: str) -> list[dict]:
    return [json.loads(row["spec"]) for row in get_family(name).canonical_rows()[:SAMPLE]]


@pytest.mark.parametrize(
    ("name", "changed"),
    [
        ("mathtextlowcontrast", {"foreground"}),
        ("mathtextred", {"foreground"}),
        ("mathtextsmall", {"size", "width", "margin"}),
        ("mathtextlarge", {"size", "width", "margin"}),
        ("mathtextserif", {"font"}),
    ],
)
def test_each_variant_changes_only_its_part_of_the_drawing_spec(name: str, changed: set[str]) -> None:
    base, variant = get_family("mathtext").canonical_rows(), get_family(name).canonical_rows()
    assert len(variant) == len(base) == 1000
    differs: set[str] = set()
    for row, base_row in zip(variant, base, strict=True):
        assert (row["index"], row["question"], row["answer"], row["intermediate"]) == (
            base_row["index"],
            base_row["question"],
            base_row["answer"],
            base_row["intermediate"],
        )
        spec, base_spec = json.loads(row["spec"]), json.loads(base_row["spec"])
        assert spec.keys() == base_spec.keys()
        differs |= {key for key in spec if spec[key] != base_spec[key]}
    assert differs == changed


def test_the_changes_are_the_declared_ones_and_the_layout_attributes_follow() -> None:
    base = _specs("mathtext")
    for spec, low in zip(base, _specs("mathtextlowcontrast"), strict=True):
        assert low["foreground"] == [max(0, c - LOW_CONTRAST_DISTANCE) for c in spec["background"]]
    assert all(spec["foreground"] == RED for spec in _specs("mathtextred"))
    assert all(spec["font"] == SERIF for spec in _specs("mathtextserif"))
    for factor, name in ((SMALL_SCALE, "mathtextsmall"), (LARGE_SCALE, "mathtextlarge")):
        assert [s["size"] for s in _specs(name)] == [round(s["size"] * factor) for s in base]
        for row in get_family(name).canonical_rows()[:SAMPLE]:
            spec, attributes = json.loads(row["spec"]), json.loads(row["attributes"])
            assert attributes["font_size"] == spec["size"]


def test_the_pictures_differ_as_declared() -> None:
    base_row = get_family("mathtext").canonical_rows()[0]
    base = get_family("mathtext").draw_row(base_row)
    small = get_family("mathtextsmall").draw_row(get_family("mathtextsmall").canonical_rows()[0])
    large = get_family("mathtextlarge").draw_row(get_family("mathtextlarge").canonical_rows()[0])
    assert small.width == round(base.width * SMALL_SCALE) and large.width == round(base.width * LARGE_SCALE)
    low = get_family("mathtextlowcontrast").draw_row(get_family("mathtextlowcontrast").canonical_rows()[0])
    darkest = low.convert("L").getextrema()[0]
    assert darkest > base.convert("L").getextrema()[0] and darkest > 100  # grey text, never black

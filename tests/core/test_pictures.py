"""The picture cache returns exactly what drawing returns, and survives corrupt or unwritable caches."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageFile

from lmms_compgap.core import pictures
from lmms_compgap.core.registry import generated_family_names, get_family


@pytest.fixture()
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "pictures"
    monkeypatch.setenv(pictures.CACHE_ENV, str(root))
    return root


def _same_pixels(a: Image.Image, b: Image.Image) -> bool:
    return a.size == b.size and a.mode == b.mode and ImageChops.difference(a, b).getbbox() is None


@pytest.mark.parametrize("name", generated_family_names())
def test_cached_picture_has_the_drawn_pixels_and_is_read_back_without_drawing(
    name: str, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    family = get_family(name)
    row = family.canonical_rows()[3]
    drawn = family.draw_row(row)
    first = pictures.picture(family, row)
    assert _same_pixels(first, drawn)
    assert pictures.cache_path(family, row, cache).is_file()

    def no_drawing(_row: dict) -> Image.Image:
        raise AssertionError("the cached picture must be read, not drawn")

    monkeypatch.setattr(family, "draw_row", no_drawing)
    assert _same_pixels(pictures.picture(family, row), drawn)


@pytest.mark.parametrize("truncated_images_allowed", [False, True])
def test_corrupt_cached_picture_is_redrawn_and_replaced(
    cache: Path, monkeypatch: pytest.MonkeyPatch, truncated_images_allowed: bool
) -> None:
    # lmms-eval turns on PIL's LOAD_TRUNCATED_IMAGES for the whole process when it loads its tasks.
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", truncated_images_allowed)
    family = get_family("mathtext")
    row = family.canonical_rows()[0]
    path = pictures.cache_path(family, row, cache)
    pictures.picture(family, row)
    path.write_bytes(path.read_bytes()[: len(path.read_bytes()) // 2])  # truncated, as by a full disk
    assert _same_pixels(pictures.picture(family, row), family.draw_row(row))
    with Image.open(path) as repaired:
        repaired.load()


def test_cache_can_be_switched_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(pictures.CACHE_ENV, "off")
    family = get_family("count")
    row = family.canonical_rows()[0]
    assert _same_pixels(pictures.picture(family, row), family.draw_row(row))
    assert pictures.cache_root() is None


def test_an_unwritable_cache_does_not_stop_an_evaluation(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("a file where the cache directory should be")
    monkeypatch.setenv(pictures.CACHE_ENV, str(blocker))
    family = get_family("cards")
    row = family.canonical_rows()[0]
    assert _same_pixels(pictures.picture(family, row), family.draw_row(row))


def test_a_changed_spec_never_reads_a_stale_picture(cache: Path) -> None:
    family = get_family("mathtext")
    row = dict(family.canonical_rows()[0])
    other = dict(row, spec=row["spec"].replace('"size":', '"size": ', 1))
    assert pictures.cache_path(family, row, cache) != pictures.cache_path(family, other, cache)

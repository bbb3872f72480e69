"""`compgap data check`: Tesseract and OpenCV find the images agreeing with their labels, and catch wrong labels."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from lmms_compgap import cli
from lmms_compgap.core.registry import get_family
from lmms_compgap.datacheck import tesseract
from lmms_compgap.datacheck.runner import CHUNK, check_family
from lmms_compgap.families.cards.datacheck import check_cards
from lmms_compgap.families.count.datacheck import check_count
from lmms_compgap.families.mathtext.datacheck import check_mathtext

requires_tesseract = pytest.mark.skipif(
    shutil.which("tesseract") is None,
    reason="the `tesseract` command is not installed (apt-get install tesseract-ocr); "
    "the mathtext and cards checks read images with it",
)


@pytest.fixture(scope="module")
def canonical() -> dict[str, list[dict[str, Any]]]:
    return {name: get_family(name).generate()[:80] for name in ("mathtext", "count", "cards")}


def _relabel(row: dict[str, Any], **changes: str) -> dict[str, Any]:
    return {**row, **changes}


# ---- mathtext -------------------------------------------------------------------------------------
@requires_tesseract
def test_mathtext_images_read_as_their_text(canonical: dict[str, list[dict[str, Any]]]) -> None:
    checks = check_mathtext(canonical["mathtext"][:6])
    assert [check.uid for check in checks] == [row["uid"] for row in canonical["mathtext"][:6]]
    assert all(check.agrees for check in checks), [check.note for check in checks if not check.agrees]
    assert max(check.details["cer"] for check in checks) < 0.02


@requires_tesseract
def test_mathtext_label_with_a_changed_number_disagrees(canonical: dict[str, list[dict[str, Any]]]) -> None:
    row = canonical["mathtext"][0]
    number = next(word for word in row["intermediate"].split() if word.isdigit())
    wrong = row["intermediate"].replace(f" {number} ", f" {int(number) + 1} ", 1)
    assert wrong != row["intermediate"]
    (check,) = check_mathtext([_relabel(row, intermediate=wrong)])
    assert not check.agrees
    assert not check.details["numbers_in_order"]
    assert str(int(number) + 1) in check.details["numbers_gold"] and number in check.details["numbers_read"]


@requires_tesseract
def test_mathtext_label_with_another_sentence_disagrees(canonical: dict[str, list[dict[str, Any]]]) -> None:
    row = canonical["mathtext"][0]
    (check,) = check_mathtext([_relabel(row, intermediate=row["intermediate"] + " Then it rains all day.")])
    assert not check.agrees and check.details["cer"] > 0.03


# ---- count ----------------------------------------------------------------------------------------
def test_count_scenes_show_their_object_lists(canonical: dict[str, list[dict[str, Any]]]) -> None:
    checks = check_count(canonical["count"][:10])
    assert all(check.agrees for check in checks), [check.note for check in checks if not check.agrees]
    assert [check.details["counted"] for check in checks] == [int(row["answer"]) for row in canonical["count"][:10]]


def test_count_wrong_answer_disagrees(canonical: dict[str, list[dict[str, Any]]]) -> None:
    row = canonical["count"][0]
    (check,) = check_count([_relabel(row, answer=str(int(row["answer"]) + 1))])
    assert not check.agrees
    assert check.details["counted"] == int(row["answer"])
    assert "answer" in check.note


def test_count_object_list_with_a_wrong_shape_disagrees(canonical: dict[str, list[dict[str, Any]]]) -> None:
    row = canonical["count"][0]
    lines = row["intermediate"].splitlines()
    colour, shape = lines[0].split()
    lines[0] = f"{colour} {'circle' if shape != 'circle' else 'square'}"
    (check,) = check_count([_relabel(row, intermediate="\n".join(lines))])
    assert not check.agrees
    assert check.details["missing"] == [lines[0]] and check.details["extra"] == [f"{colour} {shape}"]


# ---- cards ----------------------------------------------------------------------------------------
@requires_tesseract
def test_card_tables_show_their_card_lists(canonical: dict[str, list[dict[str, Any]]]) -> None:
    checks = check_cards(canonical["cards"][:8])
    assert all(check.agrees for check in checks), [check.note for check in checks if not check.agrees]


@requires_tesseract
@pytest.mark.parametrize(
    "change",
    [
        {"rank": "Q"},  # another rank
        {"suit": "other colour"},  # red for black or black for red
        {"suit": "same colour"},  # hearts for diamonds, spades for clubs: only the symbol's shape tells them apart
    ],
)
def test_card_list_with_a_wrong_card_disagrees(
    canonical: dict[str, list[dict[str, Any]]], change: dict[str, str]
) -> None:
    row = next(row for row in canonical["cards"] if not row["intermediate"].startswith("Q of"))
    rank, suit = row["intermediate"].splitlines()[0].split(" of ")
    swaps = {
        "other colour": {"hearts": "spades", "diamonds": "clubs", "spades": "hearts", "clubs": "diamonds"},
        "same colour": {"hearts": "diamonds", "diamonds": "hearts", "spades": "clubs", "clubs": "spades"},
    }
    wrong_rank = change.get("rank", rank)
    wrong_suit = swaps[change["suit"]][suit] if "suit" in change else suit
    lines = row["intermediate"].splitlines()
    lines[0] = f"{wrong_rank} of {wrong_suit}"
    (check,) = check_cards([_relabel(row, intermediate="\n".join(lines))])
    assert not check.agrees
    assert check.note.startswith("card 1:") and f"gold {lines[0]}" in check.note
    assert check.details["cards"][0]["ok"] is False and all(card["ok"] for card in check.details["cards"][1:])
    assert check.details["cards"][0]["read"].startswith(f"{rank} of {suit}")


# ---- the runner and the command -------------------------------------------------------------------
def test_parallel_check_keeps_row_order(canonical: dict[str, list[dict[str, Any]]]) -> None:
    rows = canonical["count"][: 2 * CHUNK + 5]
    result = check_family("count", rows, workers=2, progress=False)
    assert [item.uid for item in result.items] == [row["uid"] for row in rows]
    assert result.agreement == 100.0 and result.passed


def test_check_command_fails_below_threshold_and_names_the_item(
    canonical: dict[str, list[dict[str, Any]]],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    rows = [dict(row) for row in canonical["count"][:5]]
    rows[2]["answer"] = str(int(rows[2]["answer"]) + 3)
    family = get_family("count")
    monkeypatch.setattr(type(family), "generate", lambda self, seed=None, size=None: rows)
    out = tmp_path / "check.json"
    argv = ["data", "check", "--task", "count", "--workers", "1", "--out", str(out)]
    assert cli.main(argv) == 1
    printed = capsys.readouterr().out
    assert "80.0%" in printed and "FAILED" in printed and rows[2]["uid"] in printed
    record = json.loads(out.read_text(encoding="utf-8"))
    assert record["tools"]["opencv"]
    count = record["families"]["count"]
    assert (count["items"], count["agreeing"], count["passed"]) == (5, 4, False)
    assert [item["uid"] for item in count["disagreements"]] == [rows[2]["uid"]]


def test_check_command_passes_on_canonical_items(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["data", "check", "--task", "count", "--limit", "4", "--workers", "1", "--out", str(tmp_path / "c.json")]
    assert cli.main(argv) == 0
    assert "100.0%" in capsys.readouterr().out


def test_check_command_without_tesseract_says_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(tesseract.shutil, "which", lambda name: None)
    tesseract.tesseract_version.cache_clear()
    try:
        assert cli.main(["data", "check", "--task", "mathtext", "--limit", "1"]) == 2
    finally:
        tesseract.tesseract_version.cache_clear()
    assert "apt-get install tesseract-ocr" in capsys.readouterr().err

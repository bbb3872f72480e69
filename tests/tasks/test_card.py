"""The prompt section of every task card is what the family's prompts generate, renders in Markdown to exactly those
prompts, and `compgap tasks build --check` names a card whose section was edited by hand."""

from __future__ import annotations

import dataclasses
import html
import re
import shutil
import sys
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from lmms_compgap.cli import main
from lmms_compgap.core.family import Prompts
from lmms_compgap.core.registry import builtin_families, get_family
from lmms_compgap.core.rendering import rendering_of
from lmms_compgap.tasks import card
from tests.helpers import REPO

TREE = REPO / "task_yamls"
#: The built-in families with a card of their own (a rendering variant is described by its base family's card).
BUILTIN = sorted(name for name, family in builtin_families().items() if rendering_of(family) is None)
#: GitHub's Markdown: CommonMark with its tables.
MARKDOWN = MarkdownIt("commonmark").enable("table")
_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", "\\": "\\"}
#: A prompt with everything a table cell or a code span cannot hold as it is.
HOSTILE = Prompts(
    answer_format='End with "Answer: <a|b>" | {{x}} `code` \\n',
    direct_prompt="{question}\n\nPick one: a | b || c.\n{answer_format}",
    cot_prompt="`{question}` uses ``double`` ticks\tand a tab {answer_format}`",
    visual_prompt=" Both ends padded, a backslash \\ and a literal \\n: {question} ",
    textual_prompt="Rows:\r\n{intermediate}\n\n{{not a field}} \\| {question} {answer_format}",
)


def _read_back(shown: str) -> str:
    """What a reader of the card reads a code span as: the card's escapes undone."""
    return re.sub(r"\\(.)", lambda match: _ESCAPES[match.group(1)], html.unescape(shown))


def _rendered(section: str) -> tuple[list[list[str]], list[str]]:
    """The rendered section's table rows (cell HTML) and its paragraphs' code spans, as a browser gets them."""
    page = MARKDOWN.render(section)
    rows = [re.findall(r"<td>(.*?)</td>", row, re.S) for row in re.findall(r"<tr>\s*(<td>.*?)</tr>", page, re.S)]
    paragraphs = re.findall(r"<p>(.*?)</p>", page, re.S)
    return rows, [span for paragraph in paragraphs for span in re.findall(r"<code>(.*?)</code>", paragraph, re.S)]


def _paraphrases(section: str) -> tuple[str, list[str]]:
    """The section before its paraphrase tables, and each paraphrase's part (its heading and table)."""
    before, _, after = section.partition("\nParaphrases:")
    return before, re.split(r"\nParaphrase w[0-9]+ ", after)[1:]


def _assert_renders_exactly(section: str, prompts: Prompts) -> None:
    rows, spans = _rendered(section)
    assert [row[:2] for row in rows] == [[settings, "yes" if image else "no"] for settings, _, image in card.ROWS]
    for row, (_, key, _) in zip(rows, card.ROWS, strict=True):
        assert len(row) == 3 and row[2].startswith("<code>") and row[2].endswith("</code>"), row
        assert _read_back(row[2].removeprefix("<code>").removesuffix("</code>")) == getattr(prompts, key), key
    assert _read_back(spans[-1]) == prompts.answer_format


@pytest.mark.parametrize("name", BUILTIN)
def test_every_task_card_holds_the_prompt_section_its_family_generates(name: str) -> None:
    family = get_family(name)
    path = card.card_path(family)
    assert path == REPO / "lmms_compgap" / "families" / name / "README.md"
    assert card.prompt_section(family) in path.read_text(encoding="utf-8"), f"{path}: run `compgap tasks build`"
    assert card.card_files([family]) == ({path: path.read_bytes()}, [])


def test_a_rendering_variant_has_no_card_of_its_own_and_leaves_its_familys_alone() -> None:
    variants = [family for family in builtin_families().values() if rendering_of(family) is not None]
    assert variants and all(card.card_path(family) is None for family in variants)
    base = get_family("mathtext")
    assert card.card_files([*variants, base]) == card.card_files([base])


@pytest.mark.parametrize("name", BUILTIN)
def test_the_real_prompts_render_exactly_newlines_and_braces_included(name: str) -> None:
    family = get_family(name)
    canonical, paraphrases = _paraphrases(card.prompt_section(family))
    _assert_renders_exactly(canonical, family.prompts)
    assert len(paraphrases) == len(family.paraphrases)
    for part, paraphrase in zip(paraphrases, family.paraphrases, strict=True):
        assert part.startswith(f"(prompt version {paraphrase.version}):")
        rows, _ = _rendered(part)
        for row, (_, key, _) in zip(rows, card.ROWS, strict=True):
            assert _read_back(row[2].removeprefix("<code>").removesuffix("</code>")) == getattr(paraphrase.prompts, key)


def test_a_prompt_with_pipes_newlines_backticks_and_placeholders_renders_exactly(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    family = get_family("count")
    monkeypatch.setattr(type(family), "prompts", HOSTILE)
    monkeypatch.setattr(type(family), "paraphrases", ())
    section = card.prompt_section(family)
    assert "`\\\\` a backslash" in section  # the escapes a reader needs are named
    _assert_renders_exactly(section, HOSTILE)


def test_a_models_own_prompts_get_a_table_of_their_own(monkeypatch: pytest.MonkeyPatch) -> None:
    family = get_family("count")
    terse = dataclasses.replace(family.prompts, direct_prompt="{question} Reply with a number only.")
    monkeypatch.setattr(type(family), "model_prompts", {"llava_hf": terse})
    section = card.prompt_section(family)
    default, own = _paraphrases(section)[0].split("For `--model llava_hf`")
    _assert_renders_exactly(default, family.prompts)
    _assert_renders_exactly(own, terse)


@pytest.fixture()
def cards_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """Every built-in card copied under tmp_path, and `compgap tasks build` pointed at the copies."""
    copies = {}
    for name in BUILTIN:
        copies[name] = tmp_path / name / card.CARD
        copies[name].parent.mkdir()
        shutil.copyfile(card.card_path(get_family(name)), copies[name])
    monkeypatch.setattr(card, "card_path", lambda family: copies.get(family.name))
    return copies


def test_a_hand_edited_prompt_fails_the_check_naming_the_card_and_build_restores_it(
    cards_copy: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    edited = cards_copy["clock"]
    committed = edited.read_bytes()
    edited.write_text(edited.read_text().replace("Output only the time.", "Output the time only."))
    assert main(["tasks", "build", "--check", "--root", str(TREE)]) == 1
    err = capsys.readouterr().err
    assert f"{edited}: its prompt section differs from the family's prompts" in err
    assert err.count("differs") == 1  # the task tree and the other cards are current
    assert main(["tasks", "build", "--root", str(TREE)]) == 0
    assert f"wrote {edited}" in capsys.readouterr().out and edited.read_bytes() == committed
    assert main(["tasks", "build", "--check", "--family", "clock", "--root", str(TREE)]) == 0


@pytest.mark.parametrize(
    "markers", [[card.BEGIN], [card.END], [card.END, card.BEGIN], [card.BEGIN, card.END, card.BEGIN, card.END]]
)
def test_broken_markers_are_named_and_nothing_is_written(
    cards_copy: dict[str, Path], capsys: pytest.CaptureFixture[str], markers: list[str]
) -> None:
    broken, other = cards_copy["count"], cards_copy["clock"]
    other_before = other.read_bytes()
    broken.write_text("# Task card: count (`compgap_count`)\n\n## Prompts\n\n" + "\n\ntext\n\n".join(markers) + "\n")
    before = broken.read_bytes()
    for command in (["tasks", "build", "--root", str(TREE)], ["tasks", "build", "--check", "--root", str(TREE)]):
        assert main(command) == 1
        assert f"{broken}: the prompt section must be one line" in capsys.readouterr().err
    other.write_text(other.read_text().replace("Output only the time.", "Output the time only."))
    assert main(["tasks", "build", "--root", str(TREE)]) == 1
    assert broken.read_bytes() == before and other.read_bytes() != other_before  # not even the stale one


def test_a_card_without_markers_is_left_alone_and_said_so(
    cards_copy: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    # A family from another package may keep a card written before the markers existed.
    plain = cards_copy["math500"]
    plain.write_text("# Task card: math500 (`compgap_math500`)\n\nHand-written prompts.\n")
    assert main(["tasks", "build", "--family", "math500", "--root", str(TREE)]) == 0
    assert "no prompt section markers" in capsys.readouterr().err
    assert plain.read_text() == "# Task card: math500 (`compgap_math500`)\n\nHand-written prompts.\n"


def test_a_family_without_a_card_or_a_file_is_skipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    family = get_family("count")
    monkeypatch.setattr(sys.modules[type(family).__module__], "__file__", None)  # declared outside any file
    assert card.card_path(family) is None and card.card_files([family]) == ({}, [])
    monkeypatch.setattr(card, "card_path", lambda family: tmp_path / "none" / card.CARD)
    assert card.card_files(builtin_families().values()) == ({}, [])

"""Paraphrases of a family's prompts (`Paraphrase`, `check_paraphrases`) and the task names of the wording tasks
(`compgap_<family>_<setting>_w<k>`): what every declared paraphrase keeps, what a bad one is refused for, and names
that read back to what made them."""

from __future__ import annotations

import dataclasses
import importlib
from collections.abc import Callable

import pytest

from lmms_compgap.core.family import PROMPT_FIELDS, Paraphrase, Prompts, check_paraphrases
from lmms_compgap.core.prompts import template_fields
from lmms_compgap.core.registry import FamilyDeclarationError, builtin_families, get_family, validate
from lmms_compgap.core.rendering import rendering_of
from lmms_compgap.core.settings import SETTINGS, parse_task_name, parse_wording_task_name, task_name, wording_task_name

#: The families that declare paraphrases: every generated one (its rendering variants inherit them).
DECLARING = ["cards", "clock", "count", "mathtext", "spoken"]
PROMPT_KEYS = [key for key in PROMPT_FIELDS if key != "answer_format"]


def test_every_generated_family_declares_three_paraphrases_and_its_rendering_variants_inherit_them() -> None:
    for name, family in builtin_families().items():
        base = rendering_of(family)
        expected = get_family(base[0]).paraphrases if base else None
        if name in DECLARING:
            assert len(family.paraphrases) >= 3, name
        elif expected is not None:
            assert family.paraphrases == expected, name
        else:
            assert family.paraphrases == (), name  # the public datasets' families: see docs/report.md


@pytest.mark.parametrize("name", DECLARING)
def test_a_paraphrase_keeps_the_answer_format_and_every_field_and_is_new_text(name: str) -> None:
    family = get_family(name)
    for paraphrase in family.paraphrases:
        assert paraphrase.prompts.answer_format == family.prompts.answer_format
        for key in PROMPT_KEYS:
            text, canonical = getattr(paraphrase.prompts, key), getattr(family.prompts, key)
            assert template_fields(text) == template_fields(canonical), (key, text)
            # The answer-format instruction ends every prompt that asks for an answer, as in the canonical ones.
            assert text.endswith("{answer_format}") == canonical.endswith("{answer_format}"), (key, text)
    for key in PROMPT_KEYS:
        texts = [getattr(family.prompts, key), *(getattr(each.prompts, key) for each in family.paraphrases)]
        assert len(set(texts)) == len(texts), key


@pytest.mark.parametrize("name", DECLARING)
def test_the_declarations_are_the_same_on_every_import(name: str) -> None:
    module = importlib.import_module(f"lmms_compgap.families.{name}.prompts")
    again = importlib.reload(module)
    assert again.PARAPHRASES == get_family(name).paraphrases


COUNT = get_family("count").prompts
#: (what is wrong, the paraphrases) -> the refusal names it.
BAD = [
    ("answer format changed", lambda p: dataclasses.replace(p, answer_format="Say the number."), "answer_format"),
    ("field dropped", lambda p: dataclasses.replace(p, direct_prompt="How many? {answer_format}"), "direct_prompt"),
    ("field added", lambda p: dataclasses.replace(p, visual_prompt="{question} List the objects."), "visual_prompt"),
    ("the canonical text", lambda p: dataclasses.replace(p, cot_prompt=COUNT.cot_prompt), "canonical"),
]


@pytest.mark.parametrize(("what", "change", "named"), BAD, ids=[case[0] for case in BAD])
def test_a_paraphrase_that_changes_the_format_drops_a_field_or_copies_is_refused(
    what: str, change: Callable[[Prompts], Prompts], named: str
) -> None:
    good = get_family("count").paraphrases
    bad = (Paraphrase(1, change(good[0].prompts)), *good[1:])
    with pytest.raises(ValueError, match=named):
        check_paraphrases(COUNT, bad)


def test_two_paraphrases_alike_or_too_few_are_refused_and_none_is_fine() -> None:
    good = get_family("count").paraphrases
    with pytest.raises(ValueError, match="paraphrase 1's"):
        check_paraphrases(COUNT, (good[0], good[0], good[1]))
    with pytest.raises(ValueError, match="at least 3"):
        check_paraphrases(COUNT, good[:2])
    check_paraphrases(COUNT, ())
    with pytest.raises(ValueError, match="version"):
        Paraphrase(0, COUNT)


def test_the_registry_refuses_a_family_with_a_bad_paraphrase(monkeypatch: pytest.MonkeyPatch) -> None:
    family = get_family("count")
    twisted = dataclasses.replace(family.paraphrases[0].prompts, answer_format="Answer: N")
    monkeypatch.setattr(type(family), "paraphrases", (Paraphrase(1, twisted), *family.paraphrases[1:]))
    with pytest.raises(FamilyDeclarationError, match="paraphrases: paraphrase 1 changes answer_format"):
        validate(family)


def test_wording_task_names_read_back_and_never_as_the_canonical_task() -> None:
    for family in [*builtin_families(), "a1"]:
        for setting in SETTINGS:
            assert parse_wording_task_name(task_name(family, setting)) == (family, setting, 0)
            assert wording_task_name(family, setting, 0) == task_name(family, setting)
            for wording in (1, 2, 3, 999):
                name = wording_task_name(family, setting, wording)
                assert name == f"compgap_{family}_{setting}_w{wording}"
                assert parse_wording_task_name(name) == (family, setting, wording)
                assert parse_task_name(name) is None


@pytest.mark.parametrize(
    "name",
    [
        "compgap_clock_direct_w0",  # the canonical wording has no suffix
        "compgap_clock_direct_w01",
        "compgap_clock_direct_w1000",
        "compgap_clock_direct_w",
        "compgap_clock_direct_w1x",
        "compgap_clock_guess_w1",  # not a setting
        "compgap_clock_wording",  # a group
        "compgap_wording",
        "compgap_clock_direct_W1",
    ],
)
def test_other_names_are_no_task(name: str) -> None:
    assert parse_wording_task_name(name) is None and parse_task_name(name) is None


def test_a_wording_number_out_of_range_is_refused() -> None:
    for wording in (-1, 1000):
        with pytest.raises(ValueError, match="numbered 1 to 999"):
            wording_task_name("clock", "direct", wording)

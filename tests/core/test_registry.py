"""The registry finds every family (built in or from an entry point), refuses incomplete declarations with a
clear reason, and keeps a broken third-party family from stopping the others."""

from __future__ import annotations

import importlib.metadata
from collections.abc import Iterator

import pytest

from lmms_compgap.core import registry
from lmms_compgap.core.family import DataCheck, Metric, Prompts
from lmms_compgap.core.registry import FamilyDeclarationError, get_family, validate

MathText = type(get_family("mathtext"))


class Renamed(MathText):
    """The rendered-text family under another name, as another package would register one."""

    name = "renamed"


class Underscored(MathText):
    """A family whose name task names could not be split back into."""

    name = "two_words"


class Undocumented(MathText):
    name = "undocumented"


Undocumented.__doc__ = None


def _entry_point(name: str, value: str) -> importlib.metadata.EntryPoint:
    return importlib.metadata.EntryPoint(name=name, value=value, group=registry.ENTRY_POINT_GROUP)


@pytest.fixture()
def entry_points(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[importlib.metadata.EntryPoint]]:
    """Entry points the registry sees instead of the installed ones (the registry is rebuilt around the test)."""
    found: list[importlib.metadata.EntryPoint] = []
    monkeypatch.setattr(registry.importlib.metadata, "entry_points", lambda group: list(found))
    registry.registry.cache_clear()
    yield found
    registry.registry.cache_clear()


RENDERINGS = ("mathtextlarge", "mathtextlowcontrast", "mathtextred", "mathtextserif", "mathtextsmall")


def test_the_built_in_families_are_the_subpackages_of_lmms_compgap_families_and_their_variants() -> None:
    assert registry.builtin_families().keys() == {
        "cards",
        "clock",
        "count",
        "countbench",
        "gsm8k",
        "math500",
        "mathtext",
        *RENDERINGS,  # mathtext's VARIANTS (core.rendering)
        "spoken",
    }
    assert registry.generated_family_names() == ("cards", "clock", "count", "mathtext", *RENDERINGS, "spoken")
    assert registry.picture_family_names() == ("cards", "clock", "count", "mathtext", *RENDERINGS)
    assert all(type(family).__module__.startswith("lmms_compgap.families.") for family in registry.families().values())


def test_an_unknown_family_is_a_clear_error_naming_the_known_ones() -> None:
    known = r"\['cards', 'clock', 'count', 'countbench', 'gsm8k', 'math500', 'mathtext"
    with pytest.raises(KeyError, match=r"unknown compgap task family 'clocks'; known: " + known):
        get_family("clocks")


def test_an_entry_point_adds_a_family_a_broken_or_clashing_one_is_left_out_with_its_reason(
    entry_points: list[importlib.metadata.EntryPoint],
) -> None:
    entry_points += [
        _entry_point("renamed", f"{__name__}:Renamed"),
        _entry_point("missing", "no_such_package_here:FAMILY"),
        _entry_point("count", f"{__name__}:Renamed"),
        _entry_point("other", f"{__name__}:Renamed"),
    ]
    assert isinstance(get_family("renamed"), Renamed) and "renamed" not in registry.builtin_families()
    assert registry.family_names() == tuple(sorted((*registry.builtin_families(), "renamed")))
    with pytest.raises(KeyError, match=r"'missing' \(entry point missing = 'no_such_package_here:FAMILY' failed"):
        get_family("missing")
    with pytest.raises(KeyError, match=r"'other' \(entry point other = .*registered as 'other'"):
        get_family("other")
    assert type(get_family("count")).__module__ == "lmms_compgap.families.count.family"  # the built-in one wins
    assert "clashes" in registry.registry().broken["count"]


@pytest.mark.parametrize(
    ("family", "registered_as", "reason"),
    [
        (Underscored(), "two_words", r"name must be lowercase letters and digits"),
        (Undocumented(), "undocumented", r"needs a docstring"),
        (Renamed(), "mathtext", r"Renamed.name is 'renamed' but it is registered as 'mathtext'"),
    ],
)
def test_an_incomplete_declaration_is_refused_with_the_reason(family: object, registered_as: str, reason: str) -> None:
    with pytest.raises(FamilyDeclarationError, match=reason):
        validate(family, registered_as)  # type: ignore[arg-type]


def test_declared_types_are_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    family = Renamed()
    monkeypatch.setattr(Renamed, "task_version", True)
    with pytest.raises(FamilyDeclarationError, match=r"task_version must be a int, not True"):
        validate(family)
    monkeypatch.setattr(Renamed, "task_version", 1)
    monkeypatch.setattr(Renamed, "intermediate_metric", "cer")
    with pytest.raises(FamilyDeclarationError, match=r"intermediate_metric must be a Metric"):
        validate(family)


def _prompts(**changes: str) -> Prompts:
    values = {
        "answer_format": 'End with "Answer: <number>".',
        "direct_prompt": "{question} {answer_format}",
        "cot_prompt": "{question} {answer_format}",
        "visual_prompt": "Read it.",
        "textual_prompt": "{intermediate}\n{question} {answer_format}",
    }
    return Prompts(**{**values, **changes})


def test_prompts_use_only_the_fields_their_setting_has() -> None:
    assert _prompts().as_kwargs()["textual_prompt"] == "{intermediate}\n{question} {answer_format}"
    with pytest.raises(ValueError, match=r"direct_prompt uses \['intermediate'\]"):
        _prompts(direct_prompt="{intermediate} {question}")  # the direct setting never sees the gold intermediate
    with pytest.raises(ValueError, match=r"textual_prompt must show the visual step's output"):
        _prompts(textual_prompt="{question} {answer_format}")
    with pytest.raises(ValueError, match=r"visual_prompt must be non-empty"):
        _prompts(visual_prompt=" ")


def test_metrics_and_data_checks_are_declared_in_their_own_terms() -> None:
    with pytest.raises(ValueError, match=r"aggregation must be mean or sum"):
        Metric("f1", aggregation="median")
    with pytest.raises(ValueError, match=r"'module:function'"):
        DataCheck("check_items", tools=("tesseract",))
    with pytest.raises(ValueError, match=r"percentage"):
        DataCheck(".datacheck:check", tools=(), threshold=0)


def test_model_prompts_may_not_take_the_reserved_entries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Renamed, "model_prompts", {"compgap_cascade": _prompts()})
    with pytest.raises(FamilyDeclarationError, match=r"model_prompts maps lmms-eval model names"):
        validate(Renamed())
    monkeypatch.setattr(Renamed, "model_prompts", {"llava_hf": _prompts()})
    validate(Renamed())  # an lmms-eval model's name is accepted (raises otherwise)

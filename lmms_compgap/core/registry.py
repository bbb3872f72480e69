"""The one list of task families: found, never written down.

A family is either a subpackage of `lmms_compgap.families` (the built-in ones) or an object another package
registers under the entry-point group `lmms_compgap.families` (`<name> = "<module>:<object>"`). Either way the
object is a `TaskFamily` subclass or instance; a subpackage exposes it as `FAMILY`, and its rendering variants
(`core.rendering`), if any, as `VARIANTS`. Everything else (hooks,
scorer, commands, data checks, task YAML generation) asks this module, so adding a family edits no list.
"""

from __future__ import annotations

import functools
import importlib
import importlib.metadata
import pkgutil
import re
from dataclasses import dataclass, field
from typing import Any

from loguru import logger

from lmms_compgap.core.family import Metric, Prompts, TaskFamily, check_paraphrases

ENTRY_POINT_GROUP = "lmms_compgap.families"
#: Where the built-in families live (searched, never imported family by family by name).
BUILTIN_PACKAGE = "lmms_compgap.families"
#: Lowercase letters and digits, starting with a letter: task names `compgap_<family>_<setting>` are split at
#: underscores, and a family's name is also a package name.
NAME_PATTERN = re.compile(r"[a-z][a-z0-9]*\Z")


#: Entries of a task's `lmms_eval_specific_kwargs` that are not a model's own prompts.
RESERVED_KWARGS = frozenset({"default", "compgap_cascade"})


class FamilyDeclarationError(TypeError):
    """A family's declaration is incomplete or inconsistent."""


@dataclass(frozen=True)
class Registry:
    """The families found, by name (sorted), which of them ship with lmms-compgap, and the entry points that
    could not be loaded (name -> why)."""

    families: dict[str, TaskFamily]
    builtin: tuple[str, ...]
    broken: dict[str, str] = field(default_factory=dict)


def validate(family: TaskFamily, expected_name: str | None = None) -> TaskFamily:
    """`family` if its declaration is complete and consistent, else FamilyDeclarationError saying what is wrong."""
    kind = type(family).__name__
    name = getattr(family, "name", None)
    if not isinstance(name, str) or not NAME_PATTERN.match(name):
        raise FamilyDeclarationError(f"{kind}.name must be lowercase letters and digits (e.g. 'clock'), not {name!r}")
    if expected_name is not None and name != expected_name:
        raise FamilyDeclarationError(f"{kind}.name is {name!r} but it is registered as {expected_name!r}")
    wanted: dict[str, type | tuple[type, ...]] = {
        "task_version": int,
        "data_version": int,
        "prompts": Prompts,
        "intermediate_metric": Metric,
        "in_paper_group": bool,
        "canonical_seed": int,
        "canonical_size": int,
    }
    for attribute, kinds in wanted.items():
        value = getattr(family, attribute, None)
        if not isinstance(value, kinds) or (kinds is int and isinstance(value, bool)):
            raise FamilyDeclarationError(
                f"{kind}.{attribute} must be a {getattr(kinds, '__name__', kinds)}, not {value!r}"
            )
    for model, prompts in family.model_prompts.items():
        if not isinstance(prompts, Prompts) or model in RESERVED_KWARGS or not isinstance(model, str):
            raise FamilyDeclarationError(
                f"{kind}.model_prompts maps lmms-eval model names (not {sorted(RESERVED_KWARGS)}) to Prompts; "
                f"{model!r} does not"
            )
    try:
        check_paraphrases(family.prompts, family.paraphrases)
    except ValueError as error:
        raise FamilyDeclarationError(f"{kind}.paraphrases: {error}") from None
    if family.task_version < 1 or family.data_version < 1 or family.canonical_size < 1:
        raise FamilyDeclarationError(f"{kind}: task_version, data_version and canonical_size must be at least 1")
    if not (type(family).__doc__ or "").strip():
        raise FamilyDeclarationError(f"{kind} needs a docstring: its first line heads the family's task YAMLs")
    return family


def _as_family(found: Any, where: str) -> TaskFamily:
    if isinstance(found, type) and issubclass(found, TaskFamily):
        found = found()
    if not isinstance(found, TaskFamily):
        raise FamilyDeclarationError(f"{where} is {type(found).__name__}, not a TaskFamily subclass or instance")
    return found


def _builtin() -> dict[str, TaskFamily]:
    package = importlib.import_module(BUILTIN_PACKAGE)
    found: dict[str, TaskFamily] = {}
    for module in sorted(pkgutil.iter_modules(package.__path__), key=lambda info: info.name):
        if not module.ispkg or module.name.startswith("_"):
            continue
        loaded = importlib.import_module(f"{BUILTIN_PACKAGE}.{module.name}")
        if not hasattr(loaded, "FAMILY"):
            raise FamilyDeclarationError(f"{loaded.__name__} must define FAMILY (its TaskFamily)")
        found[module.name] = validate(_as_family(loaded.FAMILY, f"{loaded.__name__}.FAMILY"), module.name)
        # Its rendering variants (`core.rendering`): the same items drawn other ways, families of their own.
        for variant in getattr(loaded, "VARIANTS", ()):
            variant = validate(_as_family(variant, f"{loaded.__name__}.VARIANTS"))
            if not variant.name.startswith(module.name) or variant.name in found:
                raise FamilyDeclarationError(
                    f"{loaded.__name__}.VARIANTS: {variant.name!r} must be named after {module.name} and be new"
                )
            found[variant.name] = variant
    return found


@functools.cache
def registry() -> Registry:
    """Every family: the built-in ones (their errors are bugs here, so they raise), then the entry points' (one
    that fails to load, clashes with a built-in name or declares itself wrongly is left out, with a warning)."""
    families = _builtin()
    builtin = tuple(families)
    broken: dict[str, str] = {}
    for entry in sorted(importlib.metadata.entry_points(group=ENTRY_POINT_GROUP), key=lambda entry: entry.name):
        where = f"entry point {entry.name} = {entry.value!r}"
        if entry.name in families:
            broken[entry.name] = f"{where} clashes with a family of that name already registered"
        else:
            try:
                families[entry.name] = validate(_as_family(entry.load(), where), entry.name)
                continue
            except Exception as error:  # a third-party package must not stop every other family from working
                broken[entry.name] = f"{where} failed to load: {type(error).__name__}: {error}"
        logger.warning(f"compgap: task family left out: {broken[entry.name]}")
    return Registry(dict(sorted(families.items())), builtin, broken)


def families() -> dict[str, TaskFamily]:
    """Every registered family, by name (sorted)."""
    return registry().families


def family_names() -> tuple[str, ...]:
    """The registered families' names, sorted."""
    return tuple(registry().families)


def generated_family_names() -> tuple[str, ...]:
    """The families whose rows are committed as a data file (not built from a public dataset at run time), sorted:
    what the data commands build, verify and export."""
    return tuple(name for name, family in registry().families.items() if family.has_data_file)


def picture_family_names() -> tuple[str, ...]:
    """The generated families whose items are pictures (`medium` "image"), sorted: what the fine-tuning export
    writes (image-text data; an audio family's items are clips)."""
    return tuple(name for name in generated_family_names() if registry().families[name].medium == "image")


def paper_family_names() -> tuple[str, ...]:
    """The families of the paper's `compgap` group (`in_paper_group`), sorted: what `--tasks compgap` runs."""
    return tuple(name for name, family in registry().families.items() if family.in_paper_group)


def builtin_families() -> dict[str, TaskFamily]:
    """The families shipped with lmms-compgap (their task YAMLs are committed in its `task_yamls/`)."""
    found = registry()
    return {name: found.families[name] for name in found.builtin}


def get_family(name: str) -> TaskFamily:
    """The family called `name` (e.g. "mathtext"), with a clear error for unknown names."""
    found = registry()
    try:
        return found.families[name]
    except KeyError:
        why = f" ({found.broken[name]})" if name in found.broken else ""
        raise KeyError(f"unknown compgap task family {name!r}{why}; known: {sorted(found.families)}") from None

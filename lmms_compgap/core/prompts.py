"""Prompt templates from the task YAML, filled without ever interpreting the values."""

from __future__ import annotations

import string
from collections.abc import Mapping

_FORMATTER = string.Formatter()


def template_fields(template: str) -> set[str]:
    """The `{name}` fields a template uses."""
    return {field for _, field, _, _ in _FORMATTER.parse(template) if field}


def fill_prompt(template: str, values: Mapping[str, str]) -> str:
    """Substitute `{name}` fields of a YAML prompt template.

    Only the template is parsed: values (which may be model output full of braces) are inserted
    verbatim. Format specs and attribute/index access are refused, so a template cannot reach
    into Python objects.
    """
    parts: list[str] = []
    for literal, field, spec, conversion in _FORMATTER.parse(template):
        parts.append(literal)
        if field is None:
            continue
        if spec or conversion or not field.isidentifier():
            raise ValueError(f"prompt template field {{{field}}} must be a plain name (no format spec or indexing)")
        if field not in values:
            raise KeyError(f"prompt template needs {{{field}}}, known fields: {sorted(values)}")
        parts.append(str(values[field]))
    return "".join(parts)

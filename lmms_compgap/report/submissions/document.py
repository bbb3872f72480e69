"""What a submission is: its format and schema, per-item hashes and scores, and its coverage of the installed tasks."""

from __future__ import annotations

import functools
import hashlib
import itertools
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jsonschema

from lmms_compgap.core.registry import family_names, get_family, paper_family_names
from lmms_compgap.core.results import score_response
from lmms_compgap.core.settings import SETTINGS
from lmms_compgap.report.compute.scores import ItemScore, item_score

FORMAT = "lmms-compgap-submission"
FORMAT_VERSION = 1
SCHEMA_PATH = Path(__file__).with_name("submission.schema.json")
#: Settings a family must have to be in a submission: without both there is no gap.
REQUIRED_SETTINGS: tuple[str, ...] = ("direct", "cascade")


@functools.cache
def schema() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


#: Schema errors looked at to pick the most relevant one: a million wrong values cost as little as a few.
_SCHEMA_ERRORS_SEEN = 10


@functools.cache
def _schema_words() -> frozenset[str]:
    """Every property name the schema declares: the parts of a path that are our words, not the file's."""
    words: set[str] = set()
    stack: list[Any] = [schema()]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            words.update(node.get("properties", {}) if isinstance(node.get("properties"), dict) else ())
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return frozenset(words) | frozenset(family_names()) | frozenset(SETTINGS) | {f"{s}_only" for s in SETTINGS}


def _where(error: jsonschema.ValidationError) -> str:
    """The path of a schema error; a key the schema does not name is shown as `…` (it is the file's content)."""
    parts = [str(part) if isinstance(part, int) or part in _schema_words() else "…" for part in error.absolute_path]
    return "/".join(parts) or "(top level)"


def _shown(value: Any) -> str:
    text = json.dumps(value)
    return text if len(text) <= 120 else text[:120] + "…"


def _schema_rule(error: jsonschema.ValidationError) -> str:
    """What a value fails, in our words and the schema's values only: a schema error's own message quotes the file."""
    rule, wanted = error.validator, error.validator_value
    if rule == "type":
        return f"not of type {' or '.join(wanted) if isinstance(wanted, list) else wanted}"
    if rule == "required" and isinstance(error.instance, dict):
        return f"missing {', '.join(name for name in wanted if name not in error.instance)}"
    if rule == "additionalProperties":
        return "holds a key the format does not define"
    if rule == "propertyNames":
        return "holds a key that is not allowed there"
    if rule in ("enum", "const"):
        return f"not one of the allowed values {_shown(wanted if rule == 'enum' else [wanted])}"
    if rule == "pattern":
        return f"does not match the pattern {_shown(wanted)}"
    bounds = {
        "maximum": "above the maximum",
        "minimum": "below the minimum",
        "maxLength": "longer than",
        "minLength": "shorter than",
        "maxItems": "more items than",
        "minItems": "fewer items than",
        "maxProperties": "more keys than",
        "minProperties": "fewer keys than",
    }
    if rule in bounds:
        return f"{bounds[rule]} {_shown(wanted)}"
    return f"fails the schema's {rule!r} rule"


def schema_problem(document: Any) -> str | None:
    """The most relevant schema violation, where it is and what it fails, or None for a valid document. Nothing
    from the document is quoted (see `_schema_rule`), and at most a few errors are looked at."""
    validator = jsonschema.Draft202012Validator(schema())
    if validator.is_valid(document):  # the fast path; collecting errors to pick the best one is slower
        return None
    error = jsonschema.exceptions.best_match(itertools.islice(validator.iter_errors(document), _SCHEMA_ERRORS_SEEN))
    if error is None:
        return None
    return f"schema violation at {_where(error)}: {_schema_rule(error)}"


def response_sha256(response: str) -> str:
    """sha256 of the response's UTF-8 bytes (lone surrogates kept, as JSON can carry them)."""
    return hashlib.sha256(response.encode("utf-8", errors="surrogatepass")).hexdigest()


def rescore(row: Mapping[str, Any], setting: str, response: str) -> ItemScore:
    """The current scorer's verdict on one raw response."""
    return item_score(score_response(dict(row), setting, response)["compgap"])


def item_entry(doc_id: int, uid: str, response: str, score: ItemScore) -> dict[str, Any]:
    return {
        "doc_id": doc_id,
        "uid": uid,
        "response": response,
        "sha256": response_sha256(response),
        "correct": score.correct,
        "strict": score.strict,
        "intermediate_usable": score.usable,
    }


def expected_sizes() -> dict[str, int]:
    """family -> items in its canonical split: what a complete submission covers."""
    return {family: get_family(family).canonical_size for family in family_names()}


def coverage_gaps(n_items: Mapping[tuple[str, str], int]) -> list[str]:
    """What a submission covering (family, setting) -> n items lacks against the installed tasks. The paper's
    families (the `compgap` group, which the ranking is over) must be there; any other family is optional, but
    complete when it is there."""
    missing = []
    paper = set(paper_family_names())
    for family, size in expected_sizes().items():
        absent = [setting for setting in SETTINGS if (family, setting) not in n_items]
        if len(absent) == len(SETTINGS):
            if family in paper:
                missing.append(f"compgap_{family}: not run")
            continue
        if absent:
            missing.append(f"compgap_{family}: no {', '.join(absent)}")
        short = sorted({n for (name, _), n in n_items.items() if name == family and n < size})
        if short:
            missing.append(f"compgap_{family}: {short[0]} of {size} items")
    return missing

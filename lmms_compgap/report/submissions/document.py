"""What a submission is: its format and schema, per-item hashes and scores, and its coverage of the installed tasks."""

from __future__ import annotations

import functools
import hashlib
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


def schema_problem(document: Any) -> str | None:
    """The most relevant schema violation, with where it is, or None for a valid document."""
    validator = jsonschema.Draft202012Validator(schema())
    if validator.is_valid(document):  # the fast path; collecting errors to pick the best one is slower
        return None
    error = jsonschema.exceptions.best_match(validator.iter_errors(document))
    if error is None:
        return None
    where = "/".join(str(part) for part in error.absolute_path) or "(top level)"
    message = error.message if len(error.message) <= 300 else error.message[:300] + "…"
    return f"schema violation at {where}: {message}"


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

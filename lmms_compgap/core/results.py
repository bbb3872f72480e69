"""The one scorer: a response to a setting of an item -> lmms-eval metrics and a per-item record.

`lmms-eval` (through the hooks), `compgap score` and `compgap verify` all call `score_response`,
so a number can always be re-derived from a logged response.
"""

from __future__ import annotations

import json
from typing import Any

from lmms_compgap.core.settings import SETTINGS, decode_cascade_response, failure_reason
from lmms_compgap.tasks import get_family

#: The lmms-eval metric names each setting reports (all `mean` except `failed_calls`, a sum: the
#: items whose model call raised, returned nothing or returned lmms-eval's request-failed marker;
#: for the cascade, items whose step 1 or step 2 failed).
SETTING_METRICS: dict[str, tuple[str, ...]] = {
    "direct": ("accuracy", "strict_accuracy", "failed_calls"),
    "cot": ("accuracy", "strict_accuracy", "failed_calls"),
    "language": ("accuracy", "strict_accuracy", "failed_calls"),
    "cascade": ("accuracy", "strict_accuracy", "step1_usable", "failed_calls"),
    "vision": ("exact_match", "usable", "failed_calls"),
}


#: A runaway generation can be megabytes long. Answers are read from its last characters and
#: intermediates (lists, transcriptions) from its first, so scoring time stays bounded.
MAX_SCORED_CHARS = 20_000


def _answer_part(text: str) -> str:
    return text if len(text) <= MAX_SCORED_CHARS else text[-MAX_SCORED_CHARS:]


def _intermediate_part(text: str) -> str:
    return text if len(text) <= MAX_SCORED_CHARS else text[:MAX_SCORED_CHARS]


def _attributes(doc: dict[str, Any]) -> dict[str, Any]:
    raw = doc.get("attributes")
    if isinstance(raw, dict):
        return raw
    try:
        parsed = json.loads(raw) if isinstance(raw, str) else {}
    except json.JSONDecodeError:
        parsed = {}
    return parsed if isinstance(parsed, dict) else {}


def _as_text(response: Any) -> str:
    # lmms-eval strips responses before process_results; doing it here too keeps re-scoring identical.
    return response.strip() if isinstance(response, str) else ""


def score_response(doc: dict[str, Any], setting: str, response: Any) -> dict[str, Any]:
    """Score one raw response; returns lmms-eval metrics plus a `compgap` record of everything."""
    if setting not in SETTINGS:
        raise ValueError(f"unknown setting {setting!r}; settings: {SETTINGS}")
    family = get_family(doc["family"])
    record: dict[str, Any] = {
        "uid": doc["uid"],
        "family": family.name,
        "setting": setting,
        "data_version": family.data_version,
        "target": doc["answer"] if setting != "vision" else doc["intermediate"],
        "response": None,
        "intermediate_response": None,
        "extracted": None,
        "correct": 0,
        "strict": 0,
        "intermediate_exact": None,
        "intermediate_score": None,
        "intermediate_usable": None,
        "failed_step": None,
        "error": None,
        "attributes": _attributes(doc),
    }

    if setting == "vision":
        record["intermediate_response"] = _as_text(response)
        record["error"] = failure_reason(record["intermediate_response"] if isinstance(response, str) else response)
        intermediate = family.score_intermediate(_intermediate_part(_as_text(response)), doc)
        record.update(
            intermediate_exact=intermediate.exact,
            intermediate_score=intermediate.score,
            intermediate_usable=intermediate.usable,
            correct=intermediate.exact,
            strict=intermediate.exact,
            details=intermediate.details,
            failed_step=1 if record["error"] else None,
        )
        metrics = {"exact_match": intermediate.exact, "usable": intermediate.usable}
        metrics[family.intermediate_metric] = intermediate.details.get(family.intermediate_metric, intermediate.score)
        return {**metrics, "failed_calls": int(bool(record["error"])), "compgap": record}

    final: str | None
    if setting == "cascade":
        envelope = decode_cascade_response(response)
        record.update(intermediate_response=envelope.step1, failed_step=envelope.failed_step, error=envelope.error)
        if envelope.step1 is not None and envelope.failed_step != 1:
            intermediate = family.score_intermediate(_intermediate_part(envelope.step1), doc)
            record.update(
                intermediate_exact=intermediate.exact,
                intermediate_score=intermediate.score,
                intermediate_usable=intermediate.usable,
            )
        final = envelope.step2.strip() if envelope.failed_step is None and envelope.step2 is not None else None
    else:
        final = _as_text(response)
        reason = failure_reason(final if isinstance(response, str) else response)
        if reason:
            record.update(failed_step=1, error=reason)
            final = None

    record["response"] = final
    if final is not None:
        answer = family.score_answer(_answer_part(final), doc)
        record.update(extracted=answer.extracted, correct=answer.correct, strict=answer.strict)

    metrics: dict[str, Any] = {"accuracy": record["correct"], "strict_accuracy": record["strict"]}
    if setting == "cascade":
        metrics["step1_usable"] = record["intermediate_usable"] or 0
    metrics["failed_calls"] = 1 if record["failed_step"] else 0
    return {**metrics, "compgap": record}

"""The one scorer: a response to a setting of an item -> lmms-eval metrics and a per-item record.

`lmms-eval` (through the hooks), `compgap score` and `compgap verify` all call `score_response`,
so a number can always be re-derived from a logged response.
"""

from __future__ import annotations

from typing import Any

from lmms_compgap.core.family import Metric, TaskFamily, row_json
from lmms_compgap.core.registry import get_family
from lmms_compgap.core.settings import ALL_SETTINGS, STEP2_MODES, decode_cascade_response, failure_reason

ACCURACY, STRICT_ACCURACY = Metric("accuracy"), Metric("strict_accuracy")
#: Items whose model call raised, returned nothing or returned lmms-eval's request-failed marker (for the
#: cascade, items whose step 1 or step 2 failed): a count, not a mean.
FAILED_CALLS = Metric("failed_calls", higher_is_better=False, aggregation="sum")
#: The lmms-eval metrics each setting reports, in the order its task YAML lists them; the `vision` setting also
#: reports its family's graded intermediate score (`setting_metrics`).
SETTING_METRICS: dict[str, tuple[Metric, ...]] = {
    "direct": (ACCURACY, STRICT_ACCURACY, FAILED_CALLS),
    "cot": (ACCURACY, STRICT_ACCURACY, FAILED_CALLS),
    "language": (ACCURACY, STRICT_ACCURACY, FAILED_CALLS),
    "cascade": (ACCURACY, STRICT_ACCURACY, Metric("step1_usable"), FAILED_CALLS),
    "vision": (Metric("exact_match"), Metric("usable"), FAILED_CALLS),
}
#: The two-step settings (`cascade` and the why settings) are scored alike: the answer, and step 1 against the gold
#: intermediate.
SETTING_METRICS.update({setting: SETTING_METRICS["cascade"] for setting in STEP2_MODES})


def setting_metrics(family: TaskFamily, setting: str) -> tuple[Metric, ...]:
    """The metrics `score_response` returns for `setting` of `family`, as its task YAML declares them."""
    metrics = SETTING_METRICS[setting]
    return (metrics[0], family.intermediate_metric, *metrics[1:]) if setting == "vision" else metrics


#: A runaway generation can be megabytes long. Answers are read from its last characters and
#: intermediates (lists, transcriptions) from its first, so scoring time stays bounded.
MAX_SCORED_CHARS = 20_000


def _answer_part(text: str) -> str:
    return text if len(text) <= MAX_SCORED_CHARS else text[-MAX_SCORED_CHARS:]


def _intermediate_part(text: str) -> str:
    return text if len(text) <= MAX_SCORED_CHARS else text[:MAX_SCORED_CHARS]


def _as_text(response: Any) -> str:
    # lmms-eval strips responses before process_results; doing it here too keeps re-scoring identical.
    return response.strip() if isinstance(response, str) else ""


def score_response(doc: dict[str, Any], setting: str, response: Any) -> dict[str, Any]:
    """Score one raw response; returns lmms-eval metrics plus a `compgap` record of everything."""
    if setting not in ALL_SETTINGS:
        raise ValueError(f"unknown setting {setting!r}; settings: {ALL_SETTINGS}")
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
        "attributes": row_json(doc, "attributes"),
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
        graded = family.intermediate_metric.name
        metrics[graded] = intermediate.details.get(graded, intermediate.score)
        return {**metrics, "failed_calls": int(bool(record["error"])), "compgap": record}

    final: str | None
    if setting in STEP2_MODES:
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
    if setting in STEP2_MODES:
        metrics["step1_usable"] = record["intermediate_usable"] or 0
    metrics["failed_calls"] = 1 if record["failed_step"] else 0
    return {**metrics, "compgap": record}

"""Leaderboard submissions: the schema, per-item hashes, coverage, and building one from logged runs."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jsonschema
import numpy as np
import scipy

from lmms_compgap import __version__
from lmms_compgap.core.registry import family_names, get_family, paper_family_names
from lmms_compgap.core.results import score_response
from lmms_compgap.core.settings import SETTINGS
from lmms_compgap.core.versions import installed_version
from lmms_compgap.report.errors import ReportError, join_problems
from lmms_compgap.report.gap import family_summary
from lmms_compgap.report.installed import installed_rows, task_metadata
from lmms_compgap.report.runs import ModelLogs, RunInfo, TaskLog
from lmms_compgap.report.scores import ItemScore, item_score
from lmms_compgap.report.stats import BootstrapParams

FORMAT = "lmms-compgap-submission"
FORMAT_VERSION = 1
SCHEMA_PATH = Path(__file__).with_name("submission.schema.json")
#: The longest model name a submission holds (the schema's `label`).
MAX_NAME = 300
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


def aggregates(scores: Mapping[str, Mapping[str, Mapping[str, ItemScore]]], params: BootstrapParams) -> dict[str, Any]:
    """family -> family summary: what a submission claims and `verify` recomputes."""
    return {family: family_summary(family, settings, params) for family, settings in sorted(scores.items())}


def software_versions() -> dict[str, str]:
    return {
        "lmms_compgap": __version__,
        "lmms_eval": installed_version("lmms_eval"),
        "numpy": np.__version__,
        "scipy": scipy.__version__,
    }


def _raw_response(value: Any) -> str | None:
    if isinstance(value, list) and len(value) == 1:  # older lmms-eval logs a one-element list
        value = value[0]
    return value if isinstance(value, str) else None


def _scored_task(log: TaskLog, keep: int) -> tuple[list[dict[str, Any]], dict[str, ItemScore]]:
    """Re-score a logged task's first `keep` items; refuse when the logged scores disagree."""
    rows = installed_rows(log.family)
    items: list[dict[str, Any]] = []
    scores: dict[str, ItemScore] = {}
    problems: list[str] = []
    for sample in sorted(log.samples, key=lambda sample: sample.doc_id)[:keep]:
        response = _raw_response(sample.response)
        if response is None or not 0 <= sample.doc_id < len(rows):
            problems.append(f"doc_id {sample.doc_id}: no text response, or no such row")
            continue
        row = rows[sample.doc_id]
        if row["uid"] != sample.record.get("uid"):
            problems.append(f"doc_id {sample.doc_id}: logged uid {sample.record.get('uid')}, the data has {row['uid']}")
            continue
        score = rescore(row, log.setting, response)
        logged = item_score(sample.record)
        if (score.correct, score.strict, score.usable) != (logged.correct, logged.strict, logged.usable):
            problems.append(
                f"doc_id {sample.doc_id}: logged correct/strict/usable "
                f"{logged.correct}/{logged.strict}/{logged.usable}, the installed scorer gives "
                f"{score.correct}/{score.strict}/{score.usable}"
            )
            continue
        items.append(item_entry(sample.doc_id, row["uid"], response, score))
        scores[row["uid"]] = score
    if problems:
        raise ReportError(
            f"{log.samples_path}: {len(problems)} item(s) cannot be submitted ({join_problems(problems)}). A scorer "
            "change without a task version bump, or a run of other data: re-run with the installed lmms-compgap."
        )
    return items, scores


def _check_versions(log: TaskLog) -> None:
    installed = task_metadata(log.family, log.setting)
    logged = {key: log.metadata.get(key) for key in installed}
    if logged != installed:
        raise ReportError(
            f"{log.run.results_path}: {log.task} ran with {logged}, the installed task is {installed}; its responses "
            "cannot be verified against the installed tasks (re-run it, or submit with the lmms-compgap that ran it)"
        )


def _run_entry(index: int, run: RunInfo) -> dict[str, Any]:
    return {"id": index, "date": run.date, "lmms_eval_model": run.lmms_eval_model, "model_args": run.model_args,
            "gen_kwargs": run.gen_kwargs, "limit": run.limit, "lmms_eval_version": run.lmms_eval_version}  # fmt: skip


def model_entry(recorded: str, name: str | None) -> dict[str, str]:
    """The submission's `model`: the name to show (`name` when given), and what lmms-eval recorded as the model
    (often the local folder it was loaded from) next to it."""
    if name is None:
        return {"name": recorded}
    if not name.strip() or len(name) > MAX_NAME:
        raise ReportError(f"--name must be 1 to {MAX_NAME} characters, not {len(name)}")
    return {"name": name, "path": recorded}


def training_claim(provenance: Mapping[str, Any]) -> dict[str, Any]:
    """A submission's `training` field from a `compgap finetune` provenance record (compgap_training.json)."""
    try:
        return {
            "compgap_data": True,
            "base_model": str(provenance["base_model"]),
            "method": provenance["method"],
            "data_fingerprint": provenance["data_fingerprint"],
            "splits": provenance["splits"],
        }
    except (KeyError, TypeError) as error:
        raise ReportError(f"not a compgap_training.json record (missing {error})") from None


def build_submission(
    model: ModelLogs,
    params: BootstrapParams,
    allow_partial: bool,
    training: Mapping[str, Any] | None = None,
    name: str | None = None,
) -> tuple[dict[str, Any], list[str]]:
    """A schema-valid submission for one model, and notes on what it leaves out; ReportError if it cannot be made.

    `name` is the model's name on the leaderboard (by default what lmms-eval recorded, often a local path)."""
    notes: list[str] = []
    families = {}
    for family, settings in model.families().items():
        lacking = [setting for setting in REQUIRED_SETTINGS if setting not in settings]
        if family not in family_names():
            notes.append(f"compgap_{family}: not an installed task family; left out")
        elif lacking:
            notes.append(f"compgap_{family}: no {' or '.join(lacking)} run, so no gap; left out")
        else:
            families[family] = settings
    if not families:
        raise ReportError(f"{model.label}: no task family with both a direct and a cascade run: nothing to submit")
    runs: list[RunInfo] = []
    tasks, scores, n_items = [], {}, {}
    for family, settings in families.items():
        keep = min(len({sample.doc_id for sample in log.samples}) for log in settings.values())
        if any(len(log.samples) != keep for log in settings.values()):
            notes.append(f"compgap_{family}: settings ran on different numbers of items; kept the first {keep} of each")
        for setting in SETTINGS:
            log = settings.get(setting)
            if log is None:
                continue
            _check_versions(log)
            items, item_scores = _scored_task(log, keep)
            scores.setdefault(family, {})[setting] = item_scores
            if [item["doc_id"] for item in items] != list(range(len(items))):
                raise ReportError(f"{log.samples_path}: the items are not rows 0..{len(items) - 1} (an --offset run?)")
            if log.run not in runs:
                runs.append(log.run)
            n_items[(family, setting)] = len(items)
            tasks.append({
                "task": log.task, "family": family, "setting": setting, **task_metadata(family, setting),
                "run": runs.index(log.run), "n_items": len(items), "items": items,
            })  # fmt: skip
    missing = coverage_gaps(n_items)
    if missing and not allow_partial:
        raise ReportError(
            f"{model.label}: the runs do not cover every task, setting and item ({'; '.join(missing)}). Pass --partial "
            "to submit a partial entry (listed apart, ranked only with `compgap leaderboard --include-partial`)."
        )
    document = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "created": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "partial": bool(missing),
        "model": model_entry(model.model_name, name),
        "software": software_versions(),
        "statistics": {"resamples": params.resamples, "seed": params.seed, "confidence": params.confidence},
        "runs": [_run_entry(index, run) for index, run in enumerate(runs)],
        "tasks": tasks,
        "aggregates": aggregates(scores, params),
    }
    if training is not None:
        document["training"] = training_claim(training)
    problem = schema_problem(document)
    if problem:
        raise ReportError(f"{model.label}: the submission would not be valid ({problem})")
    return document, notes + [f"partial: {gap}" for gap in missing]

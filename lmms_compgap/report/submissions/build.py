"""Build a submission from one model's logged runs: every response re-scored by the installed scorer first."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import numpy as np
import scipy

from lmms_compgap import __version__
from lmms_compgap.core.family import TaskFamily
from lmms_compgap.core.pipeline import Pipeline
from lmms_compgap.core.registry import families
from lmms_compgap.core.settings import CANONICAL_WORDING, SETTINGS
from lmms_compgap.core.versions import installed_version
from lmms_compgap.errors import ReportError, join_problems
from lmms_compgap.report.compute.gap import family_summaries
from lmms_compgap.report.compute.scores import ItemScore, item_score
from lmms_compgap.report.compute.stats import BootstrapParams
from lmms_compgap.report.logs import ModelLogs, RunInfo, TaskLog
from lmms_compgap.report.submissions.document import (
    FORMAT,
    FORMAT_VERSION,
    REQUIRED_SETTINGS,
    coverage_gaps,
    item_entry,
    rescore,
    schema_problem,
)
from lmms_compgap.report.submissions.model_source import model_source
from lmms_compgap.tasks.installed import installed_task_metadata

#: The longest model name a submission holds (the schema's `label`).
MAX_NAME = 300


def software_versions() -> dict[str, str]:
    return {
        "lmms_compgap": __version__,
        "lmms_eval": installed_version("lmms_eval"),
        "numpy": np.__version__,
        "scipy": scipy.__version__,
    }


def raw_response(value: Any) -> str | None:
    if isinstance(value, list) and len(value) == 1:  # older lmms-eval logs a one-element list
        value = value[0]
    return value if isinstance(value, str) else None


def _scored_task(log: TaskLog, family: TaskFamily, keep: int) -> tuple[list[dict[str, Any]], dict[str, ItemScore]]:
    """Re-score the first `keep` items of a logged task of `family`; refuse when the logged scores disagree."""
    rows = family.installed_rows()
    items: list[dict[str, Any]] = []
    scores: dict[str, ItemScore] = {}
    problems: list[str] = []
    for sample in sorted(log.samples, key=lambda sample: sample.doc_id)[:keep]:
        response = raw_response(sample.response)
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


def _check_versions(log: TaskLog, installed: dict[str, Any]) -> None:
    """Refuse a logged task whose metadata is not the installed task's (`installed`)."""
    logged = {key: log.metadata.get(key) for key in installed}
    if logged != installed:
        raise ReportError(
            f"{log.run.results_path}: {log.task} ran with {logged}, the installed task is {installed}; its responses "
            "cannot be verified against the installed tasks (re-run it, or submit with the lmms-compgap that ran it)"
        )


def _run_entry(index: int, run: RunInfo) -> dict[str, Any]:
    entry = {
        "id": index,
        "date": run.date,
        "lmms_eval_model": run.lmms_eval_model,
        "model_args": run.model_args,
        "gen_kwargs": run.gen_kwargs,
        "limit": run.limit,
        "lmms_eval_version": run.lmms_eval_version,
    }
    # What a spot-check re-run needs beyond the command line's model arguments (`compgap verify --rerun`).
    if run.batch_size is not None:
        entry["batch_size"] = run.batch_size
    entry["model_source"] = model_source(run)
    return entry


def model_entry(recorded: str, name: str | None, pipeline: Pipeline | None = None) -> dict[str, Any]:
    """The submission's `model`: the name to show (`name` when given), and what lmms-eval recorded as the model
    (often the local folder it was loaded from) next to it; for a pipeline, its two models."""
    if name is None:
        entry: dict[str, Any] = {"name": recorded}
    elif not name.strip() or len(name) > MAX_NAME:
        raise ReportError(f"--name must be 1 to {MAX_NAME} characters, not {len(name)}")
    else:
        entry = {"name": name, "path": recorded}
    if pipeline is not None:
        entry["pipeline"] = {"step1": pipeline.step1, "step2": pipeline.step2}
    return entry


def _pipeline(label: str, runs: list[RunInfo]) -> Pipeline | None:
    """The pipeline every run is (None when every run is one model); ReportError when the runs disagree."""
    declared = {run.pipeline for run in runs}
    if len(declared) > 1:
        shown = ", ".join(sorted(pipeline.label if pipeline else "one model" for pipeline in declared))
        raise ReportError(f"{label}: the runs are not of the same models ({shown}); submit each apart")
    return declared.pop()


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
    installed_families = families()
    chosen: dict[str, tuple[TaskFamily, dict[str, TaskLog]]] = {}
    for family, settings in model.families().items():
        lacking = [setting for setting in REQUIRED_SETTINGS if setting not in settings]
        if family not in installed_families:
            notes.append(f"compgap_{family}: not an installed task family; left out")
        elif lacking:
            notes.append(f"compgap_{family}: no {' or '.join(lacking)} run, so no gap; left out")
        else:
            chosen[family] = (installed_families[family], settings)
    paraphrased = sorted(log.task for log in model.tasks.values() if log.wording != CANONICAL_WORDING)
    if paraphrased:
        notes.append(
            f"{len(paraphrased)} paraphrase task(s) of compgap_wording ({paraphrased[0]}, ...) left out: a submission "
            "holds the canonical tasks, which the leaderboard compares (`compgap report` shows the wordings)"
        )
    if not chosen:
        raise ReportError(f"{model.label}: no task family with both a direct and a cascade run: nothing to submit")
    runs: list[RunInfo] = []
    tasks, scores, n_items = [], {}, {}
    for family, (installed_family, settings) in chosen.items():
        # A submission holds the five settings; the why settings (another run, maybe shorter) do not shorten it.
        settings = {setting: log for setting, log in settings.items() if setting in SETTINGS}
        keep = min(len({sample.doc_id for sample in log.samples}) for log in settings.values())
        if any(len(log.samples) != keep for log in settings.values()):
            notes.append(f"compgap_{family}: settings ran on different numbers of items; kept the first {keep} of each")
        for setting in SETTINGS:
            log = settings.get(setting)
            if log is None:
                continue
            installed = installed_task_metadata(installed_family, setting)
            _check_versions(log, installed)
            items, item_scores = _scored_task(log, installed_family, keep)
            scores.setdefault(family, {})[setting] = item_scores
            if [item["doc_id"] for item in items] != list(range(len(items))):
                raise ReportError(f"{log.samples_path}: the items are not rows 0..{len(items) - 1} (an --offset run?)")
            if log.run not in runs:
                runs.append(log.run)
            n_items[(family, setting)] = len(items)
            tasks.append(
                {
                    "task": log.task,
                    "family": family,
                    "setting": setting,
                    **installed,
                    "run": runs.index(log.run),
                    "n_items": len(items),
                    "items": items,
                }
            )
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
        "model": model_entry(model.model_name, name, _pipeline(model.label, runs)),
        "software": software_versions(),
        "statistics": {"resamples": params.resamples, "seed": params.seed, "confidence": params.confidence},
        "runs": [_run_entry(index, run) for index, run in enumerate(runs)],
        "tasks": tasks,
        "aggregates": family_summaries(scores, params),
    }
    if training is not None:
        document["training"] = training_claim(training)
    problem = schema_problem(document)
    if problem:
        raise ReportError(f"{model.label}: the submission would not be valid ({problem})")
    return document, notes + [f"partial: {gap}" for gap in missing]

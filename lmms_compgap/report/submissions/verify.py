"""Verify a submission: re-score every raw response with the installed scorer and recompute every aggregate.

Nothing in the file is executed or trusted: it is parsed within limits (safe_json), checked against
the schema, matched to the installed tasks and data, and every number it claims is recomputed.
"""

from __future__ import annotations

import functools
import json
import math
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lmms_compgap.core.data import DataIntegrityError
from lmms_compgap.core.family import TaskFamily
from lmms_compgap.core.hub_data import DatasetUnavailable
from lmms_compgap.core.pipeline import Pipeline, pipeline_of
from lmms_compgap.core.registry import families, family_names, generated_family_names, get_family
from lmms_compgap.core.settings import task_name
from lmms_compgap.errors import NotVerifiedHere, SubmissionRejected, join_problems
from lmms_compgap.report.compute.gap import family_summaries
from lmms_compgap.report.compute.scores import ItemScore
from lmms_compgap.report.compute.stats import BootstrapParams
from lmms_compgap.report.files.safe_json import DEFAULT_MAX_BYTES, load_json_file
from lmms_compgap.report.logs import model_arguments
from lmms_compgap.report.render.literal import plain_text
from lmms_compgap.report.submissions.document import (
    FORMAT_VERSION,
    REQUIRED_SETTINGS,
    coverage_gaps,
    rescore,
    response_sha256,
    schema_problem,
)
from lmms_compgap.scoring.equivalence import MathVerifyUnavailable
from lmms_compgap.tasks.installed import installed_task_metadata

#: Recomputed numbers must match the file's this closely (JSON keeps floats exactly; this absorbs printing).
TOLERANCE = 1e-9
_SHOWN = 5


@dataclass(frozen=True)
class VerifiedSubmission:
    """A submission that passed every check, with the numbers as recomputed (never as claimed)."""

    path: Path
    model_name: str
    partial: bool
    coverage_gaps: list[str]
    params: BootstrapParams
    aggregates: dict[str, Any]
    scores: dict[str, dict[str, dict[str, ItemScore]]]
    n_items: dict[str, int]
    training: dict[str, Any] | None = None
    #: The two models of a pipeline entry (listed apart on the leaderboard); None for one model.
    pipeline: Pipeline | None = None


def _reject(path: Path, problems: list[str]) -> None:
    if problems:
        raise SubmissionRejected(f"{path}: {join_problems(problems)}")


def first_difference(claimed: Any, recomputed: Any, where: str) -> str | None:
    """Where two JSON values first differ (numbers within TOLERANCE), or None when they agree."""
    if isinstance(claimed, dict) and isinstance(recomputed, dict):
        if claimed.keys() != recomputed.keys():
            extra, absent = len(claimed.keys() - recomputed.keys()), sorted(recomputed.keys() - claimed.keys())
            return f"{where}: keys differ ({extra} unexpected, missing {absent})"
        for key in recomputed:
            found = first_difference(claimed[key], recomputed[key], f"{where}.{key}")
            if found:
                return found
        return None
    if isinstance(claimed, list) and isinstance(recomputed, list):
        if len(claimed) != len(recomputed):
            return f"{where}: {len(claimed)} values, recomputed {len(recomputed)}"
        for index, (a, b) in enumerate(zip(claimed, recomputed, strict=True)):
            found = first_difference(a, b, f"{where}[{index}]")
            if found:
                return found
        return None
    numbers = (int, float)
    if isinstance(claimed, numbers) and isinstance(recomputed, numbers) and not isinstance(claimed, bool):
        try:
            if math.isclose(claimed, recomputed, rel_tol=TOLERANCE, abs_tol=TOLERANCE):
                return None
        except OverflowError:  # an integer too large for a float is no proportion
            return f"{where}: the file says a number too large to compare, recomputed {recomputed!r}"
    elif claimed == recomputed and type(claimed) is type(recomputed):
        return None
    # Only what we recomputed is quoted: the file's value is described, never shown (it is the file's content).
    return f"{where}: the file says {_kind(claimed)}, recomputed {recomputed!r}"


def _kind(value: Any) -> str:
    """What a JSON value is, in our words."""
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, (int, float)):
        return "another number"
    names = {str: "a string", list: "a list", dict: "an object"}
    return names.get(type(value), "another value")


def _unavailable(family: str, error: Exception) -> str:
    """Why this machine cannot check a family: the first sentence of our own message (a dataset not here)."""
    first = str(error).splitlines()[0].removesuffix(" Searched:") if str(error) else type(error).__name__
    return f"compgap_{family}: {plain_text(first)[:300].rstrip('.')}"


def _check_tasks(
    path: Path, tasks: list[dict[str, Any]], unavailable: dict[str, str]
) -> list[tuple[TaskFamily, dict[str, dict[str, Any]]]]:
    """(family, setting -> task entry) in the order the file first names each family, after the task identities,
    versions and fingerprints check out. A family whose data this machine lacks (a public dataset not here) goes
    into `unavailable`, with why, not into the result. Problems name tasks by index or by our own names, never by
    what the file says."""
    problems: list[str] = []
    installed_families = families()
    by_family: dict[str, tuple[TaskFamily, dict[str, dict[str, Any]]]] = {}
    for index, entry in enumerate(tasks):
        name, setting, task = entry["family"], entry["setting"], entry["task"]
        if task != task_name(name, setting):
            problems.append(f"tasks[{index}]: the task name does not match its family and setting")
            continue
        family = installed_families.get(name)
        if family is None:
            problems.append(f"tasks[{index}]: not a task family installed here (installed: {family_names()})")
            continue
        if setting in by_family.get(name, (family, {}))[1]:
            problems.append(f"{task}: listed twice")
            continue
        if name in unavailable:
            continue
        try:
            installed = installed_task_metadata(family, setting)
            actual = family.installed_fingerprint()
        except (DataIntegrityError, DatasetUnavailable) as error:
            unavailable[name] = _unavailable(name, error)
            continue
        for key, value in installed.items():
            if entry[key] != value:
                problems.append(f"{task}: {key} is not the installed tasks' {value!r}")
        if entry["data_fingerprint"] != actual:
            problems.append(f"{task}: the data fingerprint is not the installed data's {actual}")
        by_family.setdefault(name, (family, {}))[1][setting] = entry
    for name, (_, settings) in by_family.items():
        for setting in REQUIRED_SETTINGS:
            if setting not in settings:
                problems.append(f"compgap_{name}: no {setting} task, so no gap (a family needs direct and cascade)")
    _reject(path, problems)
    return list(by_family.values())


def _check_items(path: Path, family: TaskFamily, settings: Mapping[str, dict[str, Any]], runs: int) -> None:
    """Every setting of a family holds rows 0..n-1 exactly once, with the right uids and declared count."""
    problems: list[str] = []
    rows = family.installed_rows()
    expected: set[int] | None = None
    for entry in settings.values():
        name, items = entry["task"], entry["items"]
        if entry["run"] >= runs:
            problems.append(f"{name}: run {entry['run']} is not in `runs`")
        doc_ids = [item["doc_id"] for item in items]
        duplicated = sorted(doc_id for doc_id, count in Counter(doc_ids).items() if count > 1)
        if duplicated:
            problems.append(f"{name}: duplicated items (doc_id {', '.join(map(str, duplicated[:_SHOWN]))})")
        if entry["n_items"] != len(items):
            problems.append(f"{name}: declares n_items {entry['n_items']} but holds {len(items)} items")
        present = set(doc_ids)
        wanted = set(range(len(present)))
        if present != wanted:
            absent = sorted(wanted - present)[:_SHOWN]
            problems.append(f"{name}: the items are not rows 0..{len(present) - 1}: missing doc_id {absent}")
        if expected is None:
            expected = present
        elif present != expected:
            problems.append(
                f"{name}: covers {len(present)} items, another setting of compgap_{family.name} {len(expected)}"
            )
        for item in items:
            doc_id = item["doc_id"]
            if doc_id >= len(rows):
                problems.append(f"{name}: doc_id {doc_id} is not a row of the data ({len(rows)} rows)")
            elif item["uid"] != rows[doc_id]["uid"]:
                problems.append(f"{name}: doc_id {doc_id} has another uid than the data's {rows[doc_id]['uid']!r}")
    _reject(path, problems)


def _rescore_items(
    path: Path, family: TaskFamily, settings: Mapping[str, dict[str, Any]]
) -> dict[str, dict[str, ItemScore]]:
    """Check each response against its hash, re-score it, and compare with the per-item scores claimed."""
    problems: list[str] = []
    rows = family.installed_rows()
    scores: dict[str, dict[str, ItemScore]] = {}
    for setting, entry in settings.items():
        scored: dict[str, ItemScore] = {}
        for item in entry["items"]:
            where = f"{entry['task']} doc_id {item['doc_id']}"
            if response_sha256(item["response"]) != item["sha256"]:
                problems.append(f"{where}: the response does not match its sha256 (edited after it was hashed?)")
                continue
            score = rescore(rows[item["doc_id"]], setting, item["response"])
            claimed = (item["correct"], item["strict"], item["intermediate_usable"])
            if claimed != (score.correct, score.strict, score.usable):
                problems.append(
                    f"{where}: claims correct/strict/usable {'/'.join(map(str, claimed))}, the scorer gives "
                    f"{score.correct}/{score.strict}/{score.usable}"
                )
            scored[score.uid] = score
        scores[setting] = scored
    _reject(path, problems)
    return scores


@functools.lru_cache(maxsize=32)
def _split_fingerprint(family: str, split: str, size: int, seed: int) -> str:
    """The fingerprint a training split regenerates to (kept: a leaderboard's files often claim the same split)."""
    from lmms_compgap.core.splits import build_split

    return build_split(get_family(family), split, size, seed).fingerprint


def _check_training(path: Path, training: dict[str, Any]) -> None:
    """A fine-tuning claim: every declared training split regenerates to its fingerprint from its seed and size
    with the installed generators, which keep every test item out of it (lmms_compgap.core.splits). Run after every
    other check, and only for claims the project could have exported (MAX_SPLIT_SIZE): regenerating is the one
    check whose cost the file's size does not bound."""
    from lmms_compgap.core.splits import MAX_SPLIT_SIZE, SPLIT_VERSION

    problems: list[str] = []
    claims = []
    for split, declared in sorted(training["splits"].items()):
        for family, claim in sorted(declared["families"].items()):
            if family not in generated_family_names():
                # Only generated families have training splits (a public dataset's items are its test split).
                problems.append(f"training {split} split: a family compgap exports no training data for")
                continue
            where = f"training {split} split of {family}"
            generator = get_family(family)
            if claim["data_version"] != generator.data_version:
                problems.append(f"{where}: not the installed data version {generator.data_version}")
            elif claim.get("split_version", 1) != SPLIT_VERSION:  # not recorded before split version 2
                problems.append(
                    f"{where}: split version {claim.get('split_version', 1)}, installed {SPLIT_VERSION} (which leaves "
                    "out every test problem, not only test items); re-export the training data and fine-tune again"
                )
            elif not 1 <= claim["size"] <= MAX_SPLIT_SIZE:
                problems.append(
                    f"{where}: {claim['size']} items, above the {MAX_SPLIT_SIZE} compgap exports; not regenerated"
                )
            elif claim["seed"] == generator.canonical_seed:
                problems.append(f"{where}: the test split's seed")
            else:
                claims.append((where, family, split, claim))
    _reject(path, problems)  # every cheap check first: nothing is regenerated for a file already refused
    for where, family, split, claim in claims:
        try:
            regenerated = _split_fingerprint(family, split, claim["size"], claim["seed"])
        except (ValueError, RuntimeError) as error:  # no such split (DataIntegrityError is a RuntimeError too)
            problems.append(f"{where}: cannot be regenerated ({type(error).__name__})")
            continue
        if regenerated != claim["fingerprint"]:
            problems.append(f"{where}: seed {claim['seed']} and size {claim['size']} do not give its fingerprint")
    _reject(path, problems)


def _check_pipeline(path: Path, document: dict[str, Any]) -> Pipeline | None:
    """The pipeline the entry claims, which must be what every run's model_args declare (one model: none does).

    A pipeline's runs named as one model would be ranked among single models; a claimed pipeline whose runs
    declare other models (or none) would be listed under models that never answered."""
    claim = document["model"].get("pipeline")
    claimed = Pipeline(claim["step1"], claim["step2"]) if claim else None
    problems = []
    for index, run in enumerate(document["runs"]):
        declared = pipeline_of(model_arguments(run["model_args"]))
        if declared == claimed:
            continue
        if claimed is None:
            problems.append(
                f"run {index} is a pipeline of two models ({plain_text(declared.label)}: step2_inner in its "
                "model_args), but `model` names one model and no `pipeline`"
            )
        else:
            runs_as = plain_text(declared.label) if declared else "one model (no step2_inner in its model_args)"
            problems.append(f"`model.pipeline` claims {plain_text(claimed.label)}, but run {index} is {runs_as}")
    _reject(path, problems)
    return Pipeline(plain_text(claimed.step1), plain_text(claimed.step2)) if claimed else None


def verify_document(document: Any, path: Path) -> VerifiedSubmission:
    """Every check on an already-parsed document (see docs/submissions.md for the list)."""
    if is_lmms_eval_results(document):
        raise SubmissionRejected(
            f"{path}: this is an lmms-eval results file, not a submission. Make a submission from the lmms-eval "
            "output folder first: `compgap submit <output folder> --out <model>.json`, then verify that file"
        )
    problem = schema_problem(document)
    if problem:
        raise SubmissionRejected(f"{path}: {problem}")
    if document["format_version"] != FORMAT_VERSION:
        raise SubmissionRejected(
            f"{path}: format version {document['format_version']}, this verifier reads {FORMAT_VERSION}"
        )
    pipeline = _check_pipeline(path, document)
    unavailable: dict[str, str] = {}
    checked = _check_tasks(path, document["tasks"], unavailable)
    by_name = sorted(checked, key=lambda pair: pair[0].name)
    for family, settings in by_name:
        _check_items(path, family, settings, len(document["runs"]))
    scores = {}
    for family, settings in by_name:
        try:
            scores[family.name] = _rescore_items(path, family, settings)
        except MathVerifyUnavailable as error:
            unavailable[family.name] = _unavailable(family.name, error)
    n_items = {(entry["family"], entry["setting"]): entry["n_items"] for entry in document["tasks"]}
    gaps = coverage_gaps(n_items)
    if document["partial"] != bool(gaps):
        claim = "partial" if document["partial"] else "complete"
        detail = "; ".join(gaps) if gaps else "it covers every task, setting and item"
        raise SubmissionRejected(f"{path}: claims to be {claim}, but {detail}")
    statistics = document["statistics"]
    params = BootstrapParams(statistics["resamples"], statistics["seed"], statistics["confidence"])
    recomputed = family_summaries(scores, params)
    # A family this machine cannot check has no recomputed aggregate: the others' are still compared.
    claimed = document["aggregates"]
    if unavailable and isinstance(claimed, dict):
        claimed = {family: value for family, value in claimed.items() if family not in unavailable}
    difference = first_difference(claimed, recomputed, "aggregates")
    if difference:
        raise SubmissionRejected(f"{path}: a changed aggregate: {difference}")
    if "training" in document:  # last: the one check whose cost the file's size does not bound
        _check_training(path, document["training"])
    if unavailable:
        reasons = "; ".join(unavailable[name] for name in sorted(unavailable))
        raise NotVerifiedHere(f"{path}: not verified here ({reasons}); every other check passed")
    return VerifiedSubmission(
        path=path,
        model_name=plain_text(document["model"]["name"]),
        partial=bool(gaps),
        coverage_gaps=gaps,
        params=params,
        aggregates=recomputed,
        scores=scores,
        n_items={family.name: next(iter(settings.values()))["n_items"] for family, settings in checked},
        training=document.get("training"),
        pipeline=pipeline,
    )


def is_lmms_eval_results(document: Any) -> bool:
    """Whether a parsed document is an lmms-eval `*_results.json` (a common mistake: it is not a submission)."""
    return (
        isinstance(document, dict)
        and "format" not in document
        and isinstance(document.get("results"), dict)
        and ("configs" in document or "config" in document)
    )


def verify_submission(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> VerifiedSubmission:
    """Load `path` within limits and verify it; SubmissionRejected names the first problem found.

    Whatever the file holds, the answer is a verified submission or SubmissionRejected: an unexpected error
    while checking it is a rejection too (with its type), so that one file can never stop the check of others.
    """
    document = load_json_file(path, max_bytes)
    try:
        return verify_document(document, path)
    except SubmissionRejected:
        raise
    except (ArithmeticError, ValueError, TypeError, KeyError, IndexError, RecursionError, MemoryError) as error:
        raise SubmissionRejected(f"{path}: could not be checked ({type(error).__name__}); rejected") from None

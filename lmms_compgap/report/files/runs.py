"""Find and load what `lmms-eval --log_samples --output_path` wrote (the runs, their tasks and samples).

lmms-eval writes `<output_path>/<model_name_sanitized>/<date>_results.json` and, per task,
`<date>_samples_<task>.jsonl` beside it. Everything odd (a run without samples, samples without
results, bad lines, too few samples) becomes an issue naming the file, never a crash.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from lmms_compgap.core.json_lines import lines_within, read_json_lines
from lmms_compgap.core.pipeline import pipeline_of
from lmms_compgap.core.regular import NotReadable, is_regular, open_regular
from lmms_compgap.core.settings import CANONICAL_WORDING, parse_wording_task_name
from lmms_compgap.errors import join_problems
from lmms_compgap.report.compute.scores import item_score
from lmms_compgap.report.logs import Loaded, RunInfo, Sample, TaskLog, model_arguments
from lmms_compgap.report.render.literal import plain_text
from lmms_compgap.tasks.reader import WORDING_KEY

RESULTS_SUFFIX = "_results.json"
SAMPLES_INFIX = "_samples_"
_MAX_LINE_ISSUES = 3
_UID_INDEX_RE = re.compile(r"-v[0-9]+-([0-9]{1,9})$")


def _results_files(paths: Sequence[Path], issues: list[str]) -> tuple[list[Path], list[Path]]:
    results: list[Path] = []
    samples: list[Path] = []
    for path in paths:
        if not path.exists():
            issues.append(f"{path}: does not exist; skipped")
        elif path.is_dir():
            results.extend(sorted(path.rglob(f"*{RESULTS_SUFFIX}")))
            samples.extend(sorted(path.rglob(f"*{SAMPLES_INFIX}*.jsonl")))
        elif is_regular(path) and path.name.endswith(RESULTS_SUFFIX):
            results.append(path)
            samples.extend(path.parent.glob(f"{path.name[: -len(RESULTS_SUFFIX)]}{SAMPLES_INFIX}*.jsonl"))
        elif not is_regular(path):
            issues.append(f"{path}: not a regular file (a symbolic link, a named pipe or a device?); skipped")
        else:
            issues.append(f"{path}: not an lmms-eval output folder or *_results.json file; skipped")
    return sorted(set(results)), sorted(set(samples))


_VERSION_RE = re.compile(r"[0-9]+(?:\.[0-9]+)*(?:[a-z0-9.+-]*)")


def _limit(path: Path, config: dict[str, Any], issues: list[str]) -> float | None:
    """The run's --limit as a number (items or a share of them), None without one or when it is no number."""
    limit = config.get("limit")
    if limit is None:
        return None
    try:
        value = float(limit) if isinstance(limit, (int, float)) and not isinstance(limit, bool) else math.nan
    except OverflowError:
        value = math.nan
    if not math.isfinite(value) or value < 0:
        issues.append(f"{path}: config.limit is not a usable number ({plain_text(limit)[:40]}); read as no limit")
        return None
    return value


def _lmms_eval_version(results: dict[str, Any], records: Iterable[dict[str, Any]]) -> tuple[str, str | None]:
    """The lmms-eval version the run used, and what the results file says instead when that is no version.

    The version is what our hooks recorded from the installed package. lmms-eval's own `lmms_eval_version` is
    the git branch and commit of the folder it was started from ("main@1a2b3c4d"), not its version."""
    written = results.get("lmms_eval_version")
    written = plain_text(written)[:100] if written else None
    recorded = {str(record.get("lmms_eval_version")) for record in records if record.get("lmms_eval_version")}
    if len(recorded) == 1:
        return plain_text(recorded.pop())[:100], None
    if written and _VERSION_RE.fullmatch(written):
        return written, None
    return "unknown", written


def _run_info(path: Path, results: dict[str, Any], version: tuple[str, str | None], issues: list[str]) -> RunInfo:
    config = results.get("config") if isinstance(results.get("config"), dict) else {}
    gen_kwargs = config.get("gen_kwargs")
    # lmms-eval names a run by the first model argument that looks like a model (step 2's, in a pipeline, if it
    # comes first): a pipeline is named by both its models, so it is never grouped with either model alone.
    pipeline = pipeline_of(model_arguments(plain_text(config.get("model_args") or "")))
    return RunInfo(
        results_path=path,
        date=plain_text(results.get("date") or path.name[: -len(RESULTS_SUFFIX)]),
        model_name=plain_text(
            (pipeline and pipeline.label)
            or results.get("model_name")
            or config.get("model_args")
            or config.get("model")
            or path.parent.name
        ),
        lmms_eval_model=plain_text(config.get("model") or ""),
        model_args=plain_text(config.get("model_args") or ""),
        gen_kwargs=plain_text(gen_kwargs if isinstance(gen_kwargs, str) else json.dumps(gen_kwargs, sort_keys=True)),
        limit=_limit(path, config, issues),
        lmms_eval_version=version[0],
        launch_git=version[1],
        batch_size=None if config.get("batch_size") is None else plain_text(config["batch_size"])[:64],
    )


def _sample_reader(family: str, setting: str) -> Callable[[Any], Sample]:
    """Reads one logged line of `compgap_<family>_<setting>` into a Sample; refuses a line the report cannot use."""

    def read(entry: Any) -> Sample:
        doc_id, record = entry["doc_id"], entry["compgap"]
        if not isinstance(doc_id, int) or isinstance(doc_id, bool) or not isinstance(record, dict):
            raise TypeError("doc_id is not an integer or compgap is not a record")
        if record.get("family") != family or record.get("setting") != setting:
            raise ValueError(f"record is for {record.get('family')}/{record.get('setting')}")
        item_score(record)  # refuse a record the report could not read, here, with its line
        return Sample(doc_id, entry.get("filtered_resps"), record)

    return read


def _read_samples(path: Path, family: str, setting: str, issues: list[str]) -> list[Sample]:
    samples: list[Sample] = []
    seen: set[int] = set()
    uids: dict[str, int] = {}
    bad: list[str] = []
    try:
        handle = open_regular(path)
    except NotReadable as error:
        issues.append(f"{error}; its samples are left out")
        return []
    with handle:
        # Bad bytes are replaced rather than refused: a record stays usable if only a response held them.
        reader = _sample_reader(family, setting)
        for number, sample, problem in read_json_lines(lines_within(handle), reader, errors="replace"):
            if sample is None:
                bad.append(f"line {number}: {problem}")
                continue
            if sample.doc_id in seen:
                bad.append(f"line {number}: doc_id {sample.doc_id} again (two runs with one date wrote this file?)")
                continue
            uid = str(sample.record.get("uid"))
            if uid in uids:
                bad.append(f"line {number}: item {plain_text(uid)} again (first on line {uids[uid]}, another doc_id)")
                continue
            index = _UID_INDEX_RE.search(uid)
            if index is not None and int(index.group(1)) != sample.doc_id:
                issues.append(
                    f"{path}:{number}: doc_id {sample.doc_id} holds the record of item {plain_text(uid)}; the item is "
                    "scored as that item (records are paired by item)"
                )
            seen.add(sample.doc_id)
            uids[uid] = number
            samples.append(sample)
    if bad:
        issues.append(f"{path}: {len(bad)} sample line(s) skipped: {join_problems(bad, _MAX_LINE_ISSUES)}")
    return samples


def _load_run(path: Path, issues: list[str]) -> list[TaskLog]:
    try:
        with open_regular(path) as handle:
            results = json.loads(handle.read().decode("utf-8"))
        if not isinstance(results, dict) or not isinstance(results.get("results"), dict):
            raise ValueError("no `results` table")
    except NotReadable as error:
        issues.append(f"{error}; skipped")
        return []
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, RecursionError, ValueError) as error:
        issues.append(f"{path}: unreadable results file ({plain_text(error)[:200]}); skipped")
        return []
    prefix = path.name[: -len(RESULTS_SUFFIX)]
    configs = results.get("configs") if isinstance(results.get("configs"), dict) else {}
    counts = results.get("n-samples") if isinstance(results.get("n-samples"), dict) else {}
    found: list[tuple[str, str, str, dict[str, Any], Path, list[Sample], int]] = []
    for task in sorted(results["results"]):
        parsed = parse_wording_task_name(task)
        if parsed is None:
            continue
        family, setting, wording = parsed
        samples_path = path.parent / f"{prefix}{SAMPLES_INFIX}{task}.jsonl"
        if not samples_path.exists():
            issues.append(
                f"{path}: {task} has results but no samples file (run lmms-eval with --log_samples); left out"
            )
            continue
        samples = _read_samples(samples_path, family, setting, issues)
        entry = counts.get(task)
        expected = entry.get("effective") if isinstance(entry, dict) else None
        if isinstance(expected, int) and not isinstance(expected, bool) and len(samples) != expected:
            issues.append(f"{samples_path}: {len(samples)} usable samples, the results file says {expected}")
        if not samples:
            issues.append(f"{samples_path}: no usable samples; {task} left out")
            continue
        config = configs.get(task) if isinstance(configs.get(task), dict) else {}
        metadata = config.get("metadata") if isinstance(config.get("metadata"), dict) else {}
        if metadata.get(WORDING_KEY, CANONICAL_WORDING) != wording:
            # A paraphrase task's metadata names its wording (a canonical task's names none): a name and metadata that
            # disagree are a hand-edited YAML, whose prompts nobody knows.
            issues.append(
                f"{path}: {task}'s metadata names wording {plain_text(metadata.get(WORDING_KEY))[:20]}, its name "
                f"wording {wording}; left out"
            )
            continue
        found.append((task, family, setting, metadata, samples_path, samples, wording))
    records = (sample.record for *_, samples, _ in found for sample in samples[:1])
    run = _run_info(path, results, _lmms_eval_version(results, records), issues)
    tasks = [TaskLog(run, *task) for task in found]
    if not tasks and not any(parse_wording_task_name(task) for task in results["results"]):
        issues.append(f"{path}: no compgap tasks in this run; skipped")
    return tasks


def load_outputs(paths: Iterable[str | Path]) -> Loaded:
    """Every compgap task with samples under `paths` (output folders or results files), and the issues."""
    loaded = Loaded()
    results_files, samples_files = _results_files([Path(path) for path in paths], loaded.issues)
    for path in results_files:
        loaded.tasks.extend(_load_run(path, loaded.issues))
    prefixes = {(path.parent, path.name[: -len(RESULTS_SUFFIX)]) for path in results_files}
    for path in samples_files:
        if (path.parent, path.name.split(SAMPLES_INFIX, 1)[0]) not in prefixes:
            loaded.issues.append(f"{path}: samples without a results file beside them (an unfinished run?); skipped")
    if not results_files:
        loaded.issues.append("no lmms-eval results files (*_results.json) found under " + ", ".join(map(str, paths)))
    return loaded

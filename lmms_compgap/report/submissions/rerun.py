"""Spot-check re-runs: regenerate a few of a submission's responses through lmms-eval and compare them.

Responses are unsigned: a submitter could edit one and recompute every hash and number. A re-run asks the
model the file names, with the arguments it records, for a few items chosen from the file's hash, through the
real `python -m lmms_eval` command line, and compares the texts. What is run and why is in docs/submissions.md.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from lmms_compgap.core import data as data_files
from lmms_compgap.core.pipeline import split_step2_arguments
from lmms_compgap.core.registry import get_family
from lmms_compgap.core.regular import NotReadable, open_regular
from lmms_compgap.errors import SubmissionRejected, join_problems
from lmms_compgap.report.compute.scores import ItemScore
from lmms_compgap.report.files.runs import load_outputs
from lmms_compgap.report.logs import model_arguments
from lmms_compgap.report.render.literal import plain_text
from lmms_compgap.report.submissions.build import raw_response
from lmms_compgap.report.submissions.document import rescore
from lmms_compgap.report.submissions.model_source import is_folder

#: The most responses one re-run regenerates: each distinct item is one model load inside lmms-eval.
MAX_RERUN = 100
#: Seconds the whole lmms-eval re-run may take before it is stopped (and the re-run reported as not done).
DEFAULT_TIMEOUT = 3600
#: lmms-eval's marker for a request an API model could not answer: the model did not run, nothing to compare.
_REQUEST_FAILED = "[LMMS_EVAL_REQUEST_FAILED"
#: Model arguments that make loading run code from the model's repository: never from an untrusted file.
_REMOTE_CODE_KEYS = ("trust_remote_code",)
#: lmms-eval models that ask a server instead of loading weights here: a re-run would ask whatever server the
#: file names (one the submitter runs could replay the submitted responses), so it proves nothing.
_SERVED_MODELS = frozenset({"openai", "openai_compatible", "litellm", "async_openai"})
#: Argument names that point a model at a server.
_SERVER_KEY_PARTS = ("url", "api_base", "api_key", "endpoint", "host")
#: Arguments a re-run drops: it must generate every response afresh (never read a resume cache) and write
#: nothing where an untrusted file says.
_DROPPED_KEYS = frozenset({"cache_dir"})
_TRUE = {"1", "true", "yes", "on"}
_OUTPUT_TAIL = 600


@dataclass(frozen=True)
class Pick:
    """One submitted response chosen for the re-run."""

    run: int
    task: str
    family: str
    setting: str
    doc_id: int
    uid: str
    response: str

    @property
    def where(self) -> str:
        return f"{self.task} doc_id {self.doc_id}"


@dataclass(frozen=True)
class Comparison:
    """A chosen response next to the one the re-run generated."""

    pick: Pick
    regenerated: str
    same_verdicts: bool

    @property
    def same_text(self) -> bool:
        return self.regenerated == self.pick.response


@dataclass
class RerunResult:
    """What a re-run chose and found, or why it was not done (`skipped`): never a pretended pass."""

    seed: str
    picks: list[Pick]
    comparisons: list[Comparison] = field(default_factory=list)
    skipped: str | None = None

    @property
    def mismatches(self) -> list[Comparison]:
        """Regenerated responses that fail the tolerance (docs/submissions.md): a different verdict."""
        return [comparison for comparison in self.comparisons if not comparison.same_verdicts]

    @property
    def text_only_differences(self) -> list[Comparison]:
        return [c for c in self.comparisons if c.same_verdicts and not c.same_text]

    def summary(self) -> str:
        if self.skipped:
            return f"re-run skipped: {self.skipped}"
        same = sum(comparison.same_text for comparison in self.comparisons)
        text = f"re-run of {len(self.comparisons)} responses (seed {self.seed[:16]}): {same} identical"
        drift = self.text_only_differences
        if drift:
            text += f", {len(drift)} different text with the same verdicts ({', '.join(c.pick.where for c in drift)})"
        return text


def rerun_seed(payload: bytes, salt: str = "") -> str:
    """The seed that picks the items: the sha256 of the file's bytes, mixed with the verifier's salt if any (a
    salt the submitter cannot know stops them from trying file variants until the pick misses an edited item)."""
    digest = hashlib.sha256(payload).hexdigest()
    return hashlib.sha256(f"{salt}\0{digest}".encode()).hexdigest() if salt else digest


def choose_items(document: Mapping[str, Any], seed: str, n: int) -> list[Pick]:
    """`n` responses of the file, each ranked by sha256(seed, task, doc_id): the same file and salt always give
    the same items, on any machine and Python version, and nobody can steer the order without the seed."""

    def rank(task: str, doc_id: int) -> str:
        return hashlib.sha256(f"{seed}/{task}/{doc_id}".encode()).hexdigest()

    candidates = [
        (rank(entry["task"], item["doc_id"]), entry, item) for entry in document["tasks"] for item in entry["items"]
    ]
    chosen = sorted(candidates, key=lambda candidate: candidate[0])[:n]
    picks = [
        Pick(
            entry["run"],
            entry["task"],
            entry["family"],
            entry["setting"],
            item["doc_id"],
            item["uid"],
            item["response"],
        )
        for _, entry, item in chosen
    ]
    return sorted(picks, key=lambda pick: (pick.run, pick.doc_id, pick.task))


def gen_kwargs_argument(recorded: str) -> str | None:
    """The run's `--gen_kwargs` as lmms-eval takes it. Results files record it parsed (a JSON object, which
    `compgap submit` keeps as text), older ones as the command line's string; no generation arguments is None."""
    text = recorded.strip()
    if text in ("", "null", "{}", "None"):
        return None
    try:
        parsed = json.loads(text)
    except ValueError:
        return text
    if not isinstance(parsed, dict):
        return text
    return ",".join(f"{key}={value}" for key, value in parsed.items())


def _sampled(gen_kwargs: str | None) -> str | None:
    """Why the run's decoding is not greedy (its texts cannot be reproduced), or None."""
    arguments = model_arguments(gen_kwargs or "")
    if arguments.get("do_sample", "").lower() in _TRUE:
        return "do_sample=True"
    for key in ("temperature", "num_beams"):
        try:
            value = float(arguments.get(key, "0"))
        except ValueError:
            return f"{key}={plain_text(arguments[key])[:40]}"
        if (key == "temperature" and value > 0) or (key == "num_beams" and value > 1):
            return f"{key}={arguments[key]}"
    return None


def why_not_rerunnable(run: Mapping[str, Any]) -> str | None:
    """Why the run a submission records cannot be re-run here, in words, or None when it can be tried."""
    model = run["lmms_eval_model"].strip()
    if not model:
        return "the file does not record the lmms-eval model"
    arguments = model_arguments(run["model_args"])
    served = {model, arguments.get("inner", "")} & _SERVED_MODELS
    server_keys = sorted(key for key in arguments if any(part in key.lower() for part in _SERVER_KEY_PARTS))
    if served or server_keys:
        return (
            "the model is asked through a server, not loaded here (a server the submitter runs could replay the "
            "submitted responses); re-run it against the model itself"
        )
    for key in _REMOTE_CODE_KEYS:
        if arguments.get(key, "").lower() in _TRUE:
            return (
                f"its model_args ask for {key} (code from the model's repository would run here); re-run it by "
                "hand in a sandbox if you trust it"
            )
    step2 = split_step2_arguments(arguments)[1]
    if step2:  # a pipeline: its step-2 model must be as safe to load here as the step-1 model
        step2_args = ",".join(f"{key}={value}" for key, value in step2.items() if key != "inner")
        why = why_not_rerunnable(
            {"lmms_eval_model": step2.get("inner", ""), "model_args": step2_args, "gen_kwargs": run["gen_kwargs"]}
        )
        if why:
            return f"its step-2 model (step2_ arguments): {why}"
    sampled = _sampled(gen_kwargs_argument(run["gen_kwargs"]))
    if sampled:
        return f"the run sampled ({sampled}): only greedy decoding can be reproduced"
    pretrained = arguments.get("pretrained") or arguments.get("model")
    source = run.get("model_source")
    # Files made before `model_source` was recorded: a path-like argument is a folder of the submitter's machine.
    local = source["local"] if source else bool(pretrained) and pretrained.startswith(("/", "./", "../", "~", "\\"))
    if local and pretrained and not is_folder(pretrained):
        return f"the model was loaded from a local folder ({plain_text(pretrained)[:200]}) that is not on this machine"
    return None


def rerun_model_args(recorded: str) -> str:
    """The recorded model arguments less those a re-run drops (`_DROPPED_KEYS`: a resume cache)."""
    kept = [part for part in recorded.split(",") if part.partition("=")[0].strip() not in _DROPPED_KEYS]
    return ",".join(kept)


def _group_configs(
    document: Mapping[str, Any], picks: Sequence[Pick], out: Path, device: str
) -> list[tuple[Path, dict[str, Any]]]:
    """One lmms-eval configuration per (run, item): `--offset doc_id --limit 1` keeps the installed task, its
    prompt and its doc_id exactly as in the submitted run; only the chosen settings' tasks are run."""
    groups: dict[tuple[int, int], list[str]] = {}
    for pick in picks:
        groups.setdefault((pick.run, pick.doc_id), []).append(pick.task)
    own_roots = {data_files.task_yamls_root()}
    configs = []
    for index, ((run_index, doc_id), tasks) in enumerate(sorted(groups.items())):
        run = document["runs"][run_index]
        folder = out / f"{index:03d}-run{run_index}-doc{doc_id}"
        config: dict[str, Any] = {
            "model": run["lmms_eval_model"],
            "model_args": rerun_model_args(run["model_args"]),
            "tasks": ",".join(sorted(set(tasks))),
            "offset": doc_id,
            "limit": 1,
            "batch_size": run.get("batch_size") or "1",
            "device": device,
            "log_samples": True,
            "output_path": str(folder),
        }
        gen_kwargs = gen_kwargs_argument(run["gen_kwargs"])
        if gen_kwargs:
            config["gen_kwargs"] = gen_kwargs
        # A family of another package is run from its own task tree, as its users run it (docs/design.md).
        roots = {str(get_family(pick.family).task_root()) for pick in picks if pick.run == run_index}
        extra = sorted(root for root in roots if Path(root) not in own_roots)
        if extra:
            config["include_path"] = extra
        configs.append((folder, config))
    return configs


def _regenerated(folders: Iterable[Path]) -> dict[tuple[str, int], str]:
    """(task, doc_id) -> the response the re-run logged (raw, as `compgap submit` keeps it)."""
    found: dict[tuple[str, int], str] = {}
    for folder in folders:
        for log in load_outputs([folder]).tasks:
            for sample in log.samples:
                response = raw_response(sample.response)
                if response is not None:
                    found[(log.task, sample.doc_id)] = response
    return found


def _tail(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return plain_text(" | ".join(lines[-3:]))[-_OUTPUT_TAIL:]


def default_device() -> str:
    """The device a re-run uses unless told: the first GPU when torch sees one, else the CPU."""
    import torch

    return "cuda:0" if torch.cuda.is_available() else "cpu"


def run_configs(
    configs: Sequence[tuple[Path, dict[str, Any]]], work: Path, timeout: float, python: str | Path = sys.executable
) -> str | None:
    """Run lmms-eval once on all configurations (one process, a YAML list for `--config`); None when it ran,
    else why not (its last lines of output)."""
    config_path = work / "rerun.yaml"
    config_path.write_text(yaml.safe_dump([config for _, config in configs], sort_keys=True), encoding="utf-8")
    command = [str(python), "-m", "lmms_eval", "--config", str(config_path)]
    try:
        completed = subprocess.run(
            command, capture_output=True, text=True, errors="replace", timeout=timeout, cwd=work, env=dict(os.environ)
        )
    except subprocess.TimeoutExpired:
        return f"lmms-eval did not finish within {timeout:.0f} s (--rerun-timeout)"
    except OSError as error:
        return f"lmms-eval could not be started ({plain_text(error)})"
    missing = [folder.name for folder, _ in configs if not any(folder.rglob("*_results.json"))]
    # lmms-eval exits 0 when an evaluation fails, so a run counts as done only with its results files.
    if completed.returncode != 0 or missing:
        return (
            f"lmms-eval could not run the model (exit status {completed.returncode}, {len(missing)} of "
            f"{len(configs)} runs wrote no results): {_tail(completed.stdout + completed.stderr)}"
        )
    return None


def read_payload(path: Path, max_bytes: int) -> bytes:
    """The file's bytes (a regular file, at most `max_bytes`), to hash."""
    try:
        with open_regular(path) as handle:
            payload = handle.read(max_bytes + 1)
    except (NotReadable, OSError) as error:
        raise SubmissionRejected(f"{path}: cannot read it for the re-run ({plain_text(error)})") from None
    if len(payload) > max_bytes:
        raise SubmissionRejected(f"{path}: more than {max_bytes} bytes (--max-bytes); not read")
    return payload


def rerun_document(
    document: Mapping[str, Any],
    seed: str,
    n: int,
    device: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    python: str | Path = sys.executable,
    work: Path | None = None,
) -> RerunResult:
    """Regenerate `n` chosen responses of a verified submission and compare them (see RerunResult)."""
    if not 1 <= n <= MAX_RERUN:
        raise ValueError(f"--rerun must be between 1 and {MAX_RERUN}, not {n}")
    picks = choose_items(document, seed, n)
    result = RerunResult(seed, picks)
    reasons = {pick.run: why_not_rerunnable(document["runs"][pick.run]) for pick in picks}
    refused = sorted({reason for reason in reasons.values() if reason})
    if refused:
        result.skipped = "; ".join(refused)
        return result
    with contextlib.ExitStack() as stack:
        if work is None:
            work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="compgap-rerun-")))
        configs = _group_configs(document, picks, work, device or default_device())
        failure = run_configs(configs, work, timeout, python)
        if failure:
            result.skipped = failure
            return result
        regenerated = _regenerated(folder for folder, _ in configs)
    absent = [pick.where for pick in picks if (pick.task, pick.doc_id) not in regenerated]
    failed = [pick.where for pick in picks if _REQUEST_FAILED in regenerated.get((pick.task, pick.doc_id), "")]
    if absent or failed:
        detail = f"no response logged for {', '.join(absent)}" if absent else f"requests failed for {', '.join(failed)}"
        result.skipped = f"lmms-eval ran but the model did not answer ({detail})"
        return result
    for pick in picks:
        response = regenerated[(pick.task, pick.doc_id)]
        row = get_family(pick.family).installed_rows()[pick.doc_id]
        same = _verdicts(rescore(row, pick.setting, response)) == _verdicts(rescore(row, pick.setting, pick.response))
        result.comparisons.append(Comparison(pick, response, same))
    return result


def _verdicts(score: ItemScore) -> tuple[int, int, int | None]:
    return score.correct, score.strict, score.usable


def mismatch_reason(path: Path, result: RerunResult) -> SubmissionRejected:
    """The rejection for responses the model does not give, naming the items."""
    problems = [
        f"{c.pick.where}: the file's response scores differently from the model's re-generated one "
        f"(sha256 {hashlib.sha256(c.regenerated.encode('utf-8', 'surrogatepass')).hexdigest()[:12]}, "
        f"file {hashlib.sha256(c.pick.response.encode('utf-8', 'surrogatepass')).hexdigest()[:12]})"
        for c in result.mismatches
    ]
    return SubmissionRejected(
        f"{path}: re-run (seed {result.seed[:16]}): {len(problems)} of {len(result.comparisons)} responses were not "
        f"generated by the recorded model and arguments: {join_problems(problems)}"
    )


def rerun_file(
    path: Path, n: int, max_bytes: int, salt: str = "", device: str | None = None, timeout: float = DEFAULT_TIMEOUT
) -> RerunResult:
    """Re-run `n` responses of the already verified submission at `path`; SubmissionRejected when any of them is
    not what the recorded model gives (see RerunResult for the tolerance)."""
    from lmms_compgap.report.files.safe_json import load_json_file

    payload = read_payload(path, max_bytes)
    result = rerun_document(load_json_file(path, max_bytes), rerun_seed(payload, salt), n, device, timeout)
    if result.mismatches:
        raise mismatch_reason(path, result)
    return result

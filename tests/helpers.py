"""What test files share: the repository's paths, the lmms-eval runner, simulated fields and submissions, verdict rows.

Fixtures live in the conftest.py of the folder that uses them; builders of stand-in models, servers and data live in
tests/fixtures/. A test file imports from here or from tests/fixtures/, never from another test file.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import pytest
import yaml

from lmms_compgap.core.family import TaskFamily
from lmms_compgap.core.rendering import rendering_of
from lmms_compgap.core.settings import parse_task_name
from lmms_compgap.report.simulate import SimulatedModel
from lmms_compgap.tasks.reader import load_task_yaml as read_task_yaml
from tests.fixtures.once import build_once

REPO = Path(__file__).resolve().parents[1]
TINY_QWEN_ARGS = "device_map=cpu,max_pixels=50176,min_pixels=3136"


def offline_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        HF_HUB_OFFLINE="1",
        HF_DATASETS_OFFLINE="1",
        TRANSFORMERS_OFFLINE="1",
        TOKENIZERS_PARALLELISM="false",
        PYTHONHASHSEED="0",
    )
    env.update(extra)
    return env


def load_task_yaml(family: str | None, name: str) -> dict[str, Any]:
    """A task YAML of `task_yamls/<family>/` (or `task_yamls/`) with its includes merged, as lmms-eval merges them."""
    return read_task_yaml(REPO / "task_yamls" / (family or "") / name)


def generated_task_metadata(family: TaskFamily, fingerprint: str) -> dict[str, Any]:
    """The `metadata` a generated family's task YAMLs carry (a rendering variant also names its family and how)."""
    variant = rendering_of(family)
    return {
        "version": family.task_version,
        "family": family.name,
        "data_version": family.data_version,
        "data_fingerprint": fingerprint,
        **({"rendering_of": variant[0], "rendering": variant[1]} if variant else {}),  # written out: what to expect
    }


def row_with(rows: list[dict[str, Any]], **attributes: Any) -> dict[str, Any]:
    """The first row whose difficulty attributes have these values."""
    for row in rows:
        found = json.loads(row["attributes"])
        if all(found.get(key) == value for key, value in attributes.items()):
            return row
    raise LookupError(attributes)


@dataclass
class LmmsEvalRun:
    """What one `lmms-eval` invocation printed and wrote."""

    returncode: int
    output: str
    results: dict[str, Any] | None
    samples: dict[str, list[dict[str, Any]]]
    output_path: Path

    def task_results(self, task: str) -> dict[str, Any]:
        assert self.results is not None, self.output[-3000:]
        return self.results["results"][task]

    def canonical_samples(self) -> dict[str, list[dict[str, Any]]]:
        """The samples of the canonical compgap tasks (what `--tasks compgap` logs), without paraphrase tasks."""
        return {task: samples for task, samples in self.samples.items() if parse_task_name(task) is not None}


def run_lmms_eval(
    args: list[str],
    output_path: Path,
    timeout: float = 900,
    env: dict[str, str] | None = None,
    python: str | Path = sys.executable,
) -> LmmsEvalRun:
    """Run the real `lmms-eval` command line (of the environment of `python`) and collect its result and sample files.

    lmms-eval exits 0 even when evaluation failed, so callers check `results` too.
    """
    command = [str(python), "-m", "lmms_eval", *args, "--output_path", str(output_path)]
    output_path.parent.mkdir(parents=True, exist_ok=True)
    completed = subprocess.run(
        command, capture_output=True, text=True, timeout=timeout, env=env or offline_env(), cwd=output_path.parent
    )
    return collect_run(completed, output_path)


def collect_run(completed: subprocess.CompletedProcess, output_path: Path) -> LmmsEvalRun:
    """What a finished lmms-eval process printed and wrote under `output_path`."""
    return read_run(completed.returncode, completed.stdout + completed.stderr, output_path)


def read_run(returncode: int, output: str, output_path: Path) -> LmmsEvalRun:
    """An lmms-eval run from its exit status, what it printed, and the files it wrote under `output_path`."""
    result_files = sorted(output_path.rglob("*_results.json"))
    results = json.loads(result_files[-1].read_text()) if result_files else None
    samples: dict[str, list[dict[str, Any]]] = {}
    for sample_file in sorted(output_path.rglob("*_samples_*.jsonl")):
        task = sample_file.stem.split("_samples_", 1)[1]
        samples[task] = [json.loads(line) for line in sample_file.read_text().splitlines() if line.strip()]
    return LmmsEvalRun(returncode, output, results, samples, output_path)


def tiny_model_dir(tmp_path_factory: pytest.TempPathFactory, kind: str) -> Path:
    """The tiny random model of `kind` (a key of `tests/fixtures/tiny_models.BUILDERS`), built once for the whole
    test run, every worker included. Read-only: a test that edits it copies it first."""
    from tests.fixtures.tiny_models import BUILDERS

    _, built = build_once(tmp_path_factory, f"tiny-{kind}", lambda folder: str(BUILDERS[kind](folder / kind)))
    return Path(built)


E2E_LIMIT = 4
#: The paraphrase tasks the session's shared cascade run carries beside `compgap` (`tests/conftest.py`): the gap under
#: mathtext's first paraphrase, for the report's wording section (the other paraphrase tasks' YAMLs are checked
#: without a run: six paraphrase tasks here cost about 14 s more); a run of `--tasks compgap` compares with the rest
#: (`canonical_samples`).
E2E_WORDING_TASKS = ["compgap_mathtext_direct_w1", "compgap_mathtext_cascade_w1"]
#: What every end-to-end run passes, as an lmms-eval `--config` entry and as command-line arguments.
E2E_COMMON_CONFIG: dict[str, Any] = {
    "device": "cpu",
    "batch_size": 2,
    "limit": E2E_LIMIT,
    "gen_kwargs": "max_new_tokens=8",
    "log_samples": True,
}


def command_line(config: dict[str, Any]) -> list[str]:
    """An lmms-eval `--config` entry as command-line arguments (`True`: a flag)."""
    return [
        part for key, value in config.items() for part in ([f"--{key}"] if value is True else [f"--{key}", str(value)])
    ]


E2E_COMMON_ARGS = command_line(E2E_COMMON_CONFIG)
RECORDER = REPO / "tests" / "fixtures" / "recording_lmms_eval.py"


def run_lmms_eval_list(
    configs: dict[str, dict[str, Any]], folder: Path, timeout: float = 1800, env: dict[str, str] | None = None
) -> None:
    """Several lmms-eval runs in ONE process, one after the other (a `--config` list, through
    tests/fixtures/recording_lmms_eval.py: the runs share the start-up and the task index, a stop ends only its
    own run): run `name` writes to `folder/name`; `read_runs(folder, names)` reads them. Each run costs its model's
    load and work, not the 8 s of CPU of a process's start-up."""
    entries = [{**config, "output_path": str(folder / name)} for name, config in configs.items()]
    (folder / "runs.yaml").write_text(yaml.safe_dump(entries), encoding="utf-8")
    completed = subprocess.run(
        [sys.executable, str(RECORDER), "--config", str(folder / "runs.yaml")],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,  # one stream, in order, so that each run's part can be cut out
        text=True,
        timeout=timeout,
        env=env or offline_env(PYTHONUNBUFFERED="1"),
        cwd=folder,
    )
    printed = {"returncode": completed.returncode, "output": completed.stdout}
    (folder / "runs.json").write_text(json.dumps(printed), encoding="utf-8")


def read_runs(folder: Path, names: Iterable[str]) -> dict[str, LmmsEvalRun]:
    """The runs of `run_lmms_eval_list` in `folder`: the process's exit status, what each run printed, its files."""
    from tests.fixtures.recording_lmms_eval import run_output

    printed = json.loads((folder / "runs.json").read_text(encoding="utf-8"))
    return {
        name: read_run(printed["returncode"], run_output(printed["output"], folder / name), folder / name)
        for name in names
    }


@contextlib.contextmanager
def complete_at(limit: int) -> Iterator[None]:
    """Submissions of `limit` items per family count as complete (simulating the canonical 1,000 is slow)."""
    from lmms_compgap.core.registry import family_names
    from lmms_compgap.report.submissions import document as submission

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(submission, "expected_sizes", lambda: dict.fromkeys(family_names(), limit))
        yield


#: A model name that is markup with scripts (the field holds a partial submission under this name).
HOSTILE_NAME = """<script>document.title="pwned"</script><img src=x onerror="document.title='pwned'">"""
#: Items per family of the simulated leaderboard field: enough that its groups stand apart by many intervals.
FIELD_LIMIT = 200


@dataclass
class Field:
    """`LEADERBOARD_FIELD` as complete submissions (at FIELD_LIMIT items) and a partial one named HOSTILE_NAME,
    and the board built from them."""

    folder: Path
    board: Any  # lmms_compgap.report.compute.leaderboard.Leaderboard (imported lazily, like the package's CLI)

    def entry(self, stem: str) -> Any:
        return next(
            entry for entry in self.board.ranked + self.board.unranked if entry.verified.path.name == f"{stem}.json"
        )


# ---- the simulated run and honest submission of conftest's `run_output` and `honest` -------------------
SUBMITTED_LIMIT = 12


SUBMITTED_MODEL = SimulatedModel("org/model-a", see=0.8, reason=0.8, compose=0.5, seed=4)


# ---- the grading tables: one row per response, with the verdict a careful grader gives ----------------
class Verdict(NamedTuple):
    response: str
    target: str
    correct: int
    strict: int
    why: str
    reason: str | None = None  # a fragment of `read_answer(...).reason` (None: the reader finds a value)


def verdict_params(cases: list[Verdict]) -> list[Any]:
    return [pytest.param(case, id=case.why) for case in cases]

"""Shared fixtures: a tiny random-weight Qwen2.5-VL, a runner for the real lmms-eval CLI, a simulated leaderboard."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from lmms_compgap.core.task_yaml import load_task_yaml as read_task_yaml
from lmms_compgap.report.simulate import SimulatedModel, simulate_run
from tests.fixtures.once import build_once

REPO = Path(__file__).resolve().parents[1]
TINY_QWEN_ARGS = "device_map=cpu,max_pixels=50176,min_pixels=3136"


def pytest_configure(config: pytest.Config) -> None:
    # A fresh picture cache per test session (inherited by the lmms-eval subprocesses), so that a
    # cache left by another version of the code can never stand in for drawing.
    os.environ["COMPGAP_IMAGE_CACHE"] = tempfile.mkdtemp(prefix="compgap-pictures-")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Under pytest-xdist, every worker starts with long tests and ends with short ones.

    `--dist worksteal` hands the collection out in one contiguous chunk per worker (the first len // workers items
    to the first, ...); a worker that runs dry steals from the end of the longest queue. So each chunk here begins
    with its share of the files holding an end-to-end test (dealt largest first, by their number of `e2e` tests,
    the only cost known before running them) and is filled up with the others: the minutes-long tests start at
    once on every worker, what is stolen at the end is short, and the run does not end on one long test while the
    other workers wait. Each file stays whole and in order where it can, so its module fixtures are built once.
    """
    workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))  # set by pytest-xdist in its workers
    if workers < 2:
        return
    files: dict[Path, list[pytest.Item]] = {}
    for item in items:
        files.setdefault(item.path, []).append(item)
    slow = {path: sum(1 for item in tests if item.get_closest_marker("e2e")) for path, tests in files.items()}
    chunks: list[list[pytest.Item]] = [[] for _ in range(workers)]
    weights = [0] * workers
    for path in sorted((path for path in files if slow[path]), key=lambda path: -slow[path]):
        lightest = weights.index(min(weights))
        chunks[lightest].extend(files[path])
        weights[lightest] += slow[path]
    short = [item for path, tests in files.items() if not slow[path] for item in tests]
    ordered: list[pytest.Item] = []
    for index, chunk in enumerate(chunks):
        size = (len(items) - len(ordered)) // (workers - index)  # what xdist sends this worker
        filler = max(0, size - len(chunk)) if index < workers - 1 else len(short)
        ordered += chunk + short[:filler]
        del short[:filler]
    items[:] = ordered


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


def row_with(rows: list[dict[str, Any]], **attributes: Any) -> dict[str, Any]:
    """The first row whose difficulty attributes have these values."""
    for row in rows:
        found = json.loads(row["attributes"])
        if all(found.get(key) == value for key, value in attributes.items()):
            return row
    raise LookupError(attributes)


def tiny_model_dir(tmp_path_factory: pytest.TempPathFactory, kind: str) -> Path:
    """The tiny random model of `kind` (a key of `tests/fixtures/tiny_models.BUILDERS`), built once for the whole
    test run, every worker included. Read-only: a test that edits it copies it first."""
    from tests.fixtures.tiny_models import BUILDERS

    _, built = build_once(tmp_path_factory, f"tiny-{kind}", lambda folder: str(BUILDERS[kind](folder / kind)))
    return Path(built)


@pytest.fixture(scope="session")
def tiny_qwen_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tiny_model_dir(tmp_path_factory, "qwen2_5_vl")


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


E2E_LIMIT = 4
E2E_COMMON_ARGS = [
    "--device",
    "cpu",
    "--batch_size",
    "2",
    "--limit",
    str(E2E_LIMIT),
    "--gen_kwargs",
    "max_new_tokens=8",
    "--log_samples",
]


@pytest.fixture(scope="session")
def cascade_run(tiny_qwen_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> LmmsEvalRun:
    """One `--tasks compgap` run through compgap_cascade, shared by the end-to-end tests (and their workers: its
    output folder is read-only, a test that edits it copies it)."""

    def run(folder: Path) -> dict[str, Any]:
        model_args = f"inner=qwen2_5_vl,pretrained={tiny_qwen_dir},{TINY_QWEN_ARGS}"
        args = ["--model", "compgap_cascade", "--model_args", model_args, "--tasks", "compgap", *E2E_COMMON_ARGS]
        done = run_lmms_eval(args, folder / "out")
        return {"returncode": done.returncode, "output": done.output}

    folder, printed = build_once(tmp_path_factory, "cascade-run", run)
    return read_run(printed["returncode"], printed["output"], folder / "out")


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


@pytest.fixture(scope="session")
def leaderboard_field(tmp_path_factory: pytest.TempPathFactory) -> Field:
    from lmms_compgap.report.compute.stats import BootstrapParams
    from lmms_compgap.report.files.leaderboard_folder import build_leaderboard
    from lmms_compgap.report.simulate import LEADERBOARD_FIELD, SimulatedModel, simulate_submission

    params = BootstrapParams(resamples=1000)

    def simulate(folder: Path) -> None:
        # The submissions are written once for every worker; each builds its board from them.
        with complete_at(FIELD_LIMIT):
            for stem, model in LEADERBOARD_FIELD.items():
                simulate_submission(folder / f"{stem}.json", model, params, limit=FIELD_LIMIT)
            hostile = SimulatedModel(HOSTILE_NAME, seed=9)
            simulate_submission(folder / "hostile.json", hostile, params, limit=4, allow_partial=True)

    folder, _ = build_once(tmp_path_factory, "leaderboard-field", simulate)
    with complete_at(FIELD_LIMIT):
        return Field(folder, build_leaderboard(folder, params=params))


# ---- one simulated run and its honest submission, shared by the submission and command tests ----------
SUBMITTED_LIMIT = 12


SUBMITTED_MODEL = SimulatedModel("org/model-a", see=0.8, reason=0.8, compose=0.5, seed=4)


@pytest.fixture(scope="session")
def run_output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A simulated lmms-eval output folder: SUBMITTED_MODEL on SUBMITTED_LIMIT items of every task."""
    out = tmp_path_factory.mktemp("submission") / "out"
    simulate_run(out, SUBMITTED_MODEL, limit=SUBMITTED_LIMIT)
    return out


@pytest.fixture(scope="session")
def honest(run_output: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The partial submission `compgap submit` makes from `run_output`."""
    from lmms_compgap.cli import main

    path = tmp_path_factory.mktemp("honest") / "model-a.json"
    assert main(["submit", str(run_output), "--out", str(path), "--partial", "--resamples", "1000"]) == 0
    return path

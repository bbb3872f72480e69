"""Session fixtures shared by every folder: a tiny random-weight Qwen2.5-VL and one cascade run through the real
lmms-eval CLI, a simulated leaderboard field, a simulated run and its honest submission. What test files import
(paths, the lmms-eval runner, constants) lives in tests/helpers.py."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

# One compute thread per process unless told otherwise: the suite runs one pytest worker per core and each starts
# lmms-eval processes, so torch's default (a thread per core, spinning while it waits) only oversubscribes the cores.
# Set before torch is imported here or in any subprocess (they inherit the environment). A test may still ask for more.
os.environ.setdefault("OMP_NUM_THREADS", "1")

import pytest  # noqa: E402

from lmms_compgap.report.simulate import SimulatedModel, simulate_run  # noqa: E402
from tests.fixtures.once import build_once
from tests.helpers import (
    E2E_COMMON_ARGS,
    E2E_WORDING_TASKS,
    FIELD_LIMIT,
    HOSTILE_NAME,
    SUBMITTED_LIMIT,
    SUBMITTED_MODEL,
    TINY_QWEN_ARGS,
    Field,
    LmmsEvalRun,
    complete_at,
    read_run,
    run_lmms_eval,
    tiny_model_dir,
)


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


@pytest.fixture(scope="session")
def tiny_qwen_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tiny_model_dir(tmp_path_factory, "qwen2_5_vl")


@pytest.fixture(scope="session")
def cascade_run(tiny_qwen_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> LmmsEvalRun:
    """One `--tasks compgap` run through compgap_cascade, shared by the end-to-end tests (and their workers: its
    output folder is read-only, a test that edits it copies it). It also carries a few paraphrase tasks
    (E2E_WORDING_TASKS): one more lmms-eval process would cost more than their calls."""

    def run(folder: Path) -> dict[str, Any]:
        model_args = f"inner=qwen2_5_vl,pretrained={tiny_qwen_dir},{TINY_QWEN_ARGS}"
        tasks = ",".join(["compgap", *E2E_WORDING_TASKS])
        args = ["--model", "compgap_cascade", "--model_args", model_args, "--tasks", tasks, *E2E_COMMON_ARGS]
        done = run_lmms_eval(args, folder / "out")
        return {"returncode": done.returncode, "output": done.output}

    folder, printed = build_once(tmp_path_factory, "cascade-run", run)
    return read_run(printed["returncode"], printed["output"], folder / "out")


@pytest.fixture(scope="session")
def leaderboard_field(tmp_path_factory: pytest.TempPathFactory) -> Field:
    from lmms_compgap.report.compute.stats import BootstrapParams
    from lmms_compgap.report.files.leaderboard_folder import build_leaderboard
    from lmms_compgap.report.simulate import LEADERBOARD_FIELD, simulate_submission

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

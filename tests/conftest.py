"""Session fixtures shared by every folder: a tiny random-weight Qwen2.5-VL and one cascade run through the real
lmms-eval CLI, a simulated leaderboard field, a simulated run and its honest submission. What test files import
(paths, the lmms-eval runner, constants) lives in tests/helpers.py."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from lmms_compgap.report.simulate import SimulatedModel, simulate_run
from tests.helpers import (
    E2E_COMMON_ARGS,
    FIELD_LIMIT,
    HOSTILE_NAME,
    SUBMITTED_LIMIT,
    SUBMITTED_MODEL,
    TINY_QWEN_ARGS,
    Field,
    LmmsEvalRun,
    complete_at,
    run_lmms_eval,
)


def pytest_configure(config: pytest.Config) -> None:
    # A fresh picture cache per test session (inherited by the lmms-eval subprocesses), so that a
    # cache left by another version of the code can never stand in for drawing.
    os.environ["COMPGAP_IMAGE_CACHE"] = tempfile.mkdtemp(prefix="compgap-pictures-")


@pytest.fixture(scope="session")
def tiny_qwen_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tests.fixtures.tiny_models import build_tiny_qwen2_5_vl

    return build_tiny_qwen2_5_vl(tmp_path_factory.mktemp("models") / "tiny-qwen2.5-vl")


@pytest.fixture(scope="session")
def cascade_run(tiny_qwen_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> LmmsEvalRun:
    """One `--tasks compgap` run through compgap_cascade, shared by the end-to-end tests."""
    out = tmp_path_factory.mktemp("cascade-run") / "out"
    return run_lmms_eval(
        [
            "--model",
            "compgap_cascade",
            "--model_args",
            f"inner=qwen2_5_vl,pretrained={tiny_qwen_dir},{TINY_QWEN_ARGS}",
            "--tasks",
            "compgap",
            *E2E_COMMON_ARGS,
        ],
        out,
    )


@pytest.fixture(scope="session")
def leaderboard_field(tmp_path_factory: pytest.TempPathFactory) -> Field:
    from lmms_compgap.report.compute.stats import BootstrapParams
    from lmms_compgap.report.files.leaderboard_folder import build_leaderboard
    from lmms_compgap.report.simulate import LEADERBOARD_FIELD, simulate_submission

    params = BootstrapParams(resamples=1000)
    folder = tmp_path_factory.mktemp("field") / "submissions"
    folder.mkdir()
    with complete_at(FIELD_LIMIT):
        for stem, model in LEADERBOARD_FIELD.items():
            simulate_submission(folder / f"{stem}.json", model, params, limit=FIELD_LIMIT)
        hostile = SimulatedModel(HOSTILE_NAME, seed=9)
        simulate_submission(folder / "hostile.json", hostile, params, limit=4, allow_partial=True)
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

"""Through the real `lmms-eval` command line, a broken model stops the run with exit status 1 at every verbosity.

lmms-eval exits 0 after an ordinary exception unless `--verbosity DEBUG`; compgap_cascade's stop
is a SystemExit, which it does not catch. The instant stand-in model answering "" plays the
broken model, so no weights load.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from lmms_compgap.core.settings import SETTINGS
from tests.helpers import collect_run, offline_env, run_lmms_eval

pytestmark = pytest.mark.e2e

LIMIT = 2
BROKEN = "inner=compgap_instant,response="


def _args(model_args: str, *extra: str) -> list[str]:
    return [
        "--model",
        "compgap_cascade",
        "--model_args",
        model_args,
        "--tasks",
        "compgap_mathtext",
        "--limit",
        str(LIMIT),
        "--log_samples",
        *extra,
    ]


@pytest.mark.parametrize("verbosity", ["INFO", "DEBUG"])
def test_a_model_failing_the_start_up_check_stops_the_run_with_exit_status_1(verbosity: str, tmp_path: Path) -> None:
    run = run_lmms_eval(_args(BROKEN, "--verbosity", verbosity), tmp_path / "out")
    assert run.returncode == 1, run.output[-3000:]
    assert run.results is None and not run.samples
    assert "the inner model `compgap_instant` failed its start-up check" in run.output
    assert "- text-only request: empty output" in run.output and "What to do:" in run.output


def test_most_calls_of_a_task_failing_stops_the_run_mid_way(tmp_path: Path) -> None:
    run = run_lmms_eval(_args(f"{BROKEN},startup_check=false"), tmp_path / "out")
    assert run.returncode == 1, run.output[-3000:]
    assert run.results is None, "no accuracy may be written for a model that never answered"
    assert f"{LIMIT} of the {LIMIT} finished calls of compgap_mathtext_" in run.output
    assert "max_failed_share=1" in run.output


def test_a_stop_on_one_rank_ends_a_torchrun_run_with_a_non_zero_status(tmp_path: Path) -> None:
    output_path = tmp_path / "out"
    launcher = [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", "2", "--master_port", "29563"]
    command = [*launcher, "-m", "lmms_eval", *_args(f"{BROKEN},startup_check=false"), "--output_path", str(output_path)]
    completed = subprocess.run(command, capture_output=True, text=True, timeout=600, env=offline_env(), cwd=tmp_path)
    run = collect_run(completed, output_path)
    assert run.returncode != 0 and run.results is None, run.output[-3000:]
    assert "compgap_cascade stopped the run" in run.output


def test_with_the_stop_turned_off_failed_calls_are_counted_in_every_setting(tmp_path: Path) -> None:
    run = run_lmms_eval(_args(f"{BROKEN},startup_check=false,max_failed_share=1"), tmp_path / "out")
    assert run.returncode == 0 and run.results is not None, run.output[-3000:]
    for setting in SETTINGS:
        task = f"compgap_mathtext_{setting}"
        assert run.task_results(task)["failed_calls,none"] == LIMIT, task
        assert all(sample["compgap"]["error"] == "empty output" for sample in run.samples[task]), task


def test_a_wrapper_loading_another_class_than_the_checkpoint_declares_stops_the_run(tmp_path: Path) -> None:
    from tests.fixtures.tiny_models import build_tiny_glm4v

    # lmms-eval's glm4v loads the MoE class for a dense checkpoint whose path lacks "Flash".
    model = build_tiny_glm4v(tmp_path / "tiny-glm-4.1v")
    run = run_lmms_eval(_args(f"inner=glm4v,pretrained={model},device_map=cpu", "--device", "cpu"), tmp_path / "out")
    assert run.returncode == 1 and run.results is None, run.output[-3000:]
    assert "loaded" in run.output and "as Glm4vMoeForConditionalGeneration, but its config.json declares" in run.output
    assert "inner=compgap_hf" in run.output

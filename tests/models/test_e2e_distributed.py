"""Data-parallel runs (torchrun and accelerate, 2 CPU processes, gloo) give the one-process results."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import E2E_COMMON_ARGS, TINY_QWEN_ARGS, LmmsEvalRun, collect_run, offline_env

pytestmark = pytest.mark.e2e

LAUNCHERS = {
    "torchrun": [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", "2", "--master_port", "29561"],
    # On a machine without GPUs `--multi_gpu` still starts one process per rank (gloo on the CPU);
    # `--cpu` would start a single process.
    "accelerate": [
        sys.executable,
        "-m",
        "accelerate.commands.launch",
        "--multi_gpu",
        "--num_processes",
        "2",
        "--main_process_port",
        "29562",
    ],
}


def _responses(run: LmmsEvalRun) -> dict[tuple[str, int], str]:
    canonical = run.canonical_samples()  # the shared run also carries paraphrase tasks; these runs do not
    return {(task, s["doc_id"]): s["filtered_resps"] for task, samples in canonical.items() for s in samples}


@pytest.mark.parametrize("launcher", sorted(LAUNCHERS))
def test_two_processes_give_the_same_scores_and_responses_as_one(
    launcher: str, cascade_run: LmmsEvalRun, tiny_qwen_dir: Path, tmp_path: Path
) -> None:
    output_path = tmp_path / "out"
    command = [
        *LAUNCHERS[launcher],
        "-m",
        "lmms_eval",
        "--model",
        "compgap_cascade",
        "--model_args",
        f"inner=qwen2_5_vl,pretrained={tiny_qwen_dir},{TINY_QWEN_ARGS}",
        "--tasks",
        "compgap",
        *E2E_COMMON_ARGS,
        "--output_path",
        str(output_path),
    ]
    completed = subprocess.run(command, capture_output=True, text=True, timeout=900, env=offline_env(), cwd=tmp_path)
    run = collect_run(completed, output_path)
    assert run.returncode == 0, run.output[-3000:]
    assert run.results is not None, run.output[-3000:]
    assert "Running on rank 1" in run.output, "the launcher must really start two processes"

    assert _responses(run) == _responses(cascade_run)
    for task, results in cascade_run.results["results"].items():
        if not task.startswith("compgap_") or task.count("_") != 2:
            continue
        for metric, value in results.items():
            if "," in metric and "stderr" not in metric:
                assert run.results["results"][task][metric] == pytest.approx(value), (task, metric)

"""A cascade run killed part-way resumes from its cache and ends with the uninterrupted run's results."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.helpers import E2E_COMMON_ARGS, TINY_QWEN_ARGS, LmmsEvalRun, offline_env, run_lmms_eval

pytestmark = pytest.mark.e2e


def _count_lines(directory: Path) -> int:
    return sum(len(path.read_text().splitlines()) for path in directory.glob("calls.rank*.jsonl"))


def test_killed_run_resumes_without_recomputing_and_matches_the_uninterrupted_run(
    cascade_run: LmmsEvalRun, tiny_qwen_dir: Path, tmp_path: Path
) -> None:
    cache = tmp_path / "cascade-cache"
    model_args = f"inner=qwen2_5_vl,pretrained={tiny_qwen_dir},{TINY_QWEN_ARGS},cache_dir={cache},chunk_size=2"
    args = ["--model", "compgap_cascade", "--model_args", model_args, "--tasks", "compgap", *E2E_COMMON_ARGS]

    first = tmp_path / "first"
    process = subprocess.Popen(
        [sys.executable, "-m", "lmms_eval", *args, "--output_path", str(first)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=offline_env(),
        cwd=tmp_path,
    )
    try:
        deadline = time.monotonic() + 600
        while _count_lines(cache) < 6 if cache.exists() else True:
            assert process.poll() is None, "the run ended before it could be interrupted"
            assert time.monotonic() < deadline, "no inner call was recorded in time"
            time.sleep(0.1)
        process.send_signal(signal.SIGKILL)
    finally:
        process.kill()
        process.wait()
    finished = _count_lines(cache)
    assert not list(first.rglob("*_results.json")), "the killed run must not have written results"

    resumed = run_lmms_eval(args, tmp_path / "resumed")
    assert resumed.returncode == 0 and resumed.results is not None, resumed.output[-3000:]
    reused = sum(int(n) for n in re.findall(r"reused from cache: (\d+)", resumed.output))
    assert reused >= min(finished, 6) and reused > 0

    canonical = cascade_run.canonical_samples()
    expected = {(t, s["doc_id"]): s["filtered_resps"] for t, samples in canonical.items() for s in samples}
    got = {(t, s["doc_id"]): s["filtered_resps"] for t, samples in resumed.samples.items() for s in samples}
    assert got == expected

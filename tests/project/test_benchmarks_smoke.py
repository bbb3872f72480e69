"""The benchmark script runs end to end in its short mode (figures are printed, never asserted)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.helpers import REPO, offline_env

pytestmark = pytest.mark.e2e


def test_benchmark_smoke_mode_prints_every_section() -> None:
    completed = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "run.py"), "--smoke"],
        capture_output=True,
        text=True,
        timeout=1200,
        env=offline_env(),
        cwd=REPO,
    )
    assert completed.returncode == 0, (completed.stdout + completed.stderr)[-4000:]
    for heading in (
        "## Per-item overhead",
        "## Full pass",
        "## Start-up our registration adds",
        "## Cascade vs direct",
        "## Pass-through",
        "## compgap report on 10 models",
        "## Generation and drawing throughput",
        "## compgap data export",
        "## compgap data check",
    ):
        assert heading in completed.stdout, heading

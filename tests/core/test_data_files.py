"""Corrupt, truncated or edited data files are refused with the file named and how to regenerate it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import datasets
import pytest

from lmms_compgap.cli import main
from lmms_compgap.core import data as data_files
from lmms_compgap.core.prompts import fill_prompt
from lmms_compgap.core.registry import generated_family_names, get_family
from lmms_compgap.tasks import hooks


@pytest.fixture()
def yaml_copy(tmp_path: Path) -> Path:
    root = tmp_path / "task_yamls"
    shutil.copytree(data_files.task_yamls_root(), root)
    return root


def _rewrite(path: Path, edit) -> None:
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(edit(lines)), encoding="utf-8")


def test_edited_answer_is_named_with_its_item(yaml_copy: Path) -> None:
    path = data_files.data_path("mathtext", yaml_copy)

    def edit(lines: list[str]) -> list[str]:
        row = json.loads(lines[7])
        row["answer"] = str(int(row["answer"]) + 1)
        lines[7] = data_files.canonical_line(row) + "\n"
        return lines

    _rewrite(path, edit)
    with pytest.raises(
        data_files.DataIntegrityError, match=r"item 7 \(mathtext-v1-00007\).*answer.*compgap data build"
    ):
        get_family("mathtext").verify_data_file(yaml_copy)


def test_truncated_file_is_refused(yaml_copy: Path) -> None:
    path = data_files.data_path("mathtext", yaml_copy)
    _rewrite(path, lambda lines: lines[:500])
    with pytest.raises(data_files.DataIntegrityError, match=r"500 items, expected 1000"):
        get_family("mathtext").verify_data_file(yaml_copy)


def test_corrupt_bytes_are_refused_with_the_line(yaml_copy: Path) -> None:
    path = data_files.data_path("mathtext", yaml_copy)
    payload = bytearray(path.read_bytes())
    payload[100:110] = b"\x00{{{{{{{{{"
    path.write_bytes(bytes(payload))
    with pytest.raises(data_files.DataIntegrityError, match=r"test\.jsonl:1: not a data row"):
        get_family("mathtext").verify_data_file(yaml_copy)


def test_missing_file_is_refused(yaml_copy: Path) -> None:
    data_files.data_path("mathtext", yaml_copy).unlink()
    with pytest.raises(data_files.DataIntegrityError, match="missing"):
        get_family("mathtext").verify_data_file(yaml_copy)


def test_lmms_eval_data_loading_refuses_an_edited_file(yaml_copy: Path) -> None:
    """What lmms-eval runs: datasets' json loader, then our process_docs hook."""
    path = data_files.data_path("mathtext", yaml_copy)
    _rewrite(path, lambda lines: [*lines[:3], lines[4], lines[3], *lines[5:]])  # two items swapped
    dataset = datasets.load_dataset("json", data_files={"test": str(path)}, split="test")
    with pytest.raises(hooks.DataRefused, match=r"the compgap data file loaded: item 3 \(mathtext-v1-00003\)"):
        hooks.verified_docs(dataset)


def test_data_build_reproduces_the_committed_bytes_and_cli_verify_agrees(yaml_copy: Path, capsys) -> None:
    committed = {name: get_family(name).data_file().read_bytes() for name in generated_family_names()}
    assert main(["data", "build", "--root", str(yaml_copy)]) == 0
    for name in generated_family_names():
        assert data_files.data_path(name, yaml_copy).read_bytes() == committed[name]
    assert main(["data", "verify", "--root", str(yaml_copy)]) == 0
    data_files.data_path("mathtext", yaml_copy).write_text("{}\n")
    assert main(["data", "verify", "--root", str(yaml_copy)]) == 1
    assert "mathtext: FAILED" in capsys.readouterr().err


def test_prompt_values_are_inserted_verbatim_never_interpreted() -> None:
    hostile = "{answer_format} {0} {__class__} }{"
    assert fill_prompt("Q: {intermediate}!", {"intermediate": hostile}) == f"Q: {hostile}!"
    with pytest.raises(ValueError):
        fill_prompt("{intermediate.__class__}", {"intermediate": "x"})
    with pytest.raises(KeyError):
        fill_prompt("{missing}", {})

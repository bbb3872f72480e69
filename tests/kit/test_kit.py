"""The composition-task kit end to end: `compgap new-family` writes a family that lints clean, registers, passes
the generic family tests, gets its task files from `compgap tasks build`, and runs through the real `lmms-eval`
command line with the tiny model in every setting."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

from lmms_compgap.cli import main
from lmms_compgap.core.registry import get_family
from lmms_compgap.core.settings import SETTINGS, decode_cascade_response
from lmms_compgap.kit.newfamily import PACKAGE_FILES
from lmms_compgap.tasks import card
from tests.helpers import E2E_COMMON_ARGS, E2E_LIMIT, REPO, TINY_QWEN_ARGS, offline_env, run_lmms_eval

NAME = "tally"
#: The generic family tests, which walk every registered family.
GENERIC_TESTS = REPO / "tests" / "families" / "test_families.py"


def _ruff(*paths: Path) -> subprocess.CompletedProcess[str]:
    """This project's lint and format check (lmms_compgap sorted as first-party, as in a checkout)."""
    config = ["--config", str(REPO / "pyproject.toml"), "--config", "lint.isort.known-first-party = ['lmms_compgap']"]
    command = [sys.executable, "-m", "ruff"]
    lint = subprocess.run([*command, "check", *config, *map(str, paths)], capture_output=True, text=True)
    if lint.returncode:
        return lint
    return subprocess.run([*command, "format", "--check", *config, *map(str, paths)], capture_output=True, text=True)


@pytest.fixture()
def checkout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder laid out like an lmms-compgap checkout's families package, as the current directory."""
    families = tmp_path / "lmms_compgap" / "families"
    families.mkdir(parents=True)
    (families / "__init__.py").write_text('"""Families."""\n')
    monkeypatch.chdir(tmp_path)
    return families


def test_a_built_in_family_is_written_into_the_checkouts_families_package(
    checkout: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["new-family", NAME]) == 0
    package = checkout / NAME
    assert sorted(path.name for path in package.iterdir()) == sorted(PACKAGE_FILES.values())
    assert not (checkout.parents[1] / "pyproject.toml").exists()  # a built-in family needs no distribution of its own
    family = (package / "family.py").read_text()
    assert f'name: ClassVar[str] = "{NAME}"' in family and "def task_root" not in family
    assert "python -m lmms_compgap tasks build" in capsys.readouterr().out
    linted = _ruff(package)
    assert linted.returncode == 0, linted.stdout + linted.stderr


def test_the_new_familys_card_carries_the_markers_tasks_build_writes_its_prompts_between(checkout: Path) -> None:
    assert main(["new-family", NAME]) == 0
    path = checkout / NAME / card.CARD
    text = path.read_text(encoding="utf-8")
    filled = card.with_prompt_section(text, get_family("count"), path)  # any family's prompts: the markers' shape
    assert filled is not None and card.prompt_section(get_family("count")) in filled
    assert filled.split(card.BEGIN)[0] == text.split(card.BEGIN)[0] and "## Prompts" in filled.split(card.BEGIN)[0]
    assert filled.split(card.END)[1] == text.split(card.END)[1]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["new-family", "Two_Words"], "use lowercase letters and digits"),
        (["new-family", "count"], "a family called 'count' is already registered"),
        (["new-family", NAME, "--dir", "."], "compgap_tally already exists"),
    ],
)
def test_a_bad_or_taken_name_or_an_existing_folder_is_refused_and_nothing_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / f"compgap_{NAME}").mkdir()
    (tmp_path / f"compgap_{NAME}" / "keep.txt").write_text("mine")
    before = sorted(str(path) for path in tmp_path.rglob("*"))
    assert main(argv) == 2
    assert message in capsys.readouterr().err
    assert sorted(str(path) for path in tmp_path.rglob("*")) == before


def test_without_a_checkout_new_family_asks_for_a_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["new-family", NAME]) == 2
    assert "pass --dir DIR" in capsys.readouterr().err and not any(tmp_path.iterdir())


@pytest.mark.e2e
def test_a_family_made_with_the_kit_runs_through_lmms_eval_in_every_setting(
    tmp_path: Path, tiny_qwen_dir: Path
) -> None:
    project, site = tmp_path / "project", tmp_path / "site"
    assert main(["new-family", NAME, "--dir", str(project)]) == 0
    linted = _ruff(project)
    assert linted.returncode == 0, linted.stdout + linted.stderr
    # Installed as a user installs a plugin (here into a folder on PYTHONPATH: its entry point is all it needs).
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "-q",
            "--no-deps",
            "--no-build-isolation",
            "--target",
            str(site),
            str(project),
        ],
        check=True,
        capture_output=True,
    )
    env = offline_env(PYTHONPATH=str(site))

    def compgap(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "lmms_compgap", *args], capture_output=True, text=True, env=env, cwd=tmp_path
        )

    built = compgap("tasks", "build", "--family", NAME)
    assert built.returncode == 0, built.stderr
    tree = site / f"compgap_{NAME}" / "task_yamls"  # the family's own task root
    assert (tree / NAME / "data" / "test.jsonl").is_file() and (tree / "_compgap_template_yaml").is_file()
    checked = compgap("tasks", "build", "--family", NAME, "--check")
    assert checked.returncode == 0 and "all current" in checked.stdout, checked.stderr
    written_card = site / f"compgap_{NAME}" / card.CARD  # its card's prompt section, from its prompts.py
    assert f"wrote {written_card}" in built.stdout and "| vision, cascade step 1 | yes | `" in written_card.read_text()

    # The generic family tests, walking the registry, now walk the new family too.
    generic = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(GENERIC_TESTS), "-k", NAME],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
    )
    assert generic.returncode == 0, generic.stdout[-3000:]
    # One test each, none skipped (counted from the file's source: a test file is never imported by another).
    tests = ast.parse(GENERIC_TESTS.read_text()).body
    walked = len([t for t in tests if isinstance(t, ast.FunctionDef) and t.name.startswith("test_")])
    assert f"{walked} passed" in generic.stdout and "skipped" not in generic.stdout, generic.stdout[-3000:]

    tasks = [f"compgap_{NAME}_{setting}" for setting in SETTINGS]
    run = run_lmms_eval(
        [
            "--model",
            "compgap_cascade",
            "--model_args",
            f"inner=qwen2_5_vl,pretrained={tiny_qwen_dir},{TINY_QWEN_ARGS}",
            "--tasks",
            f"compgap_{NAME}",
            "--include_path",
            str(tree),
            *E2E_COMMON_ARGS,
        ],
        tmp_path / "out",
        env=env,
    )
    assert run.returncode == 0 and run.results is not None, run.output[-3000:]
    for task in tasks:
        assert len(run.samples[task]) == E2E_LIMIT, task
        assert run.task_results(task)["failed_calls,none"] == 0, task
        assert run.results["configs"][task]["metadata"]["family"] == NAME
    assert "f1,none" in run.task_results(f"compgap_{NAME}_vision")
    for sample in run.samples[f"compgap_{NAME}_cascade"]:
        envelope = decode_cascade_response(sample["filtered_resps"])
        assert envelope.failed_step is None, envelope.error
        assert envelope.step1.strip() and envelope.step2.strip(), "step 2 must have run on a non-empty step 1"
        assert sample["compgap"]["intermediate_response"] == envelope.step1
        assert json.loads(sample["input"])["tag"] == "compgap_cascade_request"

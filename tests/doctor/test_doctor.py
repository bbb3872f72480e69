"""`compgap doctor` passes a healthy environment and names each known problem with its fix and a non-zero exit."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import filelock
import pytest
import tomllib
from packaging.requirements import Requirement

from lmms_compgap.cli import main
from lmms_compgap.core import versions
from lmms_compgap.core.pictures import CACHE_ENV
from lmms_compgap.doctor import command, environment, evaluation, machine
from lmms_compgap.doctor.check import Check
from tests.helpers import REPO, offline_env


def _by_name(checks: list[Check]) -> dict[str, Check]:
    return {check.name: check for check in checks}


def test_a_healthy_environment_passes_every_check() -> None:
    # The real command, as a user runs it, in this (lock-installed) test environment.
    completed = subprocess.run(
        [sys.executable, "-m", "lmms_compgap.cli", "doctor", "--json"],
        capture_output=True,
        text=True,
        env=offline_env(),
        timeout=300,
    )
    report = json.loads(completed.stdout)
    not_ok = {c["name"]: c["detail"] for c in report["checks"] if c["status"] in ("warn", "fail")}
    expected = {"tesseract"} if shutil.which("tesseract") is None else set()
    assert set(not_ok) == expected, not_ok
    assert completed.returncode == report["exit_status"] == (2 if expected else 0)


def test_a_missing_private_module_of_lmms_eval_is_named_with_its_fix(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # What filelock 4.3.1 did to lmms-eval 0.7.3: `filelock._api` no longer exists. Everything else is
    # imported first (one healthy pass), so that only the import lmms-eval makes meets the missing module.
    assert command.exit_status(command.run_checks()) in (0, 2)
    monkeypatch.setitem(sys.modules, "filelock._api", None)
    monkeypatch.delattr(filelock, "_api")
    (check,) = evaluation.check_lmms_eval()
    assert check.status == "fail"
    assert "filelock._api" in check.detail and f"filelock {filelock.__version__} installed" in check.detail
    assert check.fix is not None and 'pip install "filelock==' in check.fix
    assert main(["doctor"]) == 1
    failures = [line for line in capsys.readouterr().out.splitlines() if line.startswith("FAIL")]
    assert len(failures) == 1 and "filelock._api" in failures[0], "one line names the problem"


def test_the_private_imports_of_lmms_eval_are_found_by_reading_its_source() -> None:
    import lmms_eval

    found = evaluation.private_imports(Path(lmms_eval.__path__[0]))
    assert "filelock._api" in found and "datasets.utils._filelock" in found
    assert not any(name.startswith("lmms_eval") for name in found)


def test_shadowed_task_yamls_fail_and_name_the_file_lmms_eval_uses(tmp_path: Path) -> None:
    copy = tmp_path / "my_tasks"
    shutil.copytree(REPO / "task_yamls", copy)
    checks = _by_name(list(evaluation.check_tasks([copy])))
    shadowed = checks["shadowed tasks"]
    assert shadowed.status == "fail" and str(copy) in shadowed.detail
    assert "lmms_eval/tasks/compgap" in shadowed.detail and shadowed.fix
    assert command.exit_status(list(checks.values())) == 1
    assert list(evaluation.check_tasks([tmp_path / "nowhere"]))[0].status == "fail"


def test_a_missing_tesseract_is_a_warning_with_the_install_command(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(Path(sys.executable).parent))
    (check,) = machine.check_tesseract()
    assert check.status == "warn" and "compgap data check" in check.detail
    assert "apt-get install tesseract-ocr" in (check.fix or "")
    assert command.exit_status([check]) == 2


def test_an_unwritable_picture_cache_is_a_warning_with_its_fix(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv(CACHE_ENV, str(blocker / "images"))  # unwritable even for root
    (check,) = machine.check_picture_cache()
    assert check.status == "warn" and str(blocker) in check.detail
    assert CACHE_ENV in (check.fix or "")


def test_a_dependency_outside_its_declared_bounds_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    real = environment.distribution_version
    monkeypatch.setattr(environment, "distribution_version", lambda name: "4.3.1" if name == "filelock" else real(name))
    (check,) = environment.check_requirements()
    assert check.status == "fail" and "filelock 4.3.1 is outside <4.3" in check.detail


def test_a_check_that_crashes_is_reported_not_raised(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken() -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(command, "check_disk", broken)
    checks = _by_name(command.run_checks())
    assert checks["disk"].status == "fail" and "boom" in checks["disk"].detail


def test_the_lock_pins_every_package_within_the_declared_bounds() -> None:
    pins = versions.tested_versions(REPO / versions.LOCK_FILE)
    assert pins["torch"] == "2.14.1" and pins["torchvision"] == "0.29.1"
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    declared = list(project["dependencies"]) + [d for extra in project["optional-dependencies"].values() for d in extra]
    for text in declared:
        requirement = Requirement(text)
        name = versions.normalise_name(requirement.name)
        assert name in pins, f"{name} is not in the lock: run .ci/lock"
        assert requirement.specifier.contains(pins[name], prereleases=True), f"lock pins {name}=={pins[name]}"


def test_the_public_dataset_check_never_goes_to_the_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Online or not, doctor only looks at this machine's copies: a Hub that cannot be reached must not cost
    minutes of retries (it once cost 70 s of them, three datasets times five retries)."""
    from lmms_compgap.core import hub_data

    for name in ("HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(hub_data, "_download", lambda *args: pytest.fail("doctor tried a download"))
    monkeypatch.setenv(hub_data.DATASETS_ENV, "/nonexistent")
    checks = [check for check in machine.check_public_datasets() if check.name.startswith("dataset ")]
    assert checks, "no public-dataset family was checked"
    for check in checks:
        assert check.status in ("ok", "note"), check
        if check.status == "note":
            assert "hf download" in check.fix and "not on this machine" in check.detail

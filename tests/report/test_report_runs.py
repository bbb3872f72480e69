"""Loading lmms-eval output folders: complete runs, and every kind of incomplete one, reported by name."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from lmms_compgap.core.registry import get_family
from lmms_compgap.core.settings import SETTINGS
from lmms_compgap.report.compute.stats import BootstrapParams
from lmms_compgap.report.compute.summary import summarize_model
from lmms_compgap.report.files.runs import load_outputs
from lmms_compgap.report.logs import group_by_model, logged_scores
from lmms_compgap.report.simulate import SimulatedModel, simulate_run

FAMILY = "mathtext"
LIMIT = 24
DATE = "20260101_000000"
MODEL = SimulatedModel("org/model-a", seed=1)


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("runs") / "out"
    simulate_run(out, MODEL, families=[FAMILY], limit=LIMIT, date=DATE)
    return out


@pytest.fixture
def output(pristine: Path, tmp_path: Path) -> Path:
    """A private copy of the simulated output folder, free to damage."""
    return Path(shutil.copytree(pristine, tmp_path / "out"))


def _folder(output: Path) -> Path:
    return output / "org__model-a"


def _samples(output: Path, setting: str, date: str = DATE) -> Path:
    return _folder(output) / f"{date}_samples_compgap_{FAMILY}_{setting}.jsonl"


def test_a_complete_run_loads_every_setting_without_issues(output: Path) -> None:
    loaded = load_outputs([output])
    assert loaded.issues == []
    assert sorted(log.setting for log in loaded.tasks) == sorted(SETTINGS)
    assert all(len(log.samples) == LIMIT for log in loaded.tasks)
    assert {log.run.model_name for log in loaded.tasks} == {"org/model-a"}


def test_logged_scores_reproduce_the_accuracy_lmms_eval_reported(output: Path) -> None:
    results = json.loads((_folder(output) / f"{DATE}_results.json").read_text())
    (model,) = group_by_model(load_outputs([output]).tasks)
    summary = summarize_model(model, BootstrapParams(resamples=1000))
    for setting in SETTINGS:
        reported = results["results"][f"compgap_{FAMILY}_{setting}"]["accuracy,none"]
        assert summary.families[FAMILY]["settings"][setting]["accuracy"] == pytest.approx(reported)


def test_a_run_without_samples_is_reported_and_its_task_left_out(output: Path) -> None:
    _samples(output, "vision").unlink()
    loaded = load_outputs([output])
    assert any("compgap_mathtext_vision" in issue and "--log_samples" in issue for issue in loaded.issues)
    assert "vision" not in {log.setting for log in loaded.tasks}
    (model,) = group_by_model(loaded.tasks)
    summary = summarize_model(model, BootstrapParams(resamples=1000))
    assert any("lacks vision" in issue for issue in summary.issues)
    gap = summary.families[FAMILY]["comparisons"]["cascade_vs_direct"]
    assert gap is not None and gap["flexible"]["n"] == gap["strict"]["n"] == LIMIT  # the gap still uses every item


def test_a_family_without_direct_has_no_gap_and_says_so(output: Path) -> None:
    _samples(output, "direct").unlink()
    (model,) = group_by_model(load_outputs([output]).tasks)
    summary = summarize_model(model, BootstrapParams(resamples=1000))
    assert summary.families[FAMILY]["comparisons"]["cascade_vs_direct"] is None
    assert summary.families[FAMILY]["attribution"] is None
    assert any("no composition gap" in issue for issue in summary.issues)


def test_samples_without_a_results_file_are_reported(output: Path) -> None:
    shutil.copy(_samples(output, "direct"), _samples(output, "direct", date="20260102_000000"))
    loaded = load_outputs([output])
    assert any("20260102_000000_samples" in issue and "without a results file" in issue for issue in loaded.issues)


def test_bad_sample_lines_are_skipped_and_named(output: Path) -> None:
    path = _samples(output, "cot")
    lines = path.read_text().splitlines()
    lines[3] = "{not json"
    path.write_text("\n".join(lines) + "\n")
    loaded = load_outputs([output])
    assert any(str(path) in issue and "line 4" in issue for issue in loaded.issues)
    assert any(f"{LIMIT - 1} usable samples, the results file says {LIMIT}" in issue for issue in loaded.issues)


def test_duplicated_sample_lines_are_skipped(output: Path) -> None:
    path = _samples(output, "cot")
    path.write_text(path.read_text() + path.read_text().splitlines()[0] + "\n")
    loaded = load_outputs([output])
    assert any("doc_id 0 again" in issue for issue in loaded.issues)
    assert len(next(log for log in loaded.tasks if log.setting == "cot").samples) == LIMIT


def test_the_latest_run_of_a_task_wins_and_the_choice_is_reported(output: Path) -> None:
    simulate_run(output, MODEL, families=[FAMILY], settings=["direct"], limit=LIMIT, date="20260105_000000")
    (model,) = group_by_model(load_outputs([output]).tasks)
    assert model.tasks["compgap_mathtext_direct"].run.date == "20260105_000000"
    assert any("using the later one" in issue for issue in model.issues)
    assert len(model.runs) == 2


def test_by_run_keeps_each_run_apart(output: Path) -> None:
    simulate_run(output, MODEL, families=[FAMILY], settings=["direct"], limit=LIMIT, date="20260105_000000")
    models = group_by_model(load_outputs([output]).tasks, by_run=True)
    assert [model.label for model in models] == ["org/model-a @ 20260101_000000", "org/model-a @ 20260105_000000"]


def test_settings_with_another_task_version_are_not_paired(output: Path) -> None:
    later = simulate_run(output, MODEL, families=[FAMILY], settings=["direct"], limit=LIMIT, date="20260105_000000")
    results = json.loads(later.read_text())
    results["configs"]["compgap_mathtext_direct"]["metadata"]["version"] += 1
    later.write_text(json.dumps(results))
    (model,) = group_by_model(load_outputs([output]).tasks)
    assert set(model.tasks) == {"compgap_mathtext_direct"}
    assert any("left out (re-run it)" in issue for issue in model.issues)


def test_paths_that_are_not_output_folders_are_reported(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("hello")
    loaded = load_outputs([tmp_path / "missing", tmp_path / "notes.txt"])
    assert loaded.tasks == []
    assert f"{tmp_path / 'missing'}: does not exist; skipped" in loaded.issues
    assert any("notes.txt: not an lmms-eval output folder" in issue for issue in loaded.issues)
    assert any("no lmms-eval results files" in issue for issue in loaded.issues)


def test_a_results_file_can_be_named_directly(output: Path) -> None:
    loaded = load_outputs([_folder(output) / f"{DATE}_results.json"])
    assert len(loaded.tasks) == len(SETTINGS) and loaded.issues == []


def test_logged_scores_are_keyed_by_uid(output: Path) -> None:
    (model,) = group_by_model(load_outputs([output]).tasks)
    scores = logged_scores(model.families()[FAMILY])
    assert set(scores) == set(SETTINGS)
    assert sorted(scores["direct"]) == sorted(row["uid"] for row in get_family(FAMILY).installed_rows()[:LIMIT])
    assert len(scores["vision"]) == LIMIT and all(score.usable is not None for score in scores["vision"].values())

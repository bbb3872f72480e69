"""`compgap report --sensitivity`: runs of one model that differ in one argument, each against a reference run."""

from __future__ import annotations

import csv
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from lmms_compgap.cli import main
from lmms_compgap.errors import ReportError
from lmms_compgap.report.compute.sensitivity import Sweep, differing_keys, sensitivity_sweeps
from lmms_compgap.report.compute.stats import BootstrapParams
from lmms_compgap.report.files.runs import load_outputs
from lmms_compgap.report.logs import RunInfo
from lmms_compgap.report.simulate import SimulatedModel, simulate_run, simulated_responses

PARAMS = BootstrapParams(resamples=2000)
FAST = ["--resamples", "1000"]
MODEL = SimulatedModel("org/vlm", see=0.9, reason=0.9, compose=0.8, seed=7)
#: The same model at a quarter of the pixels: it reads fewer pictures (a planted drop of `see`, paired by item).
LOW_RESOLUTION = replace(MODEL, see=0.7)
HIGH, MIDDLE, LOW = "1003520", "501760", "200704"


@pytest.fixture(scope="module")
def sweep_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """mathtext, all 1,000 items: the model at three max_pixels; the middle one behaves exactly as the highest."""
    out = tmp_path_factory.mktemp("sensitivity") / "out"
    for date, model, pixels in ((0, MODEL, HIGH), (1, LOW_RESOLUTION, LOW), (2, MODEL, MIDDLE)):
        simulate_run(out, model, ["mathtext"], date=f"20260101_00000{date}", model_args=f"max_pixels={pixels}")
    return out


@pytest.fixture(scope="module")
def sweep(sweep_folder: Path) -> Sweep:
    (found,), _ = sensitivity_sweeps(load_outputs([sweep_folder]).tasks, PARAMS, f"max_pixels={HIGH}")
    return found


def _run(path: str, model_args: str, model: str = "compgap_cascade", gen_kwargs: str = "") -> RunInfo:
    return RunInfo(Path(path), "20260101", "org/vlm", model, model_args, gen_kwargs, None, "0.7.3")


@pytest.mark.parametrize(
    ("runs", "keys"),
    [
        ([_run("a", "pretrained=m,max_pixels=1"), _run("b", "pretrained=m,max_pixels=2")], ["max_pixels"]),
        ([_run("a", "pretrained=m"), _run("b", "pretrained=m,max_pixels=2")], ["max_pixels"]),  # unset vs set
        ([_run("a", "pretrained=m"), _run("b", "pretrained=m", model="compgap_hf")], ["--model"]),
        ([_run("a", "pretrained=m"), _run("b", "pretrained=m", gen_kwargs="temperature=1")], ["gen_kwargs"]),
        ([_run("a", "pretrained=m,x=1,y=1"), _run("b", "pretrained=m,x=2,y=2")], ["x", "y"]),
        ([_run("a", "pretrained=m, max_pixels=1"), _run("b", "max_pixels=1,pretrained=m")], []),  # order, spaces
    ],
)
def test_differing_keys_name_every_argument_that_tells_the_runs_apart(runs: list[RunInfo], keys: list[str]) -> None:
    assert differing_keys(runs) == keys


def test_a_planted_resolution_drop_is_found_with_intervals_excluding_zero(sweep: Sweep) -> None:
    assert (sweep.model, sweep.key, sweep.reference) == ("org/vlm", "max_pixels", HIGH)
    assert list(sweep.variants) == [LOW, MIDDLE, HIGH]
    low = sweep.comparisons[LOW].families["mathtext"]
    for setting in ("direct", "cot", "vision", "cascade"):
        compared = low["settings"][setting]["flexible"]
        assert compared["n"] == 1000
        assert compared["ci"][1] < 0, setting  # every setting that reads the picture drops, significantly
        assert compared["mcnemar_p"] < 0.001
    language = low["settings"]["language"]["flexible"]
    assert language["gap"] == 0 and language["ci"] == [0.0, 0.0]  # the text-only setting does not see the pictures
    gap = low["gap"]["flexible"]
    assert gap["n"] == 1000 and gap["after"] < gap["before"] and gap["change_ci"][1] < 0


def test_a_run_identical_to_the_reference_shows_no_move(sweep: Sweep) -> None:
    same = sweep.comparisons[MIDDLE].families["mathtext"]
    for setting, scores in same["settings"].items():
        assert scores["flexible"]["gap"] == 0 and scores["flexible"]["mcnemar_p"] == 1.0, setting
    assert same["gap"]["flexible"]["change_ci"] == [0.0, 0.0]


def test_a_replicate_run_with_other_draws_shows_no_significant_move(tmp_path: Path) -> None:
    """Two runs at the same rates whose item draws differ (a nondeterministic runtime): noise only."""
    for date, seed, pixels in ((0, 11, HIGH), (1, 12, LOW)):
        simulate_run(
            tmp_path,
            replace(MODEL, seed=seed),
            ["mathtext"],
            date=f"20260101_00000{date}",
            model_args=f"max_pixels={pixels}",
        )
    (found,), _ = sensitivity_sweeps(load_outputs([tmp_path]).tasks, PARAMS)
    result = found.comparisons[HIGH].families["mathtext"]
    assert found.reference == LOW  # the smallest value, by number
    for setting, scores in result["settings"].items():
        low, high = scores["flexible"]["ci"]
        assert low < 0 < high, setting
    low, high = result["gap"]["flexible"]["change_ci"]
    assert low < 0 < high


def test_runs_that_differ_in_two_arguments_are_refused_naming_both(tmp_path: Path) -> None:
    simulate_run(tmp_path, MODEL, ["count"], limit=30, date="20260101_000000", model_args="max_pixels=1,min_pixels=1")
    simulate_run(tmp_path, MODEL, ["count"], limit=30, date="20260101_000001", model_args="max_pixels=2,min_pixels=2")
    with pytest.raises(ReportError, match=r"differ in 2 arguments \(max_pixels, min_pixels\)") as error:
        sensitivity_sweeps(load_outputs([tmp_path]).tasks, PARAMS)
    assert "max_pixels=1, min_pixels=1" in str(error.value) and "max_pixels=2, min_pixels=2" in str(error.value)


def test_runs_with_the_same_arguments_leave_nothing_to_compare(tmp_path: Path) -> None:
    simulate_run(tmp_path, MODEL, ["count"], limit=30, model_args="max_pixels=1")
    with pytest.raises(
        ReportError,
        match="no model has runs that differ in one argument .* nor a family run with its rendering variants",
    ):
        sensitivity_sweeps(load_outputs([tmp_path]).tasks, PARAMS)


@pytest.mark.parametrize(
    ("reference", "message"),
    [("min_pixels=1", "runs differ in max_pixels; name the reference as max_pixels=VALUE"), ("max_pixels=9", "no run")],
)
def test_a_reference_that_is_not_one_of_the_runs_is_refused(sweep_folder: Path, reference: str, message: str) -> None:
    with pytest.raises(ReportError, match=message):
        sensitivity_sweeps(load_outputs([sweep_folder]).tasks, PARAMS, reference)


def _csv(path: Path) -> list[dict[str, Any]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_report_leads_with_the_sensitivity_section_and_writes_its_csv(
    sweep_folder: Path, tmp_path: Path, capsys
) -> None:
    out = tmp_path / "report"
    code = main(["report", str(sweep_folder), "--sensitivity", "--reference", f"max_pixels={HIGH}", "--out", str(out)])
    assert code == 0
    printed = capsys.readouterr().out
    assert printed.startswith("## Sensitivity")
    assert f"### org/vlm: max_pixels (reference max_pixels={HIGH})" in printed
    assert f"org/vlm \\[max_pixels={LOW}\\]" in printed  # each run is a row of the gap table, told apart
    rows = _csv(out / "sensitivity.csv")
    gap = next(r for r in rows if (r["value"], r["setting"], r["score"]) == (LOW, "gap", "flexible"))
    assert gap["moved"] == "down" and float(gap["change_ci_high_pts"]) < 0
    vision = next(r for r in rows if (r["value"], r["setting"], r["score"]) == (LOW, "vision", "flexible"))
    assert (vision["reference_pct"], vision["n"]) == ("90.5", "1000") and vision["moved"] == "down"
    assert {r["moved"] for r in rows if r["value"] == MIDDLE} == {"no significant move"}
    assert (out / "report.md").read_text(encoding="utf-8").count("## Sensitivity") == 1


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--sensitivity", "--by-run"], "takes neither --base nor --by-run"),
        (["--reference", "max_pixels=1"], "add --sensitivity"),
    ],
)
def test_sensitivity_options_that_do_not_fit_are_refused(
    sweep_folder: Path, tmp_path: Path, capsys, extra: list[str], message: str
) -> None:
    assert main(["report", str(sweep_folder), *extra, *FAST, "--out", str(tmp_path / "r")]) == 1
    assert message in capsys.readouterr().err
    assert not (tmp_path / "r").exists()


def _small_pages_read_worse(row: dict[str, Any], model: SimulatedModel) -> dict[str, str]:
    """The model on a rendering sweep: item i of a variant drawn from item i's draws, read less often when small."""
    index = row["uid"].rpartition("-")[2]
    small = row["family"] == "mathtextsmall"
    return simulated_responses({**row, "uid": f"mathtext-{index}"}, LOW_RESOLUTION if small else MODEL)


def test_a_rendering_sweep_pairs_each_variant_with_its_family_by_item(tmp_path: Path) -> None:
    families = ["mathtext", "mathtextsmall", "mathtextserif"]
    simulate_run(tmp_path, MODEL, families, limit=400, responder=_small_pages_read_worse)
    (found,), _ = sensitivity_sweeps(load_outputs([tmp_path]).tasks, PARAMS)
    assert (found.model, found.key, found.reference) == ("org/vlm", "mathtext rendering", "as drawn")
    assert list(found.variants) == ["as drawn", "serif", "small"]
    small = found.comparisons["small"].families["mathtext"]
    assert small["settings"]["vision"]["flexible"]["n"] == 400
    assert small["settings"]["vision"]["flexible"]["ci"][1] < 0 and small["gap"]["flexible"]["n"] == 400
    serif = found.comparisons["serif"].families["mathtext"]
    assert all(scores["flexible"]["gap"] == 0 for scores in serif["settings"].values())  # read as well: no move


def test_a_variant_of_another_task_version_is_named_not_compared(tmp_path: Path) -> None:
    simulate_run(tmp_path, MODEL, ["mathtext", "mathtextred"], limit=30)
    tasks = load_outputs([tmp_path]).tasks
    for log in tasks:
        if log.family == "mathtextred":
            log.metadata = {**log.metadata, "version": 3}  # run with older prompts or scoring
    (found,), _ = sensitivity_sweeps(tasks, PARAMS)
    assert found.comparisons == {}
    red, drawn = "org/vlm [mathtext rendering=red]", "org/vlm [mathtext rendering=as drawn]"
    assert found.issues == [f"{red} and {drawn} differ in task version; not compared"]

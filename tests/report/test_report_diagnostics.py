"""The report's diagnostics on simulated runs with planted effects: each is found at n = 1,000, no model without it
is flagged, and the report's files hold the sections and CSV tables."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest

from lmms_compgap.cli import main
from lmms_compgap.report.compute.stats import BootstrapParams
from lmms_compgap.report.compute.summary import ModelSummary, summarize_model
from lmms_compgap.report.files.runs import load_outputs
from lmms_compgap.report.logs import group_by_model
from lmms_compgap.report.simulate import SimulatedModel, simulate_run

FAMILY = "count"  # one family of 1,000 items is what the check needs
PARAMS = BootstrapParams(resamples=2000)
EVERY_ANSWER = ("direct", "cot", "language", "cascade")

#: name -> (model, planted effect: "short direct", "disagrees", or None)
MODELS: dict[str, tuple[SimulatedModel, str | None]] = {
    "short-direct": (
        SimulatedModel("sim/short-direct", work={"cot": 1.0, "language": 1.0, "cascade": 1.0}, seed=11),
        "short direct",
    ),
    "works-everywhere": (SimulatedModel("sim/works-everywhere", work=dict.fromkeys(EVERY_ANSWER, 1.0), seed=12), None),
    # Direct right on 60% of the items (see = reason = 1, compose 0.6), language right on 60% drawn apart.
    "disagrees": (
        SimulatedModel(
            "sim/disagrees", see=1.0, reason=1.0, compose=0.6, text_reason=0.6, language_apart=True, seed=13
        ),
        "disagrees",
    ),
    # The same accuracies, language right exactly when direct is (one draw decides both): answers agree.
    "agrees": (SimulatedModel("sim/agrees", see=1.0, reason=0.6, compose=1.0, seed=14), None),
    "default": (SimulatedModel("sim/default", seed=15), None),
}


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("diagnostics") / "out"
    for model, _ in MODELS.values():
        simulate_run(out, model, families=[FAMILY])
    return out


@pytest.fixture(scope="module")
def summaries(runs: Path) -> dict[str, ModelSummary]:
    return {model.label: summarize_model(model, PARAMS) for model in group_by_model(load_outputs([runs]).tasks)}


@pytest.mark.parametrize("name", sorted(MODELS))
def test_direct_answers_much_shorter_only_where_planted(summaries: dict[str, ModelSummary], name: str) -> None:
    model, effect = MODELS[name]
    ratio = summaries[model.name].effort[FAMILY]["direct_vs_language"]
    assert ratio["n"] == 1000
    assert ratio["much_shorter"] is (effect == "short direct")
    if effect == "short direct":
        assert ratio["ci"][1] < 1 and ratio["ratio"] < 0.5
    else:
        assert ratio["ci"][0] <= 1 <= ratio["ci"][1] or ratio["ratio"] > 0.5


@pytest.mark.parametrize("name", sorted(MODELS))
def test_shown_work_follows_the_planted_settings(summaries: dict[str, ModelSummary], name: str) -> None:
    model, _ = MODELS[name]
    settings = summaries[model.name].effort[FAMILY]["settings"]
    for setting in EVERY_ANSWER:
        assert settings[setting]["all"]["shows_work"] == model.work.get(setting, 0.0), setting
        assert settings[setting]["right"]["n"] + settings[setting]["wrong"]["n"] == 1000


@pytest.mark.parametrize("name", sorted(MODELS))
def test_excess_disagreement_found_only_where_planted(summaries: dict[str, ModelSummary], name: str) -> None:
    model, effect = MODELS[name]
    result = summaries[model.name].agreement[FAMILY]["direct_vs_language"]
    assert result["n"] == 1000
    if effect == "disagrees":
        assert abs(result["accuracy_difference"]) < 0.05  # the accuracies match ...
        assert result["excess_ci"][0] > 0.3  # ... while about half the answers differ (1 - 0.6² - 0.4²)
        assert result["ci"][1] < 0.6
    else:
        assert result["excess_ci"][0] <= 0 <= result["excess_ci"][1]


def _csv(path: Path) -> list[dict[str, Any]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_report_files_hold_the_diagnostics_and_the_generated_sentence(runs: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "report"
    assert main(["report", str(runs), "--out", str(out), "--no-plots", "--resamples", "1000"]) == 0
    printed = capsys.readouterr().out
    assert "## Agreement" not in printed  # the terminal keeps its tables; the diagnostics are in the file
    report = (out / "report.md").read_text(encoding="utf-8")
    assert "## Agreement between settings" in report and "## Reasoning effort" in report
    assert (
        "**sim/short-direct**, count: the direct setting's answers are much shorter than the language setting's"
        in report
    )
    assert report.count("answers are much shorter than the language setting's on the same items") == 1
    found = {row["model"] for row in _csv(out / "length_ratio.csv") if row["much_shorter"] == "True"}
    assert found == {"sim/short-direct"}
    agreement = _csv(out / "agreement.csv")
    assert {(row["model"], row["setting_a"], row["setting_b"]) for row in agreement} == {
        (model.name, a, b)
        for model, _ in MODELS.values()
        for a, b in (("direct", "language"), ("direct", "cascade"), ("cot", "cascade"))
    }
    flagged = {row["model"] for row in agreement if row["excess_found"] == "True" and row["setting_b"] == "language"}
    assert flagged == {"sim/disagrees"}
    effort = _csv(out / "effort.csv")
    assert len(effort) == len(MODELS) * 4 * 3  # models x settings with an answer x (all, right, wrong)

"""Where the gap comes from: simulated models with a planted cause, and the report attributing it
(`report/compute/causes.py`, `report/render/causes.py`, the simulator's why settings)."""

from __future__ import annotations

from pathlib import Path

import pytest

from lmms_compgap.core.settings import ALL_SETTINGS, SETTINGS
from lmms_compgap.report.compute.causes import CAUSE_COMPARISONS, direction, family_causes
from lmms_compgap.report.compute.gap import paired_comparison
from lmms_compgap.report.compute.stats import BootstrapParams
from lmms_compgap.report.compute.summary import summarize_model
from lmms_compgap.report.files.report_folder import write_report
from lmms_compgap.report.files.runs import load_outputs
from lmms_compgap.report.logs import group_by_model, logged_scores
from lmms_compgap.report.render.causes import cause_sentence, causes_rows
from lmms_compgap.report.simulate import SimulatedModel, simulate_run

PARAMS = BootstrapParams(resamples=2000)
FAMILY = "count"
#: A model that reasons worse with the picture in view (solving from the picture 0.5, from text 0.9).
PICTURE_HURTS = SimulatedModel("planted/picture-hurts", see=0.95, reason=0.5, text_reason=0.9, compose=1.0, seed=11)
#: A model that composes in two turns of one chat but not when asked at once.
TWO_TURNS = SimulatedModel("planted/two-turns", see=0.95, reason=0.9, compose=0.4, turn_compose=1.0, seed=12)
#: The same weak composer, which composes no better in two turns.
ONE_CHAT_FAILS = SimulatedModel("planted/one-chat-fails", see=0.95, reason=0.9, compose=0.4, turn_compose=0.4, seed=13)

#: model -> comparison -> what the report must find at n = 1,000 (higher/lower: the interval excludes zero).
EXPECTED = {
    PICTURE_HURTS.name: {
        "cascade_vs_cascadeimage": "higher",  # the picture in view costs
        "cascadeimage_vs_direct": "none",  # decomposition gains nothing
        "twoturn_vs_direct": "none",
        "twoturn_vs_cascade": "lower",
    },
    TWO_TURNS.name: {
        "cascade_vs_cascadeimage": "none",
        "cascadeimage_vs_direct": "higher",  # decomposition explains the gap
        "twoturn_vs_direct": "higher",  # a chat user can work around it
        "twoturn_vs_cascade": "none",
    },
    ONE_CHAT_FAILS.name: {
        "cascade_vs_cascadeimage": "none",
        "cascadeimage_vs_direct": "higher",
        "twoturn_vs_direct": "none",  # asking in two turns does not help
        "twoturn_vs_cascade": "lower",
    },
}


def _causes(out: Path) -> dict[str, dict]:
    return {
        model.label: family_causes(FAMILY, logged_scores(model.families()[FAMILY]), PARAMS)
        for model in group_by_model(load_outputs([out]).tasks)
    }


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, dict]]:
    """Every setting of 1,000 items of one family for each planted model, and what the report finds."""
    out = tmp_path_factory.mktemp("planted") / "out"
    for model in (PICTURE_HURTS, TWO_TURNS, ONE_CHAT_FAILS):
        simulate_run(out, model, families=[FAMILY], settings=ALL_SETTINGS, limit=1000)
    return out, _causes(out)


@pytest.mark.parametrize("model", sorted(EXPECTED))
def test_the_report_attributes_the_planted_cause_with_intervals_that_exclude_zero(planted, model: str) -> None:
    comparisons = planted[1][model]["comparisons"]
    assert {name: direction(result) for name, result in comparisons.items()} == EXPECTED[model]
    for name, result in comparisons.items():
        assert result["n"] == 1000
        if EXPECTED[model][name] != "none":
            assert abs(result["gap"]) > 0.25, "the planted effect is large, not merely significant"


@pytest.mark.parametrize("model", sorted(EXPECTED))
def test_the_first_two_rows_add_up_to_the_gap(planted, model: str) -> None:
    out, causes = planted
    (logs,) = [entry for entry in group_by_model(load_outputs([out]).tasks) if entry.label == model]
    scores = logged_scores(logs.families()[FAMILY])
    gap = paired_comparison(scores["cascade"], scores["direct"], ("cascade", "direct"), "flexible", PARAMS, "gap")
    rows = causes[model]["comparisons"]
    assert rows["cascade_vs_cascadeimage"]["gap"] + rows["cascadeimage_vs_direct"]["gap"] == pytest.approx(gap["gap"])


@pytest.mark.parametrize(
    ("model", "comparison", "phrase"),
    [
        (PICTURE_HURTS.name, "cascade_vs_cascadeimage", "having the picture in view while reasoning hurts this model"),
        (PICTURE_HURTS.name, "cascadeimage_vs_direct", "decomposition alone does not explain the gap"),
        (TWO_TURNS.name, "cascadeimage_vs_direct", "decomposition explains the gap"),
        (TWO_TURNS.name, "twoturn_vs_direct", "a chat user can work around the gap"),
        (TWO_TURNS.name, "twoturn_vs_cascade", "the conversation keeps the cascade's gain"),
        (ONE_CHAT_FAILS.name, "twoturn_vs_direct", "a chat user cannot work around the gap this way"),
        (ONE_CHAT_FAILS.name, "twoturn_vs_cascade", "the conversation (the picture and the first turn in context)"),
    ],
)
def test_each_rows_sentence_is_generated_from_its_numbers(planted, model: str, comparison: str, phrase: str) -> None:
    result = planted[1][model]["comparisons"][comparison]
    sentence = cause_sentence(comparison, result)
    assert phrase in sentence
    # A direction found gives the size, none found the signed difference; the interval always keeps its signs.
    size = f"{abs(100 * result['gap']):.1f}" if direction(result) != "none" else f"{100 * result['gap']:+.1f}"
    assert f"{size} points [{100 * result['ci'][0]:+.1f}, " in sentence


def test_a_few_items_tell_nothing(tmp_path: Path) -> None:
    simulate_run(tmp_path, PICTURE_HURTS, families=[FAMILY], settings=ALL_SETTINGS, limit=12)
    rows = _causes(tmp_path)[PICTURE_HURTS.name]["comparisons"]
    assert {direction(result) for result in rows.values()} == {"unclear"}
    assert "too few items to tell" in cause_sentence("cascade_vs_cascadeimage", rows["cascade_vs_cascadeimage"])


def test_the_report_has_the_table_only_for_models_that_ran_a_why_setting(tmp_path: Path) -> None:
    simulate_run(tmp_path / "out", TWO_TURNS, families=[FAMILY], settings=ALL_SETTINGS, limit=40)
    simulate_run(tmp_path / "out", ONE_CHAT_FAILS, families=[FAMILY], settings=SETTINGS, limit=40)
    summaries = [summarize_model(model, PARAMS) for model in group_by_model(load_outputs([tmp_path / "out"]).tasks)]
    assert [bool(summary.causes) for summary in summaries] == [False, True]  # one-chat-fails, two-turns
    files = write_report(summaries, [], tmp_path / "report", PARAMS, with_plots=False)
    text = (tmp_path / "report" / "report.md").read_text()
    assert "## Where the gap comes from" in text and "## Where the gap comes from" in files.markdown
    rows = causes_rows(summaries)
    assert [(row["model"], row["setting_a"], row["setting_b"]) for row in rows] == [
        (TWO_TURNS.name, *pair) for pair in CAUSE_COMPARISONS.values()
    ]
    assert (tmp_path / "report" / "causes.csv").read_text().count("\n") == 1 + len(rows)
    # A run without why settings writes the report it wrote before.
    alone = [summaries[0]]
    write_report(alone, [], tmp_path / "plain", PARAMS, with_plots=False)
    assert "Where the gap comes from" not in (tmp_path / "plain" / "report.md").read_text()
    assert not (tmp_path / "plain" / "causes.csv").exists()

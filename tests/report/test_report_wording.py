"""`compgap report` across wordings: each wording's gap, their spread, the two-way interval (items and wordings), the
sign verdict, and the paraphrase tasks read as their own (never as the canonical task, never dropped unsaid)."""

from __future__ import annotations

import csv
import json
import shutil
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from lmms_compgap.cli import main
from lmms_compgap.report.compute.gap import family_summary
from lmms_compgap.report.compute.scores import ItemScore
from lmms_compgap.report.compute.stats import BootstrapParams
from lmms_compgap.report.compute.wording import DEPENDS, STABLE, UNRESOLVED, family_wording, sign_verdict
from lmms_compgap.report.files.runs import load_outputs
from lmms_compgap.report.logs import group_by_model
from lmms_compgap.report.simulate import SimulatedModel, simulate_run
from lmms_compgap.report.submissions.build import build_submission

PARAMS = BootstrapParams(resamples=2000)
N = 1000


def _setting(accuracy: float, rng: np.random.Generator) -> dict[str, ItemScore]:
    right = rng.random(N) < accuracy
    return {f"clock-v1-{i:05d}": ItemScore(f"clock-v1-{i:05d}", int(r), int(r)) for i, r in enumerate(right)}


def _wordings(*pairs: tuple[float, float], seed: int = 0) -> dict[int, dict[str, dict[str, ItemScore]]]:
    """wording k (0: canonical) -> cascade and direct scores drawn at the k-th (cascade, direct) accuracies."""
    rng = np.random.default_rng(seed)
    return {k: {"cascade": _setting(c, rng), "direct": _setting(d, rng)} for k, (c, d) in enumerate(pairs)}


def _flexible(scores: dict[int, dict[str, dict[str, ItemScore]]]) -> dict:
    result = family_wording("clock", scores, PARAMS)
    assert result is not None
    return result["scores"]["flexible"]


def _width(interval: list[float]) -> float:
    return interval[1] - interval[0]


def test_a_planted_wording_effect_that_flips_the_sign_is_found() -> None:
    # The cascade loses 30 points under two wordings and gains 20 under the two others.
    scored = _flexible(_wordings((0.4, 0.7), (0.4, 0.7), (0.6, 0.4), (0.6, 0.4)))
    assert scored["verdict"] == DEPENDS
    assert scored["min"] < -0.2 and scored["max"] > 0.1 and scored["sd"] > 0.2
    assert scored["two_way_ci"][0] < 0 < scored["two_way_ci"][1]
    assert all(gap["n"] == N for gap in scored["wordings"].values())


def test_wordings_that_agree_keep_the_sign_stable() -> None:
    scored = _flexible(_wordings(*[(0.5, 0.7)] * 4))
    assert scored["verdict"] == STABLE
    assert all(gap["ci"][1] < 0 for gap in scored["wordings"].values()) and scored["two_way_ci"][1] < 0
    assert abs(scored["mean"] + 0.2) < 0.03


def test_the_two_way_interval_is_wider_than_the_item_one_when_wordings_differ_and_equal_when_they_are_one() -> None:
    differing = _flexible(_wordings((0.5, 0.7), (0.5, 0.6), (0.5, 0.8), (0.5, 0.65)))
    assert _width(differing["two_way_ci"]) > 2 * _width(differing["item_ci"])
    one = _wordings((0.5, 0.7))[0]
    same = _flexible({k: one for k in range(4)})  # one wording four times: resampling wordings changes nothing
    assert same["two_way_ci"] == pytest.approx(same["item_ci"]) and same["sd"] == 0


def test_the_canonical_wordings_interval_is_the_gap_tables_and_every_number_is_reproducible() -> None:
    scores = _wordings((0.5, 0.7), (0.5, 0.6), (0.5, 0.8), (0.5, 0.65))
    scored = _flexible(scores)
    table = family_summary("clock", scores[0], PARAMS)["comparisons"]["cascade_vs_direct"]["flexible"]
    assert scored["wordings"][0]["ci"] == table["ci"] and scored["wordings"][0]["gap"] == table["gap"]
    assert family_wording("clock", scores, PARAMS) == family_wording("clock", scores, PARAMS)


def test_only_the_items_every_wording_answered_enter_the_spread_and_no_paraphrase_means_no_result() -> None:
    scores = _wordings((0.5, 0.7), (0.5, 0.7), (0.5, 0.7))
    del scores[2]["cascade"]["clock-v1-00000"]
    scored = _flexible(scores)
    assert scored["n_common"] == N - 1 and scored["wordings"][1]["n"] == N
    assert family_wording("clock", {0: scores[0]}, PARAMS) is None
    assert family_wording("clock", {0: scores[0], 1: {"direct": scores[1]["direct"]}}, PARAMS) is None


def _gap(low: float, high: float) -> dict:
    return {"ci": [low, high]}


@pytest.mark.parametrize(
    ("canonical", "paraphrases", "two_way", "verdict"),
    [
        (_gap(-0.3, -0.2), [_gap(0.1, 0.2)], [-0.3, 0.2], DEPENDS),  # significant either way
        (_gap(-0.3, -0.1), [_gap(-0.2, 0.05)], [-0.25, 0.01], DEPENDS),  # canonical signed, two-way not
        (_gap(-0.3, -0.1), [_gap(-0.2, -0.05)], [-0.25, -0.05], STABLE),
        (_gap(0.05, 0.1), [_gap(0.02, 0.2)], [0.03, 0.15], STABLE),
        (_gap(-0.05, 0.05), [_gap(-0.1, 0.02)], [-0.08, 0.03], UNRESOLVED),  # no wording tells a sign
        (None, [_gap(-0.1, 0.02), _gap(-0.03, 0.1)], [-0.08, 0.08], UNRESOLVED),
    ],
)
def test_the_sign_verdict(canonical: dict | None, paraphrases: list[dict], two_way: list[float], verdict: str) -> None:
    wordings = ({0: canonical} if canonical else {}) | dict(enumerate(paraphrases, start=1))
    assert sign_verdict(canonical, wordings, two_way) == verdict


# ---- the whole path: simulated runs of the paraphrase tasks, read and reported ------------------------------------
#: A model that reasons worse from text (the cascade's step 2) than from the picture: the cascade loses to direct...
MODEL = SimulatedModel("org/vlm", see=0.9, reason=0.9, text_reason=0.6, compose=0.8, seed=7)
#: ... unless the wording is w2 or w3, under which it composes far worse when asked directly: the cascade wins.
COMPOSE = {0: 0.97, 1: 0.95, 2: 0.45, 3: 0.5}
LIMIT = 300


@pytest.fixture(scope="module")
def worded_runs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wording") / "out"
    for wording, compose in COMPOSE.items():
        model = replace(MODEL, compose=compose)
        simulate_run(out, model, ["clock"], limit=LIMIT, date=f"2026010{wording}_000000", wording=wording)
    return out


def test_report_shows_each_wordings_gap_and_says_the_sign_depends_on_it(worded_runs: Path, tmp_path: Path) -> None:
    report = tmp_path / "report"
    assert main(["report", str(worded_runs), "--out", str(report), "--no-plots", "--resamples", "1000"]) == 0
    text = (report / "report.md").read_text(encoding="utf-8")
    section = text.split("## Robustness to wording", 1)[1].split("\n## ", 1)[0]
    assert (
        "the gap's sign depends on the wording: it is above zero under w2, w3 and below under canonical, w1" in section
    )
    rows = list(csv.DictReader((report / "wording.csv").open(encoding="utf-8")))
    flexible = {row["wording"]: row for row in rows if row["score"] == "flexible"}
    assert list(flexible) == ["canonical", "w1", "w2", "w3", "all"]
    assert float(flexible["canonical"]["gap_pts"]) < 0 < float(flexible["w2"]["gap_pts"])
    assert flexible["all"]["sign"] == DEPENDS and flexible["all"]["n"] == str(LIMIT)
    # The canonical wording's gap is the gap table's: the paraphrase tasks are not mixed into it.
    gap = next(row for row in csv.DictReader((report / "gap.csv").open()) if row["score"] == "flexible")
    assert gap["gap_pts"] == flexible["canonical"]["gap_pts"] and gap["direct_n"] == str(LIMIT)


def test_paraphrase_tasks_are_their_own_tasks_and_a_mislabelled_one_is_left_out_with_a_reason(
    worded_runs: Path, tmp_path: Path
) -> None:
    loaded = load_outputs([worded_runs])
    assert sorted({(log.wording, log.task.rsplit("_", 1)[-1]) for log in loaded.tasks if log.setting == "cot"}) == [
        (0, "cot"),
        (1, "w1"),
        (2, "w2"),
        (3, "w3"),
    ]
    (model,) = group_by_model(loaded.tasks)
    assert set(model.families()["clock"]) == {"direct", "cascade", "cot", "vision", "language"}
    assert all(log.wording == 0 for log in model.families()["clock"].values())
    _, notes = build_submission(model, PARAMS, allow_partial=True)
    assert any("15 paraphrase task(s) of compgap_wording" in note for note in notes)


def _edited_copy(runs: Path, out: Path, task: str, **metadata: object) -> Path:
    """A copy of the runs with `task`'s logged metadata changed."""
    shutil.copytree(runs, out)
    for results in out.rglob("*_results.json"):
        document = json.loads(results.read_text())
        if task in document["configs"]:
            document["configs"][task]["metadata"].update(metadata)
            results.write_text(json.dumps(document))
    return out


def test_a_paraphrase_task_whose_metadata_names_another_wording_is_left_out_with_a_reason(
    worded_runs: Path, tmp_path: Path
) -> None:
    copy = _edited_copy(worded_runs, tmp_path / "runs", "compgap_clock_direct_w2", wording=3)
    again = load_outputs([copy])
    assert "compgap_clock_direct_w2" not in {log.task for log in again.tasks}
    assert any("compgap_clock_direct_w2's metadata names wording 3, its name wording 2" in i for i in again.issues)


def test_a_paraphrase_task_of_another_task_version_than_its_family_is_not_paired(
    worded_runs: Path, tmp_path: Path
) -> None:
    copy = _edited_copy(worded_runs, tmp_path / "runs", "compgap_clock_cascade_w1", version=99)
    (model,) = group_by_model(load_outputs([copy]).tasks)
    assert "compgap_clock_cascade_w1" not in model.tasks and "compgap_clock_direct_w1" in model.tasks
    assert any("compgap_clock_cascade_w1 from" in issue and "has task/data versions" in issue for issue in model.issues)


def test_a_paraphrase_task_of_an_older_prompt_version_than_its_wordings_latest_run_is_not_paired(
    worded_runs: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "runs"
    shutil.copytree(worded_runs, copy)
    # cascade under w1 only in an older run, at another prompt version of the paraphrase; direct in the latest.
    (newer,) = (copy / "org__vlm").glob("20260101_*_results.json")
    document = json.loads(newer.read_text())
    for key in ("results", "configs", "n-samples"):
        del document[key]["compgap_clock_cascade_w1"]
    newer.write_text(json.dumps(document))
    (copy / "org__vlm" / "20260101_000000_samples_compgap_clock_cascade_w1.jsonl").unlink()
    older = simulate_run(copy, MODEL, ["clock"], ("cascade",), LIMIT, date="20251231_000000", wording=1)
    document = json.loads(older.read_text())
    document["configs"]["compgap_clock_cascade_w1"]["metadata"]["wording_version"] = 0
    older.write_text(json.dumps(document))
    (model,) = group_by_model(load_outputs([copy]).tasks)
    assert "compgap_clock_cascade_w1" not in model.tasks and "compgap_clock_direct_w1" in model.tasks
    assert any("has paraphrase version 0, the latest run of its wording has 1" in issue for issue in model.issues)

"""Submissions: built from logged runs, schema-valid, verified; every kind of tampering is named."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from lmms_compgap.cli import main
from lmms_compgap.core.registry import family_names, get_family, paper_family_names
from lmms_compgap.core.settings import SETTINGS, WHY_SETTINGS
from lmms_compgap.errors import ReportError, SubmissionRejected
from lmms_compgap.report.compute.stats import BootstrapParams
from lmms_compgap.report.files.runs import load_outputs
from lmms_compgap.report.logs import group_by_model
from lmms_compgap.report.simulate import SimulatedModel, simulate_run
from lmms_compgap.report.submissions import document as submission
from lmms_compgap.report.submissions.build import build_submission
from lmms_compgap.report.submissions.document import response_sha256
from lmms_compgap.report.submissions.verify import verify_submission
from tests.helpers import SUBMITTED_LIMIT as LIMIT
from tests.helpers import SUBMITTED_MODEL as MODEL

PARAMS = BootstrapParams(resamples=1000)


@pytest.fixture
def document(honest: Path) -> dict[str, Any]:
    return json.loads(honest.read_text())


def _write(tmp_path: Path, document: Any) -> Path:
    path = tmp_path / "submission.json"
    path.write_text(json.dumps(document))
    return path


def _task(document: dict[str, Any], name: str) -> dict[str, Any]:
    return next(task for task in document["tasks"] if task["task"] == name)


def _rejected(tmp_path: Path, document: Any, *fragments: str) -> str:
    with pytest.raises(SubmissionRejected) as caught:
        verify_submission(_write(tmp_path, document))
    message = str(caught.value)
    for fragment in fragments:
        assert fragment in message, message
    return message


# ---- building -----------------------------------------------------------------------------------
def test_a_submission_holds_raw_responses_hashes_versions_and_aggregates(document: dict[str, Any]) -> None:
    assert submission.schema_problem(document) is None
    assert document["format"] == "lmms-compgap-submission" and document["partial"] is True
    assert document["model"] == {"name": "org/model-a"}
    assert {task["task"] for task in document["tasks"]} == {
        f"compgap_{family}_{setting}"
        for family in paper_family_names()
        for setting in ("direct", "cascade", "cot", "vision", "language")
    }
    cascade = _task(document, "compgap_mathtext_cascade")
    assert cascade["data_fingerprint"].startswith("sha256:") and cascade["n_items"] == LIMIT
    item = cascade["items"][0]
    assert json.loads(item["response"])["tag"] == "compgap_cascade_response"  # the whole envelope, as logged
    assert item["sha256"] == response_sha256(item["response"])
    assert set(document["aggregates"]) == set(paper_family_names())
    assert document["runs"][0]["model_args"] == "inner=simulated,pretrained=org/model-a"


def test_an_honest_submission_verifies(honest: Path, capsys) -> None:
    verified = verify_submission(honest)
    assert verified.partial and verified.n_items == dict.fromkeys(paper_family_names(), LIMIT)
    assert main(["verify", str(honest)]) == 0
    assert "OK" in capsys.readouterr().out


def test_a_limited_run_needs_the_partial_flag(run_output: Path) -> None:
    (model,) = group_by_model(load_outputs([run_output]).tasks)
    with pytest.raises(ReportError, match="--partial"):
        build_submission(model, PARAMS, allow_partial=False)


def test_a_run_covering_every_item_is_complete(run_output: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(submission, "expected_sizes", lambda: dict.fromkeys(family_names(), LIMIT))
    (model,) = group_by_model(load_outputs([run_output]).tasks)
    document, notes = build_submission(model, PARAMS, allow_partial=False)
    assert document["partial"] is False and notes == []
    assert not verify_submission(_write(tmp_path, document)).partial
    # ... and the same file claiming to be partial is caught.
    document["partial"] = True
    _rejected(tmp_path, document, "claims to be partial", "covers every task")


def test_a_family_without_direct_and_cascade_is_left_out(run_output: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    simulate_run(out, MODEL, families=["count"], settings=["cascade", "vision"], limit=LIMIT, date="20260101_000000")
    simulate_run(out, MODEL, families=["mathtext"], limit=LIMIT, date="20260102_000000")
    (model,) = group_by_model(load_outputs([out]).tasks)
    document, notes = build_submission(model, PARAMS, allow_partial=True)
    assert {task["family"] for task in document["tasks"]} == {"mathtext"}
    assert any("compgap_count: no direct run" in note for note in notes)


def test_a_shorter_run_of_the_why_settings_neither_enters_nor_shortens_a_submission(tmp_path: Path) -> None:
    out = tmp_path / "out"
    simulate_run(out, MODEL, families=["count"], limit=LIMIT, date="20260101_000000")
    simulate_run(out, MODEL, families=["count"], settings=WHY_SETTINGS, limit=3, date="20260102_000000")
    (model,) = group_by_model(load_outputs([out]).tasks)
    document, notes = build_submission(model, PARAMS, allow_partial=True)
    assert sorted(task["setting"] for task in document["tasks"]) == sorted(SETTINGS)
    assert {task["n_items"] for task in document["tasks"]} == {LIMIT}
    assert not any("different numbers of items" in note for note in notes)


def test_logged_scores_the_installed_scorer_disagrees_with_are_refused(run_output: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    simulate_run(out, MODEL, families=["mathtext"], limit=LIMIT)
    samples = next(out.rglob("*_samples_compgap_mathtext_direct.jsonl"))
    lines = [json.loads(line) for line in samples.read_text().splitlines()]
    lines[0]["compgap"]["correct"] = 1 - lines[0]["compgap"]["correct"]
    samples.write_text("".join(json.dumps(line) + "\n" for line in lines))
    (model,) = group_by_model(load_outputs([out]).tasks)
    with pytest.raises(ReportError, match="doc_id 0: logged correct"):
        build_submission(model, PARAMS, allow_partial=True)


def test_runs_of_other_task_versions_are_refused(run_output: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    results_path = simulate_run(out, MODEL, families=["mathtext"], limit=LIMIT)
    results = json.loads(results_path.read_text())
    for config in results["configs"].values():
        config["metadata"]["data_fingerprint"] = "sha256:" + "0" * 64
    results_path.write_text(json.dumps(results))
    (model,) = group_by_model(load_outputs([out]).tasks)
    with pytest.raises(ReportError, match="the installed task is"):
        build_submission(model, PARAMS, allow_partial=True)


def test_submit_with_several_models_asks_which(run_output: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "out"
    simulate_run(out, MODEL, families=["mathtext"], limit=4)
    simulate_run(out, SimulatedModel("org/model-b"), families=["mathtext"], limit=4)
    assert main(["submit", str(out), "--out", str(tmp_path / "s.json"), "--partial"]) == 1
    assert "choose one with --model" in capsys.readouterr().err
    assert main(["submit", str(out), "--out", str(tmp_path / "s.json"), "--partial", "--model", "org/model-b"]) == 0


# ---- tampering ----------------------------------------------------------------------------------
def test_an_edited_response_does_not_match_its_hash(document: dict[str, Any], tmp_path: Path) -> None:
    _task(document, "compgap_count_direct")["items"][2]["response"] += " edited"
    _rejected(tmp_path, document, "compgap_count_direct doc_id 2", "does not match its sha256")


def test_an_edited_response_with_a_new_hash_is_rescored(document: dict[str, Any], tmp_path: Path) -> None:
    task = _task(document, "compgap_mathtext_direct")
    item = next(item for item in task["items"] if not item["correct"])
    item["response"] = f"Answer: {get_family('mathtext').installed_rows()[item['doc_id']]['answer']}"
    item["sha256"] = response_sha256(item["response"])
    _rejected(tmp_path, document, f"compgap_mathtext_direct doc_id {item['doc_id']}", "the scorer gives 1/1")
    # Claiming the new scores too leaves the aggregates, which are recomputed, to disagree.
    item["correct"] = item["strict"] = 1
    _rejected(tmp_path, document, "a changed aggregate", "aggregates.mathtext")


def test_code_in_a_response_is_scored_as_text_never_run(document: dict[str, Any], tmp_path: Path) -> None:
    marker = tmp_path / "executed"
    item = _task(document, "compgap_mathtext_direct")["items"][0]
    item["response"] = f"__import__('pathlib').Path({str(marker)!r}).touch()\nAnswer: {{0}}"
    item["sha256"] = response_sha256(item["response"])
    item["correct"] = item["strict"] = 1
    with pytest.raises(SubmissionRejected):
        verify_submission(_write(tmp_path, document))
    assert not marker.exists()


def test_a_changed_item_score_is_caught(document: dict[str, Any], tmp_path: Path) -> None:
    item = _task(document, "compgap_cards_cascade")["items"][0]
    item["correct"] = 1 - item["correct"]
    _rejected(tmp_path, document, "compgap_cards_cascade doc_id 0: claims correct/strict/usable")


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("mathtext", "comparisons", "cascade_vs_direct", "flexible", "gap"), 0.001),
        (("count", "comparisons", "cascade_vs_direct", "strict", "ci"), [-0.5, 0.5]),
        (("cards", "comparisons", "cascade_vs_cot", "flexible", "mcnemar_p"), 0.0001),
        (("count", "settings", "direct", "accuracy"), 1.0),
        (("mathtext", "attribution", "flexible", "composition"), 999),
        (("cards", "settings", "cascade", "failed_calls", "step2"), 7),
    ],
)
def test_a_changed_aggregate_is_named(document: dict[str, Any], tmp_path: Path, path: tuple[str, ...], value) -> None:
    node = document["aggregates"]
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    _rejected(tmp_path, document, "a changed aggregate", "aggregates." + ".".join(path))


def test_changed_statistics_parameters_change_the_intervals(document: dict[str, Any], tmp_path: Path) -> None:
    document["statistics"]["seed"] += 1
    _rejected(tmp_path, document, "a changed aggregate", ".ci")


@pytest.mark.parametrize(
    ("key", "value", "fragment"),
    [
        ("data_fingerprint", "sha256:" + "ab" * 32, "data_fingerprint"),
        ("data_version", 99, "data_version is not the installed tasks'"),
        ("version", 7, "version is not the installed tasks'"),
    ],
)
def test_versions_and_fingerprints_must_match_the_installed_tasks(
    document: dict[str, Any], tmp_path: Path, key: str, value: Any, fragment: str
) -> None:
    _task(document, "compgap_count_vision")[key] = value
    _rejected(tmp_path, document, "compgap_count_vision", fragment)


def test_a_missing_item_is_named(document: dict[str, Any], tmp_path: Path) -> None:
    task = _task(document, "compgap_mathtext_cot")
    del task["items"][5]
    _rejected(tmp_path, document, "compgap_mathtext_cot: declares n_items 12 but holds 11")
    task["n_items"] = 11
    _rejected(tmp_path, document, "compgap_mathtext_cot", "missing doc_id [5]")


def test_a_shorter_setting_is_a_missing_item(document: dict[str, Any], tmp_path: Path) -> None:
    task = _task(document, "compgap_mathtext_cot")
    task["items"].pop()
    task["n_items"] -= 1
    _rejected(tmp_path, document, "compgap_mathtext_cot: covers 11 items, another setting of compgap_mathtext 12")


def test_a_duplicated_item_is_named(document: dict[str, Any], tmp_path: Path) -> None:
    task = _task(document, "compgap_cards_language")
    task["items"][1] = copy.deepcopy(task["items"][0])
    _rejected(tmp_path, document, "compgap_cards_language: duplicated items (doc_id 0)")


def test_a_duplicated_task_is_named(document: dict[str, Any], tmp_path: Path) -> None:
    document["tasks"].append(copy.deepcopy(_task(document, "compgap_cards_language")))
    _rejected(tmp_path, document, "compgap_cards_language: listed twice")


def test_an_item_of_another_row_is_named(document: dict[str, Any], tmp_path: Path) -> None:
    _task(document, "compgap_count_cot")["items"][3]["uid"] = "count-v1-00999"
    _rejected(tmp_path, document, "compgap_count_cot: doc_id 3 has another uid than the data's 'count-v1-00003'")


def test_a_family_without_cascade_is_refused(document: dict[str, Any], tmp_path: Path) -> None:
    document["tasks"] = [task for task in document["tasks"] if task["task"] != "compgap_count_cascade"]
    _rejected(tmp_path, document, "compgap_count: no cascade task")


def test_an_unknown_family_is_refused(document: dict[str, Any], tmp_path: Path) -> None:
    task = _task(document, "compgap_count_cot")
    task["family"], task["task"] = "chess", "compgap_chess_cot"
    _rejected(tmp_path, document, "not a task family installed here")


@pytest.mark.parametrize(
    ("edit", "fragment"),
    [
        (lambda d: d.update(extra=1), "schema violation at (top level)"),
        (lambda d: d["tasks"][0]["items"][0].update(doc_id="0"), "schema violation at tasks/0/items/0/doc_id"),
        (lambda d: d["tasks"][0]["items"][0].update(correct=2), "schema violation at tasks/0/items/0/correct"),
        (lambda d: d["tasks"][0]["items"][0].update(sha256="xyz"), "schema violation at tasks/0/items/0/sha256"),
        (lambda d: d["statistics"].update(resamples=10**9), "schema violation at statistics/resamples"),
        (lambda d: d.pop("aggregates"), "schema violation at (top level): missing aggregates"),
        (lambda d: d.update(format_version=2), "schema violation at format_version"),
        (lambda d: d["model"].update(name=["a"]), "schema violation at model/name"),
    ],
)
def test_schema_violations_are_named(document: dict[str, Any], tmp_path: Path, edit, fragment: str) -> None:
    edit(document)
    _rejected(tmp_path, document, fragment)


@pytest.mark.parametrize("value", [[], "submission", 3, None])
def test_a_document_of_the_wrong_type_is_refused_before_parsing(tmp_path: Path, value: Any) -> None:
    _rejected(tmp_path, value, "not a JSON object")


def test_verify_reports_each_rejected_file_and_fails(document: dict[str, Any], honest: Path, tmp_path: Path, capsys):
    document["aggregates"]["count"]["settings"]["cot"]["accuracy"] = 0.123
    bad = _write(tmp_path, document)
    assert main(["verify", str(honest), str(bad)]) == 1
    captured = capsys.readouterr()
    assert f"OK {honest}" in captured.out
    assert f"REJECTED {bad}: a changed aggregate: aggregates.count.settings.cot.accuracy" in captured.err


def test_submit_from_a_folder_without_runs_fails_clearly(tmp_path: Path, capsys) -> None:
    assert main(["submit", str(tmp_path), "--out", str(tmp_path / "s.json")]) == 1
    assert "no compgap runs with samples" in capsys.readouterr().err
    assert not (tmp_path / "s.json").exists()

"""Spot-check re-runs without a model: which items are chosen, what is recorded, and when a re-run is not done."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from lmms_compgap.report.logs import RunInfo
from lmms_compgap.report.submissions.model_source import model_source
from lmms_compgap.report.submissions.rerun import (
    choose_items,
    gen_kwargs_argument,
    rerun_document,
    rerun_model_args,
    rerun_seed,
    run_configs,
    why_not_rerunnable,
)
from lmms_compgap.report.submissions.verify import verify_submission


def _run(**changes: object) -> dict:
    run = {
        "id": 0,
        "date": "d",
        "lmms_eval_model": "compgap_cascade",
        "model_args": "pretrained=org/m",
        "gen_kwargs": '{"max_new_tokens": 8}',
        "limit": 4,
        "lmms_eval_version": "0.7.3",
    }
    run.update(changes)
    return run


def test_the_items_follow_the_file_bytes_and_the_salt(honest: Path) -> None:
    document = json.loads(honest.read_text())
    payload = honest.read_bytes()
    picks = choose_items(document, rerun_seed(payload), 5)
    assert picks == choose_items(document, rerun_seed(payload), 5)
    assert len({(pick.task, pick.doc_id) for pick in picks}) == 5
    assert picks != choose_items(document, rerun_seed(payload + b" "), 5)
    assert picks != choose_items(document, rerun_seed(payload, salt="ci-run-1"), 5)
    everything = choose_items(document, rerun_seed(payload), 10**6)
    assert len(everything) == sum(task["n_items"] for task in document["tasks"])


@pytest.mark.parametrize(
    ("recorded", "argument"),
    [
        ('{"max_new_tokens": 8}', "max_new_tokens=8"),
        ('{"max_new_tokens": 8, "do_sample": false}', "max_new_tokens=8,do_sample=False"),
        ("max_new_tokens=8", "max_new_tokens=8"),
        ("null", None),
        ("", None),
        ("{}", None),
    ],
)
def test_recorded_gen_kwargs_become_the_command_line_argument(recorded: str, argument: str | None) -> None:
    assert gen_kwargs_argument(recorded) == argument


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({}, None),
        ({"gen_kwargs": '{"temperature": 0.7, "do_sample": true}'}, "do_sample=True"),
        ({"gen_kwargs": "temperature=0.2"}, "temperature=0.2"),
        ({"gen_kwargs": "num_beams=4"}, "num_beams=4"),
        ({"model_args": "pretrained=evil/m,trust_remote_code=True"}, "trust_remote_code"),
        ({"lmms_eval_model": " "}, "does not record the lmms-eval model"),
        ({"model_args": "pretrained=/nowhere/model"}, "local folder (/nowhere/model) that is not on this machine"),
        ({"model_args": "pretrained=/" + "x" * 5000}, "that is not on this machine"),
        ({"model_source": {"local": True}, "model_args": "pretrained=ckpt"}, "local folder (ckpt)"),
        # A server the submitter runs could replay the submitted responses: asking it proves nothing.
        ({"model_args": "inner=openai,model=m,base_url=http://127.0.0.1:9/v1"}, "asked through a server"),
        ({"lmms_eval_model": "openai_compatible", "model_args": "model=m"}, "asked through a server"),
        ({"model_args": "inner=qwen2_5_vl,pretrained=Org/M,api_base=http://x"}, "asked through a server"),
    ],
)
def test_runs_that_cannot_be_reproduced_here_say_why(changes: dict, reason: str | None) -> None:
    found = why_not_rerunnable(_run(**changes))
    assert found == reason if reason is None else reason in found


@pytest.mark.parametrize(
    ("recorded", "kept"),
    [
        ("inner=qwen2_5_vl,pretrained=Org/M,cache_dir=/tmp/planted", "inner=qwen2_5_vl,pretrained=Org/M"),
        ("cache_dir=/x,inner=qwen2_5_vl,pretrained=Org/M", "inner=qwen2_5_vl,pretrained=Org/M"),
        ("inner=qwen2_5_vl,pretrained=Org/M", "inner=qwen2_5_vl,pretrained=Org/M"),
    ],
)
def test_a_re_run_never_reads_or_writes_a_resume_cache_the_file_names(recorded: str, kept: str) -> None:
    assert rerun_model_args(recorded) == kept


def test_a_model_that_cannot_be_loaded_is_skipped_not_passed(honest: Path) -> None:
    document = json.loads(honest.read_text())
    document["runs"][0]["model_args"] = "inner=qwen2_5_vl,pretrained=/nowhere/tiny-model"
    document["runs"][0]["model_source"].update(pretrained="/nowhere/tiny-model", local=True, hub_id=None)
    result = rerun_document(document, "seed", 3)
    assert result.comparisons == [] and not result.mismatches
    assert result.summary().startswith("re-run skipped: the model was loaded from a local folder (/nowhere/tiny-model)")


def test_an_lmms_eval_that_writes_no_results_is_a_skipped_re_run(tmp_path: Path) -> None:
    # lmms-eval exits 0 when an evaluation fails: only its results files say it ran.
    fake = tmp_path / "python"
    fake.write_text("#!/bin/sh\necho 'Traceback: OSError: no model here'\nexit 0\n")
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    why = run_configs([(tmp_path / "out0", {"model": "m"})], tmp_path, timeout=30, python=fake)
    assert why is not None and "1 of 1 runs wrote no results" in why and "no model here" in why


@pytest.mark.parametrize(
    ("model_args", "expected"),
    [
        ("pretrained=Org/Model-7B", {"local": False, "hub_id": "Org/Model-7B", "revision": None}),
        ("pretrained=Org/Model-7B,revision=abc123", {"local": False, "hub_id": "Org/Model-7B", "revision": "abc123"}),
        (
            "inner=qwen2_5_vl,pretrained=/home/u/.cache/huggingface/hub/models--Qwen--Qwen2.5-VL-7B-Instruct/"
            "snapshots/" + "a" * 40,
            {"local": True, "hub_id": "Qwen/Qwen2.5-VL-7B-Instruct", "revision": "a" * 40},
        ),
        ("inner=openai,model=gpt-x,base_url=http://h/v1", {"local": False, "hub_id": "gpt-x", "revision": None}),
        ("device_map=cpu", {"local": False, "hub_id": None, "revision": None, "pretrained": None}),
        ("pretrained=" + "<script>" * 100, {"local": False, "hub_id": None, "revision": None}),
        ("pretrained=org/m,revision=" + "x;" * 150, {"local": False, "hub_id": "org/m", "revision": None}),
    ],
)
def test_submissions_record_where_the_model_came_from(model_args: str, expected: dict) -> None:
    run = RunInfo(Path("r_results.json"), "d", "m", "compgap_cascade", model_args, "", None, "0.7.3")
    assert model_source(run).items() >= expected.items()


def test_a_local_model_folder_is_recorded_as_local(tmp_path: Path) -> None:
    run = RunInfo(Path("r_results.json"), "d", "m", "qwen2_5_vl", f"pretrained={tmp_path}", "", None, "0.7.3")
    assert model_source(run) == {"pretrained": str(tmp_path), "local": True, "hub_id": None, "revision": None}


def test_files_without_the_re_run_fields_still_verify(honest: Path, tmp_path: Path) -> None:
    document = json.loads(honest.read_text())
    assert "model_source" in document["runs"][0]
    for run in document["runs"]:
        run.pop("model_source"), run.pop("batch_size", None)
    old = tmp_path / "old.json"
    old.write_text(json.dumps(document))
    assert verify_submission(old).model_name == document["model"]["name"]


@pytest.mark.parametrize("n", ["0", "101", "-3"])
def test_a_re_run_size_out_of_range_is_refused_before_any_check(
    n: str, honest: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from lmms_compgap.cli import main

    assert main(["verify", str(honest), "--rerun", n]) == 1
    captured = capsys.readouterr()
    assert f"--rerun must be between 1 and 100, not {n}" in captured.err and "OK" not in captured.out

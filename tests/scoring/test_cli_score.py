"""`compgap score TASK RESPONSES.jsonl`: the in-run scorer, outside a run."""

from __future__ import annotations

import json
from pathlib import Path

from lmms_compgap.cli import main
from lmms_compgap.core.registry import get_family
from lmms_compgap.core.settings import CascadeResponse

ROWS = get_family("mathtext").generate()


def _write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_score_writes_one_line_per_response_and_accuracies_to_stderr(tmp_path: Path, capsys) -> None:
    responses = [
        {"doc_id": 0, "response": f"Answer: {ROWS[0]['answer']}"},
        {"doc_id": 1, "response": f"So the total is **{ROWS[1]['answer']}**."},
        {"doc_id": 2, "response": "I'm sorry, I can't read that."},
    ]
    path = _write(tmp_path / "responses.jsonl", [json.dumps(r) for r in responses])
    assert main(["score", "compgap_mathtext_direct", str(path)]) == 0
    captured = capsys.readouterr()
    lines = [json.loads(line) for line in captured.out.splitlines()]
    assert [line["doc_id"] for line in lines] == [0, 1, 2]
    assert set(lines[0]) == {"doc_id", "target", "extracted", "correct", "strict"}
    assert (lines[0]["correct"], lines[0]["strict"]) == (1, 1)
    assert (lines[1]["correct"], lines[1]["strict"]) == (1, 0)
    assert (lines[2]["correct"], lines[2]["extracted"]) == (0, None)
    assert "n=3 accuracy=0.6667 strict_accuracy=0.3333" in captured.err


def test_score_reads_cascade_envelopes_as_logged_by_lmms_eval(tmp_path: Path, capsys) -> None:
    envelope = CascadeResponse(step1=ROWS[5]["intermediate"], step2=f"Answer: {ROWS[5]['answer']}").encode()
    path = _write(tmp_path / "responses.jsonl", [json.dumps({"doc_id": 5, "response": envelope})])
    assert main(["score", "compgap_mathtext_cascade", str(path)]) == 0
    line = json.loads(capsys.readouterr().out)
    assert line["correct"] == 1 and line["target"] == ROWS[5]["answer"]


def test_bad_lines_are_reported_skipped_and_make_the_exit_status_nonzero(tmp_path: Path, capsys) -> None:
    path = _write(
        tmp_path / "responses.jsonl",
        [
            "not json",
            json.dumps({"doc_id": 99999, "response": "1"}),
            json.dumps({"doc_id": 0}),
            json.dumps({"doc_id": "0", "response": "1"}),
            json.dumps({"doc_id": 0, "response": f"Answer: {ROWS[0]['answer']}"}),
        ],
    )
    assert main(["score", "compgap_mathtext_direct", str(path)]) == 2
    captured = capsys.readouterr()
    assert len(captured.out.splitlines()) == 1
    for number in (1, 2, 3, 4):
        assert f"responses.jsonl:{number}: skipped" in captured.err


def test_unknown_task_names_list_the_real_ones(capsys) -> None:
    try:
        main(["score", "compgap_nothing_direct", "-"])
    except SystemExit as exit_:
        assert "compgap_mathtext_direct" in str(exit_.code)
    else:  # pragma: no cover
        raise AssertionError("an unknown task must be refused")


def test_a_paraphrase_task_is_scored_as_its_setting_and_one_that_does_not_exist_is_refused(
    tmp_path: Path, capsys
) -> None:
    path = _write(tmp_path / "responses.jsonl", [json.dumps({"doc_id": 0, "response": f"Answer: {ROWS[0]['answer']}"})])
    assert main(["score", "compgap_mathtext_direct_w2", str(path)]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["correct"] == 1 and "compgap_mathtext_direct_w2: n=1" in captured.err
    for task in ("compgap_mathtext_direct_w9", "compgap_mathtextred_direct_w1"):  # no such paraphrase task
        try:
            main(["score", task, str(path)])
        except SystemExit as exit_:
            assert "compgap_<family>_<setting>_w<k>" in str(exit_.code)
        else:  # pragma: no cover
            raise AssertionError(f"{task} must be refused")

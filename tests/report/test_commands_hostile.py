"""No input file makes a `compgap` command block, stop with a traceback, or silently drop data.

Every file is built in the test: named pipes, huge numbers, hostile model names, duplicated items,
bad lines. Commands that could block run in a subprocess with a timeout.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from lmms_compgap.cli import main
from lmms_compgap.core.dataset_family import DatasetFamily
from lmms_compgap.core.hub_data import DatasetUnavailable
from lmms_compgap.core.json_lines import MAX_LINE_BYTES, lines_within, read_json_lines
from lmms_compgap.errors import ReportError
from lmms_compgap.finetune.train import PROVENANCE_FILE
from lmms_compgap.report.compute.scores import SCORES_EXPLAINED, ItemScore
from lmms_compgap.report.compute.slices import attribute_groups
from lmms_compgap.report.files.provenance import training_record
from lmms_compgap.report.files.report_folder import write_csv
from lmms_compgap.report.files.runs import load_outputs
from lmms_compgap.report.render.literal import markdown_text, name_key, plain_text, plot_text
from lmms_compgap.report.simulate import SimulatedModel, simulate_run
from lmms_compgap.report.submissions import document as submission
from tests.helpers import REPO
from tests.helpers import SUBMITTED_LIMIT as LIMIT

FAST = ["--resamples", "1000"]
EVIL = "evil$\\frac{$model\ud800<script>alert(1)</script>\x1b[31m"
needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")


def _compgap(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """The installed `compgap` command in a subprocess: a command that blocks fails the test, not the suite."""
    return subprocess.run(
        [sys.executable, "-m", "lmms_compgap.cli", *args], capture_output=True, text=True, timeout=timeout
    )


def _edited(honest: Path, folder: Path, name: str, edit: Any) -> Path:
    document = json.loads(honest.read_text())
    edit(document)
    path = folder / name
    path.write_text(json.dumps(document, ensure_ascii=True))
    return path


# ---- verify and leaderboard ----------------------------------------------------------------------
@needs_fifo
def test_verify_refuses_a_named_pipe_and_checks_the_other_files(honest: Path, tmp_path: Path) -> None:
    pipe = tmp_path / "pipe.json"
    os.mkfifo(pipe)
    result = _compgap("verify", str(pipe), str(honest), timeout=60)
    assert result.returncode == 1
    assert f"REJECTED {pipe}: a named pipe, not a regular file; not read" in result.stderr
    assert f"OK {honest}: org/model-a" in result.stdout


@needs_fifo
def test_leaderboard_lists_a_named_pipe_as_rejected(honest: Path, tmp_path: Path) -> None:
    folder = tmp_path / "submissions"
    folder.mkdir()
    (folder / "model-a.json").write_bytes(honest.read_bytes())
    os.mkfifo(folder / "pipe.json")
    result = _compgap("leaderboard", str(folder), "--include-partial", *FAST, timeout=120)
    assert result.returncode == 0, result.stderr
    page = (folder / "leaderboard" / "leaderboard.md").read_text()
    assert "pipe.json: a named pipe, not a regular file" in page and "org/model-a" in page


def test_a_huge_aggregate_is_rejected_and_the_next_file_still_checked(honest: Path, tmp_path: Path) -> None:
    def huge(document: dict[str, Any]) -> None:
        family = next(iter(document["aggregates"]))
        document["aggregates"][family]["comparisons"]["cascade_vs_direct"]["flexible"]["relative"] = 10**4000

    bad = _edited(honest, tmp_path, "huge.json", huge)
    result = _compgap("verify", str(bad), str(honest))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"REJECTED {bad}: schema violation" in result.stderr
    assert f"OK {honest}" in result.stdout


@pytest.mark.parametrize(
    ("where", "value"),
    [(("runs", 0, "limit"), 10**400), (("tasks", 0, "version"), 10**4000), (("statistics", "seed"), 10**300)],
)
def test_every_number_in_a_submission_is_bounded(honest: Path, tmp_path: Path, where: tuple, value: int) -> None:
    def edit(document: dict[str, Any]) -> None:
        target = document
        for key in where[:-1]:
            target = target[key]
        target[where[-1]] = value

    bad = _edited(honest, tmp_path, "big.json", edit)
    assert main(["verify", str(bad)]) == 1


def test_leaderboard_lists_a_file_with_a_huge_number_as_rejected(honest: Path, tmp_path: Path) -> None:
    folder = tmp_path / "submissions"
    folder.mkdir()
    (folder / "model-a.json").write_bytes(honest.read_bytes())
    _edited(honest, folder, "huge.json", lambda d: d["runs"][0].update(limit=10**4000))
    assert main(["leaderboard", str(folder), "--include-partial", *FAST]) == 0
    page = (folder / "leaderboard" / "leaderboard.md").read_text()
    assert "huge.json" in page.split("## Rejected files")[1] and "org/model-a" in page.split("## Rejected files")[0]


def test_an_lmms_eval_results_file_is_recognised(run_output: Path, capsys) -> None:
    results = next(run_output.rglob("*_results.json"))
    assert main(["verify", str(results)]) == 1
    err = capsys.readouterr().err
    assert "this is an lmms-eval results file, not a submission" in err and "compgap submit" in err


def test_an_lmms_eval_samples_file_is_recognised(run_output: Path, capsys) -> None:
    samples = next(run_output.rglob("*_samples_*.jsonl"))
    assert main(["verify", str(samples)]) == 1
    assert "an lmms-eval samples file?" in capsys.readouterr().err


def test_hostile_model_names_are_shown_literally(honest: Path, tmp_path: Path) -> None:
    folder = tmp_path / "submissions"
    folder.mkdir()
    _edited(honest, folder, "evil.json", lambda d: d["model"].update(name=EVIL))
    result = _compgap("leaderboard", str(folder), "--include-partial", *FAST)
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    markdown = (folder / "leaderboard" / "leaderboard.md").read_text(encoding="utf-8")
    page = (folder / "leaderboard" / "leaderboard.html").read_text(encoding="utf-8")
    assert "<script>" not in markdown and "&lt;script&gt;" in markdown and "\\ud800" in markdown
    assert "<script>alert" not in page and "&lt;script&gt;" in page
    assert "\x1b" not in markdown + page
    assert (folder / "leaderboard" / "leaderboard_gap.png").stat().st_size > 0
    verified = _compgap("verify", str(folder / "evil.json"))
    assert verified.returncode == 0 and "\\ud800" in verified.stdout and "\x1b" not in verified.stdout


def test_literal_renderers() -> None:
    assert plain_text("a\ud800\x1b[0m\nb") == "a\\ud800\\x1b[0m\\nb"
    assert markdown_text("<b>[x](javascript:y)</b> *a* |") == "&lt;b&gt;\\[x\\](javascript:y)&lt;/b&gt; \\*a\\* \\|"
    assert markdown_text("compgap_count_direct") == "compgap_count_direct"
    assert plot_text("evil$\\frac{$model") == "evil\\$\\frac{\\$model"


def test_submit_records_a_name_next_to_the_path(run_output: Path, tmp_path: Path, capsys) -> None:
    path = tmp_path / "named.json"
    assert main(["submit", str(run_output), "--out", str(path), "--partial", "--name", "My VLM 7B", *FAST]) == 0
    document = json.loads(path.read_text())
    assert document["model"] == {"name": "My VLM 7B", "path": "org/model-a"}
    assert main(["verify", str(path)]) == 0
    assert "OK" in capsys.readouterr().out
    folder = tmp_path / "board"
    folder.mkdir()
    (folder / "named.json").write_bytes(path.read_bytes())
    assert main(["leaderboard", str(folder), "--include-partial", *FAST]) == 0
    assert "My VLM 7B" in (folder / "leaderboard" / "leaderboard.md").read_text()


def test_submit_refuses_an_empty_name(run_output: Path, tmp_path: Path, capsys) -> None:
    assert main(["submit", str(run_output), "--out", str(tmp_path / "x.json"), "--partial", "--name", " "]) == 1
    assert "--name must be 1 to 300 characters" in capsys.readouterr().err


def test_the_schema_bounds_every_number() -> None:
    def unbounded(node: Any, where: str) -> list[str]:
        found = []
        if isinstance(node, dict):
            types = node.get("type")
            types = types if isinstance(types, list) else [types]
            if ("number" in types or "integer" in types) and not ("maximum" in node or "exclusiveMaximum" in node):
                found.append(where)
            for key, value in node.items():
                found += unbounded(value, f"{where}/{key}")
        elif isinstance(node, list):
            for index, value in enumerate(node):
                found += unbounded(value, f"{where}/{index}")
        return found

    schema = json.loads(submission.SCHEMA_PATH.read_text())
    assert unbounded(schema, "") == []


# ---- report --------------------------------------------------------------------------------------
def _copy_run(run_output: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(run_output, tmp_path / "out"))


@needs_fifo
def test_report_refuses_named_pipes_in_the_folder(run_output: Path, tmp_path: Path) -> None:
    out = _copy_run(run_output, tmp_path)
    folder = next(out.rglob("*_results.json")).parent
    os.mkfifo(folder / "20991231_000000_results.json")
    samples = next(folder.glob("*_samples_compgap_count_direct.jsonl"))
    samples.unlink()
    os.mkfifo(samples)
    result = _compgap("report", str(out), "--out", str(tmp_path / "r"), "--no-plots", *FAST, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "20991231_000000_results.json: a named pipe, not a regular file; not read; skipped" in result.stdout
    assert "compgap_count_direct.jsonl: a named pipe, not a regular file; not read; its samples" in result.stdout


def _rewrite_results(out: Path, change: Any) -> None:
    path = next(out.rglob("*_results.json"))
    results = json.loads(path.read_text())
    change(results)
    path.write_text(json.dumps(results))


def test_report_reads_a_huge_limit_as_no_limit(run_output: Path, tmp_path: Path, capsys) -> None:
    out = _copy_run(run_output, tmp_path)
    _rewrite_results(out, lambda results: results["config"].update(limit=10**400))
    assert main(["report", str(out), "--out", str(tmp_path / "r"), "--no-plots", *FAST]) == 0
    assert "config.limit is not a usable number" in capsys.readouterr().out


def test_report_names_items_recorded_twice(run_output: Path, tmp_path: Path, capsys) -> None:
    out = _copy_run(run_output, tmp_path)
    samples = next(out.rglob("*_samples_compgap_count_direct.jsonl"))
    lines = samples.read_text().splitlines()
    twin = json.loads(lines[1])
    twin["compgap"]["uid"] = json.loads(lines[0])["compgap"]["uid"]
    samples.write_text("\n".join([lines[0], json.dumps(twin), *lines[2:]]) + "\n")
    assert main(["report", str(out), "--out", str(tmp_path / "r"), "--no-plots", *FAST]) == 0
    printed = capsys.readouterr().out
    assert "line 2: item count-v1-00000 again (first on line 1, another doc_id)" in printed
    assert "doc_id 1 holds the record of item count-v1-00000" not in printed  # the twin is skipped, and said so
    assert f"direct {LIMIT - 1}, cascade {LIMIT}" in printed  # the uneven settings are an issue too


def test_report_on_a_missing_or_empty_folder_writes_nothing(run_output: Path, tmp_path: Path, capsys) -> None:
    report = tmp_path / "r"
    assert main(["report", str(run_output), "--out", str(report), "--no-plots", *FAST]) == 0
    before = {path.name: path.read_bytes() for path in report.iterdir()}
    (tmp_path / "empty").mkdir()
    for target in (tmp_path / "missing", tmp_path / "empty"):
        assert main(["report", str(target), "--out", str(report), *FAST]) == 1
    err = capsys.readouterr().err
    assert f"{tmp_path / 'missing'}: does not exist" in err and "nothing written" in err
    assert {path.name: path.read_bytes() for path in report.iterdir()} == before


def test_report_opens_with_the_one_sentence_on_scores(run_output: Path, tmp_path: Path) -> None:
    assert main(["report", str(run_output), "--out", str(tmp_path / "r"), "--no-plots", *FAST]) == 0
    report = (tmp_path / "r" / "report.md").read_text()
    assert SCORES_EXPLAINED in report
    assert "A gap under the strict score only is a formatting effect, not a composition one." in SCORES_EXPLAINED
    for document in (REPO / "README.md", REPO / "docs" / "report.md"):
        assert SCORES_EXPLAINED in " ".join(document.read_text().split()), document


def test_report_labels_lmms_eval_by_its_installed_version(run_output: Path, tmp_path: Path, capsys) -> None:
    out = _copy_run(run_output, tmp_path)
    _rewrite_results(out, lambda results: results.update(lmms_eval_version="main@1a2b3c4d"))
    assert main(["report", str(out), "--out", str(tmp_path / "r"), "--no-plots", *FAST]) == 0
    report = (tmp_path / "r" / "report.md").read_text()
    assert "lmms-eval unknown (lmms-eval wrote main@1a2b3c4d: the git state of its launch folder)" in report
    for samples in out.rglob("*_samples_*.jsonl"):  # what the hooks record during a run
        lines = [json.loads(line) for line in samples.read_text().splitlines()]
        for line in lines:
            line["compgap"]["lmms_eval_version"] = "0.7.3"
        samples.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    assert main(["report", str(out), "--out", str(tmp_path / "r2"), "--no-plots", *FAST]) == 0
    report = (tmp_path / "r2" / "report.md").read_text()
    assert "lmms-eval 0.7.3" in report and "main@" not in report


def test_intervals_too_wide_to_mean_anything_are_marked(run_output: Path, tmp_path: Path) -> None:
    assert main(["report", str(run_output), "--out", str(tmp_path / "r"), "--no-plots", *FAST]) == 0
    report = (tmp_path / "r" / "report.md").read_text()
    assert "(n too small)" in report.split("## Composition gap")[1].split("##")[0]
    with (tmp_path / "r" / "gap.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert {row["gap_ci_too_wide"] for row in rows} == {"True"}  # n = LIMIT items


def test_report_with_hostile_model_names_does_not_crash(tmp_path: Path) -> None:
    out = tmp_path / "out"
    simulate_run(
        out, SimulatedModel("org/plain", see=0.8, reason=0.8, compose=0.5, seed=1), families=["count"], limit=4
    )
    _rewrite_results(out, lambda results: results.update(model_name=EVIL))
    result = _compgap("report", str(out), "--out", str(tmp_path / "r"), *FAST)
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    report = (tmp_path / "r" / "report.md").read_text(encoding="utf-8")
    assert "&lt;script&gt;" in report and "<script>" not in report and "\x1b" not in report
    assert (tmp_path / "r" / "gap.png").stat().st_size > 0


def test_slices_keep_1_and_the_string_1_and_true_apart() -> None:
    values = {"a": 1, "b": "1", "c": True, "d": 1, "e": False, "f": 0}
    scores = {"direct": {uid: ItemScore(uid, 1, 1, attributes={"x": value}) for uid, value in values.items()}}
    groups = attribute_groups(scores)["x"]
    assert groups == {"0": ["f"], "1": ["a", "d"], "false": ["e"], "true": ["c"], '"1"': ["b"]}
    assert sum(len(uids) for uids in groups.values()) == len(values)


def test_loading_names_a_missing_path(tmp_path: Path) -> None:
    assert f"{tmp_path / 'nope'}: does not exist; skipped" in load_outputs([tmp_path / "nope"]).issues


# ---- compgap score -------------------------------------------------------------------------------------
def test_score_skips_bad_lines_by_number_and_scores_the_good_ones(tmp_path: Path) -> None:
    path = tmp_path / "responses.jsonl"
    good = json.dumps({"doc_id": 0, "response": "Answer: 3"}).encode()
    nested = ("[" * 100_000 + "]" * 100_000).encode()
    path.write_bytes(b"\n".join([good, nested, b'{"doc_id": 1, "response": "caf\xe9"}', good]) + b"\n")
    result = _compgap("score", "compgap_count_direct", str(path))
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    assert f"{path}:2: skipped: JSON nested too deeply to parse" in result.stderr
    assert f"{path}:3: skipped: not UTF-8 text (byte 30 of the line)" in result.stderr
    assert len(result.stdout.splitlines()) == 2 and "n=2" in result.stderr


# ---- issue 19 ------------------------------------------------------------------------------------------------------
def _rewrite_samples(out: Path, change: Any) -> None:
    """Apply `change(record, line number)` to the compgap record of every logged sample under `out`."""
    for path in out.rglob("*_samples_*.jsonl"):
        lines = []
        for number, line in enumerate(path.read_text().splitlines()):
            entry = json.loads(line)
            change(entry["compgap"], number)
            lines.append(json.dumps(entry))
        path.write_text("\n".join(lines) + "\n")


def _count_run(tmp_path: Path) -> Path:
    out = tmp_path / "out"
    model = SimulatedModel("org/plain", see=0.8, reason=0.8, compose=0.5, seed=1)
    simulate_run(out, model, families=["count"], settings=("direct", "cascade"), limit=8)
    return out


def test_report_csv_cells_never_start_a_formula(tmp_path: Path) -> None:
    rows = [{"=name": value, "number": -0.25} for value in ('=HYPERLINK("x")', "+1", "-1", "@SUM(A1)", "\tx", "\rx")]
    path = write_csv(tmp_path / "t.csv", rows)
    with path.open(newline="") as handle:
        read = list(csv.reader(handle))
    assert read[0] == ["'=name", "number"]
    assert [row[0] for row in read[1:]] == ['\'=HYPERLINK("x")', "'+1", "'-1", "'@SUM(A1)", "'\tx", "'\rx"]
    assert {row[1] for row in read[1:]} == {"-0.25"}  # numbers are numbers, a negative gap included


def test_report_escapes_attribute_names_and_neutralises_formulas(tmp_path: Path) -> None:
    out = _count_run(tmp_path)
    hostile = "<b>x</b>[l](javascript:1)|=cmd"
    _rewrite_samples(out, lambda record, number: record["attributes"].update({hostile: number % 2}))
    _rewrite_results(out, lambda results: results.update(model_name='=HYPERLINK("http://x")'))
    assert main(["report", str(out), "--out", str(tmp_path / "r"), "--no-plots", *FAST]) == 0
    report = (tmp_path / "r" / "report.md").read_text()
    assert "<b>" not in report and "&lt;b&gt;x&lt;/b&gt;\\[l\\](javascript:1)\\|=cmd" in report
    for name in (
        "gap.csv",
        "slices.csv",
        "attribution.csv",
        "failed_calls.csv",
        "agreement.csv",
        "effort.csv",
        "length_ratio.csv",
    ):
        with (tmp_path / "r" / name).open(newline="") as handle:
            cells = [cell for row in csv.reader(handle) for cell in row]
        assert not any(cell.startswith(("=", "+", "@", "\t", "\r")) for cell in cells), name


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda record: record.update(correct="0"), "correct is not 0 or 1"),
        (lambda record: record.update(correct=float("nan")), "correct is not 0 or 1"),
        (lambda record: record.update(strict=2), "strict is not 0 or 1"),
        (lambda record: record["attributes"].update(objects=10**400), "is an integer beyond 2**53"),
        (lambda record: record["attributes"].update(objects=float("nan")), "is not a finite number"),
        (lambda record: record["attributes"].update(objects=float("inf")), "is not a finite number"),
        (lambda record: record.update(failed_step="x"), "failed_step is not a step number"),
    ],
)
def test_a_record_no_scorer_wrote_is_refused_never_counted_right(
    tmp_path: Path, change: Any, reason: str, capsys
) -> None:
    out = _count_run(tmp_path)
    _rewrite_samples(out, lambda record, number: change(record) if number == 0 else None)
    loaded = load_outputs([out])
    assert any("line 1: " in issue and reason in issue for issue in loaded.issues), loaded.issues
    assert all(sample.doc_id != 0 for task in loaded.tasks for sample in task.samples)
    assert main(["report", str(out), "--out", str(tmp_path / "r"), "--no-plots", *FAST]) == 0
    assert "OverflowError" not in capsys.readouterr().err
    assert "nan" not in (tmp_path / "r" / "slices.csv").read_text().lower()


def test_a_truncated_training_record_is_named_not_a_traceback(run_output: Path, tmp_path: Path, capsys) -> None:
    model = tmp_path / "model"
    model.mkdir()
    (model / PROVENANCE_FILE).write_text('{"format": "lmms-compgap-training", "spl')
    out = tmp_path / "x.json"
    assert main(["submit", str(run_output), "--out", str(out), "--partial", "--trained-on", str(model)]) == 1
    assert "cannot be read (not valid JSON: truncated or edited?)" in capsys.readouterr().err
    runs = SimpleNamespace(runs=[SimpleNamespace(pretrained=str(model))])  # what `report --base` looks up
    with pytest.raises(ReportError, match="cannot be read"):
        training_record(runs)


def _data_root(tmp_path: Path, payload: bytes | None) -> Path:
    folder = tmp_path / "task_yamls" / "count" / "data"
    folder.mkdir(parents=True)
    if payload is not None:
        (folder / "test.jsonl").write_bytes(payload)
    return tmp_path / "task_yamls"


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        (b"[1,2,3]", "a line must be a JSON object"),
        (b"[" * 200_000 + b"]" * 200_000, "JSON nested too deeply to parse"),
        (b'{"uid": ' + b"9" * 5000 + b"}", "Exceeds the limit"),
        (b'{"uid": "\xff"}', "not UTF-8"),
    ],
)
def test_data_verify_names_a_bad_line(tmp_path: Path, line: bytes, reason: str, capsys) -> None:
    root = _data_root(tmp_path, line + b"\n")
    assert main(["data", "verify", "--task", "count", "--root", str(root)]) == 1
    err = capsys.readouterr().err
    assert "count: FAILED:" in err and f"test.jsonl:1: not a data row ({reason}" in err, err


def test_data_verify_reads_no_more_than_a_fresh_generation(tmp_path: Path, capsys) -> None:
    root = _data_root(tmp_path, None)
    with (root / "count" / "data" / "test.jsonl").open("wb") as handle:
        handle.truncate(2 * 1024**3)  # sparse: 2 GB of zeros that take no disk
    assert main(["data", "verify", "--task", "count", "--root", str(root)]) == 1
    assert "larger than a fresh generation" in capsys.readouterr().err


@needs_fifo
def test_data_verify_refuses_a_named_pipe(tmp_path: Path) -> None:
    root = _data_root(tmp_path, None)
    os.mkfifo(root / "count" / "data" / "test.jsonl")
    result = _compgap("data", "verify", "--task", "count", "--root", str(root), timeout=60)
    assert result.returncode == 1 and "a named pipe, not a regular file; not read" in result.stderr


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_score_refuses_a_device(capsys) -> None:
    assert main(["score", "compgap_count_direct", "/dev/zero"]) == 1
    assert "/dev/zero: a character device, not a regular file; not read" in capsys.readouterr().err


def test_no_line_is_held_past_the_limit() -> None:
    lines = list(lines_within(io.BytesIO(b"short\n" + b"0" * 5000 + b"\nlast"), limit=100))
    assert lines == [b"short\n", None, b"last"]
    read = list(read_json_lines([None], lambda value: value))
    assert read == [(1, None, f"longer than {MAX_LINE_BYTES} bytes; not read")]


def test_data_check_refuses_an_out_folder_that_does_not_exist_before_checking(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    def never(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("checked before finding out that --out cannot be written")

    monkeypatch.setattr("lmms_compgap.datacheck.runner.check_family", never)
    out = tmp_path / "missing" / "check.json"
    assert main(["data", "check", "--task", "count", "--limit", "1", "--out", str(out)]) == 2
    assert "the folder" in capsys.readouterr().err and not out.parent.exists()


def test_a_missing_dataset_help_keeps_its_line_breaks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys):
    def missing(self: DatasetFamily) -> Any:
        raise DatasetUnavailable("the dataset is not on this machine. Searched:\n  - here\x1b[31m")

    monkeypatch.setattr(DatasetFamily, "dataset_rows", missing)
    path = tmp_path / "r.jsonl"
    path.write_text('{"doc_id": 0, "response": "1"}\n')
    assert main(["score", "compgap_gsm8k_direct", str(path)]) == 1
    err = capsys.readouterr().err
    assert "Searched:\n  - here\\x1b[31m" in err and "\\n" not in err


def test_every_invisible_character_is_shown_escaped() -> None:
    for code in range(sys.maxunicode + 1):
        category = unicodedata.category(chr(code))
        escaped = plain_text(chr(code)) != chr(code)
        if category in ("Cf", "Zl", "Zp"):
            assert escaped, f"U+{code:04X} ({category}) is invisible and shown raw"
        elif escaped:
            assert category in ("Cc", "Cs", "Cn"), f"U+{code:04X} ({category}) is escaped but visible"
    assert plain_text("tq\u200b") == "tq\\u200b" and name_key("tq\u200b") == name_key("tq") == name_key("tq\\u200b")


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symbolic links")
@pytest.mark.parametrize("link", ["r", "r/report.md", "r/gap.csv"])
def test_report_never_writes_through_a_symbolic_link(tmp_path: Path, link: str, capsys) -> None:
    out = _count_run(tmp_path)
    target = tmp_path / "elsewhere"
    target.mkdir()
    (target / "precious").write_text("precious")
    if link == "r":
        (tmp_path / "r").symlink_to(target)
    else:
        (tmp_path / "r").mkdir()
        (tmp_path / link).symlink_to(target / "precious")
    assert main(["report", str(out), "--out", str(tmp_path / "r"), "--no-plots", *FAST]) == 1
    assert "links are not followed" in capsys.readouterr().err
    assert sorted(path.name for path in target.iterdir()) == ["precious"]
    assert (target / "precious").read_text() == "precious"


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda record: record.update(extracted=123, response=None), id="a number where the answer was"),
        pytest.param(lambda record: record.update(extracted=None, response=["x"]), id="a list where the response was"),
        pytest.param(lambda record: record.pop("extracted"), id="no extracted key"),
        pytest.param(lambda record: record.update(response="1 + " * 500_000), id="a 2 MB response"),
    ],
)
def test_the_diagnostics_count_odd_records_apart_and_never_fail(tmp_path: Path, change: Any) -> None:
    out = _count_run(tmp_path)
    _rewrite_samples(out, lambda record, number: change(record) if number == 0 else None)
    assert main(["report", str(out), "--out", str(tmp_path / "r"), "--no-plots", *FAST]) == 0
    with (tmp_path / "r" / "agreement.csv").open(newline="") as handle:
        (row,) = list(csv.DictReader(handle))  # direct vs cascade: the only pair the run holds
    assert int(row["n"]) == 8 and 0 <= int(row["agree"]) <= 8
    with (tmp_path / "r" / "effort.csv").open(newline="") as handle:
        rows = [row for row in csv.DictReader(handle) if row["outcome"] == "all"]
    assert {int(row["n"]) + int(row["no_text"]) for row in rows} == {8}

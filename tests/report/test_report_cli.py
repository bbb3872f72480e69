"""`compgap report`: Markdown on the terminal and in a file, CSV tables and PNG plots, on synthetic runs."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path
from typing import Any

import pytest

from lmms_compgap.cli import main
from lmms_compgap.core.registry import paper_family_names
from lmms_compgap.report.simulate import SimulatedModel, simulate_run, simulated_responses

LIMIT = 30
FAST = ["--resamples", "1000"]


@pytest.fixture(scope="module")
def two_models(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report") / "out"
    simulate_run(out, SimulatedModel("org/good", see=0.95, reason=0.95, compose=0.9, seed=1), limit=LIMIT)
    simulate_run(
        out, SimulatedModel("org/flaky|model", see=0.7, reason=0.8, compose=0.5, fail=0.1, seed=2), limit=LIMIT
    )
    return out


def _csv(path: Path) -> list[dict[str, Any]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_report_writes_markdown_csv_and_readable_plots(two_models: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "report"
    assert main(["report", str(two_models), "--out", str(out), *FAST]) == 0
    printed = capsys.readouterr().out
    assert "## Composition gap" in printed and "## Why the direct setting failed" in printed
    for name in ("report.md", "gap.csv", "attribution.csv", "failed_calls.csv", "slices.csv"):
        assert (out / name).stat().st_size > 0, name
    for name in ("gap.png", "accuracy.png"):
        assert (out / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    report = (out / "report.md").read_text()
    assert "## Slices by difficulty attribute" in report and "## Runs" in report
    rows = _csv(out / "gap.csv")
    assert {(row["model"], row["family"], row["score"]) for row in rows} == {
        (model, family, score)
        for model in ("org/good", "org/flaky|model")
        for family in paper_family_names()
        for score in ("flexible", "strict")
    }
    for row in rows:
        assert float(row["gap_ci_low_pts"]) <= float(row["gap_pts"]) <= float(row["gap_ci_high_pts"])
        assert float(row["gap_pts"]) == pytest.approx(float(row["cascade_pct"]) - float(row["direct_pct"]), abs=0.02)
        assert 0 <= float(row["gap_mcnemar_p"]) <= 1


def test_model_names_cannot_break_the_markdown_table(two_models: Path, tmp_path: Path, capsys) -> None:
    assert main(["report", str(two_models), "--out", str(tmp_path / "r"), "--no-plots", *FAST]) == 0
    assert "org/flaky\\|model" in capsys.readouterr().out


def test_failed_calls_are_counted_per_setting(two_models: Path, tmp_path: Path) -> None:
    assert main(["report", str(two_models), "--out", str(tmp_path / "r"), "--no-plots", *FAST]) == 0
    failed = {(row["model"], row["family"]): row for row in _csv(tmp_path / "r" / "failed_calls.csv")}
    flaky = [failed[("org/flaky|model", family)] for family in paper_family_names()]
    assert sum(int(row[key]) for row in flaky for key in ("direct", "cascade_step1", "cot", "vision", "language")) > 0
    good = [failed[("org/good", family)] for family in paper_family_names()]
    assert all(int(value) == 0 for row in good for key, value in row.items() if key not in ("model", "family"))


def test_attribution_partitions_the_direct_failures_the_gap_table_counts(two_models: Path, tmp_path: Path) -> None:
    assert main(["report", str(two_models), "--out", str(tmp_path / "r"), "--no-plots", *FAST]) == 0
    gap = {(row["model"], row["family"], row["score"]): row for row in _csv(tmp_path / "r" / "gap.csv")}
    attribution = _csv(tmp_path / "r" / "attribution.csv")
    assert {(row["model"], row["family"], row["score"]) for row in attribution} == set(gap)
    for row in attribution:
        direct = gap[(row["model"], row["family"], row["score"])]
        # The items the direct setting got wrong, counted from its accuracy in the other table.
        wrong = int(direct["direct_n"]) - round(float(direct["direct_pct"]) * int(direct["direct_n"]) / 100)
        assert int(row["direct_wrong"]) == wrong, row
        parts = ("unresolved", "perception", "composition", "reasoning", "residual")
        assert sum(int(row[part]) for part in parts) == wrong


def _format_only(row: dict[str, Any], model: SimulatedModel) -> dict[str, str]:
    responses = simulated_responses(row, model)
    responses["direct"] = f"I think it is {row['answer']}."  # right, but not in the requested format
    return responses


def test_a_formatting_gap_shows_under_the_strict_score_only(tmp_path: Path) -> None:
    model = SimulatedModel("org/formatting", see=1.0, reason=1.0, compose=1.0, format_slip=0.0)
    simulate_run(tmp_path / "out", model, families=["count"], limit=LIMIT, responder=_format_only)
    assert main(["report", str(tmp_path / "out"), "--out", str(tmp_path / "r"), "--no-plots", *FAST]) == 0
    rows = {row["score"]: row for row in _csv(tmp_path / "r" / "gap.csv")}
    assert float(rows["flexible"]["gap_pts"]) == 0.0
    assert float(rows["strict"]["gap_pts"]) == 100.0


def test_an_incomplete_run_is_reported_not_fatal(two_models: Path, tmp_path: Path, capsys) -> None:
    out = Path(shutil.copytree(two_models, tmp_path / "out"))
    for samples in out.glob("org__good/*_samples_compgap_count_*.jsonl"):
        samples.unlink()
    assert main(["report", str(out), "--out", str(tmp_path / "r"), "--no-plots", *FAST]) == 0
    printed = capsys.readouterr().out
    assert "compgap_count_direct has results but no samples file" in printed


def test_report_without_any_runs_fails_with_a_message_and_writes_nothing(tmp_path: Path, capsys) -> None:
    assert main(["report", str(tmp_path), "--out", str(tmp_path / "r")]) == 1
    captured = capsys.readouterr()
    assert "no lmms-eval results files" in captured.err
    assert "no compgap results with samples found; nothing written" in captured.err
    assert not (tmp_path / "r").exists()


def test_bad_statistics_options_are_refused(two_models: Path, tmp_path: Path, capsys) -> None:
    assert main(["report", str(two_models), "--out", str(tmp_path), "--confidence", "1.5"]) == 1
    assert "--confidence" in capsys.readouterr().err

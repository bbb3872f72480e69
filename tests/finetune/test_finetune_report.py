"""The gap before and after fine-tuning, and the fine-tuning record in submissions and on the leaderboard."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest

from lmms_compgap.cli import main
from lmms_compgap.core.registry import get_family
from lmms_compgap.core.splits import SPLIT_VERSION, build_split
from lmms_compgap.errors import SubmissionRejected
from lmms_compgap.finetune.train import PROVENANCE_FILE
from lmms_compgap.report.compute.finetune import gap_verdict
from lmms_compgap.report.compute.stats import BootstrapParams, PairedTable, bootstrap_draws, contrast_draws
from lmms_compgap.report.files.leaderboard_folder import build_leaderboard
from lmms_compgap.report.simulate import SimulatedModel, simulate_run
from lmms_compgap.report.submissions.verify import verify_submission

BASE = SimulatedModel("org/vlm", see=0.9, reason=0.9, compose=0.3, seed=3)
TUNED = SimulatedModel("org/vlm-compgap-ft", see=0.9, reason=0.9, compose=0.9, seed=3)


def test_contrast_draws_agree_with_the_two_by_two_bootstrap() -> None:
    rng = np.random.default_rng(0)
    a, b = rng.integers(0, 2, 400), rng.integers(0, 2, 400)
    contrast = contrast_draws(np.stack([a, b], axis=1), [1, -1], 20_000, np.random.default_rng(1))
    table = bootstrap_draws(PairedTable.from_scores(a, b), 20_000, np.random.default_rng(1))[0]
    assert abs(contrast.mean() - (a.mean() - b.mean())) < 0.002
    assert abs(contrast.std() - table.std()) < 0.002
    with pytest.raises(ValueError, match="columns"):
        contrast_draws(np.stack([a, b], axis=1), [1, -1, 1], 10, rng)


@pytest.mark.parametrize(
    ("before", "after", "change", "verdict"),
    [
        ((-0.05, 0.1), (0.0, 0.1), (-0.1, 0.1), "no gap before"),
        ((0.1, 0.3), (-0.02, 0.05), (-0.3, -0.1), "closed"),
        ((0.1, 0.3), (0.02, 0.1), (-0.2, -0.01), "narrowed"),
        ((0.1, 0.3), (0.1, 0.3), (-0.05, 0.05), "unchanged"),
        ((0.1, 0.3), (0.3, 0.5), (0.05, 0.2), "widened"),
        # Significant before, not after, but the change itself is not significant: not "closed".
        ((0.1, 0.3), (-0.02, 0.2), (-0.15, 0.03), "unchanged"),
        # A change too uncertain to say anything (more than 10 points either side), however its ends fall.
        ((0.1, 0.3), (-0.02, 0.05), (-0.9, -0.1), "n too small"),
    ],
)
def test_gap_verdict(before, after, change, verdict) -> None:
    assert gap_verdict(before, after, change) == verdict


def test_no_verdict_over_too_few_items() -> None:
    assert gap_verdict((0.1, 0.3), (-0.02, 0.05), (-0.3, -0.1), n=4) == "n too small"
    assert gap_verdict((0.1, 0.3), (-0.02, 0.05), (-0.3, -0.1), n=300) == "closed"


def test_a_report_over_four_items_calls_nothing_closed_and_names_each_run_once(tmp_path: Path, capsys) -> None:
    """The case seen: four items, every gap gone after, exact McNemar p 0.125, was called "closed"."""
    simulate_run(tmp_path / "base", BASE, families=["count"], limit=4)
    simulate_run(tmp_path / "tuned", TUNED, families=["count"], limit=4, date="20260102_000000")
    assert (
        main(
            [
                "report",
                str(tmp_path / "tuned"),
                "--base",
                str(tmp_path / "base"),
                "--out",
                str(tmp_path / "r"),
                "--resamples",
                "500",
                "--no-plots",
            ]
        )
        == 0
    )
    with (tmp_path / "r" / "finetune.csv").open(newline="") as handle:
        verdicts = {row["verdict"] for row in csv.DictReader(handle) if row["setting"] == "gap"}
    assert verdicts == {"n too small"}
    section = capsys.readouterr().out.split("## Before and after fine-tuning")[1].split("\n## ")[0]
    assert "Before: **org/vlm**; after: **org/vlm-compgap-ft**." in section
    assert "before: org/vlm" not in section and "| closed" not in section
    gap_table = section[section.index("| task") :]
    assert gap_table.count("(n too small)") >= 6  # every estimate of both scores' gap rows


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("before-after")
    simulate_run(folder / "base", BASE, families=["count", "cards"], limit=300)
    simulate_run(folder / "tuned", TUNED, families=["count", "cards"], limit=300, date="20260102_000000")
    return folder


def test_report_shows_the_gap_before_and_after_and_whether_it_closed(runs: Path, capsys) -> None:
    out = runs / "report"
    assert (
        main(["report", str(runs / "tuned"), "--base", str(runs / "base"), "--out", str(out), "--resamples", "2000"])
        == 0
    )
    printed = capsys.readouterr().out
    assert printed.index("## Before and after fine-tuning") < printed.index("## Composition gap")
    with (out / "finetune.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    gaps = {(row["family"], row["score"]): row for row in rows if row["setting"] == "gap"}
    assert set(gaps) == {(family, score) for family in ("cards", "count") for score in ("flexible", "strict")}
    for row in gaps.values():
        assert int(row["n"]) == 300
        assert float(row["change_pts"]) == pytest.approx(float(row["after_pts"]) - float(row["before_pts"]), abs=0.02)
        assert float(row["before_ci_low_pts"]) > 0 and float(row["change_ci_high_pts"]) < 0
        assert row["verdict"] in ("closed", "narrowed")
    direct = next(r for r in rows if (r["family"], r["setting"], r["score"]) == ("count", "direct", "flexible"))
    assert float(direct["change_pts"]) > 0 and float(direct["mcnemar_p"]) < 0.05
    report = (out / "report.md").read_text()
    assert "before: org/vlm" in report and "after: org/vlm-compgap-ft" in report
    assert (out / "gap.png").stat().st_size > 0


def test_report_refuses_a_base_folder_with_several_models(runs: Path, tmp_path: Path, capsys) -> None:
    both = tmp_path / "both"
    simulate_run(both, BASE, families=["count"], limit=5)
    simulate_run(both, TUNED, families=["count"], limit=5)
    assert main(["report", str(runs / "tuned"), "--base", str(both), "--out", str(tmp_path / "r")]) == 1
    assert "one model's runs" in capsys.readouterr().err


@pytest.fixture(scope="module")
def provenance(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fine-tuned model folder's compgap_training.json, for real (small) training splits."""
    folder = tmp_path_factory.mktemp("model")
    families = {}
    for family in ("count", "cards"):
        split = build_split(get_family(family), "train", 20)
        families[family] = {
            "seed": split.seed,
            "size": split.size,
            "fingerprint": split.fingerprint,
            "data_version": get_family(family).data_version,
            "split_version": SPLIT_VERSION,
        }
    record = {
        "format": "lmms-compgap-training",
        "format_version": 1,
        "base_model": "org/vlm",
        "method": "lora",
        "data_fingerprint": "sha256:" + "a" * 64,
        "splits": {
            "train": {"data_fingerprint": "sha256:" + "a" * 64, "style": {"composition": 1.0}, "families": families}
        },
    }
    (folder / PROVENANCE_FILE).write_text(json.dumps(record))
    return folder


def test_a_submission_records_the_finetuning_and_the_leaderboard_marks_it(
    runs: Path, provenance: Path, tmp_path: Path
) -> None:
    board = tmp_path / "board"
    board.mkdir()
    assert (
        main(
            [
                "submit",
                str(runs / "tuned"),
                "--out",
                str(board / "tuned.json"),
                "--partial",
                "--resamples",
                "1000",
                "--trained-on",
                str(provenance),
            ]
        )
        == 0
    )
    assert (
        main(["submit", str(runs / "base"), "--out", str(board / "base.json"), "--partial", "--resamples", "1000"]) == 0
    )
    document = json.loads((board / "tuned.json").read_text())
    assert document["training"]["compgap_data"] is True
    assert document["training"]["splits"]["train"]["families"]["count"]["seed"] == 1_000_001
    assert "training" not in json.loads((board / "base.json").read_text())
    assert verify_submission(board / "tuned.json").training == document["training"]
    entries = build_leaderboard(board, include_partial=True, params=BootstrapParams(resamples=1000)).ranked
    labels = {entry.verified.path.name: entry.label for entry in entries}
    assert labels["tuned.json"].startswith("org/vlm-compgap-ft [fine-tuned on compgap data sha256:aaaa")
    assert labels["base.json"] == "org/vlm"


def test_a_training_claim_that_does_not_regenerate_is_rejected(runs: Path, provenance: Path, tmp_path: Path) -> None:
    path = tmp_path / "tuned.json"
    assert (
        main(
            [
                "submit",
                str(runs / "tuned"),
                "--out",
                str(path),
                "--partial",
                "--resamples",
                "1000",
                "--trained-on",
                str(provenance / PROVENANCE_FILE),
            ]
        )
        == 0
    )
    document = json.loads(path.read_text())
    document["training"]["splits"]["train"]["families"]["count"]["size"] = 21
    path.write_text(json.dumps(document))
    with pytest.raises(SubmissionRejected, match="do not give its fingerprint"):
        verify_submission(path)
    document["training"]["splits"]["train"]["families"]["count"]["seed"] = get_family("count").canonical_seed
    path.write_text(json.dumps(document))
    with pytest.raises(SubmissionRejected, match="test split"):
        verify_submission(path)
    # A split drawn by an earlier rule (no split version recorded: 1) is named as such, not as a wrong fingerprint.
    del document["training"]["splits"]["train"]["families"]["count"]["split_version"]
    path.write_text(json.dumps(document))
    with pytest.raises(SubmissionRejected, match=f"count: split version 1, installed {SPLIT_VERSION}"):
        verify_submission(path)


def test_submit_refuses_a_checkpoint_of_a_run_that_holds_no_record_of_its_own(
    tmp_path: Path, provenance: Path, capsys
) -> None:
    """A folder inside a `compgap finetune` output (an older `checkpoint-N`, `adapter/`) without its own record would
    give a submission with no training provenance: refused, naming the run folder; with a record it is recorded."""
    run = tmp_path / "run"
    checkpoint = run / "checkpoint-8"
    checkpoint.mkdir(parents=True)
    (run / PROVENANCE_FILE).write_text((provenance / PROVENANCE_FILE).read_text())
    simulate_run(
        tmp_path / "out",
        SimulatedModel(str(checkpoint), see=0.9, reason=0.9, compose=0.5, seed=1),
        families=["count"],
        limit=5,
    )
    submit = ["submit", str(tmp_path / "out"), "--out", str(tmp_path / "s.json"), "--partial", "--resamples", "200"]
    assert main(submit) == 1
    assert f"inside the fine-tuning run {run} but holds no {PROVENANCE_FILE}" in capsys.readouterr().err
    assert not (tmp_path / "s.json").exists()
    (checkpoint / PROVENANCE_FILE).write_text((provenance / PROVENANCE_FILE).read_text())
    assert main(submit) == 0
    assert json.loads((tmp_path / "s.json").read_text())["training"]["base_model"] == "org/vlm"


def test_trained_on_must_name_a_provenance_file(runs: Path, tmp_path: Path, capsys) -> None:
    assert (
        main(
            [
                "submit",
                str(runs / "base"),
                "--out",
                str(tmp_path / "s.json"),
                "--partial",
                "--trained-on",
                str(tmp_path),
            ]
        )
        == 1
    )
    assert "no compgap_training.json" in capsys.readouterr().err
    assert not (tmp_path / "s.json").exists()

"""The leaderboard: verified submissions only, ranked by the stated rule, rejected files listed, safe HTML."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lmms_compgap.cli import main
from lmms_compgap.report import submission
from lmms_compgap.report.leaderboard import RANKING_RULE, Leaderboard, build_leaderboard, write_leaderboard
from lmms_compgap.report.runs import group_by_model, load_outputs
from lmms_compgap.report.simulate import SimulatedModel, simulate_run
from lmms_compgap.report.stats import BootstrapParams

LIMIT = 10
PARAMS = BootstrapParams(resamples=1000)
FAMILIES = ("cards", "count", "mathtext")
MODELS = {
    # Composes perfectly: direct is right whenever both steps are (flexible gap exactly 0).
    "composer.json": SimulatedModel("org/composer", see=0.9, reason=0.9, compose=1.0, seed=1),
    # Also no gap, but sees worse: ties with the composer on the gap, loses on direct accuracy.
    "myopic.json": SimulatedModel("org/myopic", see=0.5, reason=0.9, compose=1.0, seed=2),
    # Never composes: a large gap.
    "never.json": SimulatedModel("<script>alert(1)</script>", compose=0.0, seed=3),
}


@pytest.fixture(scope="module")
def submissions(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three complete submissions (the canonical size is patched to LIMIT), one partial, one tampered."""
    root = tmp_path_factory.mktemp("board")
    folder = root / "submissions"
    folder.mkdir()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(submission, "expected_sizes", lambda: dict.fromkeys(FAMILIES, LIMIT))
        for name, model in MODELS.items():
            simulate_run(root / name.removesuffix(".json"), model, limit=LIMIT)
            (logs,) = group_by_model(load_outputs([root / name.removesuffix(".json")]).tasks)
            document, _ = submission.build_submission(logs, PARAMS, allow_partial=False)
            (folder / name).write_text(json.dumps(document))
        simulate_run(root / "partial", SimulatedModel("org/partial", seed=4), families=["count"], limit=4)
        (logs,) = group_by_model(load_outputs([root / "partial"]).tasks)
        document, _ = submission.build_submission(logs, PARAMS, allow_partial=True)
        (folder / "partial.json").write_text(json.dumps(document))
    tampered = json.loads((folder / "composer.json").read_text())
    tampered["aggregates"]["mathtext"]["comparisons"]["cascade_vs_direct"]["flexible"]["gap"] = -0.5
    (folder / "tampered.json").write_text(json.dumps(tampered))
    (folder / "notes.json").write_text("{not a submission")
    return folder


@pytest.fixture
def complete_sizes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(submission, "expected_sizes", lambda: dict.fromkeys(FAMILIES, LIMIT))


@pytest.fixture(scope="module")
def board(submissions: Path) -> Leaderboard:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(submission, "expected_sizes", lambda: dict.fromkeys(FAMILIES, LIMIT))
        return build_leaderboard(submissions, params=PARAMS)


def test_verified_submissions_are_ranked_by_the_mean_gap_then_direct_accuracy(board: Leaderboard) -> None:
    assert [entry.label for entry in board.ranked] == ["org/composer", "org/myopic", "<script>alert(1)</script>"]
    composer, myopic, never = board.ranked
    assert composer.mean_gap == myopic.mean_gap == 0.0
    assert composer.mean_accuracy["direct"] > myopic.mean_accuracy["direct"]
    assert never.mean_gap > 0 and never.mean_gap_ci[0] <= never.mean_gap <= never.mean_gap_ci[1]
    assert never.mean_gap == pytest.approx(sum(never.families[f]["gap"] for f in FAMILIES) / len(FAMILIES))


def test_partial_submissions_are_listed_apart_unless_included(
    board: Leaderboard, submissions: Path, complete_sizes
) -> None:
    assert [entry.label for entry in board.unranked] == ["org/partial"]
    assert board.unranked[0].coverage == "partial (count n=4)"
    included = build_leaderboard(submissions, include_partial=True, params=PARAMS)
    assert "org/partial" in [entry.label for entry in included.ranked] and not included.unranked


def test_rejected_files_are_listed_with_the_reason(board: Leaderboard) -> None:
    rejected = dict(board.rejected)
    rejected = {path.name: reason for path, reason in rejected.items()}
    assert set(rejected) == {"tampered.json", "notes.json"}
    assert "aggregates.mathtext.comparisons.cascade_vs_direct.flexible.gap" in rejected["tampered.json"]
    assert "not valid JSON" in rejected["notes.json"]


def test_the_page_is_self_contained_and_escapes_everything_from_submissions(board: Leaderboard, tmp_path: Path) -> None:
    paths = write_leaderboard(board, tmp_path)
    assert [path.name for path in paths] == [
        "leaderboard.md",
        "leaderboard.html",
        "leaderboard_gap.png",
        "leaderboard_accuracy.png",
    ]
    page = (tmp_path / "leaderboard.html").read_text()
    assert page.count('src="data:image/png;base64,') == 2
    assert "<script" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "http://" not in page and "https://" not in page
    assert "smallest first" in page and "Rejected files" in page
    markdown = (tmp_path / "leaderboard.md").read_text()
    assert RANKING_RULE in markdown and "| 1      | org/composer" in markdown


def test_leaderboard_command_writes_the_files(submissions: Path, tmp_path: Path, complete_sizes, capsys) -> None:
    assert main(["leaderboard", str(submissions), "--out", str(tmp_path / "board"), "--resamples", "1000"]) == 0
    captured = capsys.readouterr()
    assert "3 ranked, 1 partial (not ranked), 2 rejected" in captured.out
    assert "REJECTED tampered.json" in captured.err
    assert (tmp_path / "board" / "leaderboard.html").is_file()


def test_leaderboard_of_a_missing_folder_fails_clearly(tmp_path: Path, capsys) -> None:
    assert main(["leaderboard", str(tmp_path / "absent")]) == 1
    assert "not a folder of submission files" in capsys.readouterr().err

"""The leaderboard: verified submissions only, placed by the stated rule, rejected files listed, safe HTML."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from lmms_compgap.cli import main
from lmms_compgap.core.registry import paper_family_names
from lmms_compgap.report.compute.leaderboard import Leaderboard
from lmms_compgap.report.compute.ranking import LIMITS, RANKING_RULE, RATIONALE
from lmms_compgap.report.compute.stats import BootstrapParams
from lmms_compgap.report.files.leaderboard_folder import build_leaderboard, write_leaderboard
from lmms_compgap.report.simulate import SimulatedModel, simulate_submission
from tests.helpers import REPO, complete_at

LIMIT = 10
PARAMS = BootstrapParams(resamples=1000)
FAMILIES = paper_family_names()
MODELS = {
    # Composes perfectly: direct is right whenever both steps are (flexible gap exactly 0).
    "composer.json": SimulatedModel("org/composer", see=0.9, reason=0.9, compose=1.0, seed=1),
    # Also no gap, but sees worse: fewer items with both skills, so fewer composed.
    "myopic.json": SimulatedModel("org/myopic", see=0.5, reason=0.9, compose=1.0, seed=2),
    # Has the skills, never composes them: ranked last, with a large gap.
    "never.json": SimulatedModel("<script>alert(1)</script>", compose=0.0, seed=3),
}
PARTIAL = SimulatedModel("org/partial", seed=4)


@pytest.fixture(scope="module")
def submissions(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three complete submissions (the canonical size is patched to LIMIT), one partial, one tampered."""
    folder = tmp_path_factory.mktemp("board") / "submissions"
    folder.mkdir()
    with complete_at(LIMIT):
        for name, model in MODELS.items():
            simulate_submission(folder / name, model, PARAMS, limit=LIMIT)
        simulate_submission(folder / "partial.json", PARTIAL, PARAMS, limit=4, allow_partial=True)
    tampered = json.loads((folder / "composer.json").read_text())
    tampered["aggregates"]["mathtext"]["comparisons"]["cascade_vs_direct"]["flexible"]["gap"] = -0.5
    (folder / "tampered.json").write_text(json.dumps(tampered))
    (folder / "notes.json").write_text("{not a submission")
    return folder


@pytest.fixture
def complete_sizes() -> Iterator[None]:
    with complete_at(LIMIT):
        yield


@pytest.fixture(scope="module")
def board(submissions: Path) -> Leaderboard:
    with complete_at(LIMIT):
        return build_leaderboard(submissions, params=PARAMS)


def test_verified_submissions_are_ranked_by_composed_accuracy(board: Leaderboard) -> None:
    assert [entry.label for entry in board.ranked] == ["org/composer", "org/myopic", "<script>alert(1)</script>"]
    assert [entry.rank for entry in board.ranked] == [1, 2, 3]
    composer, myopic, never = board.ranked
    assert composer.estimates.mean["gap"].value == myopic.estimates.mean["gap"].value == 0.0
    assert composer.standing.composed > myopic.standing.composed > never.standing.composed == 0.0
    assert never.standing.skilled > 0.5  # it has the skills: ranked, last
    gap = never.estimates.mean["gap"]
    assert gap.value > 0 and gap.ci[0] <= gap.value <= gap.ci[1]
    assert gap.value == pytest.approx(sum(never.families[f]["gap"] for f in FAMILIES) / len(FAMILIES))
    for family in FAMILIES:  # a family's gap interval is the one its aggregates report (the same stream)
        assert list(never.estimates.families[family]["gap"].ci) == never.families[family]["ci"]


def test_partial_submissions_are_listed_apart_unless_included(
    board: Leaderboard, submissions: Path, complete_sizes
) -> None:
    assert [entry.label for entry in board.unranked] == ["org/partial"]
    (partial,) = board.unranked
    assert partial.coverage == f"partial ({', '.join(f'{family} n=4' for family in FAMILIES)})" and partial.rank is None
    assert partial.standing.apart == f"{partial.coverage}: partial submissions are ranked only with --include-partial"
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
    prose = re.sub(r"</?code>", "", page)  # options in our own text are set as code
    assert html.escape(RANKING_RULE) in prose and "Rejected files" in page
    assert all(html.escape(line) in prose for line in RATIONALE + LIMITS)
    markdown = (tmp_path / "leaderboard.md").read_text()
    assert RANKING_RULE in markdown and "| 1      | org/composer" in markdown


def test_leaderboard_command_writes_the_files(submissions: Path, tmp_path: Path, complete_sizes, capsys) -> None:
    assert main(["leaderboard", str(submissions), "--out", str(tmp_path / "board"), "--resamples", "1000"]) == 0
    captured = capsys.readouterr()
    assert "3 ranked, 1 listed apart, 2 rejected" in captured.out
    assert f"LISTED APART partial.json: partial ({FAMILIES[0]} n=4" in captured.out
    assert "REJECTED tampered.json" in captured.err
    assert (tmp_path / "board" / "leaderboard.html").is_file()
    assert "agreement" not in (tmp_path / "board" / "leaderboard.md").read_text()
    argv = ["leaderboard", str(submissions), "--out", str(tmp_path / "agree"), "--resamples", "1000", "--agreement"]
    assert main(argv) == 0
    assert "| agreement (direct, language)" in (tmp_path / "agree" / "leaderboard.md").read_text()


def test_agreement_column_only_with_the_option_and_the_rest_unchanged(
    board: Leaderboard, submissions: Path, tmp_path: Path, complete_sizes
) -> None:
    with_column = build_leaderboard(submissions, params=PARAMS, agreement=True)
    plain, shown = write_leaderboard(board, tmp_path / "plain"), write_leaderboard(with_column, tmp_path / "shown")
    assert "agreement" not in plain[0].read_text() and "agreement" not in plain[1].read_text()
    markdown = shown[0].read_text()
    header = next(line for line in markdown.splitlines() if line.startswith("| rank ") and "lead over next" in line)
    assert "| gap " in header and header.index("| gap ") < header.index("| agreement (direct, language)")
    assert "- **agreement (direct, language)**: % of items" in markdown
    # The option adds a column, nothing else: the same entries in the same order with the same numbers.
    assert [(e.label, e.rank, e.estimates) for e in with_column.ranked + with_column.unranked] == [
        (e.label, e.rank, e.estimates) for e in board.ranked + board.unranked
    ]
    for entry in with_column.ranked:
        assert entry.agreement is not None
        assert entry.agreement.ci[0] <= entry.agreement.value <= entry.agreement.ci[1]
    # composer: direct right exactly when see, reason and compose (1.0) succeed, language when reason does: the
    # two answers differ on the items it cannot see, each of them a wrong direct answer.
    composer = with_column.ranked[0]
    expected = composer.estimates.mean["direct"].value - composer.estimates.mean["language"].value + 1
    assert composer.agreement.value == pytest.approx(expected)


def test_leaderboard_of_a_missing_folder_fails_clearly(tmp_path: Path, capsys) -> None:
    assert main(["leaderboard", str(tmp_path / "absent")]) == 1
    assert "not a folder of submission files" in capsys.readouterr().err


def test_verify_prints_the_ranked_quantity_recomputed_from_the_responses(
    board: Leaderboard, submissions: Path, complete_sizes, capsys
) -> None:
    assert main(["verify", str(submissions / "composer.json"), str(submissions / "partial.json")]) == 0
    out = capsys.readouterr().out
    composer = board.ranked[0]
    assert f"composed accuracy {100 * composer.standing.composed:.1f}% (what the leaderboard ranks): shows both" in out
    assert "ranked only with --include-partial" in out  # the partial file: listed apart, and why


def test_docs_state_the_rule_the_page_states() -> None:
    docs = (REPO / "docs" / "submissions.md").read_text(encoding="utf-8")
    assert " ".join(RANKING_RULE.split()) in " ".join(docs.split())

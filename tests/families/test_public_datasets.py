"""The families built from public datasets: loading (local copy, hub cache, refusals, the missing-data message),
rows, rendering (deterministic pixels), prompts, scoring, and a real lmms-eval run over stand-in files."""

from __future__ import annotations

import dataclasses
import hashlib
from pathlib import Path

import datasets
import pytest

from lmms_compgap.core.dataset_family import source_line
from lmms_compgap.core.family import row_json
from lmms_compgap.core.hub_data import DatasetUnavailable, load_hub_dataset
from lmms_compgap.core.registry import get_family
from lmms_compgap.core.results import score_response
from lmms_compgap.core.settings import SETTINGS
from lmms_compgap.families.countbench.family import asked_object, listed_objects
from lmms_compgap.families.gsm8k.family import final_answer
from lmms_compgap.tasks import hooks
from tests.fixtures.public_datasets import GSM8K_RECORDS, MATH500_RECORDS, install_in_hub_cache, write_repository
from tests.helpers import E2E_COMMON_ARGS, TINY_QWEN_ARGS, offline_env, run_lmms_eval

FAMILIES = ("gsm8k", "math500", "countbench")


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Empty caches, no network, no local copy: nothing but what a test puts there."""
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr("huggingface_hub.constants.HF_HUB_CACHE", str(tmp_path / "hub"))
    monkeypatch.setattr("datasets.config.HF_DATASETS_CACHE", str(tmp_path / "datasets"))
    monkeypatch.delenv("COMPGAP_DATASETS", raising=False)
    return tmp_path


@pytest.fixture
def local_copies(offline: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every dataset's stand-in as a local copy under $COMPGAP_DATASETS; the families forget rows built before."""
    root = offline / "copies"
    for name in FAMILIES:
        family = get_family(name)
        write_repository(family.source, root / family.source.repo)
        monkeypatch.delitem(family.__dict__, "_dataset_rows", raising=False)
    monkeypatch.setenv("COMPGAP_DATASETS", str(root))
    yield root
    for name in FAMILIES:
        get_family(name).__dict__.pop("_dataset_rows", None)


# ---- loading --------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", FAMILIES)
def test_missing_dataset_names_it_where_it_looked_and_how_to_get_it(offline: Path, name: str) -> None:
    source = get_family(name).source
    with pytest.raises(DatasetUnavailable) as refused:
        load_hub_dataset(source)
    message = str(refused.value)
    assert source.repo in message and source.revision in message
    assert str(offline / "hub") in message and "COMPGAP_DATASETS" in message
    assert f"hf download {source.repo} --repo-type dataset --revision {source.revision}" in message
    assert "HF_HUB_OFFLINE" in message  # says why it did not download


@pytest.mark.parametrize("name", FAMILIES)
def test_hub_cache_at_the_pinned_revision_is_read(offline: Path, name: str) -> None:
    source = get_family(name).source
    snapshot = install_in_hub_cache(source, offline / "hub")
    stand_in = dataclasses.replace(source, rows=4)  # the stand-in has 4 rows where the real split has more
    loaded = load_hub_dataset(stand_in)
    assert loaded.revision == source.revision and Path(loaded.origin) == snapshot
    assert len(loaded.dataset) == 4 and set(source.columns) <= set(loaded.dataset.column_names)


def test_a_cached_copy_with_the_wrong_number_of_rows_is_refused(offline: Path) -> None:
    source = get_family("gsm8k").source
    install_in_hub_cache(source, offline / "hub")
    with pytest.raises(DatasetUnavailable, match="has 1319 rows in its test split, this copy 4"):
        load_hub_dataset(source)


def test_a_local_copy_of_another_revision_is_refused(local_copies: Path) -> None:
    source = get_family("gsm8k").source
    metadata = local_copies / source.repo / ".cache" / "huggingface" / "download" / "main"
    metadata.mkdir(parents=True)
    (metadata / "test-00000-of-00001.parquet.metadata").write_text("0" * 40 + "\netag\n1.0\n")
    with pytest.raises(DatasetUnavailable, match=f"revision {'0' * 40}, but the task is pinned to {source.revision}"):
        load_hub_dataset(source)


def test_a_column_of_the_wrong_type_is_refused(offline: Path) -> None:
    source = dataclasses.replace(get_family("countbench").source, columns={"number": "string"}, rows=4)
    install_in_hub_cache(source, offline / "hub")
    with pytest.raises(DatasetUnavailable, match="column 'number'"):
        load_hub_dataset(source)


# ---- rows -----------------------------------------------------------------------------------------
def test_gsm8k_rows_take_the_final_number_and_the_problem(local_copies: Path) -> None:
    rows = get_family("gsm8k").canonical_rows()
    assert [row["answer"] for row in rows] == ["16", "1500", "30", "5"]
    assert [row["intermediate"] for row in rows] == [record["question"] for record in GSM8K_RECORDS]
    assert rows[0]["uid"] == "gsm8k-v1-00000" and rows[0]["question"] == "How many muffins are left?"


def test_gsm8k_final_answer_needs_the_marker() -> None:
    assert final_answer("2+2=4\n#### 4") == "4" and final_answer("#### -3") == "-3"
    with pytest.raises(Exception, match="#### <number>"):
        final_answer("The answer is 4.")


def test_math500_rows_keep_the_latex_answer_and_attributes(local_copies: Path) -> None:
    rows = get_family("math500").canonical_rows()
    assert [row["answer"] for row in rows] == [record["answer"] for record in MATH500_RECORDS]
    attributes = [row_json(row, "attributes") for row in rows]
    assert attributes[0]["subject"] == "Algebra" and attributes[0]["formulas"] == 2
    assert attributes[3]["figure"] is True and attributes[2]["level"] == 3


def test_countbench_rows_hash_each_photo_and_list_the_object(local_copies: Path) -> None:
    family = get_family("countbench")
    rows = family.canonical_rows()
    assert [row["answer"] for row in rows] == ["3", "5", "2", "7"]
    assert rows[0]["intermediate"].splitlines() == ["one of the red discs"] * 3
    stored = family.dataset_rows().loaded.dataset.cast_column("image", datasets.Image(decode=False))
    assert row_json(rows[1], "spec")["image_sha256"] == hashlib.sha256(stored[1]["image"]["bytes"]).hexdigest()


def test_fingerprint_changes_with_the_data(local_copies: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    family = get_family("gsm8k")
    before = family.dataset_rows().fingerprint
    records = [dict(GSM8K_RECORDS[0], answer=GSM8K_RECORDS[0]["answer"].replace("#### 16", "#### 17"))]
    monkeypatch.setattr("tests.fixtures.public_datasets.GSM8K_RECORDS", records)
    write_repository(family.source, local_copies / family.source.repo)
    family.__dict__.pop("_dataset_rows")
    assert family.dataset_rows().fingerprint != before


# ---- pictures -------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", FAMILIES)
def test_pictures_are_deterministic(local_copies: Path, name: str) -> None:
    family = get_family(name)
    for row in family.canonical_rows():
        first, second = family.draw_row(dict(row)), family.draw_row(dict(row))
        assert first.mode == "RGB" and first.tobytes() == second.tobytes()


def test_math500_pictures_typeset_formulas_and_show_what_falls_back(local_copies: Path) -> None:
    from lmms_compgap.draw.latex import render_latex

    rows = get_family("math500").canonical_rows()
    _, layout = render_latex(row_json(rows[0], "spec"))
    assert (layout.formulas, layout.fallback_formulas) == (2, 0)
    _, layout = render_latex(row_json(rows[3], "spec"))  # a pmatrix (mathtext cannot) and figure code
    assert layout.fallback_formulas == 1 and layout.figure_code_lines == 1


# ---- prompts and scoring --------------------------------------------------------------------------
def test_countbench_prompts_ask_about_the_question_and_show_the_list(local_copies: Path) -> None:
    row = get_family("countbench").canonical_rows()[1]
    kwargs = get_family("countbench").prompts.as_kwargs()
    assert "How many blue discs" in hooks.vision_text(row, kwargs) and "one per line" in hooks.vision_text(row, kwargs)
    language = hooks.language_text(row, kwargs)
    assert language.count("one of the blue discs") == 5 and "How many blue discs" in language


def test_countbench_listing_is_counted_by_its_items() -> None:
    assert asked_object("How many dogs are in the image?") == "dogs"
    assert listed_objects("1. a dog on the left\n2. a dog on the right\n") == 2
    assert listed_objects("Here are the dogs:\n- left dog\n- right dog\n- small dog") == 3
    assert listed_objects("```\ndog\n\n---\ndog\n```") == 2


@pytest.mark.parametrize(
    ("response", "correct", "strict"),
    [
        ("Answer: $\\frac{1}{2}$", 1, 1),
        ("Answer: 0.5", 1, 1),
        ("Answer: 1/2", 1, 1),
        ("so the result is \\boxed{\\frac{1}{2}}", 1, 0),
        ("Answer: $\\frac{1}{3}$", 0, 0),
        ("Answer: $\\frac{1}{2}$ or $\\frac{1}{3}$", 0, 0),
        ("Answer: about 0.5", 0, 0),
        ("Answer: $\\frac12$\nWait, that is wrong.", 0, 0),
    ],
)
def test_math500_answers_compare_by_equivalence(local_copies: Path, response: str, correct: int, strict: int) -> None:
    row = get_family("math500").canonical_rows()[0]
    record = score_response(row, "direct", response)["compgap"]
    assert (record["correct"], record["strict"]) == (correct, strict), record


@pytest.mark.parametrize(
    ("gold", "answer", "equal"),
    [
        ("\\frac{1}{2}", "0.5", True),
        ("\\frac{1}{2}", "1/2", True),
        ("\\frac{\\sqrt{2}}{2}", "\\sqrt{2}/2", True),
        ("\\frac{\\sqrt{2}}{2}", "\\frac{\\sqrt2}{2}", True),
        ("[0,2)", "[0, 2)", True),
        ("[0,2)", "(0,2]", False),
        ("[0,2)", "[0,2]", False),
        ("\\frac{1}{3}", "0.333", False),
        ("6", "7", False),
        ("\\text{(C)}", "(C)", True),
    ],
)
def test_equivalence_is_math_verify_s(gold: str, answer: str, equal: bool) -> None:
    from lmms_compgap.scoring.equivalence import equivalent

    assert equivalent(gold, answer).equal is equal


def test_a_hostile_answer_is_refused_within_the_time_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    from lmms_compgap.scoring import equivalence

    monkeypatch.setattr(equivalence, "TIMEOUT", 2.0)
    verdict = equivalence.equivalent("5", "9^{9^{9^{9}}}")
    assert verdict.equal is False and "did not finish within 2 s" in (verdict.reason or "")
    assert equivalence.equivalent("5", "5").equal  # the worker was restarted


def test_gsm8k_answers_use_the_numeric_scorer(local_copies: Path) -> None:
    row = get_family("gsm8k").canonical_rows()[1]
    assert score_response(row, "direct", "Answer: 1,500")["compgap"]["strict"] == 1
    assert score_response(row, "direct", "Answer: 1500 or 1600")["compgap"]["correct"] == 0


# ---- lmms-eval ------------------------------------------------------------------------------------
def test_process_docs_stops_the_run_when_the_dataset_is_missing(offline: Path) -> None:

    family = get_family("gsm8k")
    family.__dict__.pop("_dataset_rows", None)
    with pytest.raises(hooks.DataRefused, match="openai/gsm8k .* is not on this machine"):
        hooks.dataset_docs(datasets.Dataset.from_list([source_line(family)]))


def test_process_docs_refuses_a_source_file_of_another_revision(local_copies: Path) -> None:

    line = dict(source_line(get_family("gsm8k")), dataset_revision="0" * 40)
    with pytest.raises(hooks.DataRefused, match="names"):
        hooks.dataset_docs(datasets.Dataset.from_list([line]))


@pytest.mark.e2e
def test_lmms_eval_runs_every_setting_of_the_public_families(tiny_qwen_dir: Path, tmp_path: Path) -> None:
    data = tmp_path / "datasets"
    for name in FAMILIES:
        write_repository(get_family(name).source, data / get_family(name).source.repo)
    run = run_lmms_eval(
        [
            "--model",
            "compgap_cascade",
            "--model_args",
            f"inner=qwen2_5_vl,pretrained={tiny_qwen_dir},{TINY_QWEN_ARGS}",
            "--tasks",
            "compgap_public",
            *E2E_COMMON_ARGS,
        ],
        tmp_path / "out",
        env=offline_env(COMPGAP_DATASETS=str(data)),
    )
    assert run.returncode == 0, run.output[-3000:]
    assert run.results is not None, run.output[-3000:]
    for name in FAMILIES:
        for setting in SETTINGS:
            task = f"compgap_{name}_{setting}"
            assert len(run.samples[task]) == 4, task
            assert all(sample["compgap"]["family"] == name for sample in run.samples[task])
        metadata = run.results["configs"][f"compgap_{name}_direct"]["metadata"]
        assert metadata["dataset_revision"] == get_family(name).source.revision
        assert metadata["data_fingerprint"].startswith("sha256:") and metadata["dataset_revision_verified"] is False
        for sample in run.samples[f"compgap_{name}_cascade"]:
            record = sample["compgap"]  # both steps ran: step 1's listing or transcription, step 2's answer
            assert record["failed_step"] is None and record["intermediate_response"] and record["response"], record


@pytest.mark.e2e
def test_lmms_eval_stops_with_the_message_when_a_dataset_is_missing(tiny_qwen_dir: Path, tmp_path: Path) -> None:
    run = run_lmms_eval(
        [
            "--model",
            "compgap_cascade",
            "--model_args",
            f"inner=qwen2_5_vl,pretrained={tiny_qwen_dir},{TINY_QWEN_ARGS}",
            "--tasks",
            "compgap_gsm8k_direct",
            *E2E_COMMON_ARGS,
        ],
        tmp_path / "out",
        env=offline_env(HF_HUB_CACHE=str(tmp_path / "hub"), COMPGAP_DATASETS=str(tmp_path / "none")),
    )
    assert run.returncode == 1 and run.results is None
    assert "openai/gsm8k (test split, revision cc7b047b6e5b) is not on this machine" in run.output
    assert "hf download openai/gsm8k --repo-type dataset" in run.output
    assert not run.samples, "no item may be evaluated"


# ---- report, submissions, leaderboard -------------------------------------------------------------
def test_report_submission_and_leaderboard_show_a_public_family_beside_the_papers(
    local_copies: Path, tmp_path: Path
) -> None:
    import json

    from lmms_compgap.cli import main
    from lmms_compgap.report.compute.ranking import standing
    from lmms_compgap.report.simulate import SimulatedModel, simulate_run
    from lmms_compgap.report.submissions.verify import verify_submission
    from tests.helpers import complete_at

    out = tmp_path / "out"
    model = SimulatedModel("org/model-p", see=0.8, reason=0.8, compose=0.5, seed=2)
    simulate_run(out, model, families=["cards", "count", "mathtext", "gsm8k"], limit=4)
    submission = tmp_path / "submissions" / "model-p.json"
    with complete_at(4):
        assert main(["report", str(out), "--out", str(tmp_path / "report")]) == 0
        assert "| gsm8k " in (tmp_path / "report" / "report.md").read_text(encoding="utf-8")
        assert main(["submit", str(out), "--out", str(submission), "--resamples", "200"]) == 0
        document = json.loads(submission.read_text(encoding="utf-8"))
        assert document["partial"] is False  # math500 and countbench are optional: not run is not missing
        revisions = {task["dataset_revision"] for task in document["tasks"] if task["family"] == "gsm8k"}
        assert revisions == {get_family("gsm8k").source.revision}
        assert all("dataset_revision" not in task for task in document["tasks"] if task["family"] != "gsm8k")
        verified = verify_submission(submission)
        # Ranked over the paper's families: the public family changes nothing in the standing.
        paper_only = {family: scores for family, scores in verified.scores.items() if family != "gsm8k"}
        assert "gsm8k" in verified.scores and standing(verified.scores) == standing(paper_only)
        assert main(["leaderboard", str(submission.parent), "--out", str(tmp_path / "site")]) == 0
    assert "gsm8k" in (tmp_path / "site" / "leaderboard.md").read_text(encoding="utf-8")

"""Pipelines of two models in the report, submissions and the leaderboard: named by both, checked, listed apart."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from lmms_compgap.core.pipeline import Pipeline
from lmms_compgap.errors import SubmissionRejected
from lmms_compgap.report.compute.stats import BootstrapParams
from lmms_compgap.report.files.leaderboard_folder import build_leaderboard
from lmms_compgap.report.files.runs import load_outputs
from lmms_compgap.report.logs import group_by_model
from lmms_compgap.report.render.leaderboard import leaderboard_html, leaderboard_markdown
from lmms_compgap.report.simulate import simulate_run
from lmms_compgap.report.submissions.build import build_submission
from lmms_compgap.report.submissions.rerun import why_not_rerunnable
from lmms_compgap.report.submissions.verify import verify_submission
from tests.helpers import SUBMITTED_MODEL as MODEL

PARAMS = BootstrapParams(resamples=200)
LIMIT = 6
STEP2 = "step2_inner=openai,step2_model_version=text-llm,step2_base_url=http://127.0.0.1:8000/v1"
PIPELINE = Pipeline(MODEL.name, "text-llm")


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same step-1 model alone and in a pipeline, logged in one output folder."""
    out = tmp_path_factory.mktemp("pipeline-runs") / "out"
    simulate_run(out, MODEL, families=["mathtext"], limit=LIMIT, date="20260101_000000")
    simulate_run(out, MODEL, families=["mathtext"], limit=LIMIT, date="20260102_000000", model_args=STEP2)
    return out


@pytest.fixture(scope="module")
def submissions(outputs: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("pipeline-submissions")
    paths = {}
    for logs in group_by_model(load_outputs([outputs]).tasks):
        document, _ = build_submission(logs, PARAMS, allow_partial=True)
        kind = "pipeline" if "pipeline" in document["model"] else "single"
        paths[kind] = folder / f"{kind}.json"
        paths[kind].write_text(json.dumps(document))
    return paths


def _document(submissions: dict[str, Path], kind: str) -> dict[str, Any]:
    return json.loads(submissions[kind].read_text())


def test_a_pipeline_run_is_grouped_apart_from_its_step_1_model_and_named_by_both(outputs: Path) -> None:
    models = {model.label: model for model in group_by_model(load_outputs([outputs]).tasks)}
    assert set(models) == {MODEL.name, PIPELINE.label}
    (pipeline_run,) = models[PIPELINE.label].runs
    assert pipeline_run.pipeline == PIPELINE and "step2_model_version=text-llm" in pipeline_run.model_args
    assert [run.pipeline for run in models[MODEL.name].runs] == [None]


def test_a_pipeline_submission_records_both_models_and_verifies(submissions: dict[str, Path]) -> None:
    assert _document(submissions, "pipeline")["model"] == {
        "name": PIPELINE.label,
        "pipeline": {"step1": MODEL.name, "step2": "text-llm"},
    }
    assert verify_submission(submissions["pipeline"]).pipeline == PIPELINE
    assert _document(submissions, "single")["model"] == {"name": MODEL.name}
    assert verify_submission(submissions["single"]).pipeline is None


def _drop_pipeline(document: dict[str, Any]) -> None:
    del document["model"]["pipeline"]


def _claim_pipeline(document: dict[str, Any]) -> None:
    document["model"]["pipeline"] = {"step1": MODEL.name, "step2": "text-llm"}


def _other_step2(document: dict[str, Any]) -> None:
    document["model"]["pipeline"]["step2"] = "a-stronger-llm"


@pytest.mark.parametrize(
    ("kind", "edit", "fragment"),
    [
        ("pipeline", _drop_pipeline, "run 0 is a pipeline of two models (org/model-a -> text-llm"),
        ("single", _claim_pipeline, "but run 0 is one model (no step2_inner in its model_args)"),
        ("pipeline", _other_step2, "claims org/model-a -> a-stronger-llm, but run 0 is org/model-a -> text-llm"),
    ],
    ids=["pipeline-posted-as-one-model", "one-model-posted-as-pipeline", "another-step-2-model"],
)
def test_a_pipeline_claim_that_the_runs_do_not_make_is_rejected(
    submissions: dict[str, Path], tmp_path: Path, kind: str, edit: Any, fragment: str
) -> None:
    document = copy.deepcopy(_document(submissions, kind))
    edit(document)
    path = tmp_path / "edited.json"
    path.write_text(json.dumps(document))
    with pytest.raises(SubmissionRejected) as rejected:
        verify_submission(path)
    assert fragment in str(rejected.value)


def test_the_leaderboard_lists_pipelines_apart_and_never_ranks_them_among_single_models(
    submissions: dict[str, Path],
) -> None:
    board = build_leaderboard(submissions["single"].parent, include_partial=True, params=PARAMS)
    assert [entry.label for entry in board.ranked] == [MODEL.name] and board.unranked == []
    assert [(entry.label, entry.rank, entry.verified.pipeline) for entry in board.pipelines] == [
        (PIPELINE.label, None, PIPELINE)
    ]
    markdown = leaderboard_markdown(board)
    ranking, _, rest = markdown.partition("## Pipelines (two models, not ranked)")
    assert PIPELINE.label.replace(">", "&gt;") not in ranking and "text-llm" not in ranking
    pipelines = rest.partition("## ")[0]
    assert "| step 1 model   | step 2 model   |" in pipelines and "| org/model-a    | text-llm       |" in pipelines
    assert "Pipelines (two models, not ranked)" in leaderboard_html(board, {})


def test_a_board_without_pipelines_has_no_pipelines_section(submissions: dict[str, Path], tmp_path: Path) -> None:
    (tmp_path / "single.json").write_bytes(submissions["single"].read_bytes())
    board = build_leaderboard(tmp_path, include_partial=True, params=PARAMS)
    assert board.pipelines == [] and "Pipelines" not in leaderboard_markdown(board)


@pytest.mark.parametrize(
    ("step2", "fragment"),
    [
        ("step2_inner=qwen2_5_vl,step2_pretrained=org/llm,step2_trust_remote_code=true", "trust_remote_code"),
        ("step2_inner=openai,step2_model_version=x", "asked through a server"),
        ("step2_inner=qwen2_5_vl,step2_pretrained=/their/machine/llm", "a local folder (/their/machine/llm)"),
    ],
    ids=["remote-code", "served", "local-folder"],
)
def test_a_pipeline_run_is_re_run_only_when_its_step_2_model_may_be_loaded_here(step2: str, fragment: str) -> None:
    run = {
        "lmms_eval_model": "compgap_cascade",
        "model_args": f"inner=qwen2_5_vl,pretrained=org/vlm,{step2}",
        "gen_kwargs": "",
        "model_source": {"pretrained": "org/vlm", "local": False, "hub_id": "org/vlm", "revision": None},
    }
    why = why_not_rerunnable(run)
    assert why is not None and fragment in why

"""End to end through the real `lmms-eval` command line with a tiny random-weight Qwen2.5-VL.

The model's answers are noise; these tests check the plumbing: registration, every setting's
requests reach the model, both cascade steps are logged and scored, results files are complete.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lmms_compgap.core.registry import get_family, paper_family_names
from lmms_compgap.core.settings import SETTINGS, decode_cascade_response
from tests.fixtures.once import build_once
from tests.helpers import E2E_COMMON_CONFIG as COMMON
from tests.helpers import E2E_LIMIT as LIMIT
from tests.helpers import TINY_QWEN_ARGS, LmmsEvalRun, read_runs, run_lmms_eval_list

pytestmark = pytest.mark.e2e


def _assert_answer_metrics(task_results: dict) -> None:
    for metric in ("accuracy,none", "strict_accuracy,none"):
        assert 0.0 <= task_results[metric] <= 1.0


PLAIN_TASKS = [
    f"compgap_{family}_{setting}" for family in paper_family_names() for setting in ("direct", "cot", "language")
]


@pytest.fixture(scope="module")
def plain_model_runs(tiny_qwen_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, LmmsEvalRun]:
    """A plain (not cascade) model's two runs, in one lmms-eval process: the settings of one call per item, and a
    cascade task."""
    plain = {**COMMON, "model": "qwen2_5_vl", "model_args": f"pretrained={tiny_qwen_dir},{TINY_QWEN_ARGS}"}
    configs = {
        "one-call": {**plain, "tasks": ",".join(PLAIN_TASKS)},
        "cascade": {**plain, "tasks": "compgap_mathtext_cascade"},
    }
    folder, _ = build_once(tmp_path_factory, "plain-model-runs", lambda folder: run_lmms_eval_list(configs, folder))
    return read_runs(folder, configs)


def test_plain_model_runs_direct_cot_and_language(plain_model_runs: dict[str, LmmsEvalRun]) -> None:
    tasks = PLAIN_TASKS
    run = plain_model_runs["one-call"]
    assert run.returncode == 0, run.output[-3000:]
    assert run.results is not None, run.output[-3000:]
    for task in tasks:
        _assert_answer_metrics(run.task_results(task))
        assert len(run.samples[task]) == LIMIT
        family = task.split("_")[1]
        for sample in run.samples[task]:
            record = sample["compgap"]
            assert record["family"] == family and record["setting"] == task.split("_")[2]
            assert record["uid"].startswith(f"{family}-v")
            assert isinstance(sample["filtered_resps"], str)
        # Versions of the task and its data reach the results file.
        metadata = run.results["configs"][task]["metadata"]
        assert metadata["data_fingerprint"].startswith("sha256:") and "data_version" in metadata


def test_cascade_task_with_a_plain_model_fails_at_once_with_instructions(
    plain_model_runs: dict[str, LmmsEvalRun],
) -> None:
    run = plain_model_runs["cascade"]
    assert run.results is None, "a cascade task must not be scored with a plain model"
    assert "--model compgap_cascade" in run.output
    assert "Model Responding" not in run.output, "no model call may happen before the error"


def test_cascade_model_runs_every_setting_in_one_run(cascade_run: LmmsEvalRun) -> None:
    run = cascade_run
    assert run.returncode == 0, run.output[-3000:]
    assert run.results is not None, run.output[-3000:]
    for family in paper_family_names():  # what `--tasks compgap` runs
        for setting in SETTINGS:
            task = f"compgap_{family}_{setting}"
            results = run.task_results(task)
            assert len(run.samples[task]) == LIMIT, task
            if setting == "vision":
                assert 0.0 <= results["exact_match,none"] <= 1.0
                assert f"{get_family(family).intermediate_metric.name},none" in results
            else:
                _assert_answer_metrics(results)
            # The tiny model never emits blank or special tokens: every call answers.
            assert results["failed_calls,none"] == 0, task
        cascade = f"compgap_{family}_cascade"
        for sample in run.samples[cascade]:
            envelope = decode_cascade_response(sample["filtered_resps"])
            record = sample["compgap"]
            # Both steps ran and are logged, and the intermediate is scored against the gold one.
            assert envelope.failed_step is None, envelope.error
            assert envelope.step1.strip() and envelope.step2.strip(), "step 2 must have run on a non-empty step 1"
            assert record["intermediate_response"] == envelope.step1
            assert record["response"] == envelope.step2.strip()
            assert record["intermediate_score"] is not None
            request = json.loads(sample["input"])
            assert request["tag"] == "compgap_cascade_request"


def test_paraphrase_tasks_send_their_own_prompts_and_reach_step_2(cascade_run: LmmsEvalRun) -> None:
    """The shared run carries mathtext's direct and cascade under its first paraphrase (E2E_WORDING_TASKS)."""
    paraphrases = get_family("mathtext").paraphrases
    for wording, paraphrase in enumerate(paraphrases[:1], start=1):
        direct, cascade = (f"compgap_mathtext_{setting}_w{wording}" for setting in ("direct", "cascade"))
        assert cascade_run.task_results(direct)["failed_calls,none"] == 0
        assert len(cascade_run.samples[direct]) == len(cascade_run.samples[cascade]) == LIMIT
        opening = paraphrase.prompts.direct_prompt.split("{", 1)[0]
        assert all(sample["input"].startswith(opening) for sample in cascade_run.samples[direct])
        for sample in cascade_run.samples[cascade]:
            request = json.loads(sample["input"])
            assert request["step1_prompt"] == paraphrase.prompts.visual_prompt
            assert request["step2_template"] == paraphrase.prompts.textual_prompt
            envelope = decode_cascade_response(sample["filtered_resps"])
            assert envelope.failed_step is None and envelope.step2.strip(), envelope.error
            assert sample["compgap"]["setting"] == "cascade" and sample["compgap"]["family"] == "mathtext"

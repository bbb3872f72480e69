"""Every model family of docs/models.md runs all five settings through compgap_cascade, end to end.

Every row of `tests/fixtures/families.py` runs with a tiny random model of the row's transformers
class, `--tasks compgap_mathtext --limit 2`, all rows in ONE real `lmms-eval` process (a `--config`
list, run one after the other; each run records into its own folder and a stop ends only its own
run), which spares each row the interpreter's and lmms-eval's start-up. Per row: the results file,
step 2 of every cascade item, what each model call received (recorded at `GenerationMixin.generate`),
and no failed call in any setting.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from transformers import AutoTokenizer

from lmms_compgap.core.settings import SETTINGS, decode_cascade_response
from lmms_compgap.models.startup import PROBE_COPIES
from tests.fixtures.families import E2E_RUNS, FamilyRun
from tests.fixtures.once import build_once
from tests.fixtures.recording_lmms_eval import RECORD_NAME
from tests.helpers import LmmsEvalRun, offline_env, read_runs, run_lmms_eval_list, tiny_model_dir

pytestmark = pytest.mark.e2e

LIMIT = 2
# How mathtext's prompts begin (task_yamls/mathtext/_mathtext_template_yaml): the textual step's is
# text only (language, cascade step 2, and the start-up check's text-only request); the others show the image.
TEXT_ONLY_PROMPT = "Solve the following math word problem."
IMAGE_PROMPTS = (
    "Transcribe the text in the image",
    "Solve the math word problem shown in the image",
    "First transcribe the text in the image",
)


@pytest.fixture(scope="module")
def family_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, LmmsEvalRun]:
    """Every row's run, all in one lmms-eval process (built once for every worker)."""

    def run_all(folder: Path) -> None:
        models = {run.id: tiny_model_dir(tmp_path_factory, run.tiny) for run in E2E_RUNS}  # built once per class
        configs = {
            run.id: {
                "model": "compgap_cascade",
                "model_args": f"inner={run.inner},pretrained={models[run.id]},{run.model_args}",
                "tasks": "compgap_mathtext",
                "device": "cpu",
                "batch_size": run.batch_size,
                "limit": LIMIT,
                "gen_kwargs": "max_new_tokens=8",
                "log_samples": True,
            }
            for run in E2E_RUNS
        }
        run_lmms_eval_list(configs, folder, env=offline_env(OMP_NUM_THREADS="1", PYTHONUNBUFFERED="1"))

    folder, _ = build_once(tmp_path_factory, "family-runs", run_all)
    return read_runs(folder, [run.id for run in E2E_RUNS])


@pytest.mark.parametrize("run", E2E_RUNS, ids=[run.id for run in E2E_RUNS])
def test_family_runs_every_setting_through_the_cascade(
    run: FamilyRun, family_runs: dict[str, LmmsEvalRun], tmp_path_factory: pytest.TempPathFactory
) -> None:
    result = family_runs[run.id]
    record = result.output_path / RECORD_NAME
    assert result.returncode == 0, result.output[-3000:]
    assert result.results is not None, result.output[-3000:]
    for setting in SETTINGS:
        task = f"compgap_mathtext_{setting}"
        assert len(result.samples[task]) == LIMIT, task
        assert result.task_results(task)["failed_calls,none"] == 0, (task, result.output[-3000:])
    for sample in result.samples["compgap_mathtext_cascade"]:
        envelope = decode_cascade_response(sample["filtered_resps"])
        assert envelope.failed_step is None and envelope.step2, envelope  # step 2 ran and answered

    # What the model itself received, call by call.
    tokenizer = AutoTokenizer.from_pretrained(tiny_model_dir(tmp_path_factory, run.tiny))
    calls = [json.loads(line) for line in record.read_text().splitlines()]
    rows = [(call, row, tokenizer.decode(row["input_ids"])) for call in calls for row in call["rows"]]
    text_only = [(call, row) for call, row, prompt in rows if TEXT_ONLY_PROMPT in prompt]
    with_image = [row for _, row, prompt in rows if any(marker in prompt for marker in IMAGE_PROMPTS)]
    # language (LIMIT) + cascade step 2 (LIMIT) + the start-up check's text-only requests.
    assert len(text_only) == 2 * LIMIT + PROBE_COPIES, [prompt[:80] for *_, prompt in rows]
    assert all(row["image_tokens"] == 0 for _, row in text_only), "a text-only request carried an image placeholder"
    for call, _ in text_only:
        if all(row["image_tokens"] == 0 for row in call["rows"]):
            assert call["media"] == [], f"a text-only batch was sent image inputs: {call['media']}"
    # direct, cot and vision (= cascade step 1) each LIMIT, plus the start-up check's image requests.
    assert len(with_image) == 3 * LIMIT + PROBE_COPIES and all(row["image_tokens"] > 0 for row in with_image)
    if run.batch_size > 1:
        assert max(len(call["rows"]) for call in calls) == run.batch_size, "the model never saw a full batch"

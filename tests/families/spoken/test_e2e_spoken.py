"""The spoken tasks end to end: one real `lmms-eval` process per audio model family (a tiny random model of the
real transformers class, through `compgap_cascade`: AUDIO_RUNS of `tests/fixtures/families.py`), all five spoken
tasks, `--limit 2`; every test asserts on that one run: the exit status, the results and sample files, step 2 of
every cascade item, and what each model call received (recorded at `GenerationMixin.generate`): a clip for direct,
cot and hearing (`vision`, and the cascade's step 1), no audio at all for language and the cascade's step 2."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from transformers import AutoTokenizer

from lmms_compgap.core.settings import SETTINGS, decode_cascade_response
from tests.fixtures.families import AUDIO_RUNS, FamilyRun
from tests.fixtures.once import build_once
from tests.helpers import REPO, LmmsEvalRun, collect_run, offline_env, tiny_model_dir

pytestmark = pytest.mark.e2e

LIMIT = 2
RECORDER = REPO / "tests" / "fixtures" / "recording_lmms_eval.py"
#: How the spoken prompts begin (task_yamls/spoken/_spoken_template_yaml): text only, or with the clip.
TEXT_ONLY_PROMPT = "Solve the following math word problem."
AUDIO_PROMPTS = (
    "Transcribe the speech in the audio",
    "Solve the math word problem spoken in the audio",
    "First transcribe the speech in the audio",
)


def _run(run: FamilyRun, model_dir: Path, folder: Path) -> dict[str, Any]:
    record, output_path = folder / "inputs.jsonl", folder / "out"
    command = [
        sys.executable,
        str(RECORDER),
        "--model",
        "compgap_cascade",
        "--model_args",
        f"inner={run.inner},pretrained={model_dir},{run.model_args}",
        "--tasks",
        "compgap_spoken",
        "--device",
        "cpu",
        "--batch_size",
        str(run.batch_size),
        "--limit",
        str(LIMIT),
        "--gen_kwargs",
        "max_new_tokens=8",
        "--log_samples",
        "--output_path",
        str(output_path),
    ]
    env = offline_env(COMPGAP_RECORD_INPUTS=str(record), OMP_NUM_THREADS="1")
    completed = subprocess.run(command, capture_output=True, text=True, timeout=600, env=env, cwd=folder)
    (folder / "output.txt").write_text(completed.stdout + completed.stderr)
    return {"returncode": completed.returncode, "record": str(record), "output_path": str(output_path)}


@pytest.fixture(scope="session", params=AUDIO_RUNS, ids=[run.id for run in AUDIO_RUNS])
def spoken_run(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict, Any]:
    """(the tiny model, the run's files, what lmms-eval wrote), one lmms-eval process per model for all tests."""
    run: FamilyRun = request.param
    model_dir = tiny_model_dir(tmp_path_factory, run.tiny)
    folder, built = build_once(tmp_path_factory, f"spoken-{run.id}", lambda f: _run(run, model_dir, f))
    output = (folder / "output.txt").read_text()
    completed = subprocess.CompletedProcess([], built["returncode"], output, "")
    return model_dir, built, collect_run(completed, Path(built["output_path"]))


def test_the_run_exits_0_with_results_and_samples_for_all_five_tasks(
    spoken_run: tuple[Path, dict, LmmsEvalRun],
) -> None:
    _, _, run = spoken_run
    assert run.returncode == 0, run.output[-3000:]
    assert run.results is not None, run.output[-3000:]
    for setting in SETTINGS:
        task = f"compgap_spoken_{setting}"
        assert len(run.samples[task]) == LIMIT, task
        assert run.task_results(task)["failed_calls,none"] == 0, (task, run.output[-3000:])
    assert "cer,none" in run.task_results("compgap_spoken_vision")  # the hearing step scored as a transcription


def test_every_cascade_item_reaches_step_2(spoken_run: tuple[Path, dict, LmmsEvalRun]) -> None:
    _, _, run = spoken_run
    assert run.returncode == 0 and run.samples.get("compgap_spoken_cascade"), run.output[-3000:]
    for sample in run.samples["compgap_spoken_cascade"]:
        envelope = decode_cascade_response(sample["filtered_resps"])
        assert envelope.failed_step is None and envelope.step1 and envelope.step2, envelope


def test_clips_reach_the_model_in_the_audio_settings_and_never_in_the_text_only_ones(
    spoken_run: tuple[Path, dict, LmmsEvalRun],
) -> None:
    model_dir, built, run = spoken_run
    assert run.returncode == 0, run.output[-3000:]
    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    calls = [json.loads(line) for line in Path(built["record"]).read_text().splitlines()]
    rows = [(call, row, tokenizer.decode(row["input_ids"])) for call in calls for row in call["rows"]]
    text_only = [(call, row) for call, row, prompt in rows if TEXT_ONLY_PROMPT in prompt]
    heard = [(call, row) for call, row, prompt in rows if any(marker in prompt for marker in AUDIO_PROMPTS)]
    # language and cascade step 2 (LIMIT each), plus the start-up check's text-only requests (2).
    assert len(text_only) == 2 * LIMIT + 2, [prompt[:80] for *_, prompt in rows]
    assert all(row["audio_tokens"] == 0 for _, row in text_only), "a text-only request carried an audio placeholder"
    assert all(call["media"] == [] for call, _ in text_only), "a text-only batch was sent audio features"
    # direct, cot and vision (= cascade step 1: computed once), LIMIT each.
    assert len(heard) == 3 * LIMIT
    assert all(row["audio_tokens"] > 0 and "input_features" in call["media"] for call, row in heard)

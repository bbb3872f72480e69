"""Issue 21's tasks end to end: one real `lmms-eval --tasks compgap_why,compgap_wording` run of a tiny Qwen2.5-VL
(lmms-eval's chat wrapper, batch 2) through compgap_cascade, with what the model itself received written down
(`tests/fixtures/recording_lmms_eval.py`); every test reads that one run: the why settings, and every paraphrase
task of every family (the shared cascade run checks mathtext's first paraphrase against its report section)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from transformers import AutoTokenizer

from lmms_compgap.core.prompts import fill_prompt
from lmms_compgap.core.registry import generated_family_names, get_family, picture_family_names
from lmms_compgap.core.rendering import rendering_of
from lmms_compgap.core.settings import (
    SETTINGS,
    WHY_SETTINGS,
    decode_cascade_request,
    decode_cascade_response,
    wording_task_name,
)
from tests.fixtures.once import build_once
from tests.helpers import REPO, TINY_QWEN_ARGS, LmmsEvalRun, offline_env, read_run, tiny_model_dir

pytestmark = pytest.mark.e2e

LIMIT = 2
RECORDER = REPO / "tests" / "fixtures" / "recording_lmms_eval.py"
#: The families `compgap_why` holds: those of `compgap_all` (generated, not a rendering variant).
FAMILIES = [name for name in generated_family_names() if not rendering_of(get_family(name))]
#: Those whose items are pictures: lmms-eval's qwen2_5_vl drops a spoken item's clip (an image model), so only these
#: show the item's medium in the prompt.
PICTURES = picture_family_names()
#: Where the Qwen chat template opens the assistant's turn (the prompt ends with one: the turn to generate).
ASSISTANT = "<|im_start|>assistant\n"


@pytest.fixture(scope="module")
def why_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[LmmsEvalRun, list[dict[str, Any]]]:
    """The run, and each prompt the model received: its decoded text and image placeholder count."""
    model_dir = tiny_model_dir(tmp_path_factory, "qwen2_5_vl")

    def run(folder: Path) -> dict[str, Any]:
        command = [sys.executable, str(RECORDER), "--model", "compgap_cascade"]
        command += ["--model_args", f"inner=qwen2_5_vl,pretrained={model_dir},{TINY_QWEN_ARGS}"]
        command += [
            "--tasks",
            "compgap_why,compgap_wording",
            "--device",
            "cpu",
            "--batch_size",
            "2",
            "--limit",
            str(LIMIT),
        ]
        command += ["--gen_kwargs", "max_new_tokens=8", "--log_samples", "--output_path", str(folder / "out")]
        env = offline_env(COMPGAP_RECORD_INPUTS=str(folder / "inputs.jsonl"), OMP_NUM_THREADS="1")
        completed = subprocess.run(command, capture_output=True, text=True, timeout=900, env=env, cwd=folder)
        return {"returncode": completed.returncode, "output": (completed.stdout + completed.stderr)[-20000:]}

    folder, printed = build_once(tmp_path_factory, "why-run", run)
    result = read_run(printed["returncode"], printed["output"], folder / "out")
    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    inputs = folder / "inputs.jsonl"
    calls = [json.loads(line) for line in inputs.read_text().splitlines()] if inputs.is_file() else []
    prompts = [
        {"text": tokenizer.decode(row["input_ids"]), "images": row["image_tokens"]}
        for call in calls
        for row in call["rows"]
    ]
    return result, prompts


def _step2_prompt(sample: dict[str, Any]) -> tuple[str, str, str]:
    """(step 1's prompt, the model's step-1 answer, step 2's prompt) of one logged sample."""
    request = decode_cascade_request(sample["input"])
    assert request is not None, sample["input"][:200]
    step1 = decode_cascade_response(sample["filtered_resps"]).step1
    return request.step1_prompt, step1, fill_prompt(request.step2_template, {**request.values, "intermediate": step1})


def test_the_run_ends_well_with_every_task_of_compgap_why(why_run) -> None:
    result, _ = why_run
    assert result.returncode == 0, result.output[-3000:]
    assert result.results is not None, result.output[-3000:]
    tasks = {f"compgap_{family}_{setting}" for family in FAMILIES for setting in WHY_SETTINGS}
    assert tasks <= set(result.results["results"]), sorted(result.results["results"])
    for task in tasks:
        assert len(result.samples[task]) == LIMIT, task
        assert result.task_results(task)["failed_calls,none"] == 0, (task, result.output[-3000:])
        assert "step1_usable,none" in result.task_results(task)


def test_every_paraphrase_task_ran_every_item_without_a_failed_call(why_run) -> None:
    result, _ = why_run
    tasks = [
        wording_task_name(family, setting, wording)
        for family in FAMILIES
        for wording in range(1, len(get_family(family).paraphrases) + 1)
        for setting in SETTINGS
    ]
    assert all(len(get_family(family).paraphrases) >= 3 for family in FAMILIES)
    for task in tasks:
        assert len(result.samples[task]) == LIMIT, task
        assert result.task_results(task)["failed_calls,none"] == 0, (task, result.output[-3000:])
        if task.endswith(tuple(f"_cascade_w{k}" for k in range(1, 4))):
            for sample in result.samples[task]:
                envelope = decode_cascade_response(sample["filtered_resps"])
                assert envelope.failed_step is None and envelope.step1 and envelope.step2, (task, envelope)


@pytest.mark.parametrize("setting", WHY_SETTINGS)
def test_step2_was_reached_for_every_item(why_run, setting: str) -> None:
    result, _ = why_run
    for family in FAMILIES:
        for sample in result.samples[f"compgap_{family}_{setting}"]:
            envelope = decode_cascade_response(sample["filtered_resps"])
            assert envelope.failed_step is None and envelope.step1 and envelope.step2, (family, envelope)
            assert sample["compgap"]["setting"] == setting and sample["compgap"]["failed_step"] is None


def test_cascadeimage_step2_carried_the_picture_in_a_single_turn(why_run) -> None:
    result, prompts = why_run
    for family in FAMILIES:
        for sample in result.samples[f"compgap_{family}_cascadeimage"]:
            _, _, step2 = _step2_prompt(sample)
            sent = [prompt for prompt in prompts if step2 in prompt["text"] and prompt["text"].count(ASSISTANT) == 1]
            assert sent, (family, step2[:200])
            assert all(prompt["images"] > 0 for prompt in sent) == (family in PICTURES), (family, step2[:200])


def test_twoturn_step2_carried_the_first_turn_and_the_models_own_answer(why_run) -> None:
    result, prompts = why_run
    for family in FAMILIES:
        for sample in result.samples[f"compgap_{family}_twoturn"]:
            step1_prompt, step1, step2 = _step2_prompt(sample)
            sent = [prompt for prompt in prompts if step2 in prompt["text"] and prompt["text"].count(ASSISTANT) == 2]
            assert sent, (family, step2[:200])
            for prompt in sent:
                first_turn, answer_and_question = prompt["text"].split(ASSISTANT, 1)
                assert (prompt["images"] > 0) == (family in PICTURES) and step1_prompt in first_turn
                assert answer_and_question.startswith(step1), (step1, answer_and_question[:200])
                assert answer_and_question.index(step2) > len(step1)

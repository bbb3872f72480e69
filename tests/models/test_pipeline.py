"""A pipeline of two models in compgap_cascade: which model answers what, its cache, its checks and its errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from lmms_eval.api.instance import Instance

from lmms_compgap.core.pipeline import Pipeline, pipeline_of, split_step2_arguments
from lmms_compgap.core.settings import decode_cascade_response
from lmms_compgap.models.cascade import CompgapCascade
from lmms_compgap.models.stop import RunStopped
from lmms_compgap.tasks import hooks
from tests.fixtures.recording_model import (
    ROWS,
    SPLIT,
    FakeTask,
    N,
    RecordingModel,
    cascade_request,
    rebuild_requests,
    setup_cascade,
)


class TextOnlyModel(RecordingModel):
    """A text-only LLM: raises on any request with an image (what a step-2 model may be)."""

    def generate_until(self, requests: list[Instance]) -> list[str]:
        if any(self._what_was_sent(request)["images"] for request in requests):
            raise ValueError("this model reads no images")
        return super().generate_until(requests)


class ImageOnlyModel(RecordingModel):
    """A wrapper that cannot send a request without an image (lmms-eval's lfm2_5_vl)."""

    def generate_until(self, requests: list[Instance]) -> list[str]:
        if not all(self._what_was_sent(request)["images"] for request in requests):
            raise IndexError("no image")
        return super().generate_until(requests)


class OtherTextModel(RecordingModel):
    """Another step-2 model: a different identity for the resume cache."""


def _pipeline(
    step1_simple: bool = True, step2: RecordingModel | None = None, cascade_args: dict[str, Any] | None = None
) -> tuple[CompgapCascade, RecordingModel, RecordingModel, list[Instance]]:
    step2 = step2 if step2 is not None else RecordingModel(tag="two")
    model, step1, requests = setup_cascade(
        step1_simple, {"step2_inner": step2, **(cascade_args or {})}, with_language=True, tag="one"
    )
    return model, step1, step2, requests


def _by_setting(requests: list[Instance], responses: list[str]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for request, response in zip(requests, responses, strict=True):
        grouped.setdefault(request.args[-2].rsplit("_", 1)[1], []).append(response)
    return grouped


@pytest.mark.parametrize(
    ("step1_simple", "step2_simple"),
    [(True, True), (False, False), (True, False), (False, True)],
    ids=["simple-simple", "chat-chat", "simple-chat", "chat-simple"],
)
def test_step_2_and_language_go_to_the_step_2_model_and_the_rest_to_the_step_1_model(
    step1_simple: bool, step2_simple: bool
) -> None:
    model, step1, step2, requests = _pipeline(step1_simple, RecordingModel(is_simple=step2_simple, tag="two"))
    responses = _by_setting(requests, model.generate_until(requests))

    # The step-1 model saw only image requests: direct, then step 1 (shared with vision).
    assert [len(call) for call in step1.calls] == [N, N]
    assert all(sent["images"] == 1 for call in step1.calls for sent in call)
    # The step-2 model saw only text: the language requests (round 1), then every step 2 (round 2).
    language, round2 = step2.calls
    assert len(language) == N and len(round2) == N
    assert all(sent["images"] == 0 for call in step2.calls for sent in call)
    assert [sent["text"] for sent in language] == [
        request.args[0] for request in requests if request.args[-2].endswith("_language")
    ], "the language request's own prompt, unchanged"

    assert all(response.startswith("one(") for response in responses["direct"] + responses["vision"])
    assert all(response.startswith("two(-|0|") for response in responses["language"])
    for envelope in map(decode_cascade_response, responses["cascade"]):
        assert envelope.failed_step is None
        # Step 2, on the step-2 model, carries step 1's output from the step-1 model.
        assert envelope.step1.startswith("one(") and envelope.step2.startswith("two(-|0|Solve:\none(")
    stats = model.last_stats
    assert (stats.cascade_items, stats.passthrough, stats.step2_calls) == (N, 3 * N, N)
    assert stats.round1_calls == 3 * N, "direct, step 1 (vision shared), language"


def test_without_step2_inner_the_one_model_answers_every_setting() -> None:
    model, inner, requests = setup_cascade(True, with_language=True)
    model.generate_until(requests)
    assert model.step2 is None
    # direct, step 1 (vision shared), language in round 1; step 2 in round 2: all from the one model.
    assert [len(call) for call in inner.calls] == [N, N, N, N]
    assert [sent["images"] for sent in inner.calls[2]] == [0] * N


def test_a_text_only_step_2_model_passes_the_start_up_check_and_an_image_only_step_1_model_too() -> None:
    step1, step2 = ImageOnlyModel(tag="one"), TextOnlyModel(tag="two")
    CompgapCascade(inner=step1, step2_inner=step2)
    assert [[sent["images"] for sent in call] for call in step1.calls] == [[1, 1]], "only the image probe"
    assert [[sent["images"] for sent in call] for call in step2.calls] == [[0, 0]], "only the text-only probe"
    assert step1.task_dict == {} and step2.task_dict == {}, "the check's private task is gone afterwards"


def test_a_step_2_model_that_cannot_read_text_is_stopped_at_start_up_and_named_as_the_step_2_model() -> None:
    with pytest.raises(RunStopped) as stopped:
        CompgapCascade(inner=RecordingModel(), step2_inner=ImageOnlyModel())
    message = stopped.value.message
    assert "the step-2 model `ImageOnlyModel` failed its start-up check (text-only request)" in message


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        ({"step2_model_version": "x", "step2_base_url": "http://h"}, "step2_model_version, step2_base_url given "),
        ({"step2_inner": "compgap_cascade"}, "step2_inner=compgap_cascade would wrap the cascade in itself"),
        ({"step2_inner": "no_such_model"}, "step2_inner=no_such_model is no model lmms-eval can load"),
        ({"step2_inner": ""}, "step2_inner= must name an lmms-eval model"),
        ({"step2_inner": "openai", "step2_chunk_size": 4}, "pass chunk_size= once, without the step2_ prefix"),
        ({"step2_inner": "lfm2_5_vl"}, "`lfm2_5_vl` wrapper cannot run the cascade"),
        ({"step2_inner": "llava_hf", "step2_batch_size": 4}, "--batch_size 4 was asked for"),
    ],
    ids=["no-step2-inner", "itself", "unknown", "empty", "own-argument", "text-blind", "unbatchable"],
)
def test_bad_step2_arguments_stop_before_the_step_1_model_loads(arguments: dict[str, Any], expected: str) -> None:
    # The step-1 model's checkpoint does not exist: any message about it would mean it was loaded first.
    with pytest.raises(RunStopped) as stopped:
        CompgapCascade(inner="qwen2_5_vl", pretrained="/nonexistent/checkpoint", **arguments)
    assert expected in stopped.value.message
    assert "/nonexistent/checkpoint" not in stopped.value.message


def test_a_step_2_model_that_fails_stops_the_run_naming_that_model(tmp_path: Path) -> None:
    model, _, _, requests = _pipeline(step2=RecordingModel(tag="two", fail_when=lambda sent: True))
    with pytest.raises(RunStopped) as stopped:
        model.generate_until(requests)
    assert "compgap_mathtext_language to the inner model `RecordingModel`" in stopped.value.message


def test_failed_step_2_calls_are_counted_per_task_and_scored_as_failed_with_the_stop_off() -> None:
    model, step1, _, requests = _pipeline(
        step2=RecordingModel(tag="two", empty_when=lambda sent: True), cascade_args={"max_failed_share": 1}
    )
    responses = _by_setting(requests, model.generate_until(requests))
    assert all(decode_cascade_response(r).failed_step == 2 for r in responses["cascade"])
    assert responses["language"] == [""] * N, "a raw empty output is kept for the task's scorer"
    assert model.last_stats.failed_step2 == N and model.last_stats.failed_passthrough == N
    assert all(response.startswith("one(") for response in responses["direct"])


def test_the_resume_cache_never_serves_one_model_the_other_models_answers(tmp_path: Path) -> None:
    cache = {"cache_dir": str(tmp_path / "cache")}
    first, _, _, requests = _pipeline(cascade_args=cache)
    first.generate_until(requests)
    assert (tmp_path / "cache" / "step2").is_dir(), "the step-2 model's calls are kept apart"

    # The same pipeline resumes everything from the cache.
    again, step1, step2, requests = _pipeline(cascade_args=cache)
    responses = again.generate_until(rebuild_requests(again, requests))
    assert (step1.calls, step2.calls, again.last_stats.cache_hits) == ([], [], 4 * N)

    # Another step-2 model: the step-1 model's calls are reused, none of the other step-2 model's answers are.
    other, step1, step2, requests = _pipeline(step2=OtherTextModel(tag="new"), cascade_args=cache)
    changed = _by_setting(requests, other.generate_until(rebuild_requests(other, requests)))
    assert step1.calls == [] and sum(map(len, step2.calls)) == 2 * N
    assert all(r.startswith("new(") for r in changed["language"])
    assert all(decode_cascade_response(r).step2.startswith("new(") for r in changed["cascade"])
    assert changed["direct"] == _by_setting(requests, responses)["direct"]

    # The step-1 model alone, on the same cache: its language and step 2 answers are its own, not the pipeline's.
    alone, inner, requests = setup_cascade(True, cache, with_language=True, tag="one")
    single = _by_setting(requests, alone.generate_until(requests))
    assert all(r.startswith("one(") for r in single["language"])
    assert all(decode_cascade_response(r).step2.startswith("one(") for r in single["cascade"])
    assert [len(call) for call in inner.calls] == [N, N], "language and step 2 made again; the rest reused"


def test_step2_arguments_are_split_off_and_a_run_names_both_models() -> None:
    arguments = {"inner": "qwen2_5_vl", "pretrained": "/m/vlm", "step2_inner": "openai", "step2_model_version": "x"}
    assert split_step2_arguments(arguments) == (
        {"inner": "qwen2_5_vl", "pretrained": "/m/vlm"},
        {"inner": "openai", "model_version": "x"},
    )
    assert pipeline_of(arguments) == Pipeline("/m/vlm", "x")
    assert pipeline_of({"inner": "qwen2_5_vl", "pretrained": "/m/vlm"}) is None
    # A step-2 model named by its wrapper alone, and a step-1 served model.
    assert pipeline_of({"inner": "openai", "model": "gpt", "step2_inner": "instant"}) == Pipeline("gpt", "instant")


@pytest.mark.parametrize("task", ["compgap_mathtext_language_w1", "compgap_mathtext_language_w3"])
def test_a_paraphrased_language_task_goes_to_the_step_2_model_too(task: str) -> None:
    step1, step2 = RecordingModel(tag="one"), RecordingModel(tag="two")
    model = CompgapCascade(inner=step1, step2_inner=step2, startup_check=False)
    model.task_dict[task] = {SPLIT: ROWS}
    requests = [
        cascade_request(model, task, doc_id, FakeTask(hooks.language_text, hooks.no_visual)) for doc_id in range(N)
    ]
    responses = model.generate_until(requests)
    assert step1.calls == [] and [len(call) for call in step2.calls] == [N]
    assert all(response.startswith("two(") for response in responses)

"""A broken inner model stops the run with a message: at start-up, or as soon as most of a task's calls fail."""

from __future__ import annotations

from typing import Any

import pytest
from lmms_eval.api.instance import Instance

from lmms_compgap.core.settings import REQUEST_FAILED_MARKER, decode_cascade_request, decode_cascade_response
from lmms_compgap.models.cascade import CompgapCascade
from lmms_compgap.models.startup import check_inner_model, refuse_unbatchable
from lmms_compgap.models.stop import RunStopped
from tests.fixtures.recording_model import N, RecordingModel, setup_cascade


def _has_image(model: RecordingModel, request: Instance) -> bool:
    return model._what_was_sent(request)["images"] > 0


class RaisesOnTextOnly(RecordingModel):
    """Like lmms-eval 0.7.3's llava_hf: an IndexError from the processor for a request without an image."""

    def generate_until(self, requests: list[Instance]) -> list[str]:
        if not all(_has_image(self, request) for request in requests):
            raise IndexError("list index out of range")
        return super().generate_until(requests)


class ReturnsEmpty(RecordingModel):
    """Swallows its own error and answers "" (lmms-eval's simple llava_hf on a text-only request)."""

    def generate_until(self, requests: list[Instance]) -> list[str]:
        self.calls.append([self._what_was_sent(request) for request in requests])
        return [""] * len(requests)


class AssertsOnBatchSize(RecordingModel):
    """Handles one request per call and asserts otherwise."""

    def generate_until(self, requests: list[Instance]) -> list[str]:
        assert len(requests) == 1, "Do not support batch_size_per_gpu > 1 for now"
        return super().generate_until(requests)


class ServerRefuses(RecordingModel):
    """An OpenAI-compatible backend whose server refuses every request: lmms-eval's marker, no exception."""

    def generate_until(self, requests: list[Instance]) -> list[str]:
        return [f"{REQUEST_FAILED_MARKER} after 1 retries] Error code: 400"] * len(requests)


def _stopped(inner: RecordingModel, **cascade_args: Any) -> str:
    with pytest.raises(RunStopped) as stopped:
        CompgapCascade(inner=inner, **cascade_args)
    assert stopped.value.code == stopped.value.message, "SystemExit prints its message and exits with status 1"
    return stopped.value.message


# ---- the start-up check ---------------------------------------------------------------------------
@pytest.mark.parametrize("is_simple", [True, False], ids=["simple", "chat"])
def test_start_up_check_stops_a_wrapper_that_raises_on_text_only_requests(is_simple: bool) -> None:
    message = _stopped(RaisesOnTextOnly(is_simple=is_simple))
    assert "`RaisesOnTextOnly` failed its start-up check (text-only request)" in message
    assert "IndexError: list index out of range" in message and "image request" not in message.split("What")[0]
    assert "cannot answer a request without an image" in message and "inner=compgap_hf" in message
    assert "The `language` setting and the cascade's step 2 send only text" in message


def test_a_compgap_hf_model_that_cannot_read_text_alone_is_told_what_it_cannot_do_not_to_use_compgap_hf() -> None:
    # PaliGemma 2 through compgap_hf: its processor refuses a prompt without an image.
    with pytest.raises(RunStopped) as stopped:
        check_inner_model(RaisesOnTextOnly(), "compgap_hf", is_simple=True)
    message = stopped.value.message
    assert "`compgap_hf` cannot answer a request without an image" in message
    assert "--model compgap_hf --tasks compgap_<family>_direct" in message and "inner=compgap_hf" not in message


def test_start_up_check_stops_a_wrapper_that_returns_empty_strings() -> None:
    message = _stopped(ReturnsEmpty())
    assert "(image request and text-only request)" in message and message.count("empty output") == 2
    assert "--model_args" in message and "startup_check=false" in message


def test_start_up_check_tells_a_wrapper_that_cannot_batch_to_run_at_batch_size_1() -> None:
    model = AssertsOnBatchSize()
    message = _stopped(model)
    assert "(2 requests in one call)" in message and "AssertionError" in message
    assert "--batch_size 1" in message
    assert [len(call) for call in model.calls] == [1, 1], "each kind was then tried alone, and answered"


def test_start_up_check_names_a_server_that_refuses_requests() -> None:
    message = _stopped(ServerRefuses())
    assert REQUEST_FAILED_MARKER in message and "base_url" in message


def test_start_up_check_sends_image_and_text_only_requests_in_separate_batches_and_passes_a_working_model() -> None:
    for is_simple in (True, False):
        model = RecordingModel(is_simple=is_simple)
        CompgapCascade(inner=model)
        images, texts = model.calls  # never mixed: a batched wrapper would give a text-only row the other's pixels
        assert [sent["images"] for sent in images] == [1, 1] and [sent["images"] for sent in texts] == [0, 0]
        assert all("Transcribe" in sent["text"] for sent in images)
        assert all("Solve the following math word problem" in sent["text"] for sent in texts)
    assert model.task_dict == {}, "the check's private task is gone afterwards"


def test_single_request_wrappers_are_refused_above_batch_size_1_before_loading() -> None:
    for inner in ("llava_hf", "internvl_hf", "llama_vision", "mistral3_vl"):
        with pytest.raises(RunStopped, match=f"`{inner}` wrapper handles one request at a time.*--batch_size 1"):
            CompgapCascade(inner=inner, batch_size=2, pretrained="/nonexistent")  # refused before the load fails
        refuse_unbatchable(inner, 1)
        refuse_unbatchable(inner, "auto")
    refuse_unbatchable("qwen2_5_vl", 8)


def test_a_wrapper_that_drops_text_only_requests_is_refused_before_loading() -> None:
    with pytest.raises(RunStopped, match="`lfm2_5_vl` wrapper cannot run the cascade.*inner=compgap_hf"):
        CompgapCascade(inner="lfm2_5_vl", pretrained="/nonexistent")  # refused before the load fails


def test_an_inner_model_that_cannot_be_built_stops_the_run_with_its_error() -> None:
    with pytest.raises(RunStopped, match="could not build the inner model `no_such_model`"):
        CompgapCascade(inner="no_such_model")


@pytest.mark.parametrize("arguments", [{"max_failed_share": 1.5}, {"max_failed_share": "most"}, {"chunk_size": 0}])
def test_bad_cascade_arguments_stop_the_run_before_the_model_loads(arguments: dict[str, Any]) -> None:
    with pytest.raises(RunStopped, match=next(iter(arguments))):
        CompgapCascade(inner="qwen2_5_vl", pretrained="/nonexistent", **arguments)


# ---- the mid-run stop -----------------------------------------------------------------------------
def test_run_stops_when_every_step_2_fails_on_text_only_requests() -> None:
    model, inner, requests = setup_cascade(True, inner_class=RaisesOnTextOnly)
    with pytest.raises(RunStopped) as stopped:
        model.generate_until(requests)
    message = stopped.value.message
    assert f"{N} of the {N} finished calls of step 2 of compgap_mathtext_cascade" in message
    assert "IndexError" in message and "max_failed_share=1" in message


def test_run_stops_before_the_next_task_when_a_model_returns_empty_strings() -> None:
    model, inner, requests = setup_cascade(True, inner_class=ReturnsEmpty, cascade_args={"chunk_size": 2})
    with pytest.raises(RunStopped, match=f"{N} of the {N} finished calls of compgap_mathtext_direct.*empty output"):
        model.generate_until(requests)
    assert [len(call) for call in inner.calls] == [2, 2, 1], "only the direct task's chunks reached the model"


def test_a_wrapper_that_cannot_batch_still_gets_every_request_answered_one_by_one() -> None:
    model, inner, requests = setup_cascade(True, inner_class=AssertsOnBatchSize)
    responses = model.generate_until(requests)
    assert model.last_stats.failed_step1 == model.last_stats.failed_step2 == model.last_stats.failed_passthrough == 0
    assert all(len(call) == 1 for call in inner.calls)
    cascade = [
        decode_cascade_response(r)
        for q, r in zip(requests, responses, strict=True)
        if decode_cascade_request(q.args[0]) is not None
    ]
    assert len(cascade) == N and all(envelope.step2 for envelope in cascade)


def test_max_failed_share_1_scores_failures_as_wrong_instead_of_stopping() -> None:
    model, _, requests = setup_cascade(True, inner_class=ReturnsEmpty, cascade_args={"max_failed_share": 1})
    responses = model.generate_until(requests)
    assert model.last_stats.failed_step1 == N and model.last_stats.failed_passthrough == 2 * N
    assert all(
        decode_cascade_response(r).failed_step == 1
        for q, r in zip(requests, responses, strict=True)
        if decode_cascade_request(q.args[0]) is not None
    )


def test_a_minority_of_failures_does_not_stop_the_run() -> None:
    bad = {0, 1}  # 2 of 5 items fail in every task: 40%, not most
    model, _, requests = setup_cascade(
        True,
        cascade_args={"max_failed_share": 0.5},
        empty_when=lambda item: (
            any(item["uid"].endswith(f"{i:05d}") for i in bad) or any(f"{i:05d}|1|" in item["text"] for i in bad)
        ),
    )
    model.generate_until(requests)
    assert model.last_stats.failed_step1 == len(bad) and model.last_stats.failed_passthrough == 2 * len(bad)


def test_failures_are_judged_only_once_enough_calls_of_a_task_have_finished() -> None:
    # A failed first call is not judged alone: judging waits for MIN_JUDGED_CALLS (or all 5) of the task's calls.
    calls = {"n": 0}

    def first_fails(item: dict[str, Any]) -> bool:
        calls["n"] += 1
        return calls["n"] == 1

    model, _, requests = setup_cascade(True, cascade_args={"chunk_size": 1}, empty_when=first_fails)
    model.generate_until(requests)
    assert model.last_stats.failed_passthrough == 1

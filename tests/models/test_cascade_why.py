"""compgap_cascade's why settings: step 2 with the picture (cascadeimage) and as a second turn (twoturn)."""

from __future__ import annotations

import pytest

from lmms_compgap.core.settings import decode_cascade_request, decode_cascade_response
from lmms_compgap.models.cascade import CompgapCascade
from lmms_compgap.models.startup import SINGLE_TURN_CHAT_WRAPPERS, refuse_single_turn
from lmms_compgap.models.stop import RunStopped
from lmms_compgap.tasks import hooks
from tests.fixtures.recording_model import ROWS, SPLIT, FakeTask, N, RecordingModel, cascade_request

TASKS = {
    "compgap_mathtext_cascade": FakeTask(hooks.cascade_text, hooks.doc_to_visual),
    "compgap_mathtext_cascadeimage": FakeTask(hooks.cascade_image_text, hooks.doc_to_visual),
    "compgap_mathtext_twoturn": FakeTask(hooks.two_turn_text, hooks.doc_to_visual),
}


def _run(is_simple: bool, tasks: list[str]) -> tuple[CompgapCascade, RecordingModel, dict[str, list[str]]]:
    inner = RecordingModel(is_simple=is_simple)
    model = CompgapCascade(inner=inner, startup_check=False)
    for name in tasks:
        model.task_dict[name] = {SPLIT: ROWS}
    requests = [cascade_request(model, name, doc_id, TASKS[name]) for name in tasks for doc_id in range(N)]
    responses = model.generate_until(requests)
    by_task: dict[str, list[str]] = {name: [] for name in tasks}
    for request, response in zip(requests, responses, strict=True):
        by_task[request.args[-2]].append(response)
    return model, inner, by_task


def _step2_calls(inner: RecordingModel) -> list[dict]:
    return [item for call in inner.calls for item in call if item["uid"] == "-"]


@pytest.mark.parametrize("is_simple", [True, False], ids=["simple", "chat"])
def test_cascadeimage_step2_carries_the_picture_and_the_items_own_step1_output(is_simple: bool) -> None:
    model, inner, responses = _run(is_simple, ["compgap_mathtext_cascade", "compgap_mathtext_cascadeimage"])

    # Step 1 is one call per item, shared by both settings; step 2 is one call per item and setting.
    assert model.last_stats.round1_calls == N and model.last_stats.round1_shared == N
    assert model.last_stats.step2_with_image == N and model.last_stats.step2_calls == 2 * N
    step2 = _step2_calls(inner)
    assert sorted(item["images"] for item in step2) == [0] * N + [1] * N
    # No call mixes requests with and without a picture (a batched wrapper would hand one the other's pixels).
    assert all(len({item["images"] for item in call}) == 1 for call in inner.calls)
    for doc_id, response in enumerate(responses["compgap_mathtext_cascadeimage"]):
        envelope = decode_cascade_response(response)
        uid = ROWS[doc_id]["uid"]
        assert envelope.failed_step is None
        assert envelope.step1.startswith(f"out({uid}|1|Transcribe")
        assert envelope.step2.startswith(f"out(-|1|Solve:\nout({uid}|1|")
        assert decode_cascade_response(responses["compgap_mathtext_cascade"][doc_id]).step2.startswith("out(-|0|Solve:")


def test_twoturn_step2_is_the_first_turn_the_models_answer_and_the_question() -> None:
    model, inner, responses = _run(False, ["compgap_mathtext_twoturn"])

    assert model.last_stats.step2_turns == N
    step2 = _step2_calls(inner)
    assert len(step2) == N
    for item in step2:
        assert item["roles"] == ["user", "assistant", "user"]
        assert item["images"] == 1
        assert item["split"] == "turns"
    for doc_id, response in enumerate(responses["compgap_mathtext_twoturn"]):
        envelope = decode_cascade_response(response)
        assert envelope.failed_step is None
        (sent,) = [item for item in step2 if f"out({ROWS[doc_id]['uid']}|1|" in item["text"]]
        # The first turn as step 1 was sent, then the model's own answer, then step 2's prompt filled with it.
        assert sent["text"] == f"Transcribe the text in the image. {envelope.step1} Solve:\n{envelope.step1}\n" + (
            'End with "Answer: <number>".'
        )


def test_twoturn_stops_a_simple_wrapper_before_any_call() -> None:
    inner = RecordingModel(is_simple=True)
    model = CompgapCascade(inner=inner, startup_check=False)
    model.task_dict["compgap_mathtext_twoturn"] = {SPLIT: ROWS}
    requests = [cascade_request(model, "compgap_mathtext_twoturn", 0, TASKS["compgap_mathtext_twoturn"])]
    with pytest.raises(RunStopped, match="RecordingModel.*simple wrapper.*compgap_hf"):
        model.generate_until(requests)
    assert inner.calls == []


@pytest.mark.parametrize("wrapper", sorted(SINGLE_TURN_CHAT_WRAPPERS))
def test_twoturn_stops_chat_wrappers_that_flatten_a_conversation(wrapper: str) -> None:
    with pytest.raises(RunStopped, match=f"`{wrapper}` wrapper cannot carry"):
        refuse_single_turn(wrapper, is_simple=False)


@pytest.mark.parametrize("wrapper", ["qwen2_5_vl", "compgap_hf", "openai", "vllm", "llava_hf"])
def test_twoturn_runs_on_chat_wrappers_that_send_the_conversation(wrapper: str) -> None:
    refuse_single_turn(wrapper, is_simple=False)


def test_each_setting_asks_for_its_own_step2_mode() -> None:
    kwargs = {"answer_format": "A", "visual_prompt": "V", "textual_prompt": "T {intermediate}", "cascade_runner": True}
    modes = {
        hook.__name__: decode_cascade_request(hook(ROWS[0], kwargs)).step2_mode
        for hook in (hooks.cascade_text, hooks.cascade_image_text, hooks.two_turn_text)
    }
    assert modes == {"cascade_text": "text", "cascade_image_text": "image", "two_turn_text": "turns"}


@pytest.mark.parametrize("task", ["compgap_mathtext_cascadeimage", "compgap_mathtext_twoturn"])
def test_a_pipeline_refuses_the_why_settings_before_any_call(task: str) -> None:
    step1, step2 = RecordingModel(is_simple=False), RecordingModel(is_simple=False, tag="two")
    model = CompgapCascade(inner=step1, step2_inner=step2, startup_check=False)
    model.task_dict[task] = {SPLIT: ROWS}
    requests = [cascade_request(model, task, 0, TASKS[task])]
    with pytest.raises(RunStopped, match=r"pipeline .* cannot run the why settings.*without step2_inner"):
        model.generate_until(requests)
    assert step1.calls == [] and step2.calls == []

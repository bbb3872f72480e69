"""compgap_cascade's call plan and failure handling, with a recording stand-in for the inner model."""

from __future__ import annotations

import pytest

from lmms_compgap.core.settings import REQUEST_FAILED_MARKER, decode_cascade_request, decode_cascade_response
from lmms_compgap.models.call_cache import CallCache
from lmms_compgap.models.cascade import CompgapCascade
from lmms_compgap.models.stop import RunStopped
from lmms_compgap.tasks import hooks
from tests.fixtures.recording_model import (
    PROMPTS,
    ROWS,
    Interrupted,
    N,
    RecordingModel,
    rebuild_requests,
    setup_cascade,
)


@pytest.mark.parametrize("is_simple", [True, False], ids=["simple", "chat"])
def test_cascade_makes_one_batched_call_per_task_and_step_and_shares_vision_requests(is_simple: bool) -> None:
    model, inner, requests = setup_cascade(is_simple)
    responses = model.generate_until(requests)

    # Round 1: N direct, then N step-1 (the N vision requests are the same calls, computed once);
    # one batched call per task, since some wrappers read a batch's task from its first request.
    assert [len(call) for call in inner.calls] == [N, N, N], "direct, step 1 (with vision), step 2"
    direct, step1, round2 = inner.calls
    round1 = direct + step1
    assert all(item["images"] == 1 for item in round1)
    assert all(item["text"].startswith("Transcribe") for item in step1)
    # Round 2: N step-2 calls, text only, each carrying its own item's step-1 output.
    assert len(round2) == N and all(item["images"] == 0 for item in round2)
    stats = model.last_stats
    assert (stats.cascade_items, stats.passthrough, stats.round1_calls, stats.round1_shared) == (N, 2 * N, 2 * N, N)
    assert stats.step2_calls == N

    for position, request in enumerate(requests):
        if decode_cascade_request(request.args[0]) is None:
            assert responses[position].startswith("out(")
            continue
        envelope = decode_cascade_response(responses[position])
        uid = ROWS[request.args[-3]]["uid"]
        assert envelope.failed_step is None
        assert envelope.step1.startswith(f"out({uid}|1|Transcribe the text in the image.")
        # Step 2 is text only and carries this item's step 1 output.
        assert envelope.step2.startswith(f"out(-|0|Solve:\nout({uid}|1|")
        # The vision request of the same item got exactly step 1's output.
        vision_position = position + 1
        assert responses[vision_position] == envelope.step1


@pytest.mark.parametrize("is_simple", [True, False], ids=["simple", "chat"])
def test_a_failing_step_is_recorded_and_the_rest_of_the_run_goes_on(is_simple: bool) -> None:
    bad_uid = ROWS[2]["uid"]
    model, inner, requests = setup_cascade(
        is_simple,
        fail_when=lambda item: item["uid"] == bad_uid and item["images"] == 1 and "Transcribe" in item["text"],
        # Step 2 of item 3: text only, carrying item 3's step 1 output.
        empty_when=lambda item: item["images"] == 0 and ROWS[3]["uid"] in item["text"],
    )
    responses = model.generate_until(requests)
    by_uid = {}
    for request, response in zip(requests, responses, strict=True):
        by_uid.setdefault(ROWS[request.args[-3]]["uid"], []).append((request, response))

    for request, response in by_uid[bad_uid]:
        if decode_cascade_request(request.args[0]) is not None:
            envelope = decode_cascade_response(response)
            assert envelope.failed_step == 1 and "exploded" in envelope.error
        elif "Transcribe" in request.args[0]:
            assert response.startswith(REQUEST_FAILED_MARKER)
        else:
            assert response.startswith("out(")  # the same item's direct request was unaffected

    (cascade_of_empty,) = [r for q, r in by_uid[ROWS[3]["uid"]] if decode_cascade_request(q.args[0]) is not None]
    envelope = decode_cascade_response(cascade_of_empty)
    assert envelope.failed_step == 2 and envelope.error == "empty output"
    assert model.last_stats.failed_step1 == 1 and model.last_stats.failed_step2 == 1

    # Scored as wrong, with the reason kept in the record.
    record = hooks.process_cascade(ROWS[3], [cascade_of_empty])
    assert record["accuracy"] == 0 and record["failed_calls"] == 1
    assert record["compgap"]["error"] == "empty output"


def test_cascade_refuses_to_wrap_nothing_or_itself() -> None:
    with pytest.raises(RunStopped, match="inner="):
        CompgapCascade()
    with pytest.raises(RunStopped, match="itself"):
        CompgapCascade(inner="compgap_cascade")


def test_cascade_prompt_is_refused_for_a_plain_model_before_any_call() -> None:
    prompts = {key: value for key, value in PROMPTS.items() if key != "cascade_runner"}
    with pytest.raises(hooks.CascadeModelRequired, match="--model compgap_cascade"):
        hooks.cascade_text(ROWS[0], prompts)


def test_an_interrupted_cascade_resumes_from_its_cache_without_recomputing(tmp_path) -> None:
    reference_model, reference_inner, requests = setup_cascade(True)
    reference = reference_model.generate_until(requests)

    dying = RecordingModel(die_after_calls=2)
    model = CompgapCascade(inner=dying, cache_dir=str(tmp_path / "cache"), chunk_size=3, startup_check=False)
    model.task_dict.update(reference_model.task_dict)
    with pytest.raises(Interrupted):
        model.generate_until(rebuild_requests(model, requests))
    finished = sum(len(call) for call in dying.calls)
    assert [len(call) for call in dying.calls] == [3, N - 3], "the direct task's calls, in chunks of 3"

    # A torn line from a kill mid-write is skipped, not fatal.
    with (tmp_path / "cache" / "calls.rank0.jsonl").open("a") as handle:
        handle.write('{"format": 1, "model": "x", "key": "trunc')

    fresh = RecordingModel()
    resumed = CompgapCascade(inner=fresh, cache_dir=str(tmp_path / "cache"), chunk_size=3, startup_check=False)
    resumed.task_dict.update(reference_model.task_dict)
    responses = resumed.generate_until(rebuild_requests(resumed, requests))
    assert responses == reference
    made = sum(len(call) for call in fresh.calls)
    assert made == sum(len(call) for call in reference_inner.calls) - finished
    assert resumed.last_stats.cache_hits == finished


def test_the_call_cache_skips_lines_python_cannot_parse_and_keeps_the_others(tmp_path) -> None:
    cache = CallCache(tmp_path, {"inner": "model-a"}, rank=1)
    cache.put_many([("k1", "first"), ("k2", "second")])
    model = cache.model.encode()
    with (tmp_path / "calls.rank0.jsonl").open("wb") as handle:  # another rank's file, damaged
        handle.write(b"[" * 100_000 + b"]" * 100_000 + b"\n")  # nested past the parser's recursion limit
        handle.write(b"[" + b"9" * 5000 + b"]\n")  # an integer longer than Python converts
        handle.write(b'{"format": 2, "model": "' + model + b'", "key": "k3", "text": "caf\xe9"}\n')  # bad UTF-8
        handle.write(b'{"format": 2, "model": "model-b", "key": "k4", "text": "another model"}\n')
    reread = CallCache(tmp_path, {"inner": "model-a"}, rank=1)
    assert (len(reread), reread.get("k1"), reread.get("k2"), reread.get("k3")) == (3, "first", "second", "caf\ufffd")

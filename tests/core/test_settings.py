"""Settings, task names and the request envelope's versions (`lmms_compgap/core/settings.py`), and the why settings
scored as the cascade is (`lmms_compgap/core/results.py`)."""

from __future__ import annotations

import json

import pytest

from lmms_compgap.core.registry import get_family
from lmms_compgap.core.results import SETTING_METRICS, score_response
from lmms_compgap.core.settings import (
    ALL_SETTINGS,
    CascadeRequest,
    CascadeResponse,
    decode_cascade_request,
    parse_task_name,
)

REQUEST = CascadeRequest("read it", "solve {intermediate}", {"question": "q"})


def test_a_text_mode_envelope_is_written_byte_for_byte_as_version_1() -> None:
    # What the cascade tasks sent before step2_mode existed: their requests (and --use_cache keys) stay the same.
    fields = {"step1_prompt": "read it", "step2_template": "solve {intermediate}", "values": {"question": "q"}}
    before = json.dumps({"tag": "compgap_cascade_request", "version": 1, **fields}, ensure_ascii=False)
    assert REQUEST.encode() == before
    assert decode_cascade_request(before) == REQUEST


@pytest.mark.parametrize("mode", ["image", "turns"])
def test_an_envelope_with_another_step2_mode_round_trips_as_version_2(mode: str) -> None:
    request = CascadeRequest(REQUEST.step1_prompt, REQUEST.step2_template, REQUEST.values, mode)
    assert json.loads(request.encode())["version"] == 2
    assert decode_cascade_request(request.encode()) == request


@pytest.mark.parametrize(
    "change",
    [
        {"version": 3},  # a version this code does not know
        {"version": True},  # not a version number
        {"version": 2, "step2_mode": "video"},  # a mode it cannot run
        {"version": 2, "step2_mode": ["image"]},
        {"version": 1, "step2_mode": "image"},  # version 1 has no modes
    ],
)
def test_an_envelope_this_code_cannot_run_as_written_is_no_envelope(change: dict) -> None:
    payload = {**json.loads(REQUEST.encode()), **change}
    assert decode_cascade_request(json.dumps(payload)) is None


def test_an_unknown_mode_is_never_encoded() -> None:
    with pytest.raises(ValueError, match="step2_mode"):
        CascadeRequest("a", "b", {}, "video").encode()


@pytest.mark.parametrize("setting", ALL_SETTINGS)
def test_every_setting_is_a_task_name(setting: str) -> None:
    assert parse_task_name(f"compgap_mathtext_{setting}") == ("mathtext", setting)


def test_a_family_why_group_is_no_task_name() -> None:
    assert parse_task_name("compgap_mathtext_why") is None


@pytest.mark.parametrize("setting", ["cascadeimage", "twoturn"])
def test_the_why_settings_are_scored_as_the_cascade(setting: str) -> None:
    row = get_family("mathtext").installed_rows()[0]
    response = CascadeResponse(row["intermediate"], f"Answer: {row['answer']}").encode()
    cascade, why = score_response(row, "cascade", response), score_response(row, setting, response)
    assert why["compgap"].pop("setting") == setting
    cascade["compgap"].pop("setting")
    assert why == cascade and why["accuracy"] == 1 and why["step1_usable"] == 1
    assert SETTING_METRICS[setting] == SETTING_METRICS["cascade"]
    failed = score_response(row, setting, CascadeResponse("read", None, 2, "inner model raised").encode())
    assert (failed["failed_calls"], failed["accuracy"], failed["compgap"]["failed_step"]) == (1, 0, 2)

"""The settings, and the envelopes that carry a two-step cascade through lmms-eval.

A cascade request is one lmms-eval request whose context is a JSON *request envelope* holding
both steps' prompts; `compgap_cascade` unpacks it, runs step 1 (image + visual prompt) and step 2
(the textual prompt filled with step 1's output: text only for `cascade`, with the image for
`cascadeimage`, as the second turn of one conversation for `twoturn`; the envelope's `step2_mode`),
and answers with a JSON *response envelope* holding both outputs. Because both travel inside
lmms-eval's own request and response strings, they are logged with `--log_samples`, cached by
`--use_cache`, and gathered across ranks like any other response.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from typing import Any

SETTINGS: tuple[str, ...] = ("direct", "cascade", "cot", "vision", "language")
#: The settings scored by their final answer (vision is scored by its intermediate).
ANSWER_SETTINGS: tuple[str, ...] = ("direct", "cascade", "cot", "language")
#: Two settings that tell why a gap exists (group `compgap_why`, outside `compgap` and `compgap_all`, so published
#: results compare the same tasks): the cascade with the picture kept in view at step 2, and both steps as two turns
#: of one conversation. Both run the cascade's own prompts; only what step 2 sees differs.
WHY_SETTINGS: tuple[str, ...] = ("cascadeimage", "twoturn")
#: Every setting a task can have.
ALL_SETTINGS: tuple[str, ...] = (*SETTINGS, *WHY_SETTINGS)
#: What step 2 of each two-step setting is sent besides its prompt: nothing (text), the item's picture (image), or
#: the first turn and the model's own step-1 answer before it (turns).
STEP2_MODES: dict[str, str] = {"cascade": "text", "cascadeimage": "image", "twoturn": "turns"}
_TASK_NAME_RE = re.compile(r"compgap_([a-z0-9]+)_([a-z]+)")


def task_name(family: str, setting: str) -> str:
    """The lmms-eval task of one family in one setting: `compgap_<family>_<setting>`."""
    return f"compgap_{family}_{setting}"


def parse_task_name(task: str) -> tuple[str, str] | None:
    """`compgap_<family>_<setting>` -> (family, setting), for any family name; None for any other task name."""
    match = _TASK_NAME_RE.fullmatch(task)
    if match is None or match.group(2) not in ALL_SETTINGS:
        return None
    return match.group(1), match.group(2)


#: The canonical wording's number: its tasks carry no suffix.
CANONICAL_WORDING = 0
#: Paraphrase k of a family's prompts (k >= 1): `compgap_<family>_<setting>_w<k>`, in the group `compgap_wording`.
_WORDING_SUFFIX_RE = re.compile(r"(.+)_w([1-9][0-9]{0,2})")


def wording_task_name(family: str, setting: str, wording: int) -> str:
    """The task of one family and setting under wording `wording`: the canonical task for 0, else
    `compgap_<family>_<setting>_w<wording>` (the family's paraphrase `wording`, counted from 1)."""
    if wording == CANONICAL_WORDING:
        return task_name(family, setting)
    if not 1 <= wording <= 999:
        raise ValueError(f"a wording is numbered 1 to 999 (0: the canonical one), not {wording}")
    return f"{task_name(family, setting)}_w{wording}"


def parse_wording_task_name(task: str) -> tuple[str, str, int] | None:
    """(family, setting, wording) of a compgap task, canonical (wording 0) or paraphrased (`..._w<k>`, wording k);
    None for any other task name. `parse_task_name` reads canonical names only, so a paraphrase's result is never
    taken for the canonical task's."""
    canonical = parse_task_name(task)
    if canonical is not None:
        return (*canonical, CANONICAL_WORDING)
    # A paraphrase task is a canonical task's name and a suffix: whatever `parse_task_name` reads, with `_w<k>`.
    match = _WORDING_SUFFIX_RE.fullmatch(task)
    parsed = parse_task_name(match.group(1)) if match else None
    return None if parsed is None else (*parsed, int(match.group(2)))


REQUEST_TAG = "compgap_cascade_request"
RESPONSE_TAG = "compgap_cascade_response"
#: Version 2 added `step2_mode`. A text-mode envelope (the `cascade` setting's) is still written as version 1, byte for
#: byte as before, so the cascade tasks' requests (and lmms-eval's --use_cache keys for them) did not change.
ENVELOPE_VERSION = 2
#: The response envelope has not changed since version 1.
RESPONSE_VERSION = 1
#: What lmms-eval's API backends return instead of raising when a request failed.
REQUEST_FAILED_MARKER = "[LMMS_EVAL_REQUEST_FAILED"


@dataclass(frozen=True)
class CascadeRequest:
    """Step 1's prompt (sent with the image) and step 2's template, sent as `step2_mode` says (STEP2_MODES)."""

    step1_prompt: str
    step2_template: str
    values: dict[str, str]
    step2_mode: str = "text"

    def encode(self) -> str:
        if self.step2_mode not in STEP2_MODES.values():
            raise ValueError(f"unknown step2_mode {self.step2_mode!r}; modes: {sorted(set(STEP2_MODES.values()))}")
        fields = asdict(self)
        if self.step2_mode == "text":
            del fields["step2_mode"]
        payload = {"tag": REQUEST_TAG, "version": 1 if self.step2_mode == "text" else ENVELOPE_VERSION, **fields}
        return json.dumps(payload, ensure_ascii=False)


@dataclass(frozen=True)
class CascadeResponse:
    """Both steps' outputs; `failed_step` (1 or 2) and `error` say which step failed and why."""

    step1: str | None
    step2: str | None
    failed_step: int | None = None
    error: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def encode(self) -> str:
        payload = {"tag": RESPONSE_TAG, "version": RESPONSE_VERSION, **asdict(self)}
        return json.dumps(payload, ensure_ascii=False)


def decode_cascade_request(context: Any) -> CascadeRequest | None:
    """The request envelope in an lmms-eval context string, or None for an ordinary request."""
    if not isinstance(context, str) or REQUEST_TAG not in context:
        return None
    try:
        payload = json.loads(context)
    except (ValueError, RecursionError):  # bad JSON, an integer too long to convert, nesting too deep
        return None
    if not isinstance(payload, dict) or payload.get("tag") != REQUEST_TAG:
        return None
    # Version 1 has no step2_mode (text); a version this code does not know, or a mode it cannot run, is no
    # envelope: the request then fails visibly rather than run as another setting.
    version, mode = payload.get("version", 1), payload.get("step2_mode", "text")
    if type(version) is not int or version not in (1, ENVELOPE_VERSION) or (version == 1 and "step2_mode" in payload):
        return None
    if not isinstance(mode, str) or mode not in STEP2_MODES.values():
        return None
    values = payload.get("values")
    if not (
        isinstance(payload.get("step1_prompt"), str)
        and isinstance(payload.get("step2_template"), str)
        and isinstance(values, dict)
        and all(isinstance(k, str) and isinstance(v, str) for k, v in values.items())
    ):
        return None
    return CascadeRequest(payload["step1_prompt"], payload["step2_template"], values, mode)


def decode_cascade_response(text: Any) -> CascadeResponse:
    """Parse a response envelope; anything else becomes a response that failed with a clear error."""
    if not isinstance(text, str):
        return CascadeResponse(None, None, failed_step=1, error=f"cascade response is {type(text).__name__}, not text")
    try:
        payload = json.loads(text)
    except (ValueError, RecursionError):  # bad JSON, an integer too long to convert, nesting too deep
        payload = None
    if not isinstance(payload, dict) or payload.get("tag") != RESPONSE_TAG:
        return CascadeResponse(
            None,
            None,
            failed_step=1,
            error="response is not a compgap_cascade envelope: was this task run with --model compgap_cascade?",
        )
    step1, step2 = payload.get("step1"), payload.get("step2")
    failed_step = payload.get("failed_step")
    error = payload.get("error")
    extra = payload.get("extra") if isinstance(payload.get("extra"), dict) else {}
    if step1 is not None and not isinstance(step1, str):
        return CascadeResponse(None, None, failed_step=1, error="malformed cascade envelope: step1 is not text")
    if step2 is not None and not isinstance(step2, str):
        return CascadeResponse(step1, None, failed_step=2, error="malformed cascade envelope: step2 is not text")
    if failed_step not in (None, 1, 2):
        failed_step = 1 if step1 is None else 2
    if failed_step is None and (step1 is None or step2 is None):
        failed_step = 1 if step1 is None else 2
        error = error or f"step {failed_step} produced no output"
    return CascadeResponse(step1, step2, failed_step, error if isinstance(error, str) else None, extra)


def failure_reason(output: Any) -> str | None:
    """Why a model output counts as a failed call (None when it is a real answer)."""
    if output is None:
        return "no output"
    if not isinstance(output, str):
        return f"output is {type(output).__name__}, not text"
    if not output.strip():
        return "empty output"
    if output.lstrip().startswith(REQUEST_FAILED_MARKER):
        return output.strip()[:300]
    return None

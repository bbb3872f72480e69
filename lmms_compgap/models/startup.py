"""Checks made before a cascade run spends hours: is it the model asked for; can it batch, see an image, read text?

- The loaded model must be the class the checkpoint's `config.json` declares (`architectures`), and
  transformers must have found weights for all its parameters: lmms-eval 0.7.3's `glm4v` and
  `qwen3_vl` choose the class from the folder name, and a wrong guess runs with random weights.
- Wrappers of lmms-eval 0.7.3 known to handle one request at a time are refused at a batch size
  above 1 before their weights load, with what to pass instead; wrappers that cannot send a
  request without an image (`lfm2_5_vl`) are refused before they load.
- The start-up check sends the inner model two image requests (a compgap picture and the visual
  step's prompt) in one call, then two text-only requests (a textual step's prompt, no image) in
  another, as a run's chunks are: never mixed, because a batched wrapper (lmms-eval's `qwen3_vl`,
  `glm4v`, `gemma4`) would hand a text-only row of a mixed batch the other row's pixels, and the
  text-only probe would prove nothing. If a call fails, one request of its kind is tried alone, to
  tell a wrapper that cannot batch from a kind of request that fails. A request fails when the
  model raises, returns nothing, or returns lmms-eval's request-failed marker.
"""

from __future__ import annotations

import functools
from typing import Any

from lmms_eval.api.instance import unwrap_generation_output
from loguru import logger
from PIL import Image

from lmms_compgap.core.settings import failure_reason
from lmms_compgap.models.checkpoint import LoadingReport, declared_architectures, find_checkpoint, loaded_models
from lmms_compgap.models.own_requests import OwnRequests
from lmms_compgap.models.stop import MODELS_DOC, RunStopped

#: lmms-eval 0.7.3 wrappers that handle one request at a time, and how (read in their source;
#: tests/models/test_e2e_families.py runs each at batch size 1).
SINGLE_REQUEST_WRAPPERS: dict[str, str] = {
    "llava_hf": "its generate_until asserts a batch size of 1",
    "internvl_hf": "it asserts a batch size of 1 when it is built",
    "llama_vision": "it ignores --batch_size and sends one request at a time",
    "mistral3_vl": "it ignores --batch_size and sends one request at a time",
}

#: lmms-eval 0.7.3 wrappers that cannot send a request without an image, which the cascade's step 2,
#: the `language` setting and the start-up check all do (read in their source).
TEXT_BLIND_WRAPPERS: dict[str, str] = {
    "lfm2_5_vl": "it leaves requests without an image out of its outputs, so outputs no longer line up with requests"
}

#: lmms-eval 0.7.3 chat wrappers that do not send a conversation as one (read in their source): the `twoturn`
#: setting's step 2 would reach the model as something else, so they are refused for it. Simple (`is_simple`)
#: wrappers take one prompt string and are refused too.
SINGLE_TURN_CHAT_WRAPPERS: dict[str, str] = {
    "minicpm_o": "it merges every message's content into one user turn",
    "omnivinci": "it merges every message's content into one user turn",
    "baichuan_omni": "it joins every message's text into one prompt, without roles",
    "neo_ov": "it joins every message's text into one prompt, without roles",
    "aero_realtime_vllm": "it sends only the first video and the user turns' text",
    "bagel_lmms_engine": "it sends the request's context string and the first image, not the messages",
    "fastvideo": "it sends the first image and the text, not the messages",
}

#: lmms-eval 0.7.3 wrappers that choose the model class from the checkpoint's name, not its config.
CLASS_FROM_NAME_WRAPPERS: dict[str, str] = {
    "glm4v": 'it loads the MoE class unless the path contains "Flash"',
    "qwen3_vl": 'it loads the MoE class only when the path contains "A<N>B" (as in "30B-A3B")',
}

PROBE_GEN_KWARGS: dict[str, Any] = {"max_new_tokens": 16, "temperature": 0, "do_sample": False}
IMAGE_PROMPT = "Transcribe the text in the image exactly, word for word. Output only the transcription."
TEXT_PROMPT = 'Solve the following math word problem.\n\n{problem}\n\nEnd with a final line "Answer: <number>".'
KINDS = ("image request", "text-only request")


def requested_batch_size(batch_size: Any) -> int | None:
    """The batch size lmms-eval passed, as a number (None for unset or "auto")."""
    try:
        return int(batch_size)
    except (TypeError, ValueError):
        return None


def refuse_unbatchable(inner: str, batch_size: Any) -> None:
    """Stop before loading a wrapper that cannot batch, when a batch size above 1 was asked for."""
    size = requested_batch_size(batch_size)
    if inner in SINGLE_REQUEST_WRAPPERS and size is not None and size > 1:
        raise RunStopped(
            f"compgap_cascade: lmms-eval's `{inner}` wrapper handles one request at a time "
            f"({SINGLE_REQUEST_WRAPPERS[inner]}), but --batch_size {size} was asked for. Pass --batch_size 1, or run "
            f"the same checkpoint batched with lmms-compgap's own wrapper: --model_args inner=compgap_hf,pretrained=..."
            f" (see {MODELS_DOC})."
        )


def refuse_text_blind(inner: str) -> None:
    """Stop before loading a wrapper that cannot send a text-only request (the cascade's step 2 is one)."""
    if inner in TEXT_BLIND_WRAPPERS:
        raise RunStopped(
            f"compgap_cascade: lmms-eval's `{inner}` wrapper cannot run the cascade: {TEXT_BLIND_WRAPPERS[inner]}, and "
            "the cascade's step 2 and the `language` setting send only text. Run the same checkpoint with "
            f"lmms-compgap's own wrapper: --model_args inner=compgap_hf,pretrained=... (see {MODELS_DOC})."
        )


def refuse_single_turn(inner: str, is_simple: bool) -> None:
    """Stop, before any model call, a run of the `twoturn` setting on a wrapper that cannot send a conversation."""
    why = "it is a simple wrapper: it sends one prompt string" if is_simple else SINGLE_TURN_CHAT_WRAPPERS.get(inner)
    if why:
        raise RunStopped(
            f"compgap_cascade: the twoturn setting sends step 1 and step 2 as two turns of one conversation, which "
            f"lmms-eval's `{inner}` wrapper cannot carry ({why}). Run the twoturn tasks with a chat wrapper: the "
            "chat variant of this model if it has one (leave out inner_force_simple), or lmms-compgap's own "
            f"--model_args inner=compgap_hf,pretrained=... (see {MODELS_DOC}); the other settings run as they are."
        )


@functools.cache
def _probe_item() -> tuple[Image.Image, str]:
    """A real compgap picture (the first mathtext item) and its transcription."""
    from lmms_compgap.core.registry import get_family

    family = get_family("mathtext")
    row = family.generate(size=1)[0]
    return family.draw_row(row), row["intermediate"]


#: Requests of one kind per probe call: two, so that a wrapper that batches is probed batched.
PROBE_COPIES = 2


def _outcome(inner: Any, is_simple: bool, kind: str, copies: int) -> str | None:
    """Send `copies` requests of one kind in one call; why it failed (None: every request was answered)."""
    image, transcription = _probe_item()
    with OwnRequests(inner.task_dict, is_simple) as own:
        requests = [
            own.request(IMAGE_PROMPT, dict(PROBE_GEN_KWARGS), visuals=lambda: [image])
            if kind == "image request"
            else own.request(TEXT_PROMPT.format(problem=transcription), dict(PROBE_GEN_KWARGS))
            for _ in range(copies)
        ]
        try:
            outputs = inner.generate_until(requests)
        except Exception as error:  # noqa: BLE001 - any failure is what the check reports
            return f"the model raised {type(error).__name__}: {error}"[:500]
    if len(outputs) != len(requests):
        return f"the model returned {len(outputs)} outputs for {len(requests)} requests"
    texts = [unwrap_generation_output(output)[0] for output in outputs]
    logger.info(f"compgap_cascade start-up check, {kind}: {texts[0]!r:.200}")
    return next((reason for reason in map(failure_reason, texts) if reason), None)


def _advice(failing: dict[str, str], batched_only: bool, inner: str) -> str:
    if batched_only:
        return (
            "each request succeeds alone but not two in one call: the wrapper cannot batch. Pass --batch_size 1, "
            f"or run the checkpoint batched with --model_args inner=compgap_hf,pretrained=... (see {MODELS_DOC})."
        )
    if set(failing) == {"text-only request"}:
        # The model (not only a wrapper) may be unable to: PaliGemma's processor refuses a prompt without an image.
        other = (
            f" If the model itself can, use a wrapper that sends such requests: {MODELS_DOC} lists one per model "
            "family, and inner=compgap_hf runs any transformers image-text-to-text checkpoint."
            if inner != "compgap_hf"
            else ""
        )
        return (
            f"`{inner}` cannot answer a request without an image. The `language` setting and the cascade's step 2 "
            "send only text; `direct`, `cot` and `vision` always show the picture. To evaluate those three alone, "
            "run the model without the cascade (e.g. --model compgap_hf --tasks compgap_<family>_direct,"
            f"compgap_<family>_cot,compgap_<family>_vision); no composition gap can be measured without step 2.{other}"
        )
    if any("LMMS_EVAL_REQUEST_FAILED" in reason for reason in failing.values()):
        return "the server failed the request: check that it is running and its base_url, model name and api_key."
    return (
        f"check the inner model's --model_args (pretrained, device, device_map) and that it runs at all; {MODELS_DOC} "
        "lists the wrapper and arguments that work for each model family."
    )


def check_inner_model(
    inner: Any, inner_name: str, is_simple: bool, kinds: tuple[str, ...] = KINDS, role: str = "inner model"
) -> None:
    """Stop the run (RunStopped) unless the inner model answers the `kinds` of request it will receive.

    By default both kinds; in a pipeline the step-1 model receives only image requests and the step-2 model
    (`role`) only text-only ones.
    """
    failing: dict[str, str] = {}
    batched: dict[str, str] = {}
    for kind in kinds:
        reason = _outcome(inner, is_simple, kind, PROBE_COPIES)
        if reason:
            # Failed in a batch: ask once alone, to tell a batching failure from a kind that fails.
            alone = _outcome(inner, is_simple, kind, 1)
            if alone:
                failing[kind] = alone
            else:
                batched[kind] = reason
    if not failing and not batched:
        answered = " and ".join(kind.removesuffix(" request") for kind in kinds)
        logger.info(f"compgap_cascade start-up check passed: `{inner_name}` answered {answered} requests")
        return
    batched_only = not failing
    shown = failing or batched
    lines = "\n".join(f"- {kind}: {reason}" for kind, reason in shown.items())
    what = f"{PROBE_COPIES} requests in one call" if batched_only else " and ".join(failing)
    raise RunStopped(
        f"compgap_cascade stopped the run before evaluating: the {role} `{inner_name}` failed its start-up check "
        f"({what}).\n{lines}\nWhat to do: {_advice(failing, batched_only, inner_name)}\n"
        "To skip this check, pass startup_check=false in --model_args (failing calls would then be scored as wrong "
        "answers until most of a task's calls fail, when the run stops)."
    )


def _names(keys: tuple[str, ...], shown: int = 3) -> str:
    more = f" and {len(keys) - shown} more" if len(keys) > shown else ""
    return ", ".join(keys[:shown]) + more


def check_model_class(inner: Any, inner_name: str, reports: list[LoadingReport]) -> None:
    """Stop the run (RunStopped) if the inner model is not the class its checkpoint declares, or has random weights."""
    problems: list[str] = []
    for report in reports:
        if report.randomly_initialised:
            problems.append(
                f"transformers found no weights in {report.source} for {len(report.randomly_initialised)} parameter(s) "
                f"of the loaded class {report.model_class} ({_names(report.randomly_initialised)}): they were "
                "initialised at random"
            )
    for model in loaded_models(inner):
        declared = declared_architectures(find_checkpoint(str(model.name_or_path)))
        if declared and type(model).__name__ not in declared:
            problems.append(
                f"`{inner_name}` loaded {model.name_or_path} as {type(model).__name__}, but its config.json declares "
                f"{' or '.join(declared)}"
            )
    if not problems:
        return
    why = (
        f" (lmms-eval's `{inner_name}` wrapper: {CLASS_FROM_NAME_WRAPPERS[inner_name]})"
        if (inner_name in CLASS_FROM_NAME_WRAPPERS)
        else ""
    )
    fix = (
        "run the checkpoint with --model_args inner=compgap_hf,pretrained=..., which loads the class the config names"
        if inner_name != "compgap_hf"
        else "check that the checkpoint folder is complete (every weight file its index names) and not another "
        "model's config"
    )
    raise RunStopped(
        "compgap_cascade stopped the run before evaluating: the inner model is not the model the checkpoint holds"
        f"{why}.\n" + "\n".join(f"- {problem}" for problem in problems) + f"\nWhat to do: {fix} (see {MODELS_DOC}). "
        "Scores of such a model would be those of a randomly initialised one. To skip the start-up checks, pass "
        "startup_check=false in --model_args."
    )

"""`compgap_cascade`: runs any lmms-eval model through the two steps of the cascade setting.

`--model compgap_cascade --model_args inner=<model>,<the inner model's own args>`

Requests whose context is a cascade request envelope (see `lmms_compgap.core.settings`) are run
in two rounds: round 1 sends every step 1 (image + visual prompt) together with every ordinary
request of the run; round 2 sends every step 2 (the textual prompt filled with step 1's output):
text only for the `cascade` setting; with the item's picture for `cascadeimage` (a chat wrapper gets the
task's own messages with step 2's prompt in place of the envelope, a simple one the task's visuals); and
for `twoturn` as the second turn of one conversation (the first turn as step 1 was sent, the model's own
step-1 answer as the assistant's turn, then step 2's prompt), which only chat wrappers can carry: a
simple wrapper or a chat wrapper that flattens conversations (`models/startup.py`) stops the run
before any call. Identical requests within a round (same item, prompt, generation settings and visual
source; e.g. a `vision` request and a cascade's step 1) are computed once. Each round reaches the
inner model in chunks of one task's requests each, because several lmms-eval wrappers read the
task of a batch from its first request. A call that raises, returns nothing or returns lmms-eval's
request-failed marker is a failed call: it is recorded in the response (the item is scored
wrong, and counted in the task's `failed_calls`), and the run goes on unless most calls of a task
fail (`models/stop.py`).

Before the run the inner model must pass a start-up check (`models/startup.py`): it is the class
its checkpoint declares, with weights for every parameter, and it answers one image and one
text-only request. Empty media arguments are dropped before the inner model's processor sees
them (`models/adapters.py`), which fixes text-only requests of lmms-eval's `llava_hf` and
`llama_vision`.

Own arguments (the rest of `--model_args` goes to the inner model):
- `inner`: the lmms-eval model to wrap (required); `inner_force_simple`: use its simple variant;
- `cache_dir`: record every finished inner call there (crash-safe), so that the same command
  re-run after an interruption resumes without recomputing them; a call is reused only by the same
  model identity (wrapper, arguments, checkpoint file hashes or Hub revision, library versions:
  `models/call_cache.py`);
- `chunk_size` (default 128): inner calls per chunk; each chunk is recorded in the cache and
  checked for failures as soon as it returns (servers and vLLM batch more with larger chunks);
- `startup_check` (default true): run the start-up check;
- `max_failed_share` (default 0.5): stop the run when more than this share of a task's calls
  failed (judged from 10 finished calls, or all of them if fewer); 1 never stops.

A pipeline of two models: `step2_inner=<lmms-eval model name>` names a second model, and every argument
prefixed `step2_` goes to it (prefix removed; `lmms_compgap.core.pipeline`). The step-2 model then answers
every step 2 and every request of the `language` setting (known by the task's name); the inner model answers
the rest (direct, cot, vision, step 1). Each model gets the start-up checks of the requests it receives (the
step-2 model only text-only ones, so a text-only LLM can serve it), its own resume cache (`cache_dir/step2`,
keyed on its own identity) and its own failure count; `step2_batch_size`, `step2_device` override lmms-eval's
`--batch_size`/`--device` for it. The cascade's own arguments above apply to both models.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from lmms_eval.api.instance import Instance, unwrap_generation_output
from lmms_eval.api.model import lmms
from lmms_eval.models import get_model
from loguru import logger

from lmms_compgap.core.pipeline import STEP2_INNER, STEP2_PREFIX, split_step2_arguments
from lmms_compgap.core.prompts import fill_prompt
from lmms_compgap.core.settings import (
    REQUEST_FAILED_MARKER,
    CascadeRequest,
    CascadeResponse,
    decode_cascade_request,
    failure_reason,
    parse_wording_task_name,
)
from lmms_compgap.models.adapters import drop_empty_media
from lmms_compgap.models.call_cache import CallCache, open_call_cache
from lmms_compgap.models.checkpoint import LoadingReport, recording_loading_reports
from lmms_compgap.models.own_requests import OwnRequests
from lmms_compgap.models.startup import (
    KINDS,
    check_inner_model,
    check_model_class,
    refuse_single_turn,
    refuse_text_blind,
    refuse_unbatchable,
)
from lmms_compgap.models.stop import FailureMonitor, RunStopped, failed_share_limit
from lmms_compgap.tasks import hooks

#: Our own hooks draw compgap pictures; their docs carry a `uid` and have no image column, so
#: reading it is free. Any other task's item is identified by (task, split, doc_id), without
#: touching its doc (which would decode its image a second time).
_COMPGAP_VISUALS = f"{hooks.__name__}."
#: The cascade's own arguments: they apply to both models of a pipeline, so a `step2_` copy is a mistake.
_OWN_ARGUMENTS = ("cache_dir", "chunk_size", "startup_check", "max_failed_share")
#: The settings whose requests the step-2 model of a pipeline answers (text only, like step 2).
STEP2_SETTINGS = ("language",)


@dataclass
class CascadeStats:
    """What the last `generate_until` call did (tests and benchmarks assert on these counts)."""

    requests: int = 0
    cascade_items: int = 0
    passthrough: int = 0
    round1_calls: int = 0
    round1_shared: int = 0
    step2_calls: int = 0
    step2_shared: int = 0
    #: Step-2 requests sent with the picture (cascadeimage) and as a second turn (twoturn), before deduplication.
    step2_with_image: int = 0
    step2_turns: int = 0
    failed_step1: int = 0
    failed_step2: int = 0
    failed_passthrough: int = 0
    cache_hits: int = 0
    inner_batches: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class InnerModel:
    """One model the cascade calls: its name, the lmms-eval model, whether it is a simple wrapper, its resume cache."""

    name: str
    model: lmms
    is_simple: bool
    cache: CallCache | None


@dataclass
class _Call:
    """One request to the inner model: its dedup key, the request, the task it counts for, and which model serves it."""

    key: str
    instance: Instance
    owner: str
    on_step2: bool = False


def _step2_framework_args(
    step2_inner: str | lmms | None, step2_args: dict[str, Any], framework_args: dict[str, Any]
) -> dict[str, Any]:
    """Check a pipeline's `step2_` arguments before any model loads; lmms-eval's framework arguments for step 2.

    `step2_batch_size`, `step2_max_batch_size` and `step2_device` are taken out of `step2_args` and override the
    ones lmms-eval passed to the cascade.
    """
    named = ", ".join(f"{STEP2_PREFIX}{key}" for key in step2_args)
    if step2_inner is None:
        if step2_args:
            raise RunStopped(
                f"compgap_cascade: {named} given without {STEP2_INNER}=: name the step-2 model of the pipeline "
                f"with {STEP2_INNER}=<lmms-eval model name> (e.g. {STEP2_INNER}=openai,step2_model_version=<model>,"
                "step2_base_url=<url>), or leave out the step2_ arguments to run one model"
            )
        return {}
    own = [f"{STEP2_PREFIX}{key}" for key in _OWN_ARGUMENTS if key in step2_args]
    if own:
        raise RunStopped(
            f"compgap_cascade: {', '.join(own)}: the cascade's own arguments apply to both models of a pipeline; "
            f"pass {', '.join(key[len(STEP2_PREFIX) :] + '=' for key in own)} once, without the step2_ prefix"
        )
    step2_framework = {key: step2_args.pop(key, value) for key, value in framework_args.items()}
    if isinstance(step2_inner, lmms):
        return step2_framework
    if not isinstance(step2_inner, str) or not step2_inner:
        raise RunStopped(f"compgap_cascade: {STEP2_INNER}= must name an lmms-eval model, not {step2_inner!r}")
    if step2_inner == "compgap_cascade":
        raise RunStopped(
            f"compgap_cascade: {STEP2_INNER}=compgap_cascade would wrap the cascade in itself: name the step-2 "
            f"model's own lmms-eval wrapper (e.g. {STEP2_INNER}=qwen2_5_vl or {STEP2_INNER}=openai)"
        )
    refuse_unbatchable(step2_inner, step2_framework["batch_size"])
    refuse_text_blind(step2_inner)
    try:  # an unknown name stops the run before the step-1 model spends minutes loading
        get_model(step2_inner, force_simple=bool(step2_args.get("inner_force_simple", False)))
    except Exception as error:  # noqa: BLE001 - lmms-eval raises several kinds for an unknown or broken model
        raise RunStopped(
            f"compgap_cascade: {STEP2_INNER}={step2_inner} is no model lmms-eval can load "
            f"({type(error).__name__}: {error}).\nWhat to do: name an lmms-eval model (`lmms-eval --model` names; "
            "docs/models.md lists the wrapper for each model family)."
        ) from error
    return step2_framework


def _replace_envelope(
    messages: list[dict[str, Any]], replacement: Callable[[CascadeRequest], str]
) -> list[dict[str, Any]]:
    """`messages` with the text of every request envelope in them replaced by `replacement(envelope)`."""
    for message in messages:
        content = message.get("content")
        if isinstance(content, str) and (envelope := decode_cascade_request(content)) is not None:
            message["content"] = replacement(envelope)
        elif isinstance(content, list):
            for part in content:
                if isinstance(part, dict) and part.get("type") == "text":
                    envelope = decode_cascade_request(part.get("text"))
                    if envelope is not None:
                        part["text"] = replacement(envelope)
    return messages


def _step1_messages(doc_to_messages: Callable, doc: dict[str, Any]) -> list[dict[str, Any]]:
    """The task's own messages (image included) with the request envelope replaced by step 1's prompt.

    A function of the doc alone (the envelope is in the task's own text), so it is right for every
    request of a batch even in wrappers that call the first request's function for all of them.
    """
    return _replace_envelope(doc_to_messages(doc), lambda envelope: envelope.step1_prompt)


def _step2_messages(doc_to_messages: Callable, doc: dict[str, Any], prompt: str) -> list[dict[str, Any]]:
    """`cascadeimage`'s step 2: the task's own messages (image included) with the envelope replaced by `prompt`."""
    return _replace_envelope(doc_to_messages(doc), lambda envelope: prompt)


def _two_turn_messages(doc_to_messages: Callable, doc: dict[str, Any], step1: str, prompt: str) -> list[dict[str, Any]]:
    """`twoturn`'s step 2: the first turn exactly as step 1 was sent, the model's own step-1 answer, then `prompt`."""
    return [
        *_step1_messages(doc_to_messages, doc),
        {"role": "assistant", "content": [{"type": "text", "text": step1}]},
        {"role": "user", "content": [{"type": "text", "text": prompt}]},
    ]


def _visual_source(function: Any) -> str:
    """Which visual a request's doc_to_visual / doc_to_messages produces, as a dedup key part."""
    task = getattr(function, "__self__", None)
    source = getattr(getattr(task, "config", None), "doc_to_visual", None)
    if source is None:
        return repr(function)
    return f"{getattr(source, '__module__', '')}.{getattr(source, '__qualname__', repr(source))}"


class CompgapCascade(lmms):
    """Wraps an inner lmms-eval model; two-step for cascade requests, pass-through for the rest."""

    is_simple = True  # the class is registered as simple; each instance mirrors its inner model

    def __init__(
        self,
        inner: str | lmms | None = None,
        inner_force_simple: bool = False,
        cache_dir: str | None = None,
        chunk_size: int = 128,
        startup_check: bool = True,
        max_failed_share: float = 0.5,
        batch_size: int | str | None = None,
        max_batch_size: int | None = None,
        device: str | None = None,
        step2_inner: str | lmms | None = None,
        **inner_args: Any,
    ) -> None:
        super().__init__()
        # Our own arguments are checked before the inner model loads (which can take minutes).
        if not isinstance(chunk_size, int) or isinstance(chunk_size, bool) or chunk_size < 1:
            raise RunStopped(f"compgap_cascade: chunk_size must be a whole number of calls, not {chunk_size!r}")
        self.chunk_size = chunk_size
        self.max_failed_share = failed_share_limit(max_failed_share)
        inner_args, step2_args = split_step2_arguments(inner_args)
        lmms_eval_args = {"batch_size": batch_size, "max_batch_size": max_batch_size, "device": device}
        step2_framework = _step2_framework_args(step2_inner, step2_args, lmms_eval_args)
        loading_reports: list[LoadingReport] = []
        if isinstance(inner, lmms):
            # Python API: wrap a model object the caller already built.
            self.inner_name = type(inner).__name__
            self.inner = inner
        else:
            self.inner_name = str(inner or "")
            with recording_loading_reports() as loading_reports:
                self.inner = self._build_inner(
                    inner,
                    bool(inner_force_simple),
                    batch_size,
                    max_batch_size,
                    device,
                    inner_args,
                    text_only=step2_inner is None,
                )
        self.is_simple = bool(getattr(self.inner, "is_simple", True))
        if startup_check:  # before hashing checkpoint files for the cache: a wrong class stops the run at once
            check_model_class(self.inner, self.inner_name, loading_reports)
        patched = drop_empty_media(self.inner)
        if patched:
            logger.info(f"compgap_cascade: {self.inner_name} processors {patched} drop empty media arguments")
        # What lmms-eval passes besides --model_args, and the variant asked for, change outputs too.
        framework_args = {"batch_size": batch_size, "device": device, "inner_force_simple": bool(inner_force_simple)}
        self.call_cache = (
            open_call_cache(cache_dir, self.inner_name, inner_args, framework_args, self.inner, rank=self.inner.rank)
            if cache_dir
            else None
        )
        # lmms-eval fills `lm.task_dict` in place; the inner model must see the same docs.
        self.task_dict = self.inner.task_dict
        self.last_stats = CascadeStats()
        if startup_check:
            # In a pipeline the inner model receives only requests with an image; checked before the step-2 model loads.
            kinds = KINDS if step2_inner is None else ("image request",)
            check_inner_model(self.inner, self.inner_name, self.is_simple, kinds=kinds)
        self.step1 = InnerModel(self.inner_name, self.inner, self.is_simple, self.call_cache)
        self.step2: InnerModel | None = None
        if step2_inner is not None:
            self.step2 = self._build_step2(step2_inner, step2_args, step2_framework, cache_dir, bool(startup_check))

    def _build_step2(
        self,
        step2_inner: str | lmms,
        step2_args: dict[str, Any],
        framework_args: dict[str, Any],
        cache_dir: str | None,
        startup_check: bool,
    ) -> InnerModel:
        """The pipeline's step-2 model, built, checked for the text-only requests it receives, with its own cache."""
        force_simple = bool(step2_args.pop("inner_force_simple", False))
        loading_reports: list[LoadingReport] = []
        if isinstance(step2_inner, lmms):
            name, model = type(step2_inner).__name__, step2_inner
        else:
            name = str(step2_inner)
            with recording_loading_reports() as loading_reports:
                model = self._build_inner(
                    name,
                    force_simple,
                    framework_args["batch_size"],
                    framework_args["max_batch_size"],
                    framework_args["device"],
                    step2_args,
                    role="step-2 model",
                )
        is_simple = bool(getattr(model, "is_simple", True))
        if startup_check:
            check_model_class(model, name, loading_reports)
        patched = drop_empty_media(model)
        if patched:
            logger.info(f"compgap_cascade: step-2 model {name} processors {patched} drop empty media arguments")
        identity_args = {
            "batch_size": framework_args["batch_size"],
            "device": framework_args["device"],
            "inner_force_simple": force_simple,
        }
        # A directory of its own: the step-2 model's calls are never looked up under the inner model's identity.
        cache = (
            open_call_cache(Path(cache_dir) / "step2", name, step2_args, identity_args, model, rank=model.rank)
            if cache_dir
            else None
        )
        # Its requests (step 2, language) are the cascade's own, read from the task table lmms-eval fills.
        model.task_dict = self.task_dict
        if startup_check:
            check_inner_model(model, name, is_simple, kinds=("text-only request",), role="step-2 model")
        logger.info(f"compgap_cascade: a pipeline: `{self.inner_name}` for step 1, `{name}` for step 2 and language")
        return InnerModel(name, model, is_simple, cache)

    @staticmethod
    def _build_inner(
        inner: str | None,
        force_simple: bool,
        batch_size: Any,
        max_batch_size: Any,
        device: Any,
        inner_args: dict[str, Any],
        text_only: bool = True,
        role: str = "inner model",
    ) -> lmms:
        if not inner:
            raise RunStopped(
                "compgap_cascade needs the model to wrap: --model_args inner=<lmms-eval model name>,<its args>, "
                "e.g. inner=qwen2_5_vl,pretrained=Qwen/Qwen2.5-VL-3B-Instruct"
            )
        if inner == "compgap_cascade":
            raise RunStopped("compgap_cascade cannot wrap itself: pass another model as inner=")
        refuse_unbatchable(inner, batch_size)
        if text_only:  # the model receives requests without an image
            refuse_text_blind(inner)
        framework_args = {"batch_size": batch_size, "max_batch_size": max_batch_size, "device": device}
        try:
            inner_class = get_model(inner, force_simple=force_simple)
            return inner_class(**inner_args, **{k: v for k, v in framework_args.items() if v is not None})
        except Exception as error:  # noqa: BLE001 - lmms-eval would log it and exit 0; stop the run instead
            shown = inner_args if role == "inner model" else {f"{STEP2_PREFIX}{k}": v for k, v in inner_args.items()}
            raise RunStopped(
                f"compgap_cascade could not build the {role} `{inner}` with --model_args {shown}: "
                f"{type(error).__name__}: {error}\nWhat to do: check the model name and its arguments "
                "(docs/models.md lists the wrapper and arguments that work for each model family)."
            ) from error

    # ---- delegation: the cascade is the inner model for everything but two-step requests --------
    def __getattr__(self, name: str) -> Any:
        inner = self.__dict__.get("inner")
        if inner is None or name.startswith("__"):
            raise AttributeError(name)
        return getattr(inner, name)

    @property
    def rank(self) -> int:
        return self.inner.rank

    @property
    def world_size(self) -> int:
        return self.inner.world_size

    def clean(self) -> None:
        self.inner.clean()

    def loglikelihood(self, requests: list[Instance]) -> list[tuple[float, bool]]:
        return self.inner.loglikelihood(requests)

    def generate_until_multi_round(self, requests: list[Instance]) -> list[str]:
        return self.inner.generate_until_multi_round(requests)

    # ---- the cascade -----------------------------------------------------------------------------
    def _item(self, request: Instance, visual: str) -> str:
        """The item a request asks about: a compgap item's uid (shared by its tasks), else task/split/doc."""
        doc_id, task, split = request.args[-3:]
        if visual.startswith(_COMPGAP_VISUALS):
            doc = self.task_dict[task][split][doc_id]
            if isinstance(doc, dict) and doc.get("uid"):
                return str(doc["uid"])
        return f"{task}/{split}/{doc_id}"

    @staticmethod
    def _key(item: str, prompt: str, gen_kwargs: Any, visual: str) -> str:
        return json.dumps([item, prompt, gen_kwargs, visual], sort_keys=True, default=repr)

    def _gen_kwargs(self, request: Instance) -> Any:
        return request.args[1] if self.is_simple else request.args[2]

    def _step1_instance(self, request: Instance, envelope: CascadeRequest, gen_kwargs: Any) -> Instance:
        doc_id, task, split = request.args[-3:]
        if self.is_simple:
            arguments = (envelope.step1_prompt, gen_kwargs, request.args[2], doc_id, task, split)
        else:
            arguments = (
                envelope.step1_prompt,
                partial(_step1_messages, request.args[1]),
                gen_kwargs,
                doc_id,
                task,
                split,
            )
        return Instance(request_type="generate_until", arguments=arguments, idx=0, metadata=dict(request.metadata))

    def _step2(
        self, own: OwnRequests, request: Instance, envelope: CascadeRequest, step1: str, item: str, gen_kwargs: Any
    ) -> tuple[str, Instance]:
        """Step 2 of one two-step request, as its envelope's `step2_mode` says, and its dedup key (which names what
        the call carries besides its prompt, so a text-only answer is never reused for a request with the picture)."""
        prompt = fill_prompt(envelope.step2_template, {**envelope.values, "intermediate": step1})
        if envelope.step2_mode == "text":
            return self._key(item, prompt, gen_kwargs, "text-only"), own.request(prompt, gen_kwargs)
        doc_id, task, split = request.args[-3:]
        doc = self.task_dict[task][split][doc_id]
        source = request.args[2] if self.is_simple else request.args[1]
        visual = _visual_source(source)
        if envelope.step2_mode == "image":
            self.last_stats.step2_with_image += 1
            key = self._key(item, prompt, gen_kwargs, f"with the picture: {visual}")
            if self.is_simple:
                return key, own.request(prompt, gen_kwargs, visuals=partial(source, doc), split="image")
            messages = partial(_step2_messages, source, doc, prompt)
            return key, own.request(prompt, gen_kwargs, messages=messages, split="image")
        # "turns": chat wrappers only (generate_until refused any other before round 1).
        self.last_stats.step2_turns += 1
        conversation = json.dumps([envelope.step1_prompt, step1, prompt], ensure_ascii=False)
        key = self._key(item, conversation, gen_kwargs, f"second turn: {visual}")
        messages = partial(_two_turn_messages, source, doc, step1, prompt)
        return key, own.request(prompt, gen_kwargs, messages=messages, split="turns")

    def _run_inner(self, instances: Sequence[Instance], inner: InnerModel) -> list[tuple[str | None, str | None]]:
        """(text, error) per instance; a failing batch is bisected so one bad request fails alone."""
        if not instances:
            return []
        try:
            outputs = inner.model.generate_until(list(instances))
            self.last_stats.inner_batches.append(len(instances))
        except Exception as error:  # noqa: BLE001 - any inner failure must be recorded, not crash the run
            if len(instances) == 1:
                logger.warning(f"compgap_cascade: inner model {inner.name} failed on one request: {error!r}")
                return [(None, f"inner model raised {type(error).__name__}: {error}"[:500])]
            middle = len(instances) // 2
            return self._run_inner(instances[:middle], inner) + self._run_inner(instances[middle:], inner)
        if len(outputs) != len(instances):
            message = f"inner model returned {len(outputs)} outputs for {len(instances)} requests"
            return [(None, message)] * len(instances)
        results: list[tuple[str | None, str | None]] = []
        for output in outputs:
            text, _ = unwrap_generation_output(output)
            results.append((text if isinstance(text, str) else None, failure_reason(text)))
        return results

    def _run_calls(
        self, calls: list[_Call], monitor: FailureMonitor, inner: InnerModel
    ) -> tuple[dict[str, tuple[str | None, str | None]], int]:
        """Run each distinct call once (or take it from the cache), in chunks of one task's calls.

        Returns outputs by key and how many calls were shared. After every chunk the failures
        are counted for every task the chunk's calls belong to, and the run stops if most failed.
        """
        unique: dict[str, Instance] = {}
        owners: dict[str, list[str]] = {}
        for call in calls:
            unique.setdefault(call.key, call.instance)
            owners.setdefault(call.key, []).append(call.owner)
            monitor.expect(call.owner)
        outputs: dict[str, tuple[str | None, str | None]] = {}
        groups: dict[tuple[str, str], list[tuple[str, Instance]]] = {}
        for key, instance in unique.items():
            cached = inner.cache.get(key) if inner.cache is not None else None
            if cached is not None:
                outputs[key] = (cached, failure_reason(cached))
                self.last_stats.cache_hits += 1
                for owner in owners[key]:
                    monitor.record(owner, None)
            else:
                groups.setdefault((instance.args[-2], instance.args[-1]), []).append((key, instance))
        for pending in groups.values():
            for start in range(0, len(pending), self.chunk_size):
                part = pending[start : start + self.chunk_size]
                results = self._run_inner([instance for _, instance in part], inner)
                for (key, _), (text, error) in zip(part, results, strict=True):
                    outputs[key] = (text, error)
                    for owner in owners[key]:
                        monitor.record(owner, error)
                if inner.cache is not None:
                    inner.cache.put_many(
                        (key, text)
                        for (key, _), (text, error) in zip(part, results, strict=True)
                        if error is None and text is not None
                    )
                monitor.check()
        return outputs, len(calls) - len(unique)

    def generate_until(self, requests: list[Instance]) -> list[str]:
        stats = self.last_stats = CascadeStats(requests=len(requests))
        monitor = FailureMonitor(self.inner_name, self.max_failed_share)
        # A pipeline's step-2 model: its failures are counted apart, so a stop names the model that failed.
        step2 = self.step2 or self.step1
        step2_monitor = FailureMonitor(step2.name, self.max_failed_share) if self.step2 else monitor
        language = OwnRequests(self.task_dict, step2.is_simple)
        envelopes: list[CascadeRequest | None] = [decode_cascade_request(request.args[0]) for request in requests]
        modes = {envelope.step2_mode for envelope in envelopes if envelope is not None}
        if self.step2 is not None and modes - {"text"}:
            # The why settings ask how ONE model composes (its step 2 sees the picture, or its own first turn); in a
            # pipeline that question has no answer, and a text-only step-2 model could not take either.
            raise RunStopped(
                f"compgap_cascade: a pipeline ({self.inner_name} -> {self.step2.name}) cannot run the why settings "
                "(cascadeimage, twoturn): their step 2 is the step-1 model seeing the picture or its own first turn. "
                "What to do: run compgap_why without step2_inner, or leave these tasks out of the pipeline's run."
            )
        if "turns" in modes:
            refuse_single_turn(self.inner_name, self.is_simple)  # before any call, not after hours of round 1
        # The generation settings as the task built them: some wrappers edit the dict they are given.
        settings = [copy.deepcopy(self._gen_kwargs(request)) for request in requests]

        # Round 1: every ordinary request and every step 1, deduplicated.
        round1: list[_Call] = []
        items: list[str] = []
        for request, envelope, gen_kwargs in zip(requests, envelopes, settings, strict=True):
            task = request.args[-2]
            visual = _visual_source(request.args[2] if self.is_simple else request.args[1])
            item = self._item(request, visual)
            items.append(item)
            if envelope is None:
                stats.passthrough += 1
                key = self._key(item, request.args[0], gen_kwargs, visual)
                if self.step2 is not None and _setting(task) in STEP2_SETTINGS:
                    # The same text-only request as lmms-eval built (no visual), made for the step-2 model's wrapper.
                    instance = language.request(request.args[0], copy.deepcopy(gen_kwargs))
                    round1.append(_Call(key, instance, task, on_step2=True))
                else:
                    round1.append(_Call(key, request, task))
            else:
                stats.cascade_items += 1
                key = self._key(item, envelope.step1_prompt, gen_kwargs, visual)
                round1.append(_Call(key, self._step1_instance(request, envelope, copy.deepcopy(gen_kwargs)), task))
        round1_outputs, stats.round1_shared = self._run_calls(
            [call for call in round1 if not call.on_step2], monitor, self.step1
        )
        if self.step2 is not None:
            with language:
                outputs, shared = self._run_calls([call for call in round1 if call.on_step2], step2_monitor, step2)
            round1_outputs.update(outputs)
            stats.round1_shared += shared
        stats.round1_calls = len(round1) - stats.round1_shared

        # Round 2: every step 2 whose step 1 succeeded, text only, deduplicated.
        responses: list[str | None] = [None] * len(requests)
        round2_owner: dict[int, str] = {}
        step1_texts: dict[int, str] = {}
        with OwnRequests(self.task_dict, step2.is_simple) as own:
            round2: list[_Call] = []
            for position, (call, envelope) in enumerate(zip(round1, envelopes, strict=True)):
                text, error = round1_outputs[call.key]
                if envelope is None:
                    stats.failed_passthrough += bool(error)
                    # A raw output (even an empty one) is kept for the task's scorer; only a raised call is replaced.
                    responses[position] = text if text is not None else _failed(error)
                    continue
                if error:
                    stats.failed_step1 += 1
                    responses[position] = CascadeResponse(step1=text, step2=None, failed_step=1, error=error).encode()
                    continue
                gen_kwargs = copy.deepcopy(settings[position])
                key2, instance = self._step2(own, requests[position], envelope, text, items[position], gen_kwargs)
                round2.append(_Call(key2, instance, f"step 2 of {call.owner}"))
                round2_owner[position] = key2
                step1_texts[position] = text
            round2_outputs, stats.step2_shared = self._run_calls(round2, step2_monitor, step2)
        stats.step2_calls = len(round2) - stats.step2_shared

        for position, key2 in round2_owner.items():
            text, error = round2_outputs[key2]
            if error:
                stats.failed_step2 += 1
            responses[position] = CascadeResponse(
                step1=step1_texts[position], step2=text, failed_step=2 if error else None, error=error
            ).encode()

        logger.info(
            f"compgap_cascade: {stats.requests} requests ({stats.cascade_items} cascade, {stats.passthrough} other); "
            f"round 1: {stats.round1_calls} calls ({stats.round1_shared} shared); "
            f"step 2: {stats.step2_calls} calls ({stats.step2_shared} shared; "
            f"{stats.step2_with_image} with the picture, {stats.step2_turns} as a second turn); "
            f"failed: step 1 {stats.failed_step1}, step 2 {stats.failed_step2}, other {stats.failed_passthrough}; "
            f"reused from cache: {stats.cache_hits}"
        )
        return [response if response is not None else _failed("no response") for response in responses]


def _setting(task: str) -> str | None:
    """The compgap setting a task runs, under any wording (`..._language_w2` is the language setting); None for any
    other task."""
    parsed = parse_wording_task_name(task)
    return parsed[1] if parsed else None


def _failed(error: str | None) -> str:
    """A failed ordinary request, in the form lmms-eval's own API backends use."""
    if error and error.startswith(REQUEST_FAILED_MARKER):
        return error
    return f"{REQUEST_FAILED_MARKER} in compgap_cascade] {error or 'unknown error'}"

"""`compgap_cascade`: runs any lmms-eval model through the two steps of the cascade setting.

`--model compgap_cascade --model_args inner=<model>,<the inner model's own args>`

Requests whose context is a cascade request envelope (see `lmms_compgap.core.settings`) are run
in two batched rounds: round 1 sends every step 1 (image + visual prompt) together with every
ordinary request of the run; round 2 sends every step 2 (text only: the textual prompt filled with
step 1's output). Identical requests within a round (same item, prompt, generation settings and
visual source; e.g. a `vision` request and a cascade's step 1) are computed once. A step that
raises, returns nothing or returns lmms-eval's request-failed marker is recorded in the response
envelope and the item is scored wrong; the run goes on.

Own arguments (the rest of `--model_args` goes to the inner model):
- `inner`: the lmms-eval model to wrap (required); `inner_force_simple`: use its simple variant;
- `cache_dir`: record every finished inner call there (crash-safe), so that the same command
  re-run after an interruption resumes without recomputing them; `cache_chunk`: calls per chunk.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from lmms_eval.api.instance import Instance, unwrap_generation_output
from lmms_eval.api.model import lmms
from lmms_eval.models import get_model
from loguru import logger

from lmms_compgap.core.prompts import fill_prompt
from lmms_compgap.core.settings import (
    REQUEST_FAILED_MARKER,
    REQUEST_TAG,
    CascadeRequest,
    CascadeResponse,
    decode_cascade_request,
    failure_reason,
)
from lmms_compgap.models.call_cache import CallCache, model_identity


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
    failed_step1: int = 0
    failed_step2: int = 0
    failed_passthrough: int = 0
    cache_hits: int = 0
    inner_batches: list[int] = field(default_factory=list)


def _no_visual(doc: dict[str, Any]) -> list[Any]:
    return []


def _text_only_messages(text: str, doc: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"role": "user", "content": [{"type": "text", "text": text}]}]


def _replace_envelope_text(doc_to_messages: Callable, text: str, doc: dict[str, Any]) -> list[dict[str, Any]]:
    """The task's own messages (image included) with the request envelope replaced by `text`."""
    messages = doc_to_messages(doc)
    for message in messages:
        content = message.get("content")
        if isinstance(content, str) and REQUEST_TAG in content:
            message["content"] = text
        elif isinstance(content, list):
            for part in content:
                if isinstance(part, dict) and part.get("type") == "text" and REQUEST_TAG in str(part.get("text", "")):
                    part["text"] = text
    return messages


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
        cache_chunk: int = 64,
        batch_size: int | str | None = None,
        max_batch_size: int | None = None,
        device: str | None = None,
        **inner_args: Any,
    ) -> None:
        super().__init__()
        if isinstance(inner, lmms):
            # Python API: wrap a model object the caller already built.
            self.inner_name = type(inner).__name__
            self.inner = inner
        else:
            if not inner:
                raise ValueError(
                    "compgap_cascade needs the model to wrap: --model_args inner=<lmms-eval model name>,<its args>, "
                    "e.g. inner=qwen2_5_vl,pretrained=Qwen/Qwen2.5-VL-3B-Instruct"
                )
            if inner == "compgap_cascade":
                raise ValueError("compgap_cascade cannot wrap itself")
            inner_class = get_model(inner, force_simple=bool(inner_force_simple))
            framework_args = {"batch_size": batch_size, "max_batch_size": max_batch_size, "device": device}
            self.inner_name = inner
            self.inner = inner_class(**inner_args, **{k: v for k, v in framework_args.items() if v is not None})
        self.is_simple = bool(getattr(self.inner, "is_simple", True))
        # With a cache the inner model is called in chunks, each recorded as soon as it returns.
        self.cache_chunk = max(1, int(cache_chunk))
        self.call_cache = (
            CallCache(cache_dir, model_identity(self.inner_name, inner_args), rank=self.inner.rank)
            if cache_dir
            else None
        )
        # lmms-eval fills `lm.task_dict` in place; the inner model must see the same docs.
        self.task_dict = self.inner.task_dict
        self.last_stats = CascadeStats()

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
    def _doc(self, request: Instance) -> dict[str, Any]:
        doc_id, task, split = request.args[-3:]
        return self.task_dict[task][split][doc_id]

    def _key(self, request: Instance, prompt: str, gen_kwargs: Any, visual: str) -> str:
        doc_id, task, split = request.args[-3:]
        doc = self._doc(request)
        item = doc.get("uid") if isinstance(doc, dict) and doc.get("uid") else f"{task}/{split}/{doc_id}"
        return json.dumps([item, prompt, gen_kwargs, visual], sort_keys=True, default=repr)

    def _gen_kwargs(self, request: Instance) -> Any:
        return request.args[1] if self.is_simple else request.args[2]

    def _step1_instance(self, request: Instance, envelope: CascadeRequest) -> Instance:
        doc_id, task, split = request.args[-3:]
        prompt = envelope.step1_prompt
        if self.is_simple:
            _, gen_kwargs, doc_to_visual = request.args[:3]
            arguments = (prompt, gen_kwargs, doc_to_visual, doc_id, task, split)
        else:
            _, doc_to_messages, gen_kwargs = request.args[:3]
            arguments = (
                prompt,
                partial(_replace_envelope_text, doc_to_messages, prompt),
                gen_kwargs,
                doc_id,
                task,
                split,
            )
        return Instance(request_type="generate_until", arguments=arguments, idx=0, metadata=dict(request.metadata))

    def _step2_instance(self, request: Instance, prompt: str) -> Instance:
        doc_id, task, split = request.args[-3:]
        gen_kwargs = self._gen_kwargs(request)
        if self.is_simple:
            arguments = (prompt, gen_kwargs, _no_visual, doc_id, task, split)
        else:
            arguments = (prompt, partial(_text_only_messages, prompt), gen_kwargs, doc_id, task, split)
        return Instance(request_type="generate_until", arguments=arguments, idx=0, metadata=dict(request.metadata))

    def _run_inner(self, instances: Sequence[Instance]) -> list[tuple[str | None, str | None]]:
        """(text, error) per instance; a failing batch is bisected so one bad request fails alone."""
        if not instances:
            return []
        try:
            outputs = self.inner.generate_until(list(instances))
            self.last_stats.inner_batches.append(len(instances))
        except Exception as error:  # noqa: BLE001 - any inner failure must be recorded, not crash the run
            if len(instances) == 1:
                logger.warning(f"compgap_cascade: inner model {self.inner_name} failed on one request: {error!r}")
                return [(None, f"inner model raised {type(error).__name__}: {error}"[:500])]
            middle = len(instances) // 2
            return self._run_inner(instances[:middle]) + self._run_inner(instances[middle:])
        if len(outputs) != len(instances):
            message = f"inner model returned {len(outputs)} outputs for {len(instances)} requests"
            return [(None, message)] * len(instances)
        results: list[tuple[str | None, str | None]] = []
        for output in outputs:
            text, _ = unwrap_generation_output(output)
            results.append((text if isinstance(text, str) else None, failure_reason(text)))
        return results

    def _run_deduplicated(
        self, keyed: list[tuple[str, Instance]]
    ) -> tuple[dict[str, tuple[str | None, str | None]], int]:
        """Run each distinct call once (or take it from the cache); returns outputs by key and the shared count."""
        unique: dict[str, Instance] = {}
        for key, instance in keyed:
            unique.setdefault(key, instance)
        outputs: dict[str, tuple[str | None, str | None]] = {}
        pending: list[tuple[str, Instance]] = []
        for key, instance in unique.items():
            cached = self.call_cache.get(key) if self.call_cache is not None else None
            if cached is not None:
                outputs[key] = (cached, failure_reason(cached))
                self.last_stats.cache_hits += 1
            else:
                pending.append((key, instance))
        chunk = self.cache_chunk if self.call_cache is not None else max(1, len(pending))
        for start in range(0, len(pending), chunk):
            part = pending[start : start + chunk]
            results = self._run_inner([instance for _, instance in part])
            for (key, _), result in zip(part, results, strict=True):
                outputs[key] = result
            if self.call_cache is not None:
                self.call_cache.put_many((key, text) for (key, _), (text, error) in zip(part, results, strict=True)
                                         if error is None and text is not None)  # fmt: skip
        return outputs, len(keyed) - len(unique)

    def generate_until(self, requests: list[Instance]) -> list[str]:
        stats = self.last_stats = CascadeStats(requests=len(requests))
        envelopes: list[CascadeRequest | None] = [decode_cascade_request(request.args[0]) for request in requests]

        # Round 1: every ordinary request and every step 1, deduplicated.
        round1: list[tuple[str, Instance]] = []
        for request, envelope in zip(requests, envelopes, strict=True):
            if envelope is None:
                stats.passthrough += 1
                visual_fn = request.args[2] if self.is_simple else request.args[1]
                key = self._key(request, request.args[0], self._gen_kwargs(request), _visual_source(visual_fn))
                round1.append((key, request))
            else:
                stats.cascade_items += 1
                step1 = self._step1_instance(request, envelope)
                visual_fn = step1.args[2] if self.is_simple else request.args[1]
                key = self._key(request, envelope.step1_prompt, self._gen_kwargs(request), _visual_source(visual_fn))
                round1.append((key, step1))
        round1_outputs, stats.round1_shared = self._run_deduplicated(round1)
        stats.round1_calls = len(round1) - stats.round1_shared

        # Round 2: every step 2 whose step 1 succeeded, text only, deduplicated.
        responses: list[str | None] = [None] * len(requests)
        round2: list[tuple[str, Instance]] = []
        round2_owner: dict[int, str] = {}
        step1_texts: dict[int, str] = {}
        for position, ((key, _), request, envelope) in enumerate(zip(round1, requests, envelopes, strict=True)):
            text, error = round1_outputs[key]
            if envelope is None:
                stats.failed_passthrough += bool(error)
                # A raw output (even an empty one) is kept for the task's scorer; only a raised call is replaced.
                responses[position] = text if text is not None else _failed(error)
                continue
            if error:
                stats.failed_step1 += 1
                responses[position] = CascadeResponse(step1=text, step2=None, failed_step=1, error=error).encode()
                continue
            prompt = fill_prompt(envelope.step2_template, {**envelope.values, "intermediate": text})
            key2 = self._key(request, prompt, self._gen_kwargs(request), "text-only")
            round2.append((key2, self._step2_instance(request, prompt)))
            round2_owner[position] = key2
            step1_texts[position] = text
        round2_outputs, stats.step2_shared = self._run_deduplicated(round2)
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
            f"step 2: {stats.step2_calls} calls ({stats.step2_shared} shared); "
            f"failed: step 1 {stats.failed_step1}, step 2 {stats.failed_step2}, other {stats.failed_passthrough}; "
            f"reused from cache: {stats.cache_hits}"
        )
        return [response if response is not None else _failed("no response") for response in responses]


def _failed(error: str | None) -> str:
    """A failed ordinary request, in the form lmms-eval's own API backends use."""
    if error and error.startswith(REQUEST_FAILED_MARKER):
        return error
    return f"{REQUEST_FAILED_MARKER} in compgap_cascade] {error or 'unknown error'}"

"""`compgap_hf`: any transformers image-text-to-text (or audio-text-to-text) checkpoint as a batched lmms-eval
chat model.

`--model compgap_hf --model_args pretrained=<model id or directory>[,<argument>=<value>...]`, or
inside the cascade: `--model compgap_cascade --model_args inner=compgap_hf,pretrained=...`.

It is what transformers itself documents for these models: `AutoModelForImageTextToText` (or, for a checkpoint
it does not map, such as Qwen2-Audio, `AutoModelForMultimodalLM`), `AutoProcessor`, the checkpoint's chat template
(`processor.apply_chat_template`, which collects each conversation's images and clips), left padding, `generate`.
lmms-eval's messages are passed as they are, so a request without an image has no image part, no image placeholder
and no image argument. An audio part holding lmms-eval's audio dict (`{"array", "sampling_rate"}`, as compgap's
spoken tasks send) is handed to the processor as its samples, which must be at the processor's sampling rate; a
processor without a feature extractor takes no audio, and its clips are left out with a warning.
A batch holds requests with the same generation settings and either all with media or all text
only (some processors cannot mix the two in one batch).

Arguments: `pretrained` (required); `device` (lmms-eval's --device; default: cuda if available),
`device_map` (e.g. `auto` to spread one model over several GPUs), `dtype` (default `auto`: the
checkpoint's), `attn_implementation`, `trust_remote_code`, `revision`, `chat_template` (a Jinja
template replacing the checkpoint's), `max_new_tokens` (default 1024, when the task sets none);
any other argument goes to `AutoProcessor.from_pretrained` (e.g. `max_pixels` for Qwen2-VL).
"""

from __future__ import annotations

import json
from typing import Any

import torch
from accelerate import Accelerator
from lmms_eval.api.instance import Instance
from lmms_eval.api.model import lmms
from lmms_eval.utils import Collator
from loguru import logger
from tqdm import tqdm
from transformers import AutoConfig, AutoModelForImageTextToText, AutoModelForMultimodalLM, AutoProcessor
from transformers.models.auto.modeling_auto import MODEL_FOR_IMAGE_TEXT_TO_TEXT_MAPPING_NAMES

_MEDIA_TYPES = {"image", "video", "audio"}


def _has_media(messages: list[dict[str, Any]]) -> bool:
    return any(
        isinstance(part, dict) and part.get("type") in _MEDIA_TYPES
        for message in messages
        if isinstance(message.get("content"), list)
        for part in message["content"]
    )


def _with_audio_samples(messages: list[dict[str, Any]], rate: int | None) -> tuple[list[dict[str, Any]], int]:
    """The messages with each audio part that holds an audio dict (lmms-eval's `{"type": "audio", "url": {...}}`)
    given as its samples, which `apply_chat_template` passes to the processor unchanged; and how many audio parts
    were left out because the processor takes no audio (`rate` None: no feature extractor), as an image-only
    model's processor would drop them anyway."""
    converted, left_out = [], 0
    for message in messages:
        content = message.get("content")
        if isinstance(content, list):
            parts = []
            for part in content:
                clip = part.get("url") if isinstance(part, dict) and part.get("type") == "audio" else None
                if isinstance(clip, dict) and "array" in clip:
                    if rate is None:
                        left_out += 1
                        continue
                    if clip.get("sampling_rate") != rate:
                        got = clip.get("sampling_rate")
                        raise ValueError(f"compgap_hf: an audio clip at {got} Hz, but the processor takes {rate} Hz")
                    part = {"type": "audio", "audio": clip["array"]}
                parts.append(part)
            message = {**message, "content": parts}
        converted.append(message)
    return converted, left_out


def _cut_at_stop_strings(text: str, until: Any) -> str:
    """lmms-eval's `until`: the text up to the first stop string."""
    stops = [until] if isinstance(until, str) else list(until or [])
    for stop in stops:
        if stop and stop in text:
            text = text[: text.index(stop)]
    return text


class CompgapHF(lmms):
    """A transformers image-text-to-text model run in batches of chat conversations."""

    is_simple = False

    def __init__(
        self,
        pretrained: str | None = None,
        device: str | None = None,
        device_map: str | None = None,
        dtype: str = "auto",
        batch_size: int | str = 1,
        max_new_tokens: int = 1024,
        attn_implementation: str | None = None,
        trust_remote_code: bool = False,
        revision: str | None = None,
        chat_template: str | None = None,
        max_batch_size: int | None = None,
        **processor_args: Any,
    ) -> None:
        super().__init__()
        if not pretrained:
            raise ValueError("compgap_hf needs pretrained=<Hugging Face model id or local model directory>")
        try:
            self.batch_size_per_gpu = int(batch_size)
        except (TypeError, ValueError) as error:
            raise ValueError(f"compgap_hf needs a whole-number --batch_size, not {batch_size!r}") from error
        self.max_new_tokens = int(max_new_tokens)
        self.accelerator = Accelerator()
        self._rank = self.accelerator.process_index
        self._world_size = self.accelerator.num_processes
        if device_map:
            placement: dict[str, Any] = {"device_map": device_map}
        else:
            if device is None:
                device = "cuda" if torch.cuda.is_available() else "cpu"
            if str(device).startswith("cuda") and self._world_size > 1:
                device = f"cuda:{self.accelerator.local_process_index}"
            placement = {}
        loading = {"revision": revision, "trust_remote_code": bool(trust_remote_code)}
        loading = {key: value for key, value in loading.items() if value is not None}
        model_type = AutoConfig.from_pretrained(pretrained, **loading).model_type
        auto_class = (
            AutoModelForImageTextToText
            if model_type in MODEL_FOR_IMAGE_TEXT_TO_TEXT_MAPPING_NAMES
            else AutoModelForMultimodalLM
        )
        self.model = auto_class.from_pretrained(
            pretrained, dtype=dtype, attn_implementation=attn_implementation, **placement, **loading
        ).eval()
        if not device_map:
            self.model.to(device)
        self._device = self.model.device
        self.processor = AutoProcessor.from_pretrained(pretrained, **loading, **processor_args)
        self.processor.tokenizer.padding_side = "left"  # generation continues every row from its last token
        if chat_template:
            self.processor.chat_template = chat_template
        if not getattr(self.processor, "chat_template", None):
            raise ValueError(f"compgap_hf: {pretrained} has no chat template; pass chat_template=<Jinja template>")
        tokenizer = self.processor.tokenizer
        self.audio_rate = getattr(getattr(self.processor, "feature_extractor", None), "sampling_rate", None)
        self.name_or_path, self.warned_deaf = pretrained, False
        self.pad_token_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id

    @property
    def batch_size(self) -> int:
        return self.batch_size_per_gpu

    @property
    def device(self) -> torch.device:
        return self._device

    def _generation_settings(self, gen_kwargs: dict[str, Any]) -> tuple[dict[str, Any], Any]:
        """lmms-eval's generation kwargs as `generate` arguments, and the stop strings."""
        settings = dict(gen_kwargs)
        until = settings.pop("until", None)
        temperature = float(settings.pop("temperature", 0) or 0)
        do_sample = bool(settings.pop("do_sample", False)) or temperature > 0
        top_p = settings.pop("top_p", None)
        settings.setdefault("max_new_tokens", self.max_new_tokens)
        settings.setdefault("num_beams", 1)
        if do_sample:
            settings.update(temperature=temperature, top_p=top_p)
        return {**settings, "do_sample": do_sample}, until

    def generate_until(self, requests: list[Instance]) -> list[str]:
        prepared = []
        for request in requests:
            context, doc_to_messages, gen_kwargs, doc_id, task, split = request.args
            messages, left_out = _with_audio_samples(
                doc_to_messages(self.task_dict[task][split][doc_id]), self.audio_rate
            )
            if left_out and not self.warned_deaf:
                self.warned_deaf = True
                logger.warning(
                    f"compgap_hf: {self.name_or_path}'s processor takes no audio; its requests' clips are left out, so "
                    "audio tasks (compgap_spoken) are answered without hearing them"
                )
            group = {"media": _has_media(messages), "settings": json.dumps(gen_kwargs, sort_keys=True, default=repr)}
            prepared.append((messages, gen_kwargs, group, len(str(context))))
        # Longest first within a group of equal settings, so a batch pads little.
        collator = Collator(prepared, lambda item: -item[3], group_fn=lambda item: item[2], grouping=True)
        outputs: list[str] = []
        progress = tqdm(total=len(requests), disable=self.rank != 0, desc="Model Responding")
        for chunk in collator.get_batched(n=self.batch_size):
            settings, until = self._generation_settings(chunk[0][1])
            inputs = self.processor.apply_chat_template(
                [messages for messages, *_ in chunk],
                add_generation_prompt=True,
                tokenize=True,
                return_dict=True,
                return_tensors="pt",
                processor_kwargs={"padding": True},
            )
            inputs = inputs.to(self.device, dtype=self.model.dtype)  # casts floating-point inputs only
            with torch.inference_mode():
                generated = self.model.generate(**inputs, **settings, pad_token_id=self.pad_token_id)
            new_tokens = generated[:, inputs["input_ids"].shape[1] :]
            texts = self.processor.batch_decode(new_tokens, skip_special_tokens=True)
            outputs.extend(_cut_at_stop_strings(text, until) for text in texts)
            progress.update(len(chunk))
        progress.close()
        return collator.get_original(outputs)

    def loglikelihood(self, requests: list[Instance]) -> list[tuple[float, bool]]:
        raise NotImplementedError("compgap_hf generates text; it does not compute log-likelihoods")

    def generate_until_multi_round(self, requests: list[Instance]) -> list[str]:
        raise NotImplementedError("compgap_hf does not run multi-round generation")

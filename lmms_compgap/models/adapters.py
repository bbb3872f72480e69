"""Fixes applied to an inner lmms-eval model so that its text-only requests reach the model correctly.

lmms-eval 0.7.3's `llava_hf` (chat) and `llama_vision` wrappers hand the processor `images=[]`
when a request has no image; transformers 5 processors read an empty list as "a batch of image
inputs" and fail (`LlavaProcessor`: IndexError; `MllamaProcessor`: "Found [0] <|image|> tokens
and [] images"). For every processor the inner model holds, an empty `images`, `videos`, `audio`
(or the `audios` keyword the generic `huggingface` wrapper passes) is dropped before the call, so
the processor sees what a text-only call means: no media at all. Nothing else changes.
"""

from __future__ import annotations

import functools
import inspect
from typing import Any

from transformers import ProcessorMixin

MEDIA_ARGUMENTS: tuple[str, ...] = ("images", "videos", "audio", "audios")


def _is_empty(value: Any) -> bool:
    """An empty list, or a list of empty lists (a batch whose rows have no media)."""
    return isinstance(value, (list, tuple)) and all(_is_empty(item) for item in value)


@functools.cache
def _without_empty_media(processor_class: type) -> type:
    """A subclass of `processor_class` whose `__call__` drops empty media arguments."""
    names = [name for name in inspect.signature(processor_class.__call__).parameters if name != "self"]

    def __call__(self: Any, *args: Any, **kwargs: Any) -> Any:
        args = tuple(
            None if index < len(names) and names[index] in MEDIA_ARGUMENTS and _is_empty(value) else value
            for index, value in enumerate(args)
        )
        kwargs = {key: value for key, value in kwargs.items() if not (key in MEDIA_ARGUMENTS and _is_empty(value))}
        return super(patched, self).__call__(*args, **kwargs)

    patched = type(processor_class.__name__, (processor_class,), {"__call__": __call__, "_compgap_patched": True})
    patched.__module__ = processor_class.__module__
    return patched


def drop_empty_media(model: Any) -> list[str]:
    """Patch every transformers processor the wrapper `model` holds; returns the attribute names patched."""
    patched = []
    for name, value in vars(model).items():
        if isinstance(value, ProcessorMixin) and not getattr(type(value), "_compgap_patched", False):
            value.__class__ = _without_empty_media(type(value))
            patched.append(name)
    return patched

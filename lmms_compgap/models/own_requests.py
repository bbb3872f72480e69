"""Requests `compgap_cascade` makes up itself (cascade step 2, the start-up check), as one private task.

lmms-eval wrappers find a request's content through the task table: `task_dict[task][split][doc_id]`
handed to the request's `doc_to_visual` (simple wrappers) or `doc_to_messages` (chat wrappers).
Several wrappers take the task, the split or that function from the *first* request of a batch
for the whole batch (`qwen2_vl`, `llava_hf`, lmms-eval's generic `huggingface`). So every request
made here belongs to one private task whose docs hold what to send, read by one shared function:
a batch of them is right whichever request a wrapper looks at first. A text-only request has no
visuals at all, which is what lmms-eval's own text-only tasks send.
"""

from __future__ import annotations

from collections.abc import Callable, MutableMapping
from typing import Any

from lmms_eval.api.instance import Instance
from lmms_eval.api.task import ConfigurableMessagesTask

OWN_TASK = "compgap_cascade_own_requests"
OWN_SPLIT = "test"


def own_visual(doc: dict[str, Any]) -> list[Any]:
    """The visuals of one of our requests (simple wrappers' `doc_to_visual`)."""
    visuals = doc.get("visuals")
    return list(visuals()) if callable(visuals) else []


def own_messages(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """The user turn of one of our requests, built as lmms-eval builds a task's (chat wrappers' `doc_to_messages`)."""
    return ConfigurableMessagesTask._build_user_turn(own_visual(doc), doc["text"])


class OwnRequests:
    """Builds requests of the private task and shows its docs to the inner model while in a `with` block."""

    def __init__(self, task_dict: MutableMapping[str, Any], is_simple: bool) -> None:
        self.task_dict = task_dict
        self.is_simple = is_simple
        self.docs: list[dict[str, Any]] = []

    def request(
        self, text: str, gen_kwargs: dict[str, Any], visuals: Callable[[], list[Any]] | None = None
    ) -> Instance:
        """A generate_until request for `text` (and the images `visuals()` returns, if given)."""
        doc_id = len(self.docs)
        self.docs.append({"text": text, "visuals": visuals})
        if self.is_simple:
            arguments = (text, gen_kwargs, own_visual, doc_id, OWN_TASK, OWN_SPLIT)
        else:
            arguments = (text, own_messages, gen_kwargs, doc_id, OWN_TASK, OWN_SPLIT)
        metadata = {"task": OWN_TASK, "doc_id": doc_id, "repeats": 1, "split": OWN_SPLIT}
        return Instance(request_type="generate_until", arguments=arguments, idx=0, metadata=metadata)

    def __enter__(self) -> OwnRequests:
        self.task_dict[OWN_TASK] = {OWN_SPLIT: self.docs}
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.task_dict.pop(OWN_TASK, None)

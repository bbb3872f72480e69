"""Requests `compgap_cascade` makes up itself (cascade step 2, the start-up check), as one private task.

lmms-eval wrappers find a request's content through the task table: `task_dict[task][split][doc_id]`
handed to the request's `doc_to_visual` (simple wrappers) or `doc_to_messages` (chat wrappers).
Several wrappers take the task, the split or that function from the *first* request of a batch
for the whole batch (`qwen2_vl`, `llava_hf`, lmms-eval's generic `huggingface`). So every request
made here belongs to one private task whose docs hold what to send, read by one shared function:
a batch of them is right whichever request a wrapper looks at first. A text-only request has no
visuals at all, which is what lmms-eval's own text-only tasks send. A chat request may carry its whole
conversation (`messages`: the cascade's two-turn step 2). Each kind of request has a split of its own,
and the cascade chunks calls by task and split, so one batch never mixes text-only requests with
requests that carry an image (a batched wrapper can hand a text-only row the other rows' pixels).
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
    """The messages of one of our requests (chat wrappers' `doc_to_messages`): its own conversation when it carries
    one, else one user turn built as lmms-eval builds a task's."""
    messages = doc.get("messages")
    if callable(messages):
        return messages()
    return ConfigurableMessagesTask._build_user_turn(own_visual(doc), doc["text"])


class OwnRequests:
    """Builds requests of the private task and shows its docs to the inner model while in a `with` block."""

    def __init__(self, task_dict: MutableMapping[str, Any], is_simple: bool) -> None:
        self.task_dict = task_dict
        self.is_simple = is_simple
        #: split -> its docs; the dict lmms-eval's wrappers see as the private task while in the `with` block.
        self.splits: dict[str, list[dict[str, Any]]] = {OWN_SPLIT: []}

    def request(
        self,
        text: str,
        gen_kwargs: dict[str, Any],
        visuals: Callable[[], list[Any]] | None = None,
        messages: Callable[[], list[dict[str, Any]]] | None = None,
        split: str = OWN_SPLIT,
    ) -> Instance:
        """A generate_until request for `text` (and the images `visuals()` returns, if given; for a chat wrapper the
        conversation `messages()` returns instead, if given), in the private task's `split`."""
        docs = self.splits.setdefault(split, [])
        doc_id = len(docs)
        docs.append({"text": text, "visuals": visuals, "messages": messages})
        if self.is_simple:
            arguments = (text, gen_kwargs, own_visual, doc_id, OWN_TASK, split)
        else:
            arguments = (text, own_messages, gen_kwargs, doc_id, OWN_TASK, split)
        metadata = {"task": OWN_TASK, "doc_id": doc_id, "repeats": 1, "split": split}
        return Instance(request_type="generate_until", arguments=arguments, idx=0, metadata=metadata)

    def __enter__(self) -> OwnRequests:
        self.task_dict[OWN_TASK] = self.splits
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.task_dict.pop(OWN_TASK, None)

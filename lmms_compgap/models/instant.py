"""`compgap_instant`: answers at once without a model, for smoke tests and benchmarks of the task pipeline."""

from __future__ import annotations

import os
from typing import Any

import torch
from lmms_eval.api.instance import Instance
from lmms_eval.api.model import lmms


class CompgapInstant(lmms):
    """Returns `response` for every request, after doing a real model's data work.

    Like a real model it looks each doc up and builds its visuals (so every picture is drawn), which
    makes a run with it measure everything lmms-compgap and lmms-eval do except inference:
    `lmms-eval --model compgap_cascade --model_args inner=compgap_instant --tasks compgap`.
    """

    is_simple = True

    def __init__(self, response: str = "Answer: 0", batch_size: Any = None, device: Any = None, **_: Any) -> None:
        super().__init__()
        # Under torchrun / accelerate launch each process is one rank, as for a real model.
        self._rank = int(os.environ.get("RANK", 0))
        self._world_size = int(os.environ.get("WORLD_SIZE", 1))
        self.device = torch.device("cpu")
        self.response = str(response)
        self.requests_seen = 0
        self.visuals_built = 0

    def generate_until(self, requests: list[Instance]) -> list[str]:
        for request in requests:
            _, _, doc_to_visual, doc_id, task, split = request.args
            visuals = doc_to_visual(self.task_dict[task][split][doc_id]) or []
            self.visuals_built += len(visuals)
            self.requests_seen += 1
        return [self.response] * len(requests)

    def loglikelihood(self, requests: list[Instance]) -> list[tuple[float, bool]]:
        return [(0.0, True)] * len(requests)

    def generate_until_multi_round(self, requests: list[Instance]) -> list[str]:
        return self.generate_until(requests)

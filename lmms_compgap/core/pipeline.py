"""A pipeline of two models: `step2_`-prefixed model arguments name the model that runs step 2 and `language`.

`compgap_cascade` reads lmms-eval's flat `--model_args key=value,...`: the arguments that start with `step2_`
belong to the step-2 model (prefix removed), `step2_inner=<lmms-eval model name>` names it, and the rest are the
cascade's own and the step-1 model's, as without a pipeline. The report, submissions and the leaderboard read the
same arguments back from a run's recorded `model_args`, so both models are named wherever a run is.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TypeVar

STEP2_PREFIX = "step2_"
#: The argument naming the step-2 model (lmms-eval model name), as `inner` names the step-1 model.
STEP2_INNER = "step2_inner"
#: Which model argument names the checkpoint or served model, in lmms-eval's own order
#: (`GeneralConfigTracker._get_model_name`), the wrapper's name when none is given.
_NAME_KEYS: tuple[str, ...] = ("peft", "delta", "pretrained", "model", "model_version", "model_name", "model_id")

Value = TypeVar("Value")


def split_step2_arguments(arguments: Mapping[str, Value]) -> tuple[dict[str, Value], dict[str, Value]]:
    """(the arguments without the `step2_` ones, the `step2_` ones with the prefix removed)."""
    step1 = {key: value for key, value in arguments.items() if not key.startswith(STEP2_PREFIX)}
    step2 = {key[len(STEP2_PREFIX) :]: value for key, value in arguments.items() if key.startswith(STEP2_PREFIX)}
    return step1, step2


def model_label(arguments: Mapping[str, str], wrapper: str = "") -> str:
    """The model one set of arguments loads, named as lmms-eval names a run's model (its wrapper if nothing else)."""
    for key in _NAME_KEYS:
        if arguments.get(key):
            return str(arguments[key])
    return str(arguments.get("inner") or wrapper)


@dataclass(frozen=True)
class Pipeline:
    """The two models of a pipeline run: step 1 (and direct, cot, vision) and step 2 (and language)."""

    step1: str
    step2: str

    @property
    def label(self) -> str:
        return f"{self.step1} -> {self.step2}"


def pipeline_of(arguments: Mapping[str, str]) -> Pipeline | None:
    """The pipeline a run's model arguments declare, or None for a run of one model."""
    step1, step2 = split_step2_arguments(arguments)
    if not step2.get("inner"):
        return None
    return Pipeline(model_label(step1), model_label(step2))

"""The functions the task YAMLs name (`!function lmms_compgap.hooks.<name>`).

They are thin: prompts come from the YAML's `lmms_eval_specific_kwargs`, everything particular
to a task comes from its family (`lmms_compgap.tasks`), scoring from `lmms_compgap.core.results`.
All are pure functions of their arguments, safe to call from lmms-eval's scoring threads.
"""

from __future__ import annotations

from typing import Any

from PIL import Image

from lmms_compgap.core import data as data_files
from lmms_compgap.core import pictures
from lmms_compgap.core.prompts import fill_prompt
from lmms_compgap.core.results import score_response
from lmms_compgap.core.settings import CascadeRequest
from lmms_compgap.tasks import get_family


class CascadeModelRequired(RuntimeError):
    """A cascade task was asked of a model that cannot run two steps."""


# ---- data ---------------------------------------------------------------------------------------
def verified_docs(dataset: Any) -> Any:
    """`process_docs`: refuse a data file that is not exactly the family's canonical split."""
    rows = dataset.to_list()
    families = {row.get("family") for row in rows}
    if len(families) != 1:
        raise data_files.DataIntegrityError(
            f"compgap data file mixes or lacks task families: {sorted(map(str, families))}"
        )
    family = get_family(str(families.pop()))
    data_files.verify_rows(family, rows)
    return dataset


# ---- visuals ------------------------------------------------------------------------------------
def doc_to_visual(doc: dict[str, Any]) -> list[Image.Image]:
    """The item's picture, drawn from its spec on first use and cached on disk (never all held at once)."""
    return [pictures.picture(get_family(doc["family"]), doc)]


def no_visual(doc: dict[str, Any]) -> list[Image.Image]:
    """The `language` setting is text only."""
    return []


def doc_to_target(doc: dict[str, Any]) -> str:
    return doc["answer"]


def doc_to_intermediate(doc: dict[str, Any]) -> str:
    return doc["intermediate"]


# ---- prompts ------------------------------------------------------------------------------------
def _prompt(kwargs: dict[str, Any] | None, key: str) -> str:
    if not kwargs or not isinstance(kwargs.get(key), str):
        raise KeyError(f"compgap task YAML lacks lmms_eval_specific_kwargs prompt {key!r}")
    return kwargs[key]


def _values(doc: dict[str, Any], kwargs: dict[str, Any] | None, intermediate: str | None = None) -> dict[str, str]:
    values = {"question": doc["question"], "answer_format": _prompt(kwargs, "answer_format")}
    if intermediate is not None:
        values["intermediate"] = intermediate
    return values


def direct_text(doc: dict[str, Any], lmms_eval_specific_kwargs: dict[str, Any] | None = None) -> str:
    return fill_prompt(_prompt(lmms_eval_specific_kwargs, "direct_prompt"), _values(doc, lmms_eval_specific_kwargs))


def cot_text(doc: dict[str, Any], lmms_eval_specific_kwargs: dict[str, Any] | None = None) -> str:
    return fill_prompt(_prompt(lmms_eval_specific_kwargs, "cot_prompt"), _values(doc, lmms_eval_specific_kwargs))


def vision_text(doc: dict[str, Any], lmms_eval_specific_kwargs: dict[str, Any] | None = None) -> str:
    return fill_prompt(_prompt(lmms_eval_specific_kwargs, "visual_prompt"), _values(doc, lmms_eval_specific_kwargs))


def language_text(doc: dict[str, Any], lmms_eval_specific_kwargs: dict[str, Any] | None = None) -> str:
    values = _values(doc, lmms_eval_specific_kwargs, intermediate=doc["intermediate"])
    return fill_prompt(_prompt(lmms_eval_specific_kwargs, "textual_prompt"), values)


def cascade_text(doc: dict[str, Any], lmms_eval_specific_kwargs: dict[str, Any] | None = None) -> str:
    """A request envelope with both steps' prompts, for `compgap_cascade` to unpack.

    Fails at request-building time, before any model call, when the model is not
    `compgap_cascade` (its entry in the YAML's lmms_eval_specific_kwargs sets `cascade_runner`).
    """
    if not (lmms_eval_specific_kwargs or {}).get("cascade_runner"):
        raise CascadeModelRequired(
            "compgap cascade tasks need two model calls per item (see the image, then reason over text): run them "
            "with `--model compgap_cascade --model_args inner=<lmms-eval model>,<its model_args>`, "
            "e.g. `lmms-eval --model compgap_cascade "
            "--model_args inner=qwen2_5_vl,pretrained=Qwen/Qwen2.5-VL-3B-Instruct --tasks compgap`"
        )
    values = _values(doc, lmms_eval_specific_kwargs)
    step1 = fill_prompt(_prompt(lmms_eval_specific_kwargs, "visual_prompt"), values)
    template = _prompt(lmms_eval_specific_kwargs, "textual_prompt")
    return CascadeRequest(step1_prompt=step1, step2_template=template, values=values).encode()


# ---- scoring (`process_results`) ----------------------------------------------------------------
def process_direct(doc: dict[str, Any], results: list[Any]) -> dict[str, Any]:
    return score_response(doc, "direct", results[0])


def process_cot(doc: dict[str, Any], results: list[Any]) -> dict[str, Any]:
    return score_response(doc, "cot", results[0])


def process_language(doc: dict[str, Any], results: list[Any]) -> dict[str, Any]:
    return score_response(doc, "language", results[0])


def process_vision(doc: dict[str, Any], results: list[Any]) -> dict[str, Any]:
    return score_response(doc, "vision", results[0])


def process_cascade(doc: dict[str, Any], results: list[Any]) -> dict[str, Any]:
    return score_response(doc, "cascade", results[0])


def aggregate_sum(values: list[float]) -> float:
    """lmms-eval has no `sum` aggregation; failed-step counts need one."""
    return float(sum(values))

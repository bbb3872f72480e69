"""The functions the task YAMLs name (`!function lmms_compgap.tasks.hooks.<name>`).

They are thin: prompts come from the YAML's `lmms_eval_specific_kwargs`, everything particular
to a task comes from its family (`lmms_compgap.core.registry`), scoring from `lmms_compgap.core.results`.
All are pure functions of their arguments, safe to call from lmms-eval's scoring threads.
"""

from __future__ import annotations

import functools
import os
import sys
from typing import Any

from loguru import logger
from PIL import Image

from lmms_compgap.core import clips, pictures
from lmms_compgap.core import data as data_files
from lmms_compgap.core.dataset_family import named_by_source
from lmms_compgap.core.hub_data import DatasetUnavailable
from lmms_compgap.core.prompts import fill_prompt
from lmms_compgap.core.registry import get_family
from lmms_compgap.core.results import score_response
from lmms_compgap.core.settings import STEP2_MODES, CascadeRequest
from lmms_compgap.core.versions import installed_version
from lmms_compgap.scoring.equivalence import MathVerifyUnavailable
from lmms_compgap.tasks.shadowing import describe_shadowing, shadowed_task_yamls


class CascadeModelRequired(RuntimeError):
    """A cascade task was asked of a model that cannot run two steps."""


class DataRefused(SystemExit):
    """A data file that is not the canonical split stops the run, with the reason as its last words.

    It is a SystemExit, not an Exception, on purpose: lmms-eval builds tasks inside `download()`, which
    tenacity retries on every Exception for up to 60 s and then reports only as ``RetryError[...]``, and
    its command line catches every Exception and exits 0. This one passes through both: the run stops at
    once, prints the message and exits with status 1.
    """


# ---- data ---------------------------------------------------------------------------------------
_TASK_MANAGER_CLASS = "TaskManager"
_MAX_FRAMES = 64


def _lmms_eval_context() -> tuple[Any, Any]:
    """lmms-eval's task being built and its TaskManager, found on the call stack of `process_docs`.

    lmms-eval 0.7.3 hands `process_docs` the dataset only; which YAML and data file the task came from, and
    which --include_path the run was given, live on the `ConfigurableTask` and `TaskManager` objects that
    are building it. (None, None) when called outside lmms-eval."""
    task = manager = None
    frame = sys._getframe(1)
    for _ in range(_MAX_FRAMES):
        if frame is None or (task is not None and manager is not None):
            break
        owner = frame.f_locals.get("self")
        config = getattr(owner, "config", None)
        if task is None and isinstance(getattr(config, "dataset_kwargs", None), dict):
            task = owner
        if manager is None and type(owner).__name__ == _TASK_MANAGER_CLASS and hasattr(owner, "include_path"):
            manager = owner
        frame = frame.f_back
    return task, manager


def _loaded_data_file(task: Any) -> str | None:
    """The data file lmms-eval loaded for `task` (absolute: lmms-eval resolves it against the YAML's folder)."""
    data = (getattr(getattr(task, "config", None), "dataset_kwargs", None) or {}).get("data_files")
    if isinstance(data, dict):
        data = data.get("test") or next(iter(data.values()), None)
    if isinstance(data, list) and data:
        data = data[0]
    return data if isinstance(data, str) else None


@functools.cache
def _warn_shadowing(include_paths: tuple[str, ...]) -> None:
    """Warn, once per process and include path, about compgap task copies the installed tasks shadow."""
    shadowed = shadowed_task_yamls(include_paths)
    if shadowed:
        logger.warning(describe_shadowing(shadowed))


def _task_context() -> Any:
    """lmms-eval's task being built, after warning when copies of the tasks passed with --include_path are ignored
    because the installed ones share their names (`core.shadowing`)."""
    task, manager = _lmms_eval_context()
    include = getattr(manager, "include_path", None)
    if include:
        _warn_shadowing(tuple(map(str, [include] if isinstance(include, (str, os.PathLike)) else include)))
    return task


def verified_docs(dataset: Any) -> Any:
    """`process_docs`: refuse a data file that is not exactly the family's canonical split, naming the file
    lmms-eval actually loaded (and warn about shadowed copies, `_task_context`)."""
    task = _task_context()
    source = _loaded_data_file(task) or "the compgap data file loaded"
    rows = dataset.to_list()
    families = {row.get("family") for row in rows}
    try:
        if len(families) != 1:
            raise data_files.DataIntegrityError(f"{source}: mixes or lacks task families: {sorted(map(str, families))}")
        get_family(str(families.pop())).verify_rows(rows, source=source)
    except (data_files.DataIntegrityError, KeyError) as error:
        name = getattr(getattr(task, "config", None), "task", None)
        raise DataRefused(f"compgap: task {name or '?'} refused its data: {error}") from error
    return dataset


def dataset_docs(dataset: Any) -> Any:
    """`process_docs` of a family built from a public dataset: lmms-eval loaded the one-line source file naming
    the dataset and revision; this returns the family's rows built from the dataset found on this machine
    (`core.hub_data`), with its images. A missing dataset, a copy of another revision, a source file that does not
    match the installed family, or scoring tools that are not installed stop the run (exit status 1) with what to
    do, before any model call. The rows' fingerprint and where they came from are written into the task's
    metadata, and so into lmms-eval's results file."""
    task = _task_context()
    name = getattr(getattr(task, "config", None), "task", None) or "?"
    declared = dataset.to_list()
    try:
        where = _loaded_data_file(task) or "the source file"
        if len(declared) != 1 or not isinstance(declared[0].get("family"), str):
            raise data_files.DataIntegrityError(f"{where}: not one source line")
        family = named_by_source(get_family(declared[0]["family"]), declared[0], where)
        family.prepare()
        built = family.dataset_rows()
        rows = family.lmms_eval_dataset()
    except (data_files.DataIntegrityError, DatasetUnavailable, MathVerifyUnavailable, KeyError) as error:
        raise DataRefused(f"compgap: task {name} cannot run: {error}") from error
    metadata = getattr(getattr(task, "config", None), "metadata", None)
    if isinstance(metadata, dict):
        metadata.update(
            data_fingerprint=built.fingerprint,
            dataset_origin=built.origin,
            dataset_revision_verified=built.revision is not None,
        )
    if built.revision is None:
        logger.warning(
            f"compgap: {name} runs on {built.origin}, a copy that does not record its revision: its "
            f"{len(built.rows)} items are not proven to be {family.source.describe()}"
        )
    return rows


# ---- visuals ------------------------------------------------------------------------------------
def doc_to_visual(doc: dict[str, Any]) -> list[Image.Image] | list[dict[str, Any]]:
    """The item's picture, drawn from its spec on first use and cached on disk (never all held at once); for an
    audio family its clip, spoken on first use and cached, as the audio dict lmms-eval's audio wrappers read."""
    family = get_family(doc["family"])
    if family.medium == "audio":
        return [clips.audio(family, doc)]
    return [pictures.picture(family, doc)]


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
    """A request envelope with both steps' prompts, for `compgap_cascade` to unpack (step 2: text only).

    Fails at request-building time, before any model call, when the model is not
    `compgap_cascade` (its entry in the YAML's lmms_eval_specific_kwargs sets `cascade_runner`).
    """
    return _envelope(doc, lmms_eval_specific_kwargs, STEP2_MODES["cascade"])


def cascade_image_text(doc: dict[str, Any], lmms_eval_specific_kwargs: dict[str, Any] | None = None) -> str:
    """The cascade's envelope whose step 2 is sent with the item's picture (`cascadeimage`)."""
    return _envelope(doc, lmms_eval_specific_kwargs, STEP2_MODES["cascadeimage"])


def two_turn_text(doc: dict[str, Any], lmms_eval_specific_kwargs: dict[str, Any] | None = None) -> str:
    """The cascade's envelope whose step 2 is the second turn of one conversation (`twoturn`): the picture and step
    1's prompt, the model's own step-1 answer, then step 2's prompt."""
    return _envelope(doc, lmms_eval_specific_kwargs, STEP2_MODES["twoturn"])


def _envelope(doc: dict[str, Any], lmms_eval_specific_kwargs: dict[str, Any] | None, mode: str) -> str:
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
    return CascadeRequest(step1_prompt=step1, step2_template=template, values=values, step2_mode=mode).encode()


# ---- scoring (`process_results`) ----------------------------------------------------------------
def _scored(doc: dict[str, Any], setting: str, response: Any) -> dict[str, Any]:
    """The scorer's metrics and record, the record also naming the installed lmms-eval version: lmms-eval's
    results file records only the git state of the folder it was started from (`compgap report` shows this)."""
    result = score_response(doc, setting, response)
    result["compgap"]["lmms_eval_version"] = installed_version("lmms_eval")
    return result


def process_direct(doc: dict[str, Any], results: list[Any]) -> dict[str, Any]:
    return _scored(doc, "direct", results[0])


def process_cot(doc: dict[str, Any], results: list[Any]) -> dict[str, Any]:
    return _scored(doc, "cot", results[0])


def process_language(doc: dict[str, Any], results: list[Any]) -> dict[str, Any]:
    return _scored(doc, "language", results[0])


def process_vision(doc: dict[str, Any], results: list[Any]) -> dict[str, Any]:
    return _scored(doc, "vision", results[0])


def process_cascade(doc: dict[str, Any], results: list[Any]) -> dict[str, Any]:
    return _scored(doc, "cascade", results[0])


def process_cascadeimage(doc: dict[str, Any], results: list[Any]) -> dict[str, Any]:
    return _scored(doc, "cascadeimage", results[0])


def process_twoturn(doc: dict[str, Any], results: list[Any]) -> dict[str, Any]:
    return _scored(doc, "twoturn", results[0])


def aggregate_sum(values: list[float]) -> float:
    """lmms-eval has no `sum` aggregation; failed-step counts need one."""
    return float(sum(values))

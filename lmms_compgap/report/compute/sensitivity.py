"""Sensitivity: runs of one model that differ in exactly one argument, each setting of it against a reference.

REST/REST+ (van Sprang et al., 2025) and arXiv 2603.09095 find that resolution, the number of vision tokens and
the rendering move results even when the text is read correctly. A sweep is the runs of one model (lmms-eval's
model name) whose run arguments differ in one key: a model argument (`max_pixels`), the lmms-eval model class
(`--model`) or the generation arguments (`gen_kwargs`, as one value). Each value of the key is one variant; each
variant is paired with the reference by item uid and compared exactly as a fine-tuned run is with its base
(`finetune.compare_runs`: per setting the accuracy change, per family the gap at both and its change, from one
joint bootstrap). Runs that differ in more than one key are refused: the move could not be told apart.

The other sweep is of the task: a family run beside its rendering variants (`core.rendering`, the group
`compgap_render`: the same items drawn in another colour, size or font) in one run setting. Each variant is paired
with the family item by item (item i of a variant is item i of its family) and compared the same way.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from lmms_compgap.core.rendering import RENDERING_METADATA
from lmms_compgap.errors import ReportError
from lmms_compgap.report.compute.finetune import Comparison, compare_runs
from lmms_compgap.report.compute.stats import BootstrapParams
from lmms_compgap.report.logs import ModelLogs, RunInfo, Sample, TaskLog, group_by_model, model_arguments

#: The keys a run is described by beyond its model arguments (which cannot use them: no `=` in lmms-eval's).
MODEL_CLASS, GEN_KWARGS = "--model", "gen_kwargs"
#: How a key a run does not set is shown: the model's default.
NOT_SET = "(not set)"


def run_arguments(run: RunInfo) -> dict[str, str]:
    """Everything that tells one run's setting from another's: model arguments, model class, generation arguments."""
    return {**model_arguments(run.model_args), MODEL_CLASS: run.lmms_eval_model, GEN_KWARGS: run.gen_kwargs}


def differing_keys(runs: Iterable[RunInfo]) -> list[str]:
    """The argument keys whose value (or absence) is not the same in every run, sorted."""
    arguments = [run_arguments(run) for run in runs]
    keys = set().union(*arguments) if arguments else set()
    return sorted(key for key in keys if len({args.get(key) for args in arguments}) > 1)


def _natural(value: str | None) -> tuple[int, float, str]:
    """Sort key for a key's values: not set first (the default), then numbers by size, then text."""
    if value is None:
        return (0, 0.0, "")
    if re.fullmatch(r"[+-]?\d+(\.\d+)?([eE][+-]?\d+)?", value):
        return (1, float(value), value)
    return (2, 0.0, value)


def value_text(value: str | None) -> str:
    return NOT_SET if value is None else value


@dataclass
class Sweep:
    """One model's runs at each value of the one key they differ in, each compared with the reference value."""

    model: str
    key: str
    reference: str | None
    variants: dict[str | None, ModelLogs] = field(default_factory=dict)
    comparisons: dict[str | None, Comparison] = field(default_factory=dict)
    issues: list[str] = field(default_factory=list)

    def label(self, value: str | None) -> str:
        return f"{self.model} [{self.key}={value_text(value)}]"


def _reference(option: str | None, model: str, key: str, values: Sequence[str | None]) -> str | None:
    """The value every other is compared with: the one `--reference KEY=VALUE` names, else the first (natural)."""
    if not option:
        return values[0]
    wanted_key, sep, wanted = option.partition("=")
    if not sep or wanted_key.strip() != key:
        raise ReportError(
            f"--reference {option}: {model}'s runs differ in {key}; name the reference as {key}=VALUE "
            f"(values: {', '.join(value_text(value) for value in values)})"
        )
    for value in values:
        if value_text(value) == wanted.strip():
            return value
    raise ReportError(
        f"--reference {option}: no run of {model} has {key}={wanted.strip()} "
        f"(values: {', '.join(value_text(value) for value in values)})"
    )


#: The reference value of a rendering sweep: the family's own pictures.
AS_DRAWN = "as drawn"


def _item_keyed(log: TaskLog, family: str) -> TaskLog:
    """A copy of a task log filed under `family`, each record's uid cut to the item's index: item i of a rendering
    variant is item i of its family, drawn another way (`core.rendering`), under a uid naming the variant."""
    samples = [
        Sample(sample.doc_id, sample.response, {**sample.record, "uid": str(sample.record["uid"]).rpartition("-")[2]})
        for sample in log.samples
    ]
    return replace(log, family=family, samples=samples)


def _same_task_version(before: TaskLog, after: TaskLog) -> bool:
    """A family and its rendering variant pair when their prompts and scoring (the task version) are the same."""
    return before.metadata.get("version") == after.metadata.get("version")


def rendering_sweeps(model: ModelLogs, params: BootstrapParams) -> list[Sweep]:
    """Per family of `model` that was run with rendering variants of it (task metadata `rendering_of`), a sweep
    comparing each variant with the family's own pictures, item by item."""
    families = model.families()
    renderings: dict[str, dict[str, dict[str, TaskLog]]] = {}
    for family, settings in families.items():
        metadata = next(iter(settings.values())).metadata
        base, rendering = (metadata.get(key) for key in RENDERING_METADATA)
        if isinstance(base, str) and isinstance(rendering, str) and base in families and base != family:
            renderings.setdefault(base, {})[rendering] = settings
    sweeps = []
    for base, variants in sorted(renderings.items()):
        sweep = Sweep(model.label, f"{base} rendering", AS_DRAWN)
        sweep.variants[AS_DRAWN] = reference = ModelLogs(
            sweep.label(AS_DRAWN),
            model.model_name,
            {log.task: _item_keyed(log, base) for log in families[base].values()},
        )
        for rendering, settings in sorted(variants.items()):
            sweep.variants[rendering] = variant = ModelLogs(
                sweep.label(rendering),
                model.model_name,
                {log.task: _item_keyed(log, base) for log in settings.values()},
            )
            try:
                comparison = compare_runs(reference, variant, params, pairable=_same_task_version)
            except ReportError:  # no setting of one task version in both
                sweep.issues.append(f"{variant.label} and {reference.label} differ in task version; not compared")
                continue
            sweep.comparisons[rendering] = comparison
            sweep.issues += [f"{variant.label} vs {reference.label}: {issue}" for issue in comparison.issues]
        sweeps.append(sweep)
    return sweeps


def sensitivity_sweeps(
    tasks: Iterable[TaskLog], params: BootstrapParams, reference: str | None = None
) -> tuple[list[Sweep], list[ModelLogs]]:
    """The sweeps in the logged tasks, and the ModelLogs the tables show (one per run setting, labelled
    `model [key=value]` when a model was run at several).

    Two kinds of sweep: runs of one model that differ in one argument, and, within one run setting, a family run
    with rendering variants of it (`compgap_render`). A model with neither is reported as it is, with an issue saying
    there is nothing to compare. ReportError when a model's runs differ in more than one key, or when there is no
    sweep at all."""
    by_model: dict[str, list[TaskLog]] = {}
    for log in tasks:
        by_model.setdefault(log.run.model_name, []).append(log)
    sweeps: list[Sweep] = []
    models: list[ModelLogs] = []
    for model, logs in sorted(by_model.items()):
        runs = sorted({log.run for log in logs}, key=lambda run: run.order)
        keys = differing_keys(runs)
        if len(keys) > 1:
            described = "; ".join(
                f"{run.results_path}: " + ", ".join(f"{k}={value_text(run_arguments(run).get(k))}" for k in keys)
                for run in runs
            )
            raise ReportError(
                f"--sensitivity: the runs of {model} differ in {len(keys)} arguments ({', '.join(keys)}), so a move "
                f"could not be told to come from one of them. Give the runs of one sweep, which differ in one "
                f"argument only ({described})"
            )
        if not keys:
            (single,) = group_by_model(logs)
            found = rendering_sweeps(single, params)
            if not found:
                single.issues.append(
                    f"{model}: every run has the same arguments and no rendering variant was run, so --sensitivity has "
                    "nothing to compare for it"
                )
            sweeps += found
            models.append(single)
            continue
        (key,) = keys
        groups: dict[str | None, list[TaskLog]] = {}
        for log in logs:
            groups.setdefault(run_arguments(log.run).get(key), []).append(log)
        values = sorted(groups, key=_natural)
        sweep = Sweep(model, key, _reference(reference, model, key, values))
        for value in values:
            (variant,) = group_by_model(groups[value])
            variant.label = sweep.label(value)
            variant.issues = [issue.replace(model, variant.label, 1) for issue in variant.issues]
            sweep.variants[value] = variant
        base = sweep.variants[sweep.reference]
        for value, variant in sweep.variants.items():
            if value == sweep.reference:
                continue
            try:
                sweep.comparisons[value] = compare_runs(base, variant, params)
            except ReportError:
                sweep.issues.append(
                    f"{variant.label} shares no task family (with the same task and data versions) with "
                    f"{base.label}; not compared"
                )
                continue
            sweep.issues += [f"{variant.label} vs {base.label}: {issue}" for issue in sweep.comparisons[value].issues]
        sweeps.append(sweep)
        for variant in sweep.variants.values():
            sweeps += rendering_sweeps(variant, params)
        models.extend(sweep.variants.values())
    if reference and not any(value_text(sweep.reference) == reference.partition("=")[2].strip() for sweep in sweeps):
        raise ReportError(f"--reference {reference}: no model has runs that differ in {reference.partition('=')[0]}")
    if not sweeps:
        raise ReportError(
            "--sensitivity: no model has runs that differ in one argument (e.g. max_pixels), nor a family run with "
            "its rendering variants (--tasks compgap_render); give the output folders of one model's runs at two or "
            "more settings of an argument, or of a rendering sweep"
        )
    return sweeps, models

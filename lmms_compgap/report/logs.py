"""What lmms-eval logged, as every part of the report holds it: runs, compgap tasks and samples, grouped by model."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lmms_compgap.core.pipeline import Pipeline, pipeline_of
from lmms_compgap.core.settings import CANONICAL_WORDING
from lmms_compgap.report.compute.scores import ItemScore, item_score
from lmms_compgap.tasks.reader import METADATA_KEYS, WORDING_VERSION_KEY


@dataclass(frozen=True)
class RunInfo:
    """One lmms-eval invocation, from its results file."""

    results_path: Path
    date: str
    model_name: str
    lmms_eval_model: str
    model_args: str
    gen_kwargs: str
    limit: float | None
    lmms_eval_version: str
    #: What lmms-eval recorded as its "version" when that is no version: the git state of the launch folder.
    launch_git: str | None = None
    #: lmms-eval's --batch_size (as it recorded it, e.g. "2" or "auto"), None when not recorded.
    batch_size: str | None = None

    @property
    def order(self) -> tuple[str, str]:
        """Sorts runs oldest first (by lmms-eval's date, then by file for runs of one date)."""
        return self.date, str(self.results_path)

    @property
    def pretrained(self) -> str | None:
        """The `pretrained=` (or `model=`) value of the run's model_args (inner model arguments included)."""
        arguments = model_arguments(self.model_args)
        return arguments.get("pretrained") or arguments.get("model") or None

    @property
    def pipeline(self) -> Pipeline | None:
        """The two models of a pipeline run (`step2_inner` in its model_args), None for a run of one model."""
        return pipeline_of(model_arguments(self.model_args))


def model_arguments(text: str) -> dict[str, str]:
    """lmms-eval's `key=value,key=value` model arguments as a mapping (the last value of a repeated key wins, as
    in lmms-eval's own `simple_parse_args_string`)."""
    parsed: dict[str, str] = {}
    for part in text.split(","):
        key, _, value = part.partition("=")
        if key.strip():
            parsed[key.strip()] = value.strip()
    return parsed


@dataclass(frozen=True)
class Sample:
    """One logged sample: the row index, the response exactly as logged, and the scorer's record."""

    doc_id: int
    response: Any
    record: dict[str, Any]


@dataclass
class TaskLog:
    """One compgap task of one run: its metadata and logged samples."""

    run: RunInfo
    task: str
    family: str
    setting: str
    metadata: dict[str, Any]
    samples_path: Path
    samples: list[Sample]
    #: 0 for the canonical task, k for paraphrase k (`compgap_<family>_<setting>_w<k>`, group compgap_wording).
    wording: int = CANONICAL_WORDING

    def versions(self) -> tuple[Any, ...]:
        return tuple(self.metadata.get(key) for key in METADATA_KEYS)

    @property
    def wording_version(self) -> Any:
        """The paraphrase's prompt version (None for the canonical task: its prompts' version is `version`)."""
        return self.metadata.get(WORDING_VERSION_KEY) if self.wording != CANONICAL_WORDING else None


@dataclass
class Loaded:
    """The compgap tasks found under the paths the report was given, and what was wrong with the rest."""

    tasks: list[TaskLog] = field(default_factory=list)
    issues: list[str] = field(default_factory=list)


@dataclass
class ModelLogs:
    """One model's tasks, the latest run of each, with the runs used and what was left out."""

    label: str
    model_name: str
    tasks: dict[str, TaskLog] = field(default_factory=dict)
    issues: list[str] = field(default_factory=list)

    @property
    def runs(self) -> list[RunInfo]:
        return sorted({log.run for log in self.tasks.values()}, key=lambda run: run.order)

    def families(self) -> dict[str, dict[str, TaskLog]]:
        """family -> setting -> task log, of the canonical tasks (the paraphrase tasks are in `wordings`)."""
        return {
            family: worded[CANONICAL_WORDING]
            for family, worded in self.wordings().items()
            if CANONICAL_WORDING in worded
        }

    def wordings(self) -> dict[str, dict[int, dict[str, TaskLog]]]:
        """family -> wording (0: canonical, k: paraphrase k) -> setting -> task log."""
        grouped: dict[str, dict[int, dict[str, TaskLog]]] = {}
        for log in self.tasks.values():
            grouped.setdefault(log.family, {}).setdefault(log.wording, {})[log.setting] = log
        return {family: dict(sorted(grouped[family].items())) for family in sorted(grouped)}


def _keep_consistent_versions(model: ModelLogs) -> None:
    """Drop settings whose task or data version differs from the family's latest run: they cannot be paired. A
    paraphrase task is held to the latest canonical run of its family (its items are paired with those), and to the
    latest run of its own wording for the paraphrase's prompt version."""
    for family, worded in model.wordings().items():
        canonical = worded.get(CANONICAL_WORDING)
        reference = max(canonical.values(), key=lambda log: log.run.order) if canonical else None
        for settings in worded.values():
            newest = max(settings.values(), key=lambda log: log.run.order)
            against = reference or newest
            for setting, log in settings.items():
                if log.versions() != against.versions():
                    del model.tasks[log.task]
                    model.issues.append(
                        f"{model.label}: {log.task} from {log.run.results_path} has task/data versions "
                        f"{log.versions()}, the latest {family} run has {against.versions()}; {setting} left out "
                        "(re-run it)"
                    )
                elif log.wording_version != newest.wording_version:
                    del model.tasks[log.task]
                    model.issues.append(
                        f"{model.label}: {log.task} from {log.run.results_path} has paraphrase version "
                        f"{log.wording_version}, the latest run of its wording has {newest.wording_version}; "
                        f"{setting} left out (re-run it)"
                    )


def group_by_model(tasks: Iterable[TaskLog], by_run: bool = False) -> list[ModelLogs]:
    """Group task logs by model name (or by run); when a task was run more than once, the latest run wins."""
    models: dict[str, ModelLogs] = {}
    for log in sorted(tasks, key=lambda log: log.run.order):
        label = f"{log.run.model_name} @ {log.run.date}" if by_run else log.run.model_name
        model = models.setdefault(label, ModelLogs(label, log.run.model_name))
        older = model.tasks.get(log.task)
        if older is not None:
            model.issues.append(
                f"{label}: {log.task} is in {older.run.results_path} and {log.run.results_path}; using the later one"
            )
        model.tasks[log.task] = log
    for model in models.values():
        _keep_consistent_versions(model)
    return [models[label] for label in sorted(models)]


def logged_scores(settings: dict[str, TaskLog]) -> dict[str, dict[str, ItemScore]]:
    """setting -> uid -> score, from the records lmms-eval logged (no re-scoring)."""
    return {
        setting: {score.uid: score for score in (item_score(sample.record) for sample in log.samples)}
        for setting, log in settings.items()
    }

"""Per model and task family: the aggregates, the attribute slices and what is missing, from loaded runs."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lmms_compgap.core.settings import CANONICAL_WORDING, SETTINGS
from lmms_compgap.report.compute.agreement import family_agreement
from lmms_compgap.report.compute.causes import family_causes
from lmms_compgap.report.compute.effort import family_effort
from lmms_compgap.report.compute.gap import family_summary
from lmms_compgap.report.compute.slices import slice_rows
from lmms_compgap.report.compute.stats import BootstrapParams
from lmms_compgap.report.compute.wording import family_wording
from lmms_compgap.report.logs import ModelLogs, RunInfo, TaskLog, logged_scores


@dataclass
class ModelSummary:
    """What the report says about one model."""

    label: str
    families: dict[str, dict[str, Any]]
    slices: list[dict[str, Any]] = field(default_factory=list)
    runs: list[RunInfo] = field(default_factory=list)
    issues: list[str] = field(default_factory=list)
    #: family -> pair of settings -> `agreement.agreement` (the diagnostics are not part of a submission's aggregates)
    agreement: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: family -> `effort.family_effort`
    effort: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: family -> `causes.family_causes`, for the families run in a why setting (cascadeimage, twoturn)
    causes: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: family -> `wording.family_wording` (families run under paraphrases of their prompts: compgap_wording)
    wording: dict[str, dict[str, Any]] = field(default_factory=dict)


def missing_settings_issue(label: str, family: str, present: set[str]) -> str | None:
    """What a family without every setting cannot report, or None when all settings are there."""
    missing = [setting for setting in SETTINGS if setting not in present]
    if not missing:
        return None
    consequences = []
    if "direct" in missing or "cascade" in missing:
        consequences.append("no composition gap (needs direct and cascade)")
    if "cot" in missing:
        consequences.append("no cascade - cot comparison")
    if "language" in missing and "direct" in present:
        consequences.append("attribution partly unresolved (needs language)")
    tail = f": {'; '.join(consequences)}" if consequences else ""
    return f"{label}: compgap_{family} lacks {', '.join(missing)}{tail}"


def uneven_items_issue(label: str, family: str, scores: dict[str, dict[str, Any]]) -> str | None:
    """What it means when a family's settings hold different items (a shorter run, skipped lines), or None."""
    items = {setting: set(scored) for setting, scored in scores.items()}
    union = set().union(*items.values())
    uneven = {setting: len(uids) for setting, uids in items.items() if uids != union}
    if not uneven:
        return None
    counts = ", ".join(f"{setting} {len(items[setting])}" for setting in SETTINGS if setting in items)
    return (
        f"{label}: compgap_{family}: the settings hold different items ({counts}, of {len(union)} in all); each "
        "accuracy is over its own setting's items and each comparison over the items both its settings hold"
    )


def summarize_model(model: ModelLogs, params: BootstrapParams, with_slices: bool = True) -> ModelSummary:
    """The aggregates of every family; `with_slices` adds the slices and the diagnostics (agreement, effort)."""
    summary = ModelSummary(model.label, {}, runs=model.runs, issues=list(model.issues))
    for family, settings in model.families().items():
        scores = logged_scores(settings)
        summary.families[family] = family_summary(family, scores, params)
        if with_slices:
            summary.slices.extend(slice_rows(family, scores, params))
            summary.agreement[family] = family_agreement(family, scores, params)
            summary.effort[family] = family_effort(family, scores, params)
            causes = family_causes(family, scores, params)
            if causes is not None:
                summary.causes[family] = causes
        for issue in (
            missing_settings_issue(model.label, family, set(settings)),
            uneven_items_issue(model.label, family, scores),
        ):
            if issue:
                summary.issues.append(issue)
    for family, worded in model.wordings().items():
        if any(wording != CANONICAL_WORDING for wording in worded):
            _summarize_wordings(summary, family, worded, params)
    return summary


def _summarize_wordings(
    summary: ModelSummary, family: str, worded: dict[int, dict[str, TaskLog]], params: BootstrapParams
) -> None:
    """The family's gap across wordings, and an issue for each wording that cannot give a gap."""
    for wording, settings in worded.items():
        lacking = [setting for setting in ("direct", "cascade") if setting not in settings]
        if lacking:
            name = f"compgap_{family}" + (f" wording w{wording}" if wording != CANONICAL_WORDING else "")
            summary.issues.append(
                f"{summary.label}: {name} lacks {' and '.join(lacking)}: left out of the gap across wordings"
            )
    result = family_wording(family, {wording: logged_scores(settings) for wording, settings in worded.items()}, params)
    if result is not None:
        summary.wording[family] = result

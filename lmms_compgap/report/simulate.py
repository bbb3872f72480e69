"""Simulated lmms-eval output folders from a model with chosen skill rates, scored by the real scorer.

For tests, demos and the example figures in docs/report.md: the files have the layout and fields
`lmms-eval --log_samples --output_path` writes, and every logged record comes from `score_response`
on an installed row, so `compgap report`, `submit` and `verify` treat them like real runs.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from lmms_compgap.core.registry import get_family, paper_family_names
from lmms_compgap.core.rendering import RENDERING_METADATA
from lmms_compgap.core.results import score_response
from lmms_compgap.core.settings import (
    CANONICAL_WORDING,
    REQUEST_FAILED_MARKER,
    SETTINGS,
    STEP2_MODES,
    WHY_SETTINGS,
    CascadeResponse,
    decode_cascade_response,
    wording_task_name,
)
from lmms_compgap.report.compute.stats import BootstrapParams
from lmms_compgap.report.files.runs import load_outputs
from lmms_compgap.report.logs import group_by_model
from lmms_compgap.report.submissions.build import build_submission
from lmms_compgap.tasks.installed import installed_task_metadata
from lmms_compgap.tasks.reader import WORDING_KEY, WORDING_VERSION_KEY, task_config


@dataclass(frozen=True)
class SimulatedModel:
    """Per-item chances: reading the image, solving from it, composing both when asked directly.

    `text_reason` is the chance of solving from text alone (the language setting and the cascade's
    step 2), by default `reason`; lower, it succeeds on a subset of the items `reason` does (one draw
    decides both). `sandbag` maps a setting to the chance that its response on an item is made wrong on
    purpose (vision: unreadable; cascade: both steps), drawn apart from the other draws; a sandbagging
    copy with `draws` set to the honest model's name answers every other item as the honest model does.

    The why settings follow from the same draws: `reason` is solving with the picture in view (the direct setting),
    `text_reason` solving from text alone (the cascade's step 2), so `cascadeimage` (step 2 with the picture) succeeds
    when the model sees and `reason` holds, and `twoturn` (the picture and the model's own step-1 answer in one
    conversation) when, besides, it composes across the turns (`turn_compose`, drawn apart). A model that reasons worse
    with the picture in view has `reason` below `text_reason`; one that composes in two turns but not in one has
    `compose` low and `turn_compose` high.

    Two planted effects for the report's diagnostics, both off by default (and then drawing nothing, so every other
    model answers as before): `work` maps a setting to the chance that its answer comes after a worked step
    (`a + b = c`); in a model with `work`, an answer without one is the bare `Answer:` line, so a setting left out
    of `work` answers short and skips the work. `language_apart` draws the language setting's success apart from
    every other draw (same chance), so its answers disagree with the direct ones about as often as independent
    answers would, while its accuracy can match the direct setting's.

    The same model at another setting is a copy with other rates and the same name (`dataclasses.replace`): it
    shares the item draws, so with a lower `see` (a lower resolution) it loses a subset of the items it read.
    """

    name: str
    see: float = 0.85
    reason: float = 0.85
    compose: float = 0.75
    cot_compose: float = 0.9
    format_slip: float = 0.05
    fail: float = 0.0
    seed: int = 0
    text_reason: float | None = None
    sandbag: Mapping[str, float] = field(default_factory=dict)
    draws: str | None = None
    work: Mapping[str, float] = field(default_factory=dict)
    language_apart: bool = False
    turn_compose: float = 1.0

    @property
    def draw_key(self) -> str:
        """What the item draws are seeded with: `draws` (to share them with another model) or the name."""
        return f"{self.seed}:{self.draws or self.name}"


UNREADABLE = "I cannot make out the picture."
#: What a simulated answer that shows no work opens with (`_final`); `_effort` removes it when planting short answers.
_PREAMBLE = "Working it out.\n"


def _final(rng: random.Random, answer: str, right: bool, model: SimulatedModel) -> str:
    if not right:
        return f"Answer: {int(answer) + 1}" if answer.lstrip("-").isdigit() else "Answer: none"
    return f"The answer is {answer}." if rng.random() < model.format_slip else f"{_PREAMBLE}Answer: {answer}"


def _sandbagged(row: dict[str, Any], model: SimulatedModel, responses: dict[str, str]) -> dict[str, str]:
    rng = random.Random(f"{model.draw_key}:{row['uid']}:sandbag")
    wrong = _final(rng, str(row["answer"]), False, model)
    made_wrong = {
        "vision": UNREADABLE,
        **{setting: CascadeResponse(UNREADABLE, wrong).encode() for setting in STEP2_MODES},
    }
    return {
        setting: made_wrong.get(setting, wrong) if rng.random() < model.sandbag.get(setting, 0.0) else response
        for setting, response in responses.items()
    }


def _worked(final: str, answer: str, shows: bool) -> str:
    """`final` after a worked step that computes the gold answer (shows), or bare, without its preamble."""
    if not shows:
        return final.removeprefix(_PREAMBLE)
    total = int(answer) if answer.lstrip("-").isdigit() else 2
    return f"Let me work through it step by step.\nFirst, {total - 1} + 1 = {total}.\n{final}"


def _effort(row: dict[str, Any], model: SimulatedModel, responses: dict[str, str]) -> dict[str, str]:
    rng = random.Random(f"{model.draw_key}:{row['uid']}:work")
    answer, worked = str(row["answer"]), dict(responses)
    for setting in ("direct", "cot", "language"):
        worked[setting] = _worked(responses[setting], answer, rng.random() < model.work.get(setting, 0.0))
    envelope = decode_cascade_response(responses["cascade"])
    if envelope.failed_step is None and envelope.step2 is not None:
        step2 = _worked(envelope.step2, answer, rng.random() < model.work.get("cascade", 0.0))
        worked["cascade"] = CascadeResponse(envelope.step1, step2).encode()
    return worked


def simulated_responses(row: dict[str, Any], model: SimulatedModel) -> dict[str, str]:
    """One raw response per setting for one row, from the item's own random draws (same item, same draws)."""
    rng = random.Random(f"{model.draw_key}:{row['uid']}")
    sees, reasoning = rng.random() < model.see, rng.random()
    reasons = reasoning < model.reason
    text_reasons = reasoning < (model.reason if model.text_reason is None else model.text_reason)
    composes, cot_composes = rng.random() < model.compose, rng.random() < model.cot_compose
    answer = str(row["answer"])
    seen = row["intermediate"] if sees else UNREADABLE
    responses = {
        "direct": _final(rng, answer, sees and reasons and composes, model),
        "cot": _final(rng, answer, sees and reasons and cot_composes, model),
        "vision": seen,
        "language": _final(rng, answer, text_reasons, model),
        "cascade": CascadeResponse(seen, _final(rng, answer, sees and text_reasons, model)).encode(),
    }
    if model.language_apart:
        apart = random.Random(f"{model.draw_key}:{row['uid']}:language")
        chance = model.reason if model.text_reason is None else model.text_reason
        responses["language"] = _final(apart, answer, apart.random() < chance, model)
    if model.work:
        responses = _effort(row, model, responses)
    for setting in SETTINGS:
        if rng.random() < model.fail:
            failure = f"{REQUEST_FAILED_MARKER}: simulated timeout]"
            responses[setting] = CascadeResponse(None, None, 1, failure).encode() if setting == "cascade" else failure
    responses |= _why_responses(row, model, seen, sees and reasons)
    return _sandbagged(row, model, responses) if model.sandbag else responses


def _why_responses(row: dict[str, Any], model: SimulatedModel, seen: str, solves_in_view: bool) -> dict[str, str]:
    """The why settings' responses, from the item's draws (seeing, reasoning) and draws of their own: the draws of
    every other setting, and so every earlier simulation, stay as they were."""
    rng = random.Random(f"{model.draw_key}:{row['uid']}:why")
    answer = str(row["answer"])
    composes = rng.random() < model.turn_compose
    responses = {
        "cascadeimage": CascadeResponse(seen, _final(rng, answer, solves_in_view, model)).encode(),
        "twoturn": CascadeResponse(seen, _final(rng, answer, solves_in_view and composes, model)).encode(),
    }
    for setting in WHY_SETTINGS:
        if rng.random() < model.fail:
            responses[setting] = CascadeResponse(None, None, 1, f"{REQUEST_FAILED_MARKER}: simulated timeout]").encode()
    return responses


def _sanitize(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "__", name)


def simulate_run(
    output_path: Path,
    model: SimulatedModel,
    families: Sequence[str] | None = None,
    settings: Sequence[str] = SETTINGS,
    limit: int | None = None,
    date: str = "20260101_000000",
    responder: Callable[[dict[str, Any], SimulatedModel], dict[str, str]] = simulated_responses,
    model_args: str = "",
    wording: int = CANONICAL_WORDING,
) -> Path:
    """Write `<output_path>/<model>/<date>_results.json` and its samples files; return the results path.

    `responder(row, model)` gives each setting's raw response (default: `simulated_responses`). `model_args`
    (`key=value,...`) are logged after the model's own, as a run at another setting of the model would be: a
    sensitivity sweep is the same model run at each setting with other rates (see SimulatedModel). `wording` k runs
    the paraphrase tasks `compgap_<family>_<setting>_w<k>` instead (a model that answers a paraphrase otherwise is a
    copy with other rates and the same name, as for a sweep).
    """
    folder = output_path / _sanitize(model.name)
    folder.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {"results": {}, "configs": {}, "n-samples": {}}
    for family in families or paper_family_names():  # what `--tasks compgap` runs
        installed_family = get_family(family)
        rows = installed_family.installed_rows()
        chosen = rows[:limit] if limit else rows
        responses = [responder(row, model) for row in chosen]
        for setting in settings:
            task = wording_task_name(family, setting, wording)
            lines, correct, strict = [], 0, 0
            for doc_id, (row, response) in enumerate(zip(chosen, responses, strict=True)):
                scored = score_response(row, setting, response[setting])
                record = scored["compgap"]
                correct, strict = correct + record["correct"], strict + record["strict"]
                sample = {
                    "doc_id": doc_id,
                    "target": record["target"],
                    "filtered_resps": response[setting],
                    "doc_hash": "simulated",
                    **scored,
                    "input": f"simulated {setting} prompt",
                }
                lines.append(json.dumps(sample, ensure_ascii=False))
            (folder / f"{date}_samples_{task}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
            n = len(chosen)
            results["results"][task] = {"alias": task, "accuracy,none": correct / n, "strict_accuracy,none": strict / n}
            metadata = installed_task_metadata(installed_family, setting)
            # lmms-eval logs the YAML's whole metadata: a rendering variant's names the family it draws, and how.
            declared = task_config(installed_family, setting).get("metadata") or {}
            metadata.update({key: declared[key] for key in RENDERING_METADATA if key in declared})
            if wording != CANONICAL_WORDING:
                metadata.update(
                    {WORDING_KEY: wording, WORDING_VERSION_KEY: installed_family.paraphrases[wording - 1].version}
                )
            results["configs"][task] = {"task": task, "metadata": metadata}
            results["n-samples"][task] = {"original": len(rows), "effective": n}
    results.update(
        config={
            "model": "compgap_cascade",
            "model_args": f"inner=simulated,pretrained={model.name}" + (f",{model_args}" if model_args else ""),
            "limit": float(limit) if limit else None,
            "gen_kwargs": {"max_new_tokens": 1024},
        },
        model_name=model.name,
        model_name_sanitized=_sanitize(model.name),
        date=date,
        lmms_eval_version="0.7.3",
    )
    path = folder / f"{date}_results.json"
    path.write_text(json.dumps(results, indent=2), encoding="utf-8")
    return path


def simulate_submission(
    out: Path, model: SimulatedModel, params: BootstrapParams, limit: int | None = None, allow_partial: bool = False
) -> Path:
    """A simulated run (in `<out>.run/`) turned into the submission `compgap submit` writes, at `out`."""
    run = out.with_name(f"{out.name}.run")
    simulate_run(run, model, limit=limit)
    (logs,) = group_by_model(load_outputs([run]).tasks)
    document, _ = build_submission(logs, params, allow_partial)
    out.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return out


_STRONG = SimulatedModel("demo/strong-composer", see=0.95, reason=0.95, compose=0.95, seed=1)
#: The field the leaderboard's checks and its screenshot in docs/ use: file stem -> simulated model.
LEADERBOARD_FIELD: dict[str, SimulatedModel] = {
    "no-skills": SimulatedModel("demo/no-skills", see=0.0, reason=0.0, compose=0.0, cot_compose=0.0, seed=2),
    "strong-composer": _STRONG,
    # The strong composer answering its cascade wrong on purpose on 90% of the items: its gap turns negative.
    "sandbagger": replace(_STRONG, name="demo/sandbagger", draws=_STRONG.name, sandbag={"cascade": 0.9}),
    "weak-composer": SimulatedModel("demo/weak-composer", see=0.95, reason=0.95, compose=0.4, seed=3),
    "weak-language": SimulatedModel(
        "demo/strong-direct-weak-language", see=0.95, reason=0.95, compose=1.0, text_reason=0.2, seed=4
    ),
    "twin-a": SimulatedModel("demo/twin-a", see=0.9, reason=0.9, compose=0.8, seed=5),
    "twin-b": SimulatedModel("demo/twin-b", see=0.9, reason=0.9, compose=0.8, seed=6),
}

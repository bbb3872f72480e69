"""Simulated lmms-eval output folders from a model with chosen skill rates, scored by the real scorer.

For tests, demos and the example figures in docs/report.md: the files have the layout and fields
`lmms-eval --log_samples --output_path` writes, and every logged record comes from `score_response`
on an installed row, so `compgap report`, `submit` and `verify` treat them like real runs.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lmms_compgap.core.results import score_response
from lmms_compgap.core.settings import REQUEST_FAILED_MARKER, SETTINGS, CascadeResponse
from lmms_compgap.report.installed import installed_rows, task_metadata
from lmms_compgap.tasks import FAMILIES


@dataclass(frozen=True)
class SimulatedModel:
    """Per-item chances: reading the image, solving from text, composing both when asked directly."""

    name: str
    see: float = 0.85
    reason: float = 0.85
    compose: float = 0.75
    cot_compose: float = 0.9
    format_slip: float = 0.05
    fail: float = 0.0
    seed: int = 0


def _final(rng: random.Random, answer: str, right: bool, model: SimulatedModel) -> str:
    if not right:
        return f"Answer: {int(answer) + 1}" if answer.lstrip("-").isdigit() else "Answer: none"
    return f"The answer is {answer}." if rng.random() < model.format_slip else f"Working it out.\nAnswer: {answer}"


def simulated_responses(row: dict[str, Any], model: SimulatedModel) -> dict[str, str]:
    """One raw response per setting for one row, from the item's own random draws (same item, same draws)."""
    rng = random.Random(f"{model.seed}:{model.name}:{row['uid']}")
    sees, reasons = rng.random() < model.see, rng.random() < model.reason
    composes, cot_composes = rng.random() < model.compose, rng.random() < model.cot_compose
    answer = str(row["answer"])
    seen = row["intermediate"] if sees else "I cannot make out the picture."
    responses = {
        "direct": _final(rng, answer, sees and reasons and composes, model),
        "cot": _final(rng, answer, sees and reasons and cot_composes, model),
        "vision": seen,
        "language": _final(rng, answer, reasons, model),
        "cascade": CascadeResponse(seen, _final(rng, answer, sees and reasons, model)).encode(),
    }
    for setting in SETTINGS:
        if rng.random() < model.fail:
            failure = f"{REQUEST_FAILED_MARKER}: simulated timeout]"
            responses[setting] = CascadeResponse(None, None, 1, failure).encode() if setting == "cascade" else failure
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
) -> Path:
    """Write `<output_path>/<model>/<date>_results.json` and its samples files; return the results path.

    `responder(row, model)` gives each setting's raw response (default: `simulated_responses`).
    """
    folder = output_path / _sanitize(model.name)
    folder.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {"results": {}, "configs": {}, "n-samples": {}}
    for family in families or sorted(FAMILIES):
        rows = installed_rows(family)
        chosen = rows[:limit] if limit else rows
        responses = [responder(row, model) for row in chosen]
        for setting in settings:
            task = f"compgap_{family}_{setting}"
            lines, correct, strict = [], 0, 0
            for doc_id, (row, response) in enumerate(zip(chosen, responses, strict=True)):
                scored = score_response(row, setting, response[setting])
                record = scored["compgap"]
                correct, strict = correct + record["correct"], strict + record["strict"]
                sample = {"doc_id": doc_id, "target": record["target"], "filtered_resps": response[setting],
                          "doc_hash": "simulated", **scored, "input": f"simulated {setting} prompt"}  # fmt: skip
                lines.append(json.dumps(sample, ensure_ascii=False))
            (folder / f"{date}_samples_{task}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
            n = len(chosen)
            results["results"][task] = {"alias": task, "accuracy,none": correct / n, "strict_accuracy,none": strict / n}
            results["configs"][task] = {"task": task, "metadata": task_metadata(family, setting)}
            results["n-samples"][task] = {"original": len(rows), "effective": n}
    results.update(
        config={"model": "compgap_cascade", "model_args": f"inner=simulated,pretrained={model.name}",
                "limit": float(limit) if limit else None, "gen_kwargs": {"max_new_tokens": 1024}},
        model_name=model.name, model_name_sanitized=_sanitize(model.name), date=date, lmms_eval_version="0.7.3",
    )  # fmt: skip
    path = folder / f"{date}_results.json"
    path.write_text(json.dumps(results, indent=2), encoding="utf-8")
    return path

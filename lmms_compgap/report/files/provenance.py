"""The fine-tuning provenance of an evaluated model (compgap_training.json): named, or found beside the model."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lmms_compgap.finetune.train import PROVENANCE_FILE, read_provenance
from lmms_compgap.report.errors import ReportError
from lmms_compgap.report.logs import ModelLogs


def training_record(model: ModelLogs) -> dict[str, Any] | None:
    """The `compgap finetune` provenance of the model a run evaluated, when its `pretrained=` folder is here.

    ReportError for a folder inside a `compgap finetune` output without a record of its own (a `checkpoint-N` or
    `adapter/` saved before every saved folder carried one): its training would otherwise go unrecorded."""
    for run in model.runs:
        if run.pretrained and Path(run.pretrained).is_dir():
            folder = Path(run.pretrained)
            record = read_provenance(folder)
            if record is not None:
                return record
            if read_provenance(folder.parent) is not None:
                raise ReportError(
                    f"the evaluated model {folder} is inside the fine-tuning run {folder.parent} but holds no "
                    f"{PROVENANCE_FILE} of its own, so what it was trained on cannot be told. Pass --trained-on "
                    f"{folder.parent} if it was saved by that run, or evaluate {folder.parent} (the final model)"
                )
    return None


def trained_on(option: str | None, model: ModelLogs) -> dict[str, Any] | None:
    """The fine-tuning provenance: from --trained-on (a compgap_training.json or a model folder), else found
    beside the evaluated model (its `pretrained=` folder)."""
    if option is None:
        return training_record(model)
    path = Path(option)
    if not path.is_dir() and path.name != PROVENANCE_FILE:
        raise ReportError(f"--trained-on {option}: give a {PROVENANCE_FILE} or the fine-tuned model's folder")
    try:
        record = read_provenance(path if path.is_dir() else path.parent)
    except (OSError, ValueError) as error:
        raise ReportError(f"--trained-on {option}: unreadable ({error})") from None
    if record is None:
        raise ReportError(f"--trained-on {option}: no {PROVENANCE_FILE} written by `compgap finetune` there")
    return record

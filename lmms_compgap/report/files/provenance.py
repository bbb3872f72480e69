"""The fine-tuning provenance of an evaluated model (compgap_training.json): named, or found beside the model."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lmms_compgap.errors import ReportError
from lmms_compgap.finetune.train import PROVENANCE_FILE, read_provenance
from lmms_compgap.report.logs import ModelLogs


def _provenance(folder: Path, where: str) -> dict[str, Any] | None:
    """`read_provenance`, with a file that cannot be read or parsed (truncated, not UTF-8, nested too deeply) named
    as a ReportError instead of a traceback."""
    try:
        return read_provenance(folder)
    except (OSError, ValueError, RecursionError) as error:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        if isinstance(error, OSError):
            detail = error.strerror or type(error).__name__
        else:
            detail = "not UTF-8" if isinstance(error, UnicodeDecodeError) else "not valid JSON: truncated or edited?"
        raise ReportError(
            f"{where}: {folder / PROVENANCE_FILE} cannot be read ({detail}); it should be the file `compgap finetune` "
            "wrote, whole"
        ) from None


def training_record(model: ModelLogs) -> dict[str, Any] | None:
    """The `compgap finetune` provenance of the model a run evaluated, when its `pretrained=` folder is here.

    ReportError for a folder inside a `compgap finetune` output without a record of its own (a `checkpoint-N` or
    `adapter/` saved before every saved folder carried one): its training would otherwise go unrecorded."""
    for run in model.runs:
        if run.pretrained and Path(run.pretrained).is_dir():
            folder = Path(run.pretrained)
            record = _provenance(folder, f"the evaluated model {run.pretrained}")
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
    record = _provenance(path if path.is_dir() else path.parent, f"--trained-on {option}")
    if record is None:
        raise ReportError(f"--trained-on {option}: no {PROVENANCE_FILE} written by `compgap finetune` there")
    return record

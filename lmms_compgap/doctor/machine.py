"""Doctor checks of the machine: torch and its device, Tesseract, public datasets on disk, picture cache, disk."""

from __future__ import annotations

import importlib
import importlib.metadata
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

from lmms_compgap.doctor.check import Check
from lmms_compgap.doctor.evaluation import describe_module_error, module_fix

#: Free space below which pictures (about 0.1 GB for the three families) or a model download may not fit.
LOW_DISK_BYTES = 10 * 1024**3


def check_torch() -> Iterator[Check]:
    try:
        import torch
    except Exception as error:  # noqa: BLE001
        yield Check("torch", "fail", describe_module_error(error), module_fix(error))
        return
    if torch.cuda.is_available():
        names = sorted({torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())})
        yield Check(
            "torch", "ok", f"torch {torch.__version__}; {torch.cuda.device_count()} CUDA device(s): {', '.join(names)}"
        )
    else:
        yield Check(
            "torch",
            "note",
            f"torch {torch.__version__}; no CUDA device: runs use the CPU",
            "on the CPU pass `--device cpu` and `device_map=cpu` in --model_args",
        )
    if importlib.util.find_spec("torchvision") is None:
        yield Check(
            "torchvision",
            "warn",
            "not installed: the Qwen-VL, SmolVLM, Llama-Vision and InternVL processors need it",
            "pip install torchvision matching your torch (torch 2.14.1 <-> torchvision 0.29.1)",
        )
        return
    try:
        import torchvision

        torchvision.ops.nms(torch.zeros((1, 4)), torch.zeros(1), 0.5)
    except Exception as error:  # noqa: BLE001
        yield Check(
            "torchvision",
            "fail",
            f"installed but broken next to torch {torch.__version__}: {error}"[:400],
            "install the torchvision built for your torch (torch 2.14.1 <-> torchvision 0.29.1)",
        )
        return
    yield Check("torchvision", "ok", f"torchvision {torchvision.__version__}; its operators load")


def check_tesseract() -> Iterator[Check]:
    from lmms_compgap.datacheck.tesseract import INSTALL_HINT

    binary = shutil.which("tesseract")
    if binary is None:
        yield Check("tesseract", "warn", "not found: `compgap data check` needs it (evaluations do not)", INSTALL_HINT)
        return
    try:
        first = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=10).stdout.splitlines()
    except (OSError, subprocess.SubprocessError) as error:
        yield Check("tesseract", "warn", f"{binary} does not run: {error}", INSTALL_HINT)
        return
    yield Check("tesseract", "ok", f"{first[0] if first else 'tesseract'} at {binary}")


def check_public_datasets() -> Iterator[Check]:
    """The families built from public datasets: which datasets this machine has (none is needed for `compgap`),
    and whether math-verify, which scores MATH-500, runs."""
    from lmms_compgap.core.dataset_family import DatasetFamily
    from lmms_compgap.core.hub_data import DatasetUnavailable, load_hub_dataset
    from lmms_compgap.core.registry import families
    from lmms_compgap.scoring.equivalence import INSTALL_HINT, MathVerifyUnavailable, ensure_available

    for name, family in families().items():
        if not isinstance(family, DatasetFamily):
            continue
        try:
            loaded = load_hub_dataset(family.source, download=False)
        except DatasetUnavailable:
            yield Check(
                f"dataset {family.source.repo}",
                "note",
                f"not on this machine (a run of compgap_{name}, the only task that needs it, downloads it "
                "when the Hugging Face Hub is reachable)",
                family.source.download_command(),
            )
            continue
        proven = f"revision {loaded.revision[:12]}" if loaded.revision else "a copy that records no revision"
        yield Check(f"dataset {family.source.repo}", "ok", f"{len(loaded.dataset)} rows at {loaded.origin} ({proven})")
    try:
        ensure_available()
        yield Check("math-verify", "ok", "runs (it scores compgap_math500)")
    except MathVerifyUnavailable as error:
        yield Check("math-verify", "note", f"{error}"[:300] + ": only compgap_math500 needs it", INSTALL_HINT)


def check_picture_cache() -> Iterator[Check]:
    from lmms_compgap.core.pictures import CACHE_ENV, cache_root

    root = cache_root()
    if root is None:
        yield Check("picture cache", "note", f"off ({CACHE_ENV}=off): every picture is drawn on every request")
        return
    try:
        root.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=root, prefix=".doctor-"):
            pass
    except OSError as error:
        yield Check(
            "picture cache",
            "warn",
            f"{root} is not writable ({error.strerror or error}): every picture would be redrawn, with a "
            "warning per picture",
            f"set {CACHE_ENV} to a writable folder, or {CACHE_ENV}=off",
        )
        return
    yield Check("picture cache", "ok", f"{root} is writable")


def _existing_parent(path: Path) -> Path:
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def check_disk() -> Iterator[Check]:
    from lmms_compgap.core.pictures import cache_root

    hub = Path(
        os.environ.get("HF_HUB_CACHE") or Path(os.environ.get("HF_HOME") or Path.home() / ".cache/huggingface") / "hub"
    )
    places = {"Hugging Face cache": hub, "working folder": Path.cwd()}
    root = cache_root()
    if root is not None:
        places["picture cache"] = root
    low = []
    for label, path in places.items():
        free = shutil.disk_usage(_existing_parent(path.expanduser())).free
        if free < LOW_DISK_BYTES:
            low.append(f"{label} ({path}): {free / 1024**3:.1f} GB free")
    if low:
        yield Check(
            "disk",
            "warn",
            "; ".join(low),
            "free space: model weights take several GB (about 8 GB for a 3B model in bf16)",
        )
    else:
        yield Check("disk", "ok", f"at least {LOW_DISK_BYTES // 1024**3} GB free for models, pictures and outputs")

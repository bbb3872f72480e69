"""`compgap data export`: a training split as files that fine-tuning tools read.

One folder per export:

- ``images/<family>/<uid>.png``: every picture, drawn once;
- ``llava.json``: LLaVA / ShareGPT records (``conversations`` with ``from``/``value`` and an ``<image>``
  token, ``image`` and ``images`` relative to the folder), read by LLaVA, Qwen-VL fine-tuning scripts and
  LLaMA-Factory (``dataset_info.json`` beside it names the columns for LLaMA-Factory);
- ``hf/`` (``datasets`` ``save_to_disk``) or ``hf.parquet``: ``messages`` + ``images`` (the PNG bytes
  embedded, so the dataset stands alone), the format TRL's ``SFTTrainer`` reads as it is;
- ``rows/<family>.jsonl``: the items, in the test data's schema;
- ``manifest.json``: split, seeds, sizes, styles, task versions, counts and fingerprints.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lmms_compgap import __version__
from lmms_compgap.core.data import serialize_rows
from lmms_compgap.core.family import canonical_json
from lmms_compgap.core.registry import get_family
from lmms_compgap.core.splits import TRAINING_SPLITS, SplitData, build_split
from lmms_compgap.finetune.targets import Example, TaskPrompts, assign_styles, examples_for

FORMAT = "lmms-compgap-finetune-data"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
LLAVA_FILE = "llava.json"
LLAMA_FACTORY_FILE = "dataset_info.json"
HF_FORMATS: dict[str, str] = {"disk": "hf", "parquet": "hf.parquet"}
IMAGE_TOKEN = "<image>"


class ExportError(RuntimeError):
    """An export that cannot be made as asked (the message says why and what to do)."""


@dataclass(frozen=True)
class ExportResult:
    out: Path
    manifest: dict[str, Any]
    seconds_drawing: float


def image_path(example: Example) -> str:
    """The picture of an example's item, relative to the export folder."""
    return f"images/{example.family}/{example.uid}.png"


def _draw(job: tuple[str, str, str]) -> None:
    family, spec, path = job
    # compress_level 1: half the encoding time of the default level for 5-20% larger files (measured).
    get_family(family).draw(json.loads(spec)).save(path, format="PNG", compress_level=1)


def _draw_pictures(jobs: Sequence[tuple[str, str, str]], workers: int) -> None:
    for _, _, path in jobs:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    if workers <= 1:
        for job in jobs:
            _draw(job)
        return
    with ProcessPoolExecutor(max_workers=workers) as pool:
        for _ in pool.map(_draw, jobs, chunksize=16):
            pass


def llava_record(example: Example) -> dict[str, Any]:
    """One LLaVA / ShareGPT record; text-only examples have no `image` and an empty `images`."""
    record: dict[str, Any] = {"id": example.id}
    prompt = example.prompt
    if example.with_image:
        record["image"] = image_path(example)
        record["images"] = [image_path(example)]
        prompt = f"{IMAGE_TOKEN}\n{prompt}"
    else:
        record["images"] = []
    record["conversations"] = [{"from": "human", "value": prompt}, {"from": "gpt", "value": example.target}]
    return record


def llama_factory_info(split: str) -> dict[str, Any]:
    """The dataset_info.json entry LLaMA-Factory needs to read llava.json (sharegpt formatting)."""
    return {
        f"compgap_{split}": {
            "file_name": LLAVA_FILE,
            "formatting": "sharegpt",
            "columns": {"messages": "conversations", "images": "images"},
            "tags": {"role_tag": "from", "content_tag": "value", "user_tag": "human", "assistant_tag": "gpt"},
        }
    }


def hf_features() -> Any:
    import datasets

    message = {"role": datasets.Value("string"), "content": datasets.Value("string")}
    return datasets.Features(
        {
            "id": datasets.Value("string"),
            "uid": datasets.Value("string"),
            "family": datasets.Value("string"),
            "kind": datasets.Value("string"),
            "messages": datasets.List(message),
            "images": datasets.List(datasets.Image()),
        }
    )


def _hf_records(examples: list[Example], out: str) -> Iterator[dict[str, Any]]:
    for example in examples:
        images = []
        if example.with_image:
            path = Path(out) / image_path(example)
            images.append({"bytes": path.read_bytes(), "path": image_path(example)})
        yield {
            "id": example.id,
            "uid": example.uid,
            "family": example.family,
            "kind": example.kind,
            "messages": [{"role": "user", "content": example.prompt}, {"role": "assistant", "content": example.target}],
            "images": images,
        }


def _write_hf(examples: list[Example], out: Path, hf_format: str) -> None:
    import datasets

    with tempfile.TemporaryDirectory(dir=out, prefix=".hf-build-") as cache:
        dataset = datasets.Dataset.from_generator(
            _hf_records, features=hf_features(), gen_kwargs={"examples": examples, "out": str(out)}, cache_dir=cache
        )
        if hf_format == "disk":
            dataset.save_to_disk(str(out / HF_FORMATS["disk"]))
        else:
            dataset.to_parquet(str(out / HF_FORMATS["parquet"]))
        del dataset


def export_fingerprint(rows_fingerprints: dict[str, str], llava_bytes: bytes) -> str:
    """Identifies an export: the items (each family's rows fingerprint) and every record (prompts, targets)."""
    digest = hashlib.sha256()
    digest.update(canonical_json(rows_fingerprints).encode("utf-8"))
    digest.update(llava_bytes)
    return "sha256:" + digest.hexdigest()


def export_split(
    out: Path,
    families: Sequence[str],
    split: str = "train",
    style: dict[str, float] | None = None,
    size: int | None = None,
    seed: int | None = None,
    hf_format: str = "disk",
    workers: int = 1,
) -> ExportResult:
    """Generate a training split of `families`, build every example and write every file (see the module)."""
    if split not in TRAINING_SPLITS:
        raise ExportError(f"export --split must be one of {', '.join(TRAINING_SPLITS)} (the test split is for tests)")
    if hf_format not in HF_FORMATS:
        raise ExportError(f"--hf-format must be one of {', '.join(HF_FORMATS)}")
    style = style or {"composition": 1.0}
    if out.exists() and any(out.iterdir()):
        raise ExportError(f"{out}: not empty; export into a new folder (nothing was written)")
    chosen = [get_family(name) for name in families]
    heard = [family.name for family in chosen if family.medium != "image"]
    if heard:  # the export writes pictures and image-text conversations; a clip is not a picture
        raise ExportError(f"{', '.join(heard)}: an audio family; the export writes image-text data only")
    splits: list[SplitData] = [build_split(family, split, size, seed) for family in chosen]
    examples: list[Example] = []
    summary: dict[str, Any] = {}
    for family, data in zip(chosen, splits, strict=True):
        prompts = TaskPrompts.installed(family)
        styles = assign_styles(len(data.items), style, f"{data.family}:{data.split}:{data.seed}")
        family_examples = [
            example
            for row, item, item_style in zip(data.rows, data.items, styles, strict=True)
            for example in examples_for(item_style, row, item, prompts)
        ]
        examples.extend(family_examples)
        summary[data.family] = {
            **data.provenance(),
            "data_version": family.data_version,
            "task_versions": dict(prompts.versions),
            "styles": dict(sorted(Counter(styles).items())),
            "examples": dict(sorted(Counter(example.kind for example in family_examples).items())),
        }

    out.mkdir(parents=True, exist_ok=True)
    rows_by_uid = {row["uid"]: row for data in splits for row in data.rows}
    pictures = {
        image_path(example): (example.family, rows_by_uid[example.uid]["spec"])
        for example in examples
        if example.with_image
    }
    jobs = [(family, spec, str(out / relative)) for relative, (family, spec) in sorted(pictures.items())]
    started = time.perf_counter()
    _draw_pictures(jobs, workers)
    drawing = time.perf_counter() - started

    (out / "rows").mkdir()
    for data in splits:
        (out / "rows" / f"{data.family}.jsonl").write_bytes(serialize_rows(data.rows))
    llava_bytes = (
        json.dumps([llava_record(example) for example in examples], ensure_ascii=False, indent=1) + "\n"
    ).encode()
    (out / LLAVA_FILE).write_bytes(llava_bytes)
    (out / LLAMA_FACTORY_FILE).write_text(json.dumps(llama_factory_info(split), indent=1) + "\n", encoding="utf-8")
    _write_hf(examples, out, hf_format)

    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "lmms_compgap": __version__,
        "split": split,
        "style": style,
        "data_fingerprint": export_fingerprint({d.family: d.fingerprint for d in splits}, llava_bytes),
        "families": summary,
        "examples": len(examples),
        "images": len(jobs),
        "files": {
            "llava": LLAVA_FILE,
            "llama_factory": LLAMA_FACTORY_FILE,
            "hf": HF_FORMATS[hf_format],
            "hf_format": hf_format,
            "images": "images",
            "rows": "rows",
        },
    }
    (out / MANIFEST).write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    return ExportResult(out, manifest, drawing)


def read_manifest(folder: Path) -> dict[str, Any]:
    """An export's manifest, with a clear error when the folder is not an export."""
    path = folder / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ExportError(f"{folder}: no {MANIFEST}; not a `compgap data export` folder") from None
    except json.JSONDecodeError as error:
        raise ExportError(f"{path}: not valid JSON ({error.msg})") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ExportError(f"{path}: not a `compgap data export` manifest")
    return manifest


def remove_partial_export(out: Path) -> None:
    """Remove what an interrupted export wrote (used by the command on failure)."""
    if out.is_dir() and not (out / MANIFEST).exists():
        shutil.rmtree(out, ignore_errors=True)

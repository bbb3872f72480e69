"""Public datasets from the Hugging Face Hub, pinned to a revision, found on this machine before any download.

A family whose items come from a dataset declares it as a `HubDataset` (repository, split, the
revision the task is pinned to, the data files of that split, its columns and size). `load_hub_dataset`
looks for it, in order:

1. a local copy under ``$COMPGAP_DATASETS/<owner>/<name>/``: the repository's files (for example from
   ``hf download <repo> --repo-type dataset --revision <rev> --local-dir $COMPGAP_DATASETS/<repo>``,
   whose download records name the revision, which must then be the pinned one) or a folder written by
   `datasets`' ``save_to_disk``;
2. the Hugging Face hub cache (``HF_HUB_CACHE``), at the pinned revision (what ``load_dataset`` or
   ``hf download`` leave there);
3. the `datasets` cache (``HF_DATASETS_CACHE``), the Arrow files ``load_dataset`` prepared at that revision;
4. unless ``HF_HUB_OFFLINE``/``HF_DATASETS_OFFLINE`` is set, a download of the split's files at the pinned
   revision into the hub cache.

When none has it, `DatasetUnavailable` says which dataset, where it looked and how to get it.
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import datasets
import huggingface_hub
from huggingface_hub import constants as hub_constants

DATASETS_ENV = "COMPGAP_DATASETS"
#: `datasets` feature types a declared column may have: its kind -> the feature's dtypes.
COLUMN_KINDS: dict[str, tuple[str, ...]] = {
    "string": ("string", "large_string"),
    "int": ("int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64"),
}
_OFFLINE_VALUES = {"1", "on", "yes", "true"}


@dataclass(frozen=True)
class HubDataset:
    """One split of a Hub dataset at a pinned revision: what a dataset-backed family evaluates on.

    `data_files` is the glob (relative to the repository root) of the split's files; `config` the `datasets`
    configuration name its Arrow cache is filed under; `columns` maps each column the family reads to its kind
    ("string", "int" or "image"); `rows` is the number of rows of the split at `revision`.
    """

    repo: str
    revision: str
    split: str
    data_files: str
    rows: int
    columns: Mapping[str, str]
    config: str = "default"
    licence: str = ""
    citation: str = field(default="", repr=False)

    @property
    def url(self) -> str:
        return f"https://huggingface.co/datasets/{self.repo}"

    def describe(self) -> str:
        return f"{self.repo} ({self.split} split, revision {self.revision[:12]})"

    def download_command(self) -> str:
        """The command that fetches exactly what the task needs (on a machine that reaches the Hub)."""
        return f'hf download {self.repo} --repo-type dataset --revision {self.revision} --include "{self.data_files}"'


class DatasetUnavailable(RuntimeError):
    """The dataset is in none of the places searched, or the copy found is not the one the task is pinned to."""


@dataclass(frozen=True)
class LoadedDataset:
    """A loaded split, where it came from, and its revision when the source proves it (None: a local copy that
    does not record one)."""

    dataset: datasets.Dataset
    origin: str
    revision: str | None


def offline() -> bool:
    """Whether the user asked for no network access (as `huggingface_hub` and `datasets` read it)."""
    return any(
        os.environ.get(name, "").strip().lower() in _OFFLINE_VALUES
        for name in ("HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE")
    )


def local_copy_dir(source: HubDataset) -> Path | None:
    """Where a local copy of `source` is expected (``$COMPGAP_DATASETS/<owner>/<name>``), or None when unset."""
    root = os.environ.get(DATASETS_ENV, "").strip()
    return Path(root).expanduser() / source.repo if root else None


def _split_files(root: Path, pattern: str) -> list[Path]:
    """The files of the split under `root` (the repository's layout), sorted (shard order)."""
    return sorted(
        path
        for path in root.rglob("*")
        if path.is_file() and fnmatch.fnmatch(path.relative_to(root).as_posix(), pattern)
    )


def _read_files(files: list[Path]) -> datasets.Dataset:
    suffix = files[0].suffix.lower()
    builder = {".parquet": "parquet", ".jsonl": "json", ".json": "json", ".csv": "csv"}.get(suffix)
    if builder is None:
        raise DatasetUnavailable(f"cannot read {files[0]}: not parquet, JSON lines or CSV")
    return datasets.load_dataset(builder, data_files=[str(path) for path in files], split="train")


def _recorded_revision(root: Path, files: list[Path]) -> str | None:
    """The commit `hf download --local-dir` recorded for the first data file (its metadata file's first line:
    huggingface_hub writes the commit hash, the etag and a timestamp, one per line)."""
    relative = files[0].relative_to(root).as_posix()
    metadata = root / ".cache" / "huggingface" / "download" / f"{relative}.metadata"
    try:
        first = metadata.read_text(encoding="utf-8").splitlines()[0].strip()
    except (OSError, IndexError):
        return None
    return first or None


def _from_local_copy(source: HubDataset, searched: list[str]) -> LoadedDataset | None:
    root = local_copy_dir(source)
    if root is None:
        searched.append(f"${DATASETS_ENV} (not set; a local copy would be read from ${DATASETS_ENV}/{source.repo})")
        return None
    searched.append(str(root))
    if not root.is_dir():
        return None
    if (root / "dataset_info.json").is_file() or (root / "dataset_dict.json").is_file():
        loaded = datasets.load_from_disk(str(root))
        if isinstance(loaded, datasets.DatasetDict):
            if source.split not in loaded:
                raise DatasetUnavailable(f"{root}: a saved dataset without a {source.split!r} split ({sorted(loaded)})")
            loaded = loaded[source.split]
        return LoadedDataset(loaded, str(root), None)
    files = _split_files(root, source.data_files)
    if not files:
        return None
    revision = _recorded_revision(root, files)
    if revision is not None and revision != source.revision:
        raise DatasetUnavailable(
            f"{root} holds {source.repo} at revision {revision}, but the task is pinned to {source.revision}; "
            f"download that revision: {source.download_command()} --local-dir {root}"
        )
    return LoadedDataset(_read_files(files), str(root), revision)


def _from_hub_cache(source: HubDataset, searched: list[str]) -> LoadedDataset | None:
    searched.append(f"the Hugging Face hub cache ({hub_constants.HF_HUB_CACHE}) at revision {source.revision}")
    try:
        snapshot = huggingface_hub.snapshot_download(
            source.repo,
            repo_type="dataset",
            revision=source.revision,
            allow_patterns=[source.data_files],
            local_files_only=True,
        )
    except (huggingface_hub.errors.LocalEntryNotFoundError, FileNotFoundError, OSError, ValueError):
        return None
    files = _split_files(Path(snapshot), source.data_files)
    return LoadedDataset(_read_files(files), snapshot, source.revision) if files else None


def _from_datasets_cache(source: HubDataset, searched: list[str]) -> LoadedDataset | None:
    from datasets.packaged_modules.cache.cache import Cache

    searched.append(f"the datasets cache ({datasets.config.HF_DATASETS_CACHE}) at revision {source.revision}")
    try:
        builder = Cache(
            dataset_name=source.repo.split("/")[-1],
            repo_id=source.repo,
            config_name=source.config,
            version="0.0.0",
            hash=source.revision,
        )
        if not os.path.isdir(builder.cache_dir):
            return None
        return LoadedDataset(builder.as_dataset(split=source.split), builder.cache_dir, source.revision)
    except (FileNotFoundError, ValueError, KeyError, OSError):
        return None


def _download(source: HubDataset, searched: list[str]) -> LoadedDataset | None:
    if offline():
        searched.append("no download: HF_HUB_OFFLINE or HF_DATASETS_OFFLINE is set")
        return None
    try:
        snapshot = huggingface_hub.snapshot_download(
            source.repo, repo_type="dataset", revision=source.revision, allow_patterns=[source.data_files]
        )
    except Exception as error:  # noqa: BLE001 - any network or Hub failure means: not available here
        searched.append(f"a download from the Hub, which failed ({type(error).__name__}: {str(error)[:200]})")
        return None
    files = _split_files(Path(snapshot), source.data_files)
    return LoadedDataset(_read_files(files), snapshot, source.revision) if files else None


def missing_message(source: HubDataset, searched: list[str]) -> str:
    """What to tell a user whose machine does not have the dataset: what is missing, where we looked, what to do."""
    places = "\n".join(f"  - {place}" for place in searched)
    return (
        f"the dataset {source.describe()} is not on this machine. Searched:\n{places}\n"
        f"To get it, on a machine that reaches the Hugging Face Hub run\n  {source.download_command()}\n"
        "(it fills the hub cache, ~/.cache/huggingface/hub, which can be copied to this machine), or put a copy of "
        f"the repository's files in ${DATASETS_ENV}/{source.repo}/ (add `--local-dir "
        f"$COMPGAP_DATASETS/{source.repo}` to that command). Dataset page: {source.url}"
    )


def _check_columns(source: HubDataset, loaded: LoadedDataset) -> None:
    features = loaded.dataset.features
    for name, kind in source.columns.items():
        feature = features.get(name)
        if feature is None:
            raise DatasetUnavailable(
                f"{loaded.origin}: {source.repo} has no column {name!r} (columns: {sorted(features)})"
            )
        if kind == "image":
            good = isinstance(feature, datasets.Image)
        else:
            good = isinstance(feature, datasets.Value) and feature.dtype in COLUMN_KINDS[kind]
        if not good:
            raise DatasetUnavailable(f"{loaded.origin}: column {name!r} of {source.repo} is {feature}, not {kind}")


def load_hub_dataset(source: HubDataset, download: bool = True) -> LoadedDataset:
    """The split from the first place that has it (see the module docstring); DatasetUnavailable otherwise.
    With `download=False` only this machine's copies are looked at (`compgap doctor`: no network, no waiting).

    A split from a cache or a download is the pinned revision and must have `source.rows` rows; a local copy
    that records no revision is accepted whatever its size (a subset, or a fixture), and says so in `origin`.
    """
    searched: list[str] = []
    finders = (_from_local_copy, _from_hub_cache, _from_datasets_cache) + ((_download,) if download else ())
    for finder in finders:
        loaded = finder(source, searched)
        if loaded is not None:
            break
    else:
        raise DatasetUnavailable(missing_message(source, searched))
    _check_columns(source, loaded)
    if loaded.revision is not None and len(loaded.dataset) != source.rows:
        raise DatasetUnavailable(
            f"{loaded.origin}: {source.repo} at revision {source.revision} has {source.rows} rows in its "
            f"{source.split} split, this copy {len(loaded.dataset)}: it is incomplete or corrupt; download it again "
            f"({source.download_command()} --force-download)"
        )
    return loaded


def source_metadata(source: HubDataset) -> dict[str, Any]:
    """The dataset as task metadata and submissions record it."""
    return {"dataset": source.repo, "dataset_split": source.split, "dataset_revision": source.revision}

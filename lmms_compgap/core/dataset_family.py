"""Families whose items are the rows of a public dataset: built at run time from the user's copy, never committed.

A `DatasetFamily` declares its `source` (a `HubDataset` at a pinned revision) and turns each of its records into
an `Item` (`item`). Its rows are made when they are first needed, from wherever `core.hub_data` finds the dataset
(a local copy, the hub cache, the datasets cache, a download), and fingerprinted like a data file; the task
YAMLs point lmms-eval at a one-line source file naming the dataset and revision, which `hooks.dataset_docs`
replaces by these rows. Its tasks are in the `compgap_public` group, outside `compgap` and `compgap_all`, so
runs of those never need a download.
"""

from __future__ import annotations

import abc
import hashlib
import random
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import datasets
from PIL import Image

from lmms_compgap.core.data import DataIntegrityError, fingerprint_rows
from lmms_compgap.core.family import Item, TaskFamily, row_json
from lmms_compgap.core.hub_data import DatasetUnavailable, HubDataset, LoadedDataset, load_hub_dataset, source_metadata

PUBLIC_GROUP = "compgap_public"
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


@dataclass(frozen=True)
class DatasetRows:
    """The family's rows built from the dataset found, with the dataset itself (its images), where it was found,
    the revision that source proves (None: a local copy that records none) and the rows' fingerprint."""

    rows: tuple[dict[str, Any], ...]
    loaded: LoadedDataset
    fingerprint: str

    @property
    def origin(self) -> str:
        return self.loaded.origin

    @property
    def revision(self) -> str | None:
        return self.loaded.revision


#: The one-line file a dataset family's task YAML loads in place of rows: which dataset, split and revision.
SOURCE_FILE = "data/source.jsonl"


def source_line(family: DatasetFamily) -> dict[str, Any]:
    """The row of a dataset family's source file."""
    return {"family": family.name, **source_metadata(family.source)}


def named_by_source(family: TaskFamily, line: Mapping[str, Any], where: str) -> DatasetFamily:
    """`family` (named by a task's one-line source file `where`, whose row is `line`) as the dataset family that
    source file belongs to: DataIntegrityError unless it is built from a dataset and `line` is its `source_line`."""
    if not isinstance(family, DatasetFamily) or line != source_line(family):
        found = source_line(family) if isinstance(family, DatasetFamily) else "is not built from a dataset"
        raise DataIntegrityError(f"{where} names {line}, the installed family {found}")
    return family


def last_sentence(text: str) -> str:
    """A problem's last sentence: what it asks (the row's `question`; the problem itself is the intermediate)."""
    return _SENTENCE_END.split(text.strip())[-1]


def style_rng(family: str, data_version: int, text: str) -> random.Random:
    """The random source of one item's rendering style, seeded by its text: the same problem is drawn the same
    way in the whole split and in any subset of it."""
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return random.Random(f"compgap:{family}:v{data_version}:{digest}")


class DatasetFamily(TaskFamily):
    """A family whose items come from `source`, one per record, in the dataset's order."""

    source: ClassVar[HubDataset]
    #: Dataset families are built at run time from the user's copy of the dataset (see the module docstring).
    has_data_file: ClassVar[bool] = False
    #: The columns holding images (kept out of the rows; `draw_row` reads them from the dataset).
    image_columns: ClassVar[tuple[str, ...]] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "source" in cls.__dict__:
            cls.canonical_size = cls.source.rows

    @abc.abstractmethod
    def item(self, record: dict[str, Any]) -> Item:
        """The item of one dataset record (its non-image columns)."""

    def prepare(self) -> None:
        """Check, before any model call, that what scoring needs is installed (nothing by default)."""

    # ---- rows ---------------------------------------------------------------------------------
    def dataset_rows(self) -> DatasetRows:
        """The rows from the dataset found on this machine, built once per process (DatasetUnavailable if none)."""
        cached = self.__dict__.get("_dataset_rows")
        if cached is None:
            loaded = load_hub_dataset(self.source)
            records = self._records(loaded.dataset)
            rows = tuple(self.to_row(index, self.item(record)) for index, record in enumerate(records))
            cached = self.__dict__["_dataset_rows"] = DatasetRows(rows, loaded, fingerprint_rows(rows))
        return cached

    def _built(self) -> DatasetRows:
        """`dataset_rows`, a dataset missing from this machine raised as DataIntegrityError (its message kept): to
        a score or a verification, rows it cannot build are data it refuses."""
        try:
            return self.dataset_rows()
        except DatasetUnavailable as error:
            raise DataIntegrityError(str(error)) from None

    def installed_rows(self) -> tuple[dict[str, Any], ...]:
        """The rows built from the dataset found on this machine (a dataset family installs no data file)."""
        return self._built().rows

    def installed_fingerprint(self) -> str:
        """The fingerprint of the rows built from the dataset found on this machine."""
        return self._built().fingerprint

    def installed_metadata(self, declared: Mapping[str, Any]) -> dict[str, Any]:
        """The fingerprint of the rows built on this machine (the task YAML cannot know it) and the dataset revision
        the task is pinned to (`dataset_revision` of its YAML's metadata, `declared`)."""
        return {"data_fingerprint": self.installed_fingerprint(), "dataset_revision": declared.get("dataset_revision")}

    def _records(self, dataset: datasets.Dataset) -> list[dict[str, Any]]:
        """The dataset's records without their images, each with the sha256 of its image files as stored
        (`<column>_sha256`), so that the rows' fingerprint covers the pixels."""
        records = dataset.remove_columns(list(self.image_columns)).to_list()
        for column in self.image_columns:
            stored = dataset.cast_column(column, datasets.Image(decode=False))[column]
            for record, entry in zip(records, stored, strict=True):
                payload = entry["bytes"] if entry["bytes"] is not None else Path(entry["path"]).read_bytes()
                record[f"{column}_sha256"] = hashlib.sha256(payload).hexdigest()
        return records

    def canonical_rows(self) -> tuple[dict[str, Any], ...]:
        return self.dataset_rows().rows

    def lmms_eval_dataset(self) -> datasets.Dataset:
        """The rows as the dataset lmms-eval evaluates, with the source's image columns beside them."""
        built = self.dataset_rows()
        table = datasets.Dataset.from_list(list(built.rows))
        if self.image_columns:
            images = built.loaded.dataset.select_columns(list(self.image_columns))
            table = datasets.concatenate_datasets([table, images], axis=1)
        return table

    def generate_items(
        self, seed: int | None = None, size: int | None = None, accept: Callable[[Item], bool] | None = None
    ) -> list[Item]:
        if seed not in (None, self.canonical_seed) or size not in (None, len(self.canonical_rows())):
            raise ValueError(
                f"the {self.name} items are the {self.source.describe()}: there are no other items to generate "
                "(training splits exist only for generated families)"
            )
        records = self._records(self.dataset_rows().loaded.dataset)
        return [item for item in map(self.item, records) if accept is None or accept(item)]

    def draw_row(self, row: dict[str, Any]) -> Image.Image:
        """The picture: drawn from the spec (`draw`), or for photo datasets the row's image."""
        return self.draw(row)

    @abc.abstractmethod
    def draw(self, row: dict[str, Any]) -> Image.Image:
        """The item's picture from its row (and, for photo datasets, the dataset's image of it)."""

    @staticmethod
    def spec(row: dict[str, Any]) -> dict[str, Any]:
        """A row's drawing spec as a dict."""
        return row_json(row, "spec")

    def source_image(self, row: dict[str, Any], column: str = "image") -> Image.Image:
        """The dataset's image of a row: the row's own when lmms-eval hands it over, else looked up by index."""
        image = row.get(column)
        if not isinstance(image, Image.Image):
            image = self.dataset_rows().loaded.dataset[int(row["index"])][column]
        return image.convert("RGB") if image.mode != "RGB" else image

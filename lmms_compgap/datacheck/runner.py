"""Check a family's items in parallel and judge the share whose image agrees with its label."""

from __future__ import annotations

import multiprocessing
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from typing import Any

from tqdm import tqdm

from lmms_compgap.core.item_check import ItemCheck
from lmms_compgap.core.registry import get_family

#: Items per task sent to a worker: large enough to pay Tesseract's start-up once for many images.
CHUNK = 25


@dataclass
class FamilyCheck:
    """The checks of one family's items, in row order, and how long they took."""

    family: str
    items: list[ItemCheck]
    seconds: float
    threshold: float = field(init=False)

    def __post_init__(self) -> None:
        # The lowest agreement (percent) the family passes with, from its declaration (`DataCheck.threshold`).
        declared = get_family(self.family).data_check
        if declared is None:
            raise LookupError(f"the {self.family} family declares no data check")
        self.threshold = declared.threshold

    @property
    def agreeing(self) -> int:
        return sum(item.agrees for item in self.items)

    @property
    def agreement(self) -> float:
        """Percentage of items whose image agrees with the label (100 for no items)."""
        return 100.0 * self.agreeing / len(self.items) if self.items else 100.0

    @property
    def passed(self) -> bool:
        return self.agreement >= self.threshold

    @property
    def disagreements(self) -> list[ItemCheck]:
        return [item for item in self.items if not item.agrees]

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready record: totals, the disagreeing items in full, and every item's measurements."""
        return {
            "family": self.family,
            "items": len(self.items),
            "agreeing": self.agreeing,
            "agreement": round(self.agreement, 2),
            "threshold": self.threshold,
            "passed": self.passed,
            "seconds": round(self.seconds, 1),
            "disagreements": [asdict(item) for item in self.disagreements],
            "checks": [{"uid": item.uid, "agrees": item.agrees, **item.details} for item in self.items],
        }


def _check_chunk(family: str, rows: list[dict[str, Any]]) -> list[ItemCheck]:
    # By name: a spawned worker finds the family (and its checker) through the registry again.
    return get_family(family).check_items(rows)


def check_family(family: str, rows: list[dict[str, Any]], *, workers: int = 2, progress: bool = True) -> FamilyCheck:
    """Check `rows` of `family`, CHUNK items at a time over `workers` processes (in this one when 1)."""
    start = time.perf_counter()
    chunks = [rows[i : i + CHUNK] for i in range(0, len(rows), CHUNK)]
    results: list[list[ItemCheck]] = [[] for _ in chunks]
    with tqdm(total=len(rows), desc=f"check {family}", unit="item", file=sys.stderr, disable=not progress) as bar:
        if workers <= 1 or len(chunks) <= 1:
            for number, chunk in enumerate(chunks):
                results[number] = _check_chunk(family, chunk)
                bar.update(len(chunk))
        else:
            # Spawned, not forked: forking a process that runs threads (tqdm's monitor) is unsafe.
            with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn")) as pool:
                futures = {pool.submit(_check_chunk, family, chunk): number for number, chunk in enumerate(chunks)}
                for future in as_completed(futures):
                    number = futures[future]
                    results[number] = future.result()
                    bar.update(len(chunks[number]))
    items = [item for chunk in results for item in chunk]
    return FamilyCheck(family=family, items=items, seconds=time.perf_counter() - start)

"""Paired statistics for 0/1 item scores: bootstrap intervals, exact McNemar test, Wilson intervals."""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

DEFAULT_RESAMPLES = 10_000
DEFAULT_SEED = 20261123
DEFAULT_CONFIDENCE = 0.95
#: An interval reaching further than this on either side of its estimate (as a proportion: 10 points) says the
#: sample is too small for the estimate to mean anything (a --limit run, a thin slice).
MEANINGFUL_HALF_WIDTH = 0.10
#: Fewer items than this mean too little, however narrow the interval: a bootstrap over 3 items that all agree
#: has a zero-width interval, yet an outcome never seen in n items may still happen up to 3/n of the time (the
#: "rule of three", a 95% upper bound), which exceeds MEANINGFUL_HALF_WIDTH below 30 items.
MEANINGFUL_MIN_N = 30


@dataclass(frozen=True)
class BootstrapParams:
    """How intervals are computed; recorded in submissions so `verify` can reproduce them exactly."""

    resamples: int = DEFAULT_RESAMPLES
    seed: int = DEFAULT_SEED
    confidence: float = DEFAULT_CONFIDENCE

    def rng(self, label: str) -> np.random.Generator:
        """A generator for one comparison: independent streams per label, reproducible from the seed."""
        return np.random.default_rng([self.seed, zlib.crc32(label.encode("utf-8"))])


@dataclass(frozen=True)
class PairedTable:
    """The 2x2 table of two 0/1 scores on the same items: (a right, b right), (a only), (b only), (neither)."""

    both: int
    only_a: int
    only_b: int
    neither: int

    @classmethod
    def from_scores(cls, a: np.ndarray, b: np.ndarray) -> PairedTable:
        a, b = np.asarray(a, dtype=bool), np.asarray(b, dtype=bool)
        if a.shape != b.shape or a.ndim != 1:
            raise ValueError(f"paired scores must be 1-d arrays of one length, got {a.shape} and {b.shape}")
        return cls(int(np.sum(a & b)), int(np.sum(a & ~b)), int(np.sum(~a & b)), int(np.sum(~a & ~b)))

    @property
    def n(self) -> int:
        return self.both + self.only_a + self.only_b + self.neither

    @property
    def accuracy_a(self) -> float:
        return (self.both + self.only_a) / self.n

    @property
    def accuracy_b(self) -> float:
        return (self.both + self.only_b) / self.n


def bootstrap_draws(table: PairedTable, resamples: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Resampled (accuracy of a - accuracy of b, accuracy of b) under a paired bootstrap over items.

    Resampling n items with replacement only changes how many land in each cell of the 2x2 table,
    so the cell counts are drawn from Multinomial(n, cell shares): the same distribution as index
    resampling, in O(resamples) memory.
    """
    n = table.n
    cells = np.array([table.both, table.only_a, table.only_b, table.neither], dtype=float) / n
    counts = rng.multinomial(n, cells, size=resamples)
    accuracy_a = (counts[:, 0] + counts[:, 1]) / n
    accuracy_b = (counts[:, 0] + counts[:, 2]) / n
    return accuracy_a - accuracy_b, accuracy_b


def proportion_draws(successes: int, n: int, resamples: int, rng: np.random.Generator) -> np.ndarray:
    """Resampled proportions of a 0/1 score over n items: resampling items with replacement draws the
    number of successes from Binomial(n, successes / n), so no item arrays are needed."""
    if not 0 <= successes <= n or n == 0:
        raise ValueError(f"need 0 <= successes <= n and n > 0, got {successes} of {n}")
    return rng.binomial(n, successes / n, size=resamples) / n


def percentile_interval(draws: np.ndarray, confidence: float) -> tuple[float, float]:
    """The percentile bootstrap interval of `draws` at `confidence` (e.g. 0.95 -> 2.5th and 97.5th)."""
    tail = (1.0 - confidence) / 2.0
    low, high = np.quantile(draws, [tail, 1.0 - tail])
    return float(low), float(high)


def mcnemar_exact(only_a: int, only_b: int) -> float:
    """Two-sided exact McNemar p-value: a binomial test of the discordant pairs against 1/2."""
    from scipy import stats  # here, not at the top: scipy.stats takes a second to import and `compgap` starts fast

    discordant = only_a + only_b
    if discordant == 0:
        return 1.0
    return min(1.0, float(stats.binomtest(only_b, discordant, 0.5, alternative="two-sided").pvalue))


def wilson_interval(successes: int, n: int, confidence: float = DEFAULT_CONFIDENCE) -> tuple[float, float]:
    """Wilson score interval of a proportion (well behaved at 0 and 1, unlike the normal one)."""
    from scipy import stats

    if n == 0:
        return (float("nan"), float("nan"))
    interval = stats.binomtest(successes, n).proportion_ci(confidence_level=confidence, method="wilson")
    return float(interval.low), float(interval.high)


def too_wide(interval: Sequence[float] | None, n: int | None = None) -> bool:
    """Whether an estimate over `n` items with this interval is too uncertain to conclude anything: the interval's
    half-width exceeds MEANINGFUL_HALF_WIDTH, or n is below MEANINGFUL_MIN_N (a degenerate interval, e.g. all items
    alike, is narrow only because so few were seen)."""
    if interval is None:
        return False
    return (interval[1] - interval[0]) / 2 > MEANINGFUL_HALF_WIDTH or (n is not None and n < MEANINGFUL_MIN_N)


def contrast_draws(
    scores: np.ndarray, weights: np.ndarray | list[float], resamples: int, rng: np.random.Generator
) -> np.ndarray:
    """Resampled weighted sums of column accuracies under a paired bootstrap over items (rows).

    `scores` is items x columns of 0/1 scores on the same items (e.g. cascade and direct before and after
    fine-tuning); weights (1, -1, -1, 1) give the change of the gap. As in `bootstrap_draws`, resampling
    items only changes how many land on each distinct row of scores, so those counts are drawn from a
    multinomial: the same distribution as index resampling, in O(resamples x patterns) memory.
    """
    patterns, drawn, n = _pattern_draws(scores, len(weights), resamples, rng)
    return drawn @ (patterns @ np.asarray(weights, dtype=float)) / n


def column_mean_draws(scores: np.ndarray, resamples: int, rng: np.random.Generator) -> np.ndarray:
    """Resampled column means (resamples x columns) of items x columns 0/1 scores under a paired bootstrap over
    items, drawn as `contrast_draws` draws them: for statistics of several columns that are no weighted sum."""
    scores = np.asarray(scores)
    patterns, drawn, n = _pattern_draws(scores, scores.shape[1] if scores.ndim == 2 else 0, resamples, rng)
    return drawn @ patterns / n


def _pattern_draws(
    scores: np.ndarray, columns: int, resamples: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, int]:
    """The distinct rows of `scores`, how many times each lands in every resample of the items, and n."""
    scores = np.asarray(scores, dtype=np.int8)
    if scores.ndim != 2 or scores.shape[0] == 0 or scores.shape[1] != columns or columns == 0:
        raise ValueError(f"scores must be items x {columns} columns, got shape {scores.shape}")
    patterns, counts = np.unique(scores, axis=0, return_counts=True)
    n = scores.shape[0]
    return patterns, rng.multinomial(n, counts / n, size=resamples), n

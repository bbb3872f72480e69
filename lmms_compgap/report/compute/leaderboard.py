"""The leaderboard's entries: each verified submission's standing and estimates, placed by the rule of ranking.py."""

from __future__ import annotations

import itertools
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lmms_compgap.report.compute.agreement import mean_agreement
from lmms_compgap.report.compute.estimates import EntryEstimates, Estimate, composed_lead, entry_estimates
from lmms_compgap.report.compute.gap import family_summaries
from lmms_compgap.report.compute.ranking import PARTIAL_EXCLUDED, Standing, ranks, standing
from lmms_compgap.report.compute.stats import BootstrapParams

if TYPE_CHECKING:  # entries are made from verified submissions; nothing here reads one
    from lmms_compgap.report.submissions.verify import VerifiedSubmission

GAP = ("cascade_vs_direct", "flexible")
#: The pair of settings whose agreement the optional column shows (SEAM's language vs vision).
AGREEMENT_COLUMN = "direct_vs_language"


def coverage(verified: VerifiedSubmission) -> str:
    """Either "complete" or "partial" with the items per family."""
    if not verified.partial:
        return "complete"
    counts = ", ".join(f"{family} n={n}" for family, n in sorted(verified.n_items.items()))
    return f"partial ({counts})"


@dataclass
class Entry:
    """One verified submission with the numbers the leaderboard shows (all recomputed by verification)."""

    verified: VerifiedSubmission
    label: str
    standing: Standing
    estimates: EntryEstimates
    families: dict[str, dict[str, Any]]
    aggregates: dict[str, dict[str, Any]]
    rank: int | None = None
    tied: bool = False
    lead: Estimate | None = None
    #: The agreement of the direct and language answers, mean over families (`compgap leaderboard --agreement`).
    agreement: Estimate | None = None

    @property
    def coverage(self) -> str:
        return coverage(self.verified)

    @property
    def rank_text(self) -> str:
        """The rank, `=` when shared; or why the entry is not ranked."""
        if self.rank is None:
            return "listed apart"
        return f"{self.rank}=" if self.tied else str(self.rank)


@dataclass
class Leaderboard:
    """`ranked` in rank order; `unranked`: listed apart, below them (each entry's standing says why); `pipelines`:
    entries of two models (step 1 and step 2), listed apart and never ranked among single models; `rejected`: files
    that failed verification, with the reason; `not_verified`: files this machine cannot check to the end (a public
    dataset they need is not here), with the reason."""

    params: BootstrapParams = field(default_factory=BootstrapParams)
    ranked: list[Entry] = field(default_factory=list)
    unranked: list[Entry] = field(default_factory=list)
    pipelines: list[Entry] = field(default_factory=list)
    rejected: list[tuple[Path, str]] = field(default_factory=list)
    not_verified: list[tuple[Path, str]] = field(default_factory=list)
    #: Whether the entries show the agreement column (`--agreement`); without it the board is as it always was.
    agreement: bool = False


def finetuned_marker(training: dict[str, Any] | None) -> str:
    """What a model fine-tuned on compgap training data carries after its name (nothing otherwise)."""
    return f" [fine-tuned on compgap data {training['data_fingerprint'][:15]}…]" if training else ""


def make_entry(
    verified: VerifiedSubmission, params: BootstrapParams, include_partial: bool = False, agreement: bool = False
) -> Entry:
    """Recompute everything the board shows with the board's statistics (one confidence level for all); with
    `agreement`, also the direct vs language agreement, from the answers verification extracted again."""
    summaries = family_summaries(verified.scores, params)
    excluded = None
    if verified.partial and not include_partial:
        excluded = f"{coverage(verified)}: {PARTIAL_EXCLUDED}"
    return Entry(
        verified=verified,
        label=verified.model_name + finetuned_marker(verified.training),
        standing=standing(verified.scores, excluded),
        estimates=entry_estimates(verified.scores, params),
        families={family: summary["comparisons"][GAP[0]][GAP[1]] for family, summary in summaries.items()},
        aggregates=summaries,
        agreement=mean_agreement(verified.scores, params, AGREEMENT_COLUMN) if agreement else None,
    )


def place_entries(board: Leaderboard, entries: list[Entry]) -> None:
    """Rank the entries of single models by the rule (ranking.py), list the others apart, and give each ranked entry
    its lead; pipelines are listed apart, in the same order, unranked (a pair of models is not one model's rank)."""
    singles = [entry for entry in entries if entry.verified.pipeline is None]
    for entry, rank in zip(singles, ranks([entry.standing for entry in singles]), strict=True):
        entry.rank = rank
    listed = sorted(entries, key=lambda entry: (entry.label, entry.verified.path.name))
    listed.sort(key=lambda entry: entry.standing.placement(), reverse=True)  # stable: names order only equals
    board.pipelines = [entry for entry in listed if entry.verified.pipeline is not None]
    board.ranked = [entry for entry in listed if entry.rank is not None]
    board.unranked = [entry for entry in listed if entry.rank is None and entry.verified.pipeline is None]
    shared = Counter(entry.rank for entry in board.ranked)
    for entry in board.ranked:
        entry.tied = shared[entry.rank] > 1
    for ahead, behind in itertools.pairwise(board.ranked):
        label = f"{ahead.verified.path.name}|{behind.verified.path.name}"
        ahead.lead = composed_lead(ahead.verified.scores, behind.verified.scores, board.params, label)

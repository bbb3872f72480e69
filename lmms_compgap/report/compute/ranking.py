"""The leaderboard's ranking rule: composed accuracy, which entries are listed apart, and the order.

The rule uses point values of the re-scored items only (never intervals, never other entries), so
that it is monotone: a response made worse can only lower its entry. The argument is written out in
docs/submissions.md ("Ranking rule"); tests/report/test_leaderboard_ranking.py checks it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from lmms_compgap.core.registry import paper_family_names
from lmms_compgap.report.compute.gap import SettingScores
from lmms_compgap.report.compute.scores import ItemScore

#: The score every ranked quantity uses: a model is not ranked on answer formatting.
SCORE = "flexible"
#: An entry that shows both skills on a smaller share of the items (mean over families) is listed apart.
MIN_SKILLED = 0.10
#: Why a partial submission is listed apart (unless the board is built with --include-partial).
PARTIAL_EXCLUDED = "partial submissions are ranked only with --include-partial"
#: Values are compared rounded to this many decimals (they are means of ratios of counts: this absorbs float
#: rounding, and nothing real is that close).
DECIMALS = 12

RANKING_RULE = (
    "Ranked by composed accuracy: the share of items that a model answers right directly (image and question in "
    "one call) and on which it has shown both skills, that is, its own two-step cascade answered the item right "
    "from a usable step-1 output, or its vision output for the item is usable and its language answer (the "
    "problem given the gold intermediate) is right. Flexible score, averaged over the paper's task families (other "
    "families are shown in their own columns, not ranked), highest "
    "first; equal values share a rank (listed by direct accuracy, then by the mean accuracy over all five "
    f"settings). Entries that show both skills on fewer than {100 * MIN_SKILLED:.0f}% of "
    "the items (mean over families) are listed apart, unranked, with the reason, below every ranked entry; so are "
    "partial submissions unless the board is built with --include-partial."
)

RATIONALE: tuple[str, ...] = (
    "Only composition of skills the model has earns credit: a right direct answer counts where the model can also "
    "do both steps. A model without the skills composes nothing, so it cannot rank above one that has them and "
    "composes any of them.",
    "Among models with the same skills, the one that loses fewer items by answering directly instead of step by "
    "step ranks higher: with the skilled items fixed, composed accuracy is skilled share minus that loss.",
    "Sandbagging cannot pay: answering the cascade, vision or language prompts worse can only remove items from "
    "the skilled set, so composed accuracy, the listing-apart test and the rank can only fall, and no entry's "
    "place depends on another entry's numbers. The gap (cascade − direct), which the board used to rank by, "
    "shrinks when a model makes its own cascade worse: it is shown, not ranked.",
    "Composing well relative to one's skills (composed ÷ skilled, or direct accuracy over a skill ceiling) is not "
    "ranked because lowering the ceiling raises it; no rule can reward that ratio and resist sandbagging (see "
    "docs/submissions.md). The ratio is given in the 'why' column, for reading.",
)

LIMITS: tuple[str, ...] = (
    "Direct answers that are right on items where the model's skills do not show (it reads a picture better in one "
    "call than when asked to transcribe it, or it guesses) earn no rank credit; the view by direct accuracy counts "
    "them.",
    "Composed accuracy is at most the skilled share: a model with weaker skills ranks below a stronger one that "
    "answers more items directly, even if it composes everything it can. The rank counts composed items, not "
    "efficiency.",
    "The skill controls are the model's own answers: failing them on purpose loses rank, never gains it; but a "
    "submission cannot prove who wrote its responses (submissions are not signed).",
    "Ranks within overlapping intervals are not significant; the 'lead' column gives the paired interval of the "
    "difference to the next entry. Intervals are shown, never used to place an entry.",
    f"The {100 * MIN_SKILLED:.0f}% threshold for listing apart is a convention: below it, an entry's rank would "
    "say it lacks the skills, not how it composes them.",
)


def _right(score: ItemScore | None) -> bool:
    return score is not None and bool(score.score(SCORE))


def _usable(score: ItemScore | None) -> bool:
    return score is not None and bool(score.usable)


def setting_hits(items: Mapping[str, ItemScore], setting: str) -> list[int]:
    """0/1 per item of one setting: the vision output usable, or the answer right."""
    return [int(_usable(score)) if setting == "vision" else int(_right(score)) for score in items.values()]


def composition_items(settings: SettingScores) -> tuple[np.ndarray, np.ndarray]:
    """Per item of the direct setting (sorted by uid): `skilled`, both skills shown (cascade right from a usable
    step 1, or vision usable and language right), and `composed`, skilled and answered right directly."""
    direct = settings["direct"]
    cascade, vision, language = (settings.get(name) or {} for name in ("cascade", "vision", "language"))
    uids = sorted(direct)
    skilled = np.array(
        [
            (_right(cascade.get(uid)) and _usable(cascade.get(uid)))
            or (_usable(vision.get(uid)) and _right(language.get(uid)))
            for uid in uids
        ],
        dtype=bool,
    )
    return skilled, skilled & np.array([_right(direct[uid]) for uid in uids], dtype=bool)


@dataclass(frozen=True)
class Standing:
    """What the rule reads of an entry: point values (means over families; `overall` also over the five settings)
    and why it is listed apart (None: ranked)."""

    composed: float
    skilled: float
    direct: float
    overall: float
    apart: str | None = None

    def placement(self) -> tuple[bool, float, float, float]:
        """Higher is listed higher: every ranked entry above every entry listed apart, then by composed accuracy;
        equal composed accuracies (one shared rank) by direct accuracy, then by `overall`."""
        return (self.apart is None, *(round(value, DECIMALS) for value in (self.composed, self.direct, self.overall)))


def standing(scores: Mapping[str, SettingScores], excluded: str | None = None) -> Standing:
    """An entry's standing from its re-scored items (family -> setting -> uid -> score) of the paper's families
    (the `compgap` group; other families are shown in their own columns, not ranked); `excluded` is a reason
    to list it apart that is not about skills (a partial submission)."""
    paper = set(paper_family_names())
    scores = {family: settings for family, settings in scores.items() if family in paper}
    if not scores:
        return Standing(0.0, 0.0, 0.0, 0.0, "; ".join(filter(None, [excluded, "none of the paper's task families"])))
    items = [composition_items(settings) for _, settings in sorted(scores.items())]
    skilled = float(np.mean([family_skilled.mean() for family_skilled, _ in items]))
    composed = float(np.mean([family_composed.mean() for _, family_composed in items]))
    direct = float(np.mean([np.mean(setting_hits(settings["direct"], "direct")) for settings in scores.values()]))
    overall = float(
        np.mean(
            [
                np.mean([np.mean(setting_hits(items, name)) for name, items in settings.items() if items])
                for settings in scores.values()
            ]
        )
    )
    reasons = [excluded] if excluded else []
    if skilled < MIN_SKILLED:
        reasons.append(
            f"both skills shown on {100 * skilled:.1f}% of the items, under {100 * MIN_SKILLED:.0f}%: "
            "too few to measure how it composes them"
        )
    return Standing(composed, skilled, direct, overall, "; ".join(reasons) or None)


def ranks(standings: Sequence[Standing]) -> list[int | None]:
    """Competition ranks: 1 + the number of ranked entries with a higher composed accuracy (equal ones share a
    rank); None for entries listed apart."""
    composed = [entry.composed for entry in standings if entry.apart is None]
    return [None if entry.apart else competition_place(composed, entry.composed)[0] for entry in standings]


def competition_place(values: Sequence[float], value: float) -> tuple[int, bool]:
    """`value`'s competition place among `values` (1 + how many are higher), and whether another value equals it."""
    mine = round(value, DECIMALS)
    rounded = [round(other, DECIMALS) for other in values]
    return 1 + sum(other > mine for other in rounded), rounded.count(mine) > 1


def explain(entry: Standing) -> str:
    """Why the entry stands where it does, in words."""
    if entry.apart:
        return f"listed apart: {entry.apart}"
    share = entry.composed / entry.skilled
    text = (
        f"shows both skills on {100 * entry.skilled:.1f}% of the items and answers {100 * share:.0f}% of those "
        "right directly"
    )
    uncredited = entry.direct - entry.composed
    if uncredited >= 0.0005:
        text += f"; {100 * uncredited:.1f} points of direct accuracy on items without both skills shown (not credited)"
    return text

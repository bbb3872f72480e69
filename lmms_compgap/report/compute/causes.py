"""Where the gap comes from: the why settings (cascadeimage, twoturn) against the cascade and direct settings.

The cascade changes two things at once: it makes the intermediate explicit, and it takes the picture away from the
reasoning step. The cascade with the picture (`cascadeimage`) changes only the first, so on the items all three
settings answered the gap splits exactly into (cascade − cascadeimage), what having the picture in view while
reasoning costs, and (cascadeimage − direct), what making the intermediate explicit gains. Two turns of one chat
(`twoturn`) is how a user would ask: against direct it says whether a user can work around the gap, against the
cascade how much of the cascade's gain a conversation keeps. Every difference is the report's paired comparison
(`gap.paired_comparison`: paired bootstrap interval, exact McNemar test) under the flexible score.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lmms_compgap.core.settings import WHY_SETTINGS
from lmms_compgap.report.compute.gap import SettingScores, paired_comparison, setting_summary
from lmms_compgap.report.compute.stats import BootstrapParams, too_wide

#: name -> (a, b): each row is accuracy(a) − accuracy(b) on the items both settings answered, in the table's order.
CAUSE_COMPARISONS: dict[str, tuple[str, str]] = {
    "cascade_vs_cascadeimage": ("cascade", "cascadeimage"),
    "cascadeimage_vs_direct": ("cascadeimage", "direct"),
    "twoturn_vs_direct": ("twoturn", "direct"),
    "twoturn_vs_cascade": ("twoturn", "cascade"),
}
#: The score the rows compare (a difference under the strict score only would be a formatting effect).
CAUSE_SCORE = "flexible"


def cause_label(family: str, comparison: str) -> str:
    """Names the random stream of one row (disjoint from the gap's `family/comparison/score` streams)."""
    return f"{family}/why/{comparison}/{CAUSE_SCORE}"


def direction(result: Mapping[str, Any]) -> str:
    """What a row shows: "higher" or "lower" (a above or below b, the interval excluding zero), "none" (the interval
    holds zero), or "unclear" (too few items, or an interval too wide to conclude: `stats.too_wide`)."""
    low, high = result["ci"]
    if too_wide(result["ci"], result["n"]):
        return "unclear"
    if low > 0:
        return "higher"
    if high < 0:
        return "lower"
    return "none"


def family_causes(family: str, settings: SettingScores, params: BootstrapParams) -> dict[str, Any] | None:
    """The why settings' summaries and each comparison of CAUSE_COMPARISONS whose two settings this family holds;
    None when it holds no why setting."""
    if not any(setting in settings for setting in WHY_SETTINGS):
        return None
    comparisons = {
        name: result
        for name, (a, b) in CAUSE_COMPARISONS.items()
        if a in settings
        and b in settings
        and (
            result := paired_comparison(
                settings[a], settings[b], (a, b), CAUSE_SCORE, params, cause_label(family, name)
            )
        )
        is not None
    }
    return {
        "settings": {setting: setting_summary(settings[setting]) for setting in WHY_SETTINGS if setting in settings},
        "comparisons": comparisons,
    }

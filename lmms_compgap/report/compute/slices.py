"""The gap sliced by the difficulty attributes recorded per item (steps, font, objects, cards, ...)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping
from typing import Any

from lmms_compgap.core.settings import ANSWER_SETTINGS
from lmms_compgap.report.compute.gap import SettingScores, paired_comparison, paired_scores
from lmms_compgap.report.compute.stats import BootstrapParams

#: Attributes with at most this many distinct values are sliced by value; others are grouped.
MAX_VALUES = 8
#: Numeric attributes with more values are cut into this many groups of about equal size.
NUMERIC_GROUPS = 4
OTHER = "other"


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _numeric_groups(values: Mapping[str, float]) -> dict[str, list[str]]:
    """Consecutive value ranges holding about equal numbers of items (a value is never split)."""
    counts = sorted(Counter(values.values()).items())
    target = len(values) / NUMERIC_GROUPS
    ranges: list[list[float]] = [[]]
    seen = 0
    for value, count in counts:
        if ranges[-1] and seen >= target * len(ranges):
            ranges.append([])
        ranges[-1].append(value)
        seen += count
    groups: dict[str, list[str]] = {}
    for members in ranges:
        low, high = members[0], members[-1]
        label = f"{low:g}" if low == high else f"{low:g}-{high:g}"
        wanted = set(members)
        groups[label] = sorted(uid for uid, value in values.items() if value in wanted)
    return groups


def _typed(value: Any) -> tuple[str, Any]:
    """A value with its type: 1, 1.0, "1" and True are different values here (Python finds 1 == True)."""
    kind = "bool" if isinstance(value, bool) else "number" if _is_number(value) else type(value).__name__
    return kind, value


def _label(key: tuple[str, Any], clash: bool) -> str:
    """A group's label: the value as text; when two values would read alike ("1" and 1), as JSON ("1", 1)."""
    kind, value = key
    if not clash:
        return str(value)
    if kind in ("bool", "str", "NoneType"):
        return json.dumps(value)
    return f"{value:g}" if kind == "number" else str(value)


def _value_groups(values: Mapping[str, Any]) -> dict[str, list[str]]:
    """One group per value (of its own type); beyond MAX_VALUES, the most frequent ones and `other`."""
    typed = {uid: _typed(value) for uid, value in values.items()}
    frequency = Counter(typed.values())
    keep = {key for key, _ in frequency.most_common(MAX_VALUES - 1)} if len(frequency) > MAX_VALUES else set(frequency)
    ordered = sorted(keep, key=lambda key: (key[0] != "number", key[0], key[1] if key[0] == "number" else str(key[1])))
    texts = Counter(str(key[1]) for key in ordered)
    clash = any(count > 1 for count in texts.values()) or OTHER in texts
    groups = {_label(key, clash): sorted(uid for uid, other in typed.items() if other == key) for key in ordered}
    rest = sorted(uid for uid, key in typed.items() if key not in keep)
    if rest:
        groups[OTHER] = rest
    return groups


def attribute_groups(settings: SettingScores) -> dict[str, dict[str, list[str]]]:
    """attribute -> group label -> uids, over every item of the family with that (scalar) attribute."""
    by_attribute: dict[str, dict[str, Any]] = {}
    for items in settings.values():
        for uid, item in items.items():
            for name, value in item.attributes.items():
                if value is None or isinstance(value, (str, int, float, bool)):
                    by_attribute.setdefault(name, {})[uid] = value
    groups: dict[str, dict[str, list[str]]] = {}
    for name in sorted(by_attribute):
        values = by_attribute[name]
        distinct = {_typed(value) for value in values.values()}
        if len(distinct) > MAX_VALUES and all(kind == "number" for kind, _ in distinct):
            groups[name] = _numeric_groups(values)
        else:
            groups[name] = _value_groups(values)
    return groups


def slice_rows(family: str, settings: SettingScores, params: BootstrapParams) -> list[dict[str, Any]]:
    """One row per attribute group: accuracies and the gap with its interval (flexible score), the strict gap."""
    if "direct" not in settings or "cascade" not in settings:
        return []
    rows = []
    for attribute, groups in attribute_groups(settings).items():
        for label, uids in groups.items():
            subset = {setting: {uid: items[uid] for uid in uids if uid in items} for setting, items in settings.items()}
            flexible = paired_comparison(
                subset["cascade"],
                subset["direct"],
                ("cascade", "direct"),
                "flexible",
                params,
                f"{family}/slice/{attribute}={label}",
            )
            if flexible is None:
                continue
            strict_cascade, strict_direct = paired_scores(subset["cascade"], subset["direct"], "strict")
            row: dict[str, Any] = {"family": family, "attribute": attribute, "value": label, "n": flexible["n"]}
            for setting in ANSWER_SETTINGS:
                items = subset.get(setting)
                row[setting] = sum(item.correct for item in items.values()) / len(items) if items else None
            row.update(
                gap=flexible["gap"],
                ci=flexible["ci"],
                mcnemar_p=flexible["mcnemar_p"],
                strict_gap=float(strict_cascade.mean() - strict_direct.mean()),
            )
            rows.append(row)
    return rows

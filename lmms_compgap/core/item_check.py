"""What checking one item yields: whether its image agrees with its label, and what the tool read."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ItemCheck:
    """One item's check: `read` is what the independent tool read from the image, `gold` what the row says.

    `note` says in one line where they differ (empty when they agree); `details` holds the family's
    measurements (CER, per-card reads, per-category counts, ...), JSON-ready.
    """

    uid: str
    agrees: bool
    read: str
    gold: str
    note: str = ""
    details: dict[str, Any] = field(default_factory=dict)

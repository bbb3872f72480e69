"""Check spoken word problems: PocketSphinx hears each clip, and the number it hears at each number of the problem
must be the gold one (`datacheck.sphinx`: a grammar of the gold text whose numbers are free choices)."""

from __future__ import annotations

from typing import Any

from lmms_compgap.core.item_check import ItemCheck
from lmms_compgap.datacheck import sphinx

from .family import Spoken

#: Pronunciations (CMU ARPAbet) of the problems' words that PocketSphinx's dictionary lacks: five names.
EXTRA_WORDS: dict[str, str] = {
    "aitor": "AY T AO R",
    "farid": "F AA R IY D",
    "nerea": "N EH R EY AH",
    "nikhil": "N IH K IH L",
    "yara": "Y AA R AH",
}


def check_spoken(rows: list[dict[str, Any]]) -> list[ItemCheck]:
    """Hear every row's clip and compare the numbers heard with the numbers of the row's gold text."""
    family, decode = Spoken(), sphinx.decoder()
    return [compare(row, sphinx.hear(decode, family.speak_row(row), row["intermediate"], EXTRA_WORDS)) for row in rows]


def compare(row: dict[str, Any], heard: sphinx.Heard) -> ItemCheck:
    """The verdict on one item: every number heard as the gold one, in order."""
    gold = sphinx.spoken_numbers(row["intermediate"])
    agrees = bool(heard.hypothesis) and heard.numbers == gold
    if agrees:
        note = ""
    elif not heard.hypothesis:
        note = "the clip does not fit the problem's text at all (no hypothesis)"
    else:
        wrong = [
            f"{got or '(nothing)'!r} for {want!r}"
            for got, want in zip(heard.numbers, gold, strict=False)
            if got != want
        ]
        note = "numbers heard wrong: " + ", ".join(wrong)
    details = {"numbers_heard": heard.numbers, "numbers_gold": gold}
    return ItemCheck(
        uid=row["uid"], agrees=agrees, read=heard.hypothesis, gold=row["intermediate"], note=note, details=details
    )

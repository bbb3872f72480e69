"""Check rendered word problems: Tesseract reads each image, and its text is compared with the gold text."""

from __future__ import annotations

import difflib
import json
import re
from typing import Any

from lmms_compgap import scoring
from lmms_compgap.core.item_check import ItemCheck
from lmms_compgap.datacheck import tesseract
from lmms_compgap.families.mathtext.drawing import draw_page

#: Agreement needs every number read, in order; at most this character error rate; and at most
#: MAX_CONTENT_ERRORS letters or digits wrong once case, spaces and punctuation are ignored. Tesseract's slips on
#: this clean text are nearly all of the ignored kinds ("ina" for "in a" at a line end, "Many" for "many" in
#: DejaVu Sans Mono, a line-final full stop dropped): over the canonical split its CER stays below 0.015 and it
#: gets one letter wrong in one item of 1,000 (docs/data_check.md). A dropped or clipped line costs far more
#: than 0.03, and any changed word more than one letter.
MAX_CER = 0.03
MAX_CONTENT_ERRORS = 1
#: Page segmentation mode 6: one uniform block of text (the whole image is the problem).
PSM = 6
_NUMBER = re.compile(r"\d+")
_NOT_CONTENT = re.compile(r"[^0-9a-z]+")


def check_mathtext(rows: list[dict[str, Any]]) -> list[ItemCheck]:
    """Read every row's image with Tesseract and compare the text with the row's gold transcription."""
    pages = tesseract.read_images([draw_page(json.loads(row["spec"])).convert("L") for row in rows], psm=PSM)
    return [compare_text(row, tesseract.page_text(words)) for row, words in zip(rows, pages, strict=True)]


def compare_text(row: dict[str, Any], read: str) -> ItemCheck:
    """The verdict on one item, given the text read from its image."""
    gold = row["intermediate"]
    read = scoring.normalize_text(read)
    cer = scoring.character_error_rate(read, gold)
    numbers_read, numbers_gold = _NUMBER.findall(read), _NUMBER.findall(gold)
    numbers_in_order = numbers_read == numbers_gold
    content_errors = scoring.edit_distance(_content(read), _content(gold))
    agrees = numbers_in_order and cer <= MAX_CER and content_errors <= MAX_CONTENT_ERRORS
    details: dict[str, Any] = {
        "cer": round(cer, 5),
        "content_errors": content_errors,
        "numbers_in_order": numbers_in_order,
    }
    note = ""
    if not agrees:
        details.update(numbers_read=numbers_read, numbers_gold=numbers_gold)
        note = (
            f"CER {cer:.3f}, {content_errors} letters/digits wrong, numbers read {numbers_read} gold {numbers_gold}; "
            f"{word_changes(read, gold)}"
        )
    return ItemCheck(uid=row["uid"], agrees=agrees, read=read, gold=gold, note=note, details=details)


def _content(text: str) -> str:
    """Letters and digits only, case-folded: what a reader needs, without the spacing, case and punctuation."""
    return _NOT_CONTENT.sub("", scoring.normalize_text(text).casefold())


def word_changes(read: str, gold: str, limit: int = 6) -> str:
    """The words that differ, as `read -> gold` pairs (at most `limit`)."""
    read_words, gold_words = read.split(), scoring.normalize_text(gold).split()
    changes = [
        f"{' '.join(read_words[a:b]) or '(nothing)'!r} -> {' '.join(gold_words[c:d]) or '(nothing)'!r}"
        for tag, a, b, c, d in difflib.SequenceMatcher(a=read_words, b=gold_words, autojunk=False).get_opcodes()
        if tag != "equal"
    ]
    more = f" and {len(changes) - limit} more" if len(changes) > limit else ""
    return ("words read -> gold: " + ", ".join(changes[:limit]) + more) if changes else "same words"

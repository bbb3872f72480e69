"""Scoring a transcription (the visual step of rendered-problem families) against the text in the picture."""

from __future__ import annotations

import re
from collections.abc import Callable

from lmms_compgap import scoring
from lmms_compgap.core.family import IntermediateScore

#: A transcription is usable when every number survived, in order, and at most this share of characters is wrong.
USABLE_CER = 0.1
_NUMBER = re.compile(r"[0-9]+")


def score_transcription(
    response: str, gold: str, key: Callable[[str], str] = scoring.normalize_text
) -> IntermediateScore:
    """Exact match and CER of a transcription after `key` (default `scoring.normalize_text`: quotes, dashes,
    Unicode forms and whitespace runs normalised); `usable` when it is exact, or keeps every number of the gold
    text in order with a CER of at most `USABLE_CER` (enough to solve the problem from it)."""
    hypothesis, reference = key(scoring.strip_thinking(response)), key(gold)
    cer = scoring.character_error_rate(hypothesis, reference)
    exact = int(hypothesis == reference)
    numbers_kept = _NUMBER.findall(hypothesis) == _NUMBER.findall(reference)
    usable = int(exact or (numbers_kept and cer <= USABLE_CER))
    return IntermediateScore(exact=exact, score=max(0.0, 1.0 - cer), usable=usable, details={"cer": cer})

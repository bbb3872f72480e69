"""Where a response takes back what it said: "No wait, that is wrong", "I miscounted", "let me recheck"."""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Cue", "retraction_cues"]

# Saying outright that what came before is wrong: the earlier answer no longer stands, even if nothing replaces it.
_STRONG = (
    r"\b(?:that|this|it|which|my\s+(?:previous\s+|last\s+|first\s+|earlier\s+|above\s+)?answer"
    r"|the\s+(?:above|previous|earlier|first)\s+(?:answer|count|result|total))"
    r"(?:'s|\s+is|\s+was)\s+(?:(?:actually|clearly|definitely)\s+)?"
    r"(?:wrong|incorrect|not\s+(?:right|correct)|a\s+mistake|an\s+error|a\s+typo)\b"
    r"|\bI\s+(?:made|have\s+made)\s+(?:a|an)\s+(?:mistake|error|typo)\b"
    r"|\bI\s+(?:mis-?counted|mis-?calculated|misread|mis-?added)\b"
    r"|\bscratch\s+that\b|\bcorrection\s*:|\bmy\s+(?:mistake|bad)\b"
    r"|\bignore\s+(?:that|this|the\s+above|my\s+(?:previous\s+|last\s+)?answer)\b"
)
# Second thoughts: the earlier answer stands unless what follows states another one.
_WEAK = (
    r"\bwait\b|\bhold\s+on\b|\bon\s+second\s+thoughts?\b|\boops\b|\bhmm+\b"
    r"|(?:^|(?<=[.!?\n]))[ \t]*(?:no|nope|actually)[ \t]*[,.!:\u2014]"
)
# Checking the work: the earlier answer stands unless the check concludes another value; its working is no answer.
_CHECK = (
    r"\b(?:let\s+me|let's|let\s+us)\s+(?:re-?(?:check|count|calculate|compute|verify|consider|think|do|read|examine"
    r"|evaluate)|double[- ]?check|cross[- ]?check|check|verify|confirm|count\s+again|try\s+again|make\s+sure)\b"
    r"|\b(?:double[- ]?|cross[- ]?|re-?)?checking\b|\bto\s+(?:verify|double[- ]?check|check|confirm|be\s+sure)\b"
    r"|\bverif(?:y|ying|ication)\s*:|\bsanity\s+check\b|\b(?:double|cross)[- ]?check\b"
)
_CUE_RE = re.compile(rf"(?P<strong>{_STRONG})|(?P<weak>{_WEAK})|(?P<check>{_CHECK})", re.IGNORECASE | re.MULTILINE)


@dataclass(frozen=True)
class Cue:
    """One place where a response reconsiders: ``strong`` when it says the earlier answer is wrong, ``check`` when
    it sets out to check its work ("let me double-check")."""

    start: int
    end: int
    strong: bool
    check: bool = False


def retraction_cues(text: str, start: int = 0) -> list[Cue]:
    """Every retraction cue in ``text`` from ``start`` on, in order. Linear time (one regex pass, no nested
    repetition)."""
    return [
        Cue(m.start(), m.end(), m.group("strong") is not None, m.group("check") is not None)
        for m in _CUE_RE.finditer(text, start)
    ]

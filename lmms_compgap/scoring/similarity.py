"""How close an intermediate is to the gold one: transcription normalisation, edit distance, CER, multiset F1."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from lmms_compgap.scoring.text import prepare_for_reading

__all__ = ["character_error_rate", "edit_distance", "multiset_f1", "normalize_text"]

_TEXT_TABLE = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u00b4": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u2033": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2015": "-",
        "\u2212": "-",
        "\u00ad": None,
        "\u200b": None,
        "\u200c": None,
        "\u200d": None,
        "\u2060": None,
        "\ufeff": None,
    }
)
_WHITESPACE_RE = re.compile(r"\s+")
# A hypothesis longer than this is cut before the edit distance, the rest counted as deletions.
_HYP_CAP_FACTOR = 4
_HYP_CAP_SLACK = 100


def normalize_text(text: str, *, casefold: bool = False) -> str:
    """Normalise a transcription for comparison: typographic quotes to ``'``/``"``, dashes and the minus sign
    to ``-``, then `prepare_for_reading` (format characters such as zero-width spaces and soft hyphens removed,
    NFKC: full-width forms, ligatures, ``…`` -> ``...``; digits of every script as ASCII digits), every run of
    whitespace (newlines included) to one space, stripped. Case is kept unless
    ``casefold``."""
    s = prepare_for_reading(text.translate(_TEXT_TABLE)).translate(_TEXT_TABLE)
    s = _WHITESPACE_RE.sub(" ", s).strip()
    return s.casefold() if casefold else s


def edit_distance(a: str, b: str) -> int:
    """Exact Levenshtein distance (unit-cost insertions, deletions, substitutions) between two strings.

    Myers/Hyyrö bit-parallel algorithm on Python integers: O(len(a) * len(b) / word size) time, O(len(b)) memory,
    after trimming the common prefix and suffix.
    """
    start = 0
    limit = min(len(a), len(b))
    while start < limit and a[start] == b[start]:
        start += 1
    end_a, end_b = len(a), len(b)
    while end_a > start and end_b > start and a[end_a - 1] == b[end_b - 1]:
        end_a -= 1
        end_b -= 1
    a, b = a[start:end_a], b[start:end_b]
    if len(a) < len(b):
        a, b = b, a
    m = len(b)
    if m == 0:
        return len(a)
    peq: dict[str, int] = {}
    for i, ch in enumerate(b):
        peq[ch] = peq.get(ch, 0) | (1 << i)
    mask = (1 << m) - 1
    high = 1 << (m - 1)
    pv, mv, score = mask, 0, m
    for ch in a:
        eq = peq.get(ch, 0)
        xv = eq | mv
        xh = ((((eq & pv) + pv) & mask) ^ pv) | eq
        ph = mv | (~(xh | pv) & mask)
        mh = pv & xh
        if ph & high:
            score += 1
        elif mh & high:
            score -= 1
        ph = ((ph << 1) | 1) & mask
        mh = (mh << 1) & mask
        pv = mh | (~(xv | ph) & mask)
        mv = ph & xv
    return score


def character_error_rate(hypothesis: str, reference: str, *, casefold: bool = False) -> float:
    """Character error rate: Levenshtein distance / reference length, both sides `normalize_text`-ed.

    0.0 when both are empty; 1.0 when only the reference is empty. Can exceed 1 (insertions). A hypothesis
    longer than ``4 * len(reference) + 100`` characters is cut to that length and the excess added as
    deletions: the result is then an upper bound that exceeds the exact CER by at most 1.0, while the exact
    CER is already above 3 (exact >= (len(hyp) - len(ref)) / len(ref)). Every other case is exact.
    """
    hyp = normalize_text(hypothesis, casefold=casefold)
    ref = normalize_text(reference, casefold=casefold)
    if not ref:
        return 0.0 if not hyp else 1.0
    cap = _HYP_CAP_FACTOR * len(ref) + _HYP_CAP_SLACK
    excess = max(0, len(hyp) - cap)
    return (edit_distance(hyp[:cap], ref) + excess) / len(ref)


def multiset_f1(predicted: Iterable[str], gold: Iterable[str]) -> dict[str, float | int]:
    """Precision, recall and F1 over multisets (``Counter`` intersection), and ``exact`` (0/1) multiset equality.

    Items are compared as given (normalise them first if needed). Both empty: all 1.0, exact 1. One side
    empty: precision and recall 0.0 for the empty prediction / non-empty gold (and vice versa), F1 0.0.
    """
    pred, ref = Counter(predicted), Counter(gold)
    n_pred, n_ref = sum(pred.values()), sum(ref.values())
    if n_pred == 0 and n_ref == 0:
        return {"precision": 1.0, "recall": 1.0, "f1": 1.0, "exact": 1}
    overlap = sum((pred & ref).values())
    precision = overlap / n_pred if n_pred else 0.0
    recall = overlap / n_ref if n_ref else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "exact": int(pred == ref)}

"""Reasoning effort (arXiv 2603.09095): how long each setting's responses are, and whether they show their work.

Lengths are in characters of the response the final answer was read from (the cascade: its step 2): lmms-eval's
logs name no tokenizer, so no token counts. A response *shows its work* when it holds an arithmetic step
`a op b = c` (three numbers, op one of + - − * × x · / ÷, spaces allowed), found in one left-to-right pass over
its first WORK_SCAN_CHARS characters. The direct setting's answers are *much shorter* than the language
setting's when, over the items both answered with text, the median of the per-item ratio
(direct characters + 1) / (language characters + 1) is at most MUCH_SHORTER and its interval lies below 1.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import numpy as np

from lmms_compgap.core.settings import SETTINGS
from lmms_compgap.report.compute.gap import SettingScores
from lmms_compgap.report.compute.scores import ItemScore
from lmms_compgap.report.compute.stats import BootstrapParams, percentile_interval

#: Work is looked for in a response's first characters only, so one runaway generation costs bounded time.
WORK_SCAN_CHARS = 100_000
#: "Much shorter": the typical direct answer at most half as long as the language one on the same item. The
#: study reports 5-19x shorter answers (ratios 0.05-0.2); half is far enough from 1 that a format difference
#: (a sentence around the answer) does not reach it, and near enough to catch effects several times weaker.
MUCH_SHORTER = 0.5
#: The settings whose responses carry a final answer (vision's carries the intermediate only).
EFFORT_SETTINGS: tuple[str, ...] = tuple(setting for setting in SETTINGS if setting != "vision")
OUTCOMES: tuple[str, ...] = ("all", "right", "wrong")
#: Each match is one token: a number, an operator, "=", a word (so "x" inside "box" is no operator), or any other
#: character. Every alternative is a single character class run, so the pass is linear in the text.
_TOKEN_RE = re.compile(r"(\d+(?:\.\d+)?)|([-+*/×÷·−]|[xX](?![A-Za-z]))|(=)|[A-Za-z]+|\S")
_STEP = ("number", "operator", "number", "equals", "number")
#: Resampled item indices are drawn this many resamples at a time (a median needs the items, not only counts).
_CHUNK = 500


def shows_work(text: str | None) -> bool:
    """Whether `text` holds an arithmetic step `a op b = c` within its first WORK_SCAN_CHARS characters."""
    if not text:
        return False
    recent: list[str] = []
    for match in _TOKEN_RE.finditer(text, 0, WORK_SCAN_CHARS):
        kind = "number" if match[1] else "operator" if match[2] else "equals" if match[3] else "other"
        recent = [*recent[-4:], kind]
        if tuple(recent) == _STEP:
            return True
    return False


def _quartiles(lengths: list[int]) -> tuple[float | None, float | None, float | None]:
    if not lengths:
        return None, None, None
    q1, median, q3 = np.percentile(np.array(lengths, dtype=float), [25, 50, 75])
    return float(q1), float(median), float(q3)


def setting_effort(items: Mapping[str, ItemScore]) -> dict[str, dict[str, Any]]:
    """outcome ("all", "right", "wrong": flexible score) -> n with text, items without text, character quartiles,
    share showing work."""
    result = {}
    for outcome in OUTCOMES:
        chosen = [score for score in items.values() if outcome == "all" or score.correct == (outcome == "right")]
        texts = [score.response for score in chosen if score.response is not None]
        q1, median, q3 = _quartiles([len(text) for text in texts])
        result[outcome] = {
            "n": len(texts),
            "no_text": len(chosen) - len(texts),
            "chars_q1": q1,
            "chars_median": median,
            "chars_q3": q3,
            "shows_work": sum(shows_work(text) for text in texts) / len(texts) if texts else None,
        }
    return result


def median_ratio_draws(ratios: np.ndarray, resamples: int, rng: np.random.Generator) -> np.ndarray:
    """Resampled medians of per-item ratios under a bootstrap over items (index resampling, in chunks)."""
    n = ratios.size
    chunks = [
        np.median(ratios[rng.integers(0, n, size=(min(_CHUNK, resamples - start), n))], axis=1)
        for start in range(0, resamples, _CHUNK)
    ]
    return np.concatenate(chunks)


def length_ratio(
    a: Mapping[str, ItemScore], b: Mapping[str, ItemScore], params: BootstrapParams, label: str
) -> dict[str, Any] | None:
    """The median over paired items of (a's characters + 1) / (b's characters + 1), with its bootstrap interval
    and whether a's answers are much shorter; None when no item has text in both."""
    uids = sorted(uid for uid in a.keys() & b.keys() if a[uid].response is not None and b[uid].response is not None)
    if not uids:
        return None
    ratios = np.array([(len(a[uid].response or "") + 1) / (len(b[uid].response or "") + 1) for uid in uids])
    ratio = float(np.median(ratios))
    ci = percentile_interval(median_ratio_draws(ratios, params.resamples, params.rng(label)), params.confidence)
    return {"n": len(uids), "ratio": ratio, "ci": list(ci), "much_shorter": ratio <= MUCH_SHORTER and ci[1] < 1}


def family_effort(family: str, settings: SettingScores, params: BootstrapParams) -> dict[str, Any]:
    """Per setting its `setting_effort`, and the direct vs language `length_ratio` (None without both)."""
    ratio = None
    if "direct" in settings and "language" in settings:
        ratio = length_ratio(settings["direct"], settings["language"], params, f"{family}/effort/direct_vs_language")
    return {
        "settings": {setting: setting_effort(settings[setting]) for setting in EFFORT_SETTINGS if setting in settings},
        "direct_vs_language": ratio,
    }

"""Every parser of model output runs in linear time in its input.

Property: for every input built by repeating a unit (a prefix, a unit repeated, a suffix), the input
GROWTH times longer takes at most SLACK x GROWTH times as long. Both are timed on this machine in the same
test, so the bound is a ratio against a reference measured here, never an absolute time: a quadratic parser
takes 64 times as long for 8 times the input, a linear one about 8 times. For each parser the inputs tried
are the known worst cases (KNOWN_WORST) and random units drawn from adversarial fragments (seeded by the
parser's name; CANDIDATES of them, many more in CI); all are screened by their cost per character, and the
most expensive (WORST of them) get the ratio test. The reference input is made long enough to take at
least REFERENCE_SECONDS, so that timer and cache noise are small against what is measured; each time is
the minimum of several runs, the one least disturbed by other work on the machine. Times are the
process's CPU time, not wall-clock time: other processes competing for the CPU then slow neither
measurement.
"""

from __future__ import annotations

import gc
import os
import random
import time
from collections.abc import Callable
from typing import Any

import pytest

from lmms_compgap import scoring
from lmms_compgap.core.registry import families, get_family
from lmms_compgap.core.results import score_response
from lmms_compgap.core.settings import decode_cascade_request, decode_cascade_response
from lmms_compgap.families.cards.make24 import score_make24, strict_expression
from lmms_compgap.families.cards.parse import parse_cards
from lmms_compgap.families.clock.times import (
    find_minutes,
    find_times,
    read_time,
    score_minutes,
    score_time,
    strict_time,
)
from lmms_compgap.families.count.parse import parse_objects
from lmms_compgap.families.countbench.family import listed_objects
from lmms_compgap.families.math500.family import latex_key
from lmms_compgap.scoring import arith
from lmms_compgap.scoring.answers import after_restated_question
from lmms_compgap.scoring.latex_answers import read_latex_answer

GROWTH = 8
SLACK = 3.0
REFERENCE_SECONDS = 0.01
START_CHARS = 4_000
MAX_CHARS = 32_000  # the larger input is GROWTH times this at most
SCREEN_CHARS = 4_000
CANDIDATES = int(os.environ.get("COMPGAP_LINEAR_CANDIDATES") or (150 if os.environ.get("CI") else 20))
WORST = 2 if os.environ.get("CI") else 1

ROWS = {name: family.generate(size=3) for name, family in families().items() if family.has_data_file}

PARSERS: dict[str, Callable[[str], Any]] = {
    "read_answer": scoring.read_answer,
    # Read against a question (issue 18): the asked noun, relations to the givens, a difference of zero.
    "read_answer_count_question": lambda text: scoring.read_answer(text, question="How many red circles are there?"),
    "read_answer_difference_question": lambda text: scoring.read_answer(text, question="What is the difference?"),
    # A restated problem: what follows the question's last repetition is read first (read_answer_count_question).
    "after_restated_question": lambda text: after_restated_question(text, "How many red circles are there?"),
    "asked_quantity": scoring.asked_quantity,
    "score_response_count_direct": lambda text: score_response(ROWS["count"][0], "direct", text),
    "score_response_cards_cot": lambda text: score_response(ROWS["cards"][0], "cot", text),
    "normalize_number": scoring.normalize_number,
    "words_to_int": scoring.words_to_int,
    "strip_thinking": scoring.strip_thinking,
    "boxed_contents": scoring.boxed_contents,
    "prepare_for_reading": scoring.prepare_for_reading,
    "normalize_text": scoring.normalize_text,
    "read_statement": scoring.read_statement,
    "retraction_cues": scoring.retraction_cues,
    "read_expression": scoring.read_expression,
    "derive_expression": lambda text: scoring.derive_expression(text, [3, 8, 4, 3], 24),
    "score_make24": lambda text: score_make24(text, [3, 8, 4, 3]),
    "strict_expression": strict_expression,
    "normalize_expression": arith.normalize_expression,
    "check_make_target": lambda text: arith.check_make_target(text, [3, 8, 4, 3]),
    "parse_objects": parse_objects,
    "parse_cards": parse_cards,
    "decode_cascade_request": decode_cascade_request,
    "decode_cascade_response": decode_cascade_response,
    "score_response_count_vision": lambda text: score_response(ROWS["count"][0], "vision", text),
    "score_response_cards_vision": lambda text: score_response(ROWS["cards"][0], "vision", text),
    "score_response_mathtext_vision": lambda text: score_response(ROWS["mathtext"][0], "vision", text),
    "score_response_mathtext_direct": lambda text: score_response(ROWS["mathtext"][0], "direct", text),
    "find_times": find_times,
    "read_time": read_time,
    "score_time": lambda text: score_time(text, "5:40"),
    "strict_time": strict_time,
    "find_minutes": find_minutes,
    "score_minutes": lambda text: score_minutes(text, "175"),
    "clock_score_answer": lambda text: get_family("clock").score_answer(text, ROWS["clock"][0]),
    "clock_score_intermediate": lambda text: get_family("clock").score_intermediate(text, ROWS["clock"][0]),
    # The public families' readers (math-verify's comparison is bounded by time instead, scoring.equivalence).
    "read_latex_answer": read_latex_answer,
    "listed_objects": listed_objects,
    "latex_key": latex_key,
}

FRAGMENTS = [
    " ",
    "  ",
    "\t",
    "\n",
    "\n\n",
    ".",
    ",",
    ":",
    "=",
    "-",
    "+",
    "*",
    "/",
    "^",
    "!",
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    "\\boxed{",
    "\\frac{",
    "\\sqrt{",
    "\\left(",
    "$",
    "**",
    "__",
    "`",
    "1",
    "42",
    "1,234",
    "1 234",
    "0.5",
    "e5",
    "٦",
    "\u200b",
    "\u00ad",
    "²",
    "one",
    "hundred",
    "and",
    "a",
    "minus",
    "twenty-one",
    "not",
    "or",
    "about",
    "thousand",
    "Answer:",
    "answer is",
    "The total is",
    "There are",
    "I count",
    "in total",
    "####",
    "<think>",
    "</think>",
    "wait",
    "No,",
    "that is wrong",
    "let me recheck",
    "I'm sorry",
    "red",
    "circle",
    "red circle",
    "3 red circles",
    "x3",
    "7 of hearts",
    "K♠",
    "7H",
    "10",
    "of",
    "if",
    "else",
    "print(",
    "mod",
    "\\ln",
    '{"',
    '"}',
    '"step1":',
    "compgap_cascade_response",
    "3:05",
    "12:",
    ":30",
    "5.40",
    "five past",
    "twenty-five",
    "quarter to",
    "half past",
    "three",
    "o'clock",
    "oh",
    "pm",
    "a.m.",
    "noon",
    "minutes",
    "hours and",
    "after",
    "shows",
    "→",
    "or later",
    "2 hours",
    "h",
    "55 min",
    "an hour",
    "Let me verify:",
    "double-check",
    "12 more",
    "up from",
    "after selling",
    "loaves",
    "which sum to",
    "add up to",
    "no difference",
    "Final answer:",
    "116,50",
    "1,5",
    "10%",
    ", in",
    "How many",
    "are there?",
    # issue 18, second round: checks that confirm, breakdowns, ranges in words, later conclusions, list items, cuts,
    # other languages
    "Yes, ",
    "Let me check:",
    "Checking:",
    "So there are",
    "Therefore",
    "the other",
    "among the",
    "from",
    "to",
    "between",
    "1 large",
    "1 small",
    "1. ",
    "2) ",
    "The highest is",
    "Die Antwort ist",
    "La réponse est",
    "答案是",
    "答案:",
    "ou",
    "或",
]
Candidate = tuple[str, str, str]
PREFIXES = ["", "Answer: ", "1", "\\boxed{", "<think>", "Here is the list:\n", "(8 - 4) * "]
SUFFIXES = ["", ".", "x", "1", "}", "\n", " = 24", "</think>"]


def _random_candidates(seed: str, count: int) -> list[Candidate]:
    rng = random.Random(seed)
    return [
        (rng.choice(PREFIXES), "".join(rng.choices(FRAGMENTS, k=rng.randint(1, 5))), rng.choice(SUFFIXES))
        for _ in range(count)
    ]


def _seconds(parser: Callable[[str], Any], text: str, runs: int) -> float:
    best = float("inf")
    gc.disable()
    try:
        for _ in range(runs):
            started = time.process_time()
            parser(text)
            best = min(best, time.process_time() - started)
    finally:
        gc.enable()
    return best


def _build(prefix: str, unit: str, suffix: str, chars: int) -> str:
    return prefix + unit * max(1, chars // len(unit)) + suffix


def assert_linear(parser: Callable[[str], Any], prefix: str, unit: str, suffix: str, attempts: int = 3) -> None:
    """The GROWTH-times larger input takes at most SLACK x GROWTH times as long (see the module docstring).

    Measured up to `attempts` times: a pause of the machine can spoil one measurement, while a parser that is
    not linear fails every one."""
    chars = START_CHARS
    reference = _seconds(parser, _build(prefix, unit, suffix, chars), 3)
    while reference < REFERENCE_SECONDS and chars < MAX_CHARS:
        chars *= 2
        reference = _seconds(parser, _build(prefix, unit, suffix, chars), 3)
    small, large = _build(prefix, unit, suffix, chars), _build(prefix, unit, suffix, GROWTH * chars)
    ratios = []
    for _ in range(attempts):
        ratios.append(_seconds(parser, large, 3) / max(_seconds(parser, small, 5), 1e-9))
        if ratios[-1] <= SLACK * GROWTH:
            return
    raise AssertionError(
        f"{GROWTH}x the input ({len(large)} characters of {unit[:40]!r}) took "
        f"{', '.join(f'{ratio:.1f}' for ratio in ratios)} times as long: not linear"
    )


# Inputs known to be worst cases for some parser: found by hand, or reported (the first made the old object
# list parser quadratic: a digit, 19,998 spaces and a full stop took 192 s).
KNOWN_WORST: list[Candidate] = [
    ("1", " ", "."),
    ("", "1 ", "x"),
    ("", " ", "1"),
    ("", "\n", "1"),
    ("", "red ", "x"),
    ("", "3 ", "red"),
    ("", "Answer: ", ""),
    ("", "Answer:\n", ""),
    ("", "the answer is ", ""),
    ("", "1 in total ", ""),
    ("", "wait ", ""),
    ("", "not ", "1"),
    ("", "how many red circles are ", "there?"),
    ("", "How many red circles are there? 3 ", "x"),
    ("", "(", "1"),
    ("", "\\boxed{", "1"),
    ("", "1 = ", ""),
    ("", "if ", "1"),
    ("", "a", "("),
    ("", "1,", ""),
    ("", "one ", ""),
    ("", "**1**", ""),
    ("", "7 of ", "hearts"),
    ("", "- ", "1"),
    ("", "<think>", ""),
    ("", "1/", "1"),
    ("", "1:", "1"),
    ("", "1:1", "1"),
    ("", "five ", "past"),
    ("", "twenty ", "five"),
    ("", "quarter ", "to 3"),
    ("", "hours and ", "5 minutes past 3"),
    ("", "3 o", "'clock"),
    ("", "12:00 ", "pm"),
    ("", "after ", "5:40"),
    ("", "Let me verify: 1 ", "x"),
    ("", "1 red circles ", ""),
    ("", "1 red red ", "circles"),
    ("", "12 more ", "1"),
    ("", "Final answer: ", "1"),
    ("", "Answer: x ", "1"),
    ("", "1,5", ""),
    ("", "1,5,", "1"),
    ("", "after selling ", "1"),
    ("", "no difference ", ""),
    ("", "9, in ", "1"),
    ("", "which sum to ", "1"),
    ("", "How many ", "x"),
    ("How many ", "red ", "circles are there?"),
    ("", "so 1 loaves ", ""),
    ("", "1 a in total ", ""),
    # issue 18, second round
    ("Answer: 1\n", "So there are 2 red circles.\n", ""),
    ("Answer: 1\n", "\n", "So 2 red circles."),
    ("Answer: 1\n", "So ", "2 red circles"),
    ("Answer: 1\nLet me double-check: ", "1. red circle\n", "Yes, 1."),
    ("", "Yes, ", "1"),
    ("", "from 1 to ", "1"),
    ("", "between 1 and ", "1"),
    ("Answer: 1", ", 1 large and ", "1 small"),
    ("", "1: 1 + ", "1"),
    ("", "1. red\n", "1. re"),
    ("", "the other 1 ", "red circles"),
    ("", "Die Antwort ist ", "1"),
    ("", "答案是", "1"),
    ("1 ", "the ", "is"),
    ("", "Let me check: 1 - ", "1 ="),
]


@pytest.mark.parametrize("name", sorted(PARSERS))
def test_parser_runs_in_linear_time(name: str) -> None:
    parser = PARSERS[name]
    candidates = KNOWN_WORST + _random_candidates(name, CANDIDATES)
    cost = {candidate: _seconds(parser, _build(*candidate, SCREEN_CHARS), 1) for candidate in candidates}
    for candidate in sorted(candidates, key=cost.__getitem__, reverse=True)[:WORST]:
        assert_linear(parser, *candidate)


def test_the_reported_count_answer_is_fast_now() -> None:
    """The reported input (a digit, 19,998 spaces, a full stop) against the same parser on 20 KB of an
    ordinary object list: no more than SLACK x GROWTH times as long."""
    reported = "1" + " " * 19_998 + "."
    ordinary = ("red circle\n" * 2_000)[:20_000]
    assert _seconds(parse_objects, reported, 3) <= SLACK * GROWTH * _seconds(parse_objects, ordinary, 3)


def test_the_timing_check_catches_a_quadratic_parser() -> None:
    """The check itself: a deliberately quadratic parser fails it."""

    def quadratic(text: str) -> int:
        return sum(text.count(text[i]) for i in range(0, len(text), 1))

    # One attempt: the retries are for a linear parser disturbed by other work; a quadratic one fails each the
    # same way, and each costs seconds (64 times the reference input's time, 3 runs).
    with pytest.raises(AssertionError, match="not linear"):
        assert_linear(quadratic, "", "ab", "", attempts=1)

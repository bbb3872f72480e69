"""The clock family: generation, drawing, answers re-derived, time answers graded, intermediates scored, pixels."""

from __future__ import annotations

import datetime
import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given

from lmms_compgap import scoring
from lmms_compgap.core.family import Item, Metric
from lmms_compgap.core.prompts import template_fields
from lmms_compgap.core.registry import get_family
from lmms_compgap.core.results import score_response
from lmms_compgap.core.settings import CascadeResponse
from lmms_compgap.families import clock as clock_package
from lmms_compgap.families.clock import Clock
from lmms_compgap.families.clock import dial as dials
from lmms_compgap.families.clock.datacheck import check_clock, read_clock
from lmms_compgap.families.clock.family import swapped_reading
from lmms_compgap.families.clock.questions import KIND_WEIGHTS, TIME_ANSWERS
from lmms_compgap.families.clock.times import (
    MINUTES,
    find_minutes,
    find_times,
    format_time,
    parse_time,
    read_time,
    score_time,
    time_of,
)
from lmms_compgap.finetune.targets import worked_answer
from lmms_compgap.tasks import hooks
from tests.fixtures.hostile import HOSTILE, bounded, hostile_text
from tests.helpers import Verdict, row_with, verdict_params

CLOCK = get_family("clock")
PROMPTS = CLOCK.prompts.as_kwargs()
CLOCK_ROWS = {
    answer_type: row_with(CLOCK.generate(size=20), answer_type=answer_type) for answer_type in ("time", "minutes")
}


@pytest.fixture(scope="module")
def items(family: Clock) -> list[Item]:
    return family.generate_items()


def _attributes(row: dict[str, Any]) -> dict[str, Any]:
    return json.loads(row["attributes"])


# ---- generation -----------------------------------------------------------------------------------------
def test_generation_is_deterministic(family: Clock, rows: list[dict[str, Any]]) -> None:
    assert Clock().generate() == rows
    assert family.generate(seed=7, size=50) == Clock().generate(seed=7, size=50)
    assert family.generate(seed=7, size=50) != family.generate(seed=8, size=50)
    assert len(rows) == 1000 and [row["uid"] for row in rows[:2]] == ["clock-v1-00000", "clock-v1-00001"]


def test_drawing_is_a_pure_function_of_the_spec(family: Clock, rows: list[dict[str, Any]]) -> None:
    for row in rows[:6]:
        first, second = family.draw_row(row), Clock().draw_row(json.loads(json.dumps(row)))
        assert first.mode == "RGB" and first.size == tuple(json.loads(row["spec"])["size"])
        assert first.tobytes() == second.tobytes()


def test_items_are_distinct(rows: list[dict[str, Any]]) -> None:
    assert len({(row["question"], row["intermediate"]) for row in rows}) == len(rows)
    assert len({row["spec"] for row in rows}) == len(rows)


def test_every_style_kind_and_difficulty_occurs(rows: list[dict[str, Any]]) -> None:
    attributes = [_attributes(row) for row in rows]
    assert set(Counter(a["layout"] for a in attributes)) == set(dials.LAYOUTS)
    assert {a["numerals"] for a in attributes} == {"arabic", "roman", "quarters", "none"}
    assert {a["hand_style"] for a in attributes} == set(dials.HAND_STYLES)
    assert {a["face"] for a in attributes} == set(dials.FACES)
    kinds = Counter(a["kind"] for a in attributes)
    assert set(kinds) == set(KIND_WEIGHTS) and min(kinds.values()) > 100
    assert {a["answer_type"] for a in attributes} == {"time", "minutes"}
    assert Counter(a["wraps"] for a in attributes)[True] > 100 and Counter(a["wraps"] for a in attributes)[False] > 100
    assert 0.4 < sum(a["rotated"] for a in attributes) / len(rows) < 0.8
    assert 0.1 < sum(a["two_colour_hands"] for a in attributes) / len(rows) < 0.5
    assert {a["hour"] for a in attributes} == set(range(1, 13))
    assert {a["minute"] for a in attributes} == set(range(60))


def test_every_clock_is_readable_by_construction(rows: list[dict[str, Any]]) -> None:
    """Hands apart, small tilts, minutes on the five unless every minute has a mark, hands short of every mark."""
    for row in rows:
        spec, attributes = json.loads(row["spec"]), _attributes(row)
        hour, minute = spec["time"]["hour"], spec["time"]["minute"]
        assert row["intermediate"] == f"{hour}:{minute:02d}"
        assert dials.hand_gap(hour, minute) >= dials.MIN_HAND_GAP
        assert abs(spec["rotation"]) <= dials.MAX_ROTATION
        if spec["dial"]["marks"] != "minutes":
            assert minute % 5 == 0 and attributes["minute_step"] == 5
        hands, dial = spec["dial"]["hands"], spec["dial"]
        assert hands["hour_length"] <= dials.HOUR_RATIO[1] * hands["minute_length"] + 0.1
        innermost_mark = min(dial.get("hour_inner", 1e9), dial.get("minute_inner", 1e9))
        assert hands["minute_length"] < innermost_mark
        width, height = spec["size"]
        cx, cy = spec["centre"]
        assert spec["radius"] < min(cx, cy, width - cx, height - cy)


def test_numerals_stay_clear_of_the_minute_hand(rows: list[dict[str, Any]]) -> None:
    """Every numeral's ink box lies farther from the centre than the minute hand reaches."""
    for row in rows:
        dial = json.loads(row["spec"])["dial"]
        if dial["numerals"] == "none":
            continue
        for position, text in dials.numeral_labels(dial["numerals"]):
            reach = dials._radial_extent(dial["font"], dial["numeral_size"], text, 30 * position)
            assert dial["numeral_radius"] - reach > dial["hands"]["minute_length"], (row["uid"], text)


# ---- every answer re-derived from the question and the gold time ----------------------------------------
_DURATION = re.compile(r"(?:(\d+) hours?)?(?: and )?(?:(\d+) minutes?)?")


def _clock(time: str) -> datetime.datetime:
    hour, minute = map(int, time.split(":"))
    return datetime.datetime(2000, 1, 1, hour % 12, minute)


def _on_dial(moment: datetime.datetime) -> str:
    return f"{moment.hour % 12 or 12}:{moment.minute:02d}"


def _offset(text: str) -> datetime.timedelta:
    m = _DURATION.fullmatch(text)
    assert m and (m.group(1) or m.group(2)), text
    return datetime.timedelta(hours=int(m.group(1) or 0), minutes=int(m.group(2) or 0))


def _rederive(question: str, shown: str) -> str:
    """The answer from the question's words and the time shown, with datetime arithmetic (not the generator's)."""
    now = _clock(shown)
    if m := re.fullmatch(r"What time will the clock show (.+) from now\?", question):
        return _on_dial(now + _offset(m.group(1)))
    if m := re.fullmatch(r"What time did the clock show (.+) ago\?", question):
        return _on_dial(now - _offset(m.group(1)))
    if m := re.fullmatch(r"How many minutes from now until the clock next shows (\d+:\d\d)\?", question):
        named = _clock(m.group(1))
        gap = (named - now) % datetime.timedelta(hours=12)
        return str(int(gap.total_seconds() // 60))
    if m := re.fullmatch(r"How many minutes ago did the clock last show (\d+:\d\d)\?", question):
        named = _clock(m.group(1))
        gap = (now - named) % datetime.timedelta(hours=12)
        return str(int(gap.total_seconds() // 60))
    raise AssertionError(f"unexpected question {question!r}")


def test_every_answer_follows_from_the_question_and_the_time_shown(rows: list[dict[str, Any]]) -> None:
    for row in rows:
        assert _rederive(row["question"], row["intermediate"]) == row["answer"], row["uid"]
        kind = _attributes(row)["kind"]
        if kind in TIME_ANSWERS:
            assert format_time(parse_time(row["answer"])) == row["answer"]
        else:
            assert 1 <= int(row["answer"]) <= 719


def test_questions_never_name_the_time_shown_and_never_carry_am_or_pm(rows: list[dict[str, Any]]) -> None:
    for row in rows:
        assert not re.search(r"\b(?:a\.?m|p\.?m)\b", row["question"], re.IGNORECASE)
        assert row["intermediate"] not in row["question"]
        assert row["question"].endswith("?")


_STEP_ARITHMETIC = re.compile(r"(\d+(?: [-+×] \d+)+) = (-?\d+)")


def _value(expression: str) -> int:
    """A step's sum, difference or product (the only arithmetic the worked steps write)."""
    tokens = expression.split()
    if "×" in tokens:
        return int(tokens[0]) * int(tokens[2])
    total = int(tokens[0])
    for op, number in zip(tokens[1::2], tokens[2::2], strict=True):
        total += int(number) if op == "+" else -int(number)
    return total


def test_worked_steps_compute_what_they_say_and_end_in_the_answer(items: list[Item]) -> None:
    for item in items:
        steps = " ".join(item.solution)
        assert item.solution[0] == f"The clock shows {item.intermediate}."
        found = _STEP_ARITHMETIC.findall(steps)
        for expression, result in found:
            assert _value(expression) == int(result), (item.question, steps)
        last = item.solution[-1]
        if ":" in item.answer:
            assert last.endswith(f" {item.answer}.") or last.endswith(f"= {item.answer}."), (item.question, last)
        else:
            assert f"{item.answer} minutes" in last, (item.question, last)


def test_a_fine_tuning_target_scores_right_with_the_familys_own_scorers(
    family: Clock, rows: list[dict[str, Any]], items: list[Item]
) -> None:
    for row, item in zip(rows[:200], items[:200], strict=True):
        target = f"{item.intermediate}\n\n{worked_answer(item)}"
        answer = family.score_answer(target, row)
        assert (answer.correct, answer.strict) == (1, 1), (row["uid"], target)
        assert family.score_intermediate(item.intermediate, row).exact == 1


# ---- times: arithmetic and the forms a time is written in ------------------------------------------------
def test_time_arithmetic_wraps_round_the_twelve_hour_dial() -> None:
    assert format_time(time_of(12, 5)) == "12:05" and format_time(0) == "12:00"
    assert format_time(time_of(11, 50) + 20) == "12:10" and format_time(time_of(12, 50) + 20) == "1:10"
    assert format_time(time_of(1, 5) - 10) == "12:55" and format_time(-10) == "11:50"
    assert time_of(15, 5) == time_of(3, 5)
    with pytest.raises(ValueError, match="not a canonical"):
        parse_time("03:05")
    with pytest.raises(ValueError, match="not a time"):
        time_of(24, 0)


WRITTEN = [
    ("3:05", "3:05"),
    ("03:05", "3:05"),
    ("15:05", "3:05"),
    ("00:05", "12:05"),
    ("0:05", "12:05"),
    ("3:05 pm", "3:05"),
    ("3:05PM", "3:05"),
    ("3:05 a.m.", "3:05"),
    ("12:15 am", "12:15"),
    ("3.05", "3:05"),
    ("3:05:00", "3:05"),
    ("five past three", "3:05"),
    ("5 minutes past 3", "3:05"),
    ("quarter past three", "3:15"),
    ("a quarter to twelve", "11:45"),
    ("half past twelve", "12:30"),
    ("twenty-five to one", "12:35"),
    ("twenty five to one", "12:35"),
    ("ten to 4", "3:50"),
    ("35 minutes past 5", "5:35"),
    ("three o'clock", "3:00"),
    ("3 o’clock", "3:00"),
    ("three fifteen", "3:15"),
    ("twelve oh five", "12:05"),
    ("eleven fifty-five", "11:55"),
    ("noon", "12:00"),
    ("midnight", "12:00"),
    ("twelve noon", "12:00"),
    # written times that name no time of the dial are found, as values no gold time equals
    ("3:75", "3:75"),
    ("25:00", "25:00"),
    ("3:05:30", "3:05:30"),
    ("15:05 pm", "15:05 pm"),
]
NOT_TIMES = [
    "2 hours and 35 minutes after 3",
    "2.50 hours",
    "2:35 hours",
    "5:40ish",
    "5:40-ish",
    "half to four",
    "one twenty-minute interval",
    "25 to 4",
    "90 minutes past 3",
    "3",
    "v3:05",
    "1:2:3",
    "$3.05",
    "5:4",
]


@pytest.mark.parametrize(("text", "value"), WRITTEN)
def test_a_written_time_is_read_as_its_place_on_the_dial(text: str, value: str) -> None:
    assert find_times(text) == [(0, len(text), value)]


@pytest.mark.parametrize("text", NOT_TIMES)
def test_durations_bare_hours_and_odd_forms_are_not_times(text: str) -> None:
    assert find_times(text) == []


# ---- the time answer: verdicts a careful grader gives ------------------------------------------------------
# Rows as in tests/scoring/test_grading.py: response, target, flexible and strict verdicts, why, and a fragment of the
# reason the reader gives when it finds no time.
TIME_VERDICTS = [
    # right, in the asked-for form (strict)
    Verdict("Answer: 5:40", "5:40", 1, 1, "the asked-for line"),
    Verdict("Answer: 05:40", "5:40", 1, 1, "a leading zero is still H:MM"),
    Verdict("Answer: **5:40**", "5:40", 1, 1, "Markdown bold"),
    Verdict("Answer: 5:40.", "5:40", 1, 1, "a final full stop"),
    Verdict(
        "The clock shows 3:05.\n3:05 + 2 hours = 5:05.\n5:05 + 35 minutes = 5:40.\nAnswer: 5:40",
        "5:40",
        1,
        1,
        "worked steps, then the answer line",
    ),
    Verdict("<think>maybe 5:45</think>\nAnswer: 5:40", "5:40", 1, 1, "reasoning blocks are dropped"),
    Verdict("Answer: 5:40\n\nNote: that is 2:35 after 3:05.", "5:40", 1, 1, "a note with other times"),
    Verdict("Answer: 5:40\nLet me double-check: 3:05 + 2:35 = 5:40. Yes.", "5:40", 1, 1, "a check that agrees"),
    Verdict(
        "Answer: 5:40\nWait, the clock shows 3:10.",
        "5:40",
        1,
        1,
        "restating a reading after a second thought gives no new answer",
    ),
    Verdict("Answer: 5:4\u200b0", "5:40", 1, 1, "a zero-width space is invisible"),
    Verdict("Answer: ５:４０", "5:40", 1, 1, "full-width digits (NFKC)"),
    Verdict("Answer: ٥:٤٠", "5:40", 1, 1, "Arabic-Indic digits are digits"),
    # right, but not in the asked-for form
    Verdict("Answer: 5:40 pm", "5:40", 1, 0, "p.m. names the same place on the dial, but was not asked for"),
    Verdict("Answer: 17:40", "5:40", 1, 0, "a 24-hour reading of the same hands"),
    Verdict("Answer: 00:15", "12:15", 1, 0, "a 24-hour reading past midnight"),
    Verdict("Answer: 5.40", "5:40", 1, 0, "the British full stop"),
    Verdict("Answer: twenty to six", "5:40", 1, 0, "in words"),
    Verdict("Answer: quarter past twelve", "12:15", 1, 0, "a quarter past"),
    Verdict("Answer: half past five", "5:30", 1, 0, "half past"),
    Verdict("Answer: 5 o'clock", "5:00", 1, 0, "o'clock"),
    Verdict("Answer: noon", "12:00", 1, 0, "noon is 12:00 on the dial"),
    Verdict("Answer: five forty", "5:40", 1, 0, "hour and minutes in words"),
    Verdict("Answer: 5:40 on the clock", "5:40", 1, 0, "words after the time"),
    Verdict("Answer: 5:40, not 5:45", "5:40", 1, 0, "a rejected time is no alternative"),
    Verdict("Answer: 5:40 (17:40)", "5:40", 1, 0, "the same time again in brackets"),
    Verdict("Answer: 5:40 or 17:40", "5:40", 1, 0, "two names of one place on the dial"),
    Verdict("Answer: 3:05 + 2:35 = 5:40", "5:40", 1, 0, "an equation: the value of its last side"),
    Verdict("Answer: 3:05 → 5:40", "5:40", 1, 0, "an arrow states the result"),
    Verdict(
        "Answer: The clock showed 3:05, so 2 hours 35 minutes later it shows 5:40.",
        "5:40",
        1,
        0,
        "an answer sentence: the time its verb states last",
    ),
    Verdict("3:05 plus 2 hours and 35 minutes gives 5:40.", "5:40", 1, 0, "an answer phrase"),
    Verdict("So the clock will show twenty to six.", "5:40", 1, 0, "'will show' announces the answer"),
    Verdict("Two hours and 35 minutes after 3:05, the new time is 5:40.", "5:40", 1, 0, "'the new time is'"),
    Verdict("\\boxed{5:40}", "5:40", 1, 0, "a box"),
    Verdict(
        "Answer: 5:40\nWait, I misread the hour hand. It should be 6:40.",
        "6:40",
        1,
        0,
        "a correction after the answer line is the answer (flexible only)",
    ),
    Verdict("Answer: 5:40\nWait, the clock shows 3:10, so the answer is 5:45.", "5:45", 1, 0, "a corrected answer"),
    # wrong
    Verdict("Answer: 5:45", "5:40", 0, 0, "another time"),
    Verdict("Answer: 6:40", "5:40", 0, 0, "the hour one off"),
    Verdict("Answer: 5:40 or 5:45", "5:40", 0, 0, "two times offered", "alternative"),
    Verdict("Answer: either 5:40 or 5:45", "5:40", 0, 0, "either/or", "alternative"),
    Verdict("Answer: 5:40 (or 5:45)", "5:40", 0, 0, "an alternative in brackets", "another or an approximate"),
    Verdict("Answer: 5:40. Or maybe 5:45.", "5:40", 0, 0, "a later sentence offers another time", "later sentence"),
    Verdict("Answer: between 5:40 and 5:45", "5:40", 0, 0, "a range", "alternative"),
    Verdict("Answer: 5:40-5:45", "5:40", 0, 0, "a range with a dash", "operation"),
    Verdict("Answer: 5:40 to 5:45", "5:40", 0, 0, "a range with 'to'", "range"),
    Verdict("Answer: not 5:40", "5:40", 0, 0, "negated", "negated"),
    Verdict("Answer: It is not 5:40.", "5:40", 0, 0, "a negated sentence", "negated"),
    Verdict("Answer: about 5:40", "5:40", 0, 0, "approximate", "approximate"),
    Verdict("Answer: around twenty to six", "5:40", 0, 0, "approximate, in words", "approximate"),
    Verdict("Answer: ~5:40", "5:40", 0, 0, "a tilde", "approximation"),
    Verdict("Answer: just after 5:40", "5:40", 0, 0, "a bound", "bound"),
    Verdict("Answer: before 5:40", "5:40", 0, 0, "a bound", "bound"),
    Verdict("Answer: 5:40 or later", "5:40", 0, 0, "'or later' is a bound", "bound"),
    Verdict("Answer: 5:40ish", "5:40", 0, 0, "'-ish' hedges: no time stated", "no answer"),
    Verdict("Answer: 5:40\nWait, that's wrong.", "5:40", 0, 0, "retracted with nothing in its place", "retracted"),
    Verdict("Answer: 5:40\nNo wait, that is wrong. It should be 6:40.", "5:40", 0, 0, "retracted and replaced"),
    Verdict("Answer: 5:40, wait, no, 6:40", "5:40", 0, 0, "retracted within the line"),
    Verdict("Answer: 5", "5:00", 0, 0, "a bare hour is not a time", "no answer"),
    Verdict("Answer: 5:4", "5:04", 0, 0, "minutes need two digits (5:04 or 5:40?)", "no answer"),
    Verdict("Answer: 5:40:30", "5:40", 0, 0, "a time to the second is another time"),
    Verdict("Answer: 5:75", "6:15", 0, 0, "75 minutes is no minute of an hour"),
    Verdict("Answer: 25:40", "1:40", 0, 0, "no hour 25"),
    Verdict("Answer: 17:40 pm", "5:40", 0, 0, "a 24-hour time with p.m. is no time"),
    Verdict("Answer: 2 hours and 35 minutes", "5:40", 0, 0, "a duration, not a time", "no answer"),
    Verdict("Answer: H:MM", "5:40", 0, 0, "the prompt's placeholder echoed", "no answer"),
    Verdict("I'm sorry, I cannot read the clock.", "5:40", 0, 0, "a refusal", "no answer"),
    Verdict("The clock shows 3:05.", "5:40", 0, 0, "only the reading, no answer"),
]


@pytest.mark.parametrize("case", verdict_params(TIME_VERDICTS))
def test_time_answers_get_the_verdict_a_careful_grader_gives(case: Verdict) -> None:
    verdict = score_time(case.response, case.target)
    assert (verdict["correct"], verdict["strict"]) == (case.correct, case.strict), verdict
    reading = read_time(case.response)
    if case.reason is not None:
        assert reading.value is None and case.reason in (reading.reason or ""), reading
    assert verdict["strict"] <= verdict["correct"]


def test_the_time_table_holds_both_directions_and_hostile_forms() -> None:
    assert sum(case.correct for case in TIME_VERDICTS) >= 30
    assert sum(not case.correct for case in TIME_VERDICTS) >= 30
    assert {"\u200b", "٥", "５"} <= {char for case in TIME_VERDICTS for char in case.response}


def test_a_time_target_that_is_not_canonical_is_refused() -> None:
    with pytest.raises(ValueError, match="H:MM"):
        score_time("Answer: 3:05", "15:05")


MINUTE_VERDICTS = [
    Verdict("Answer: 175", "175", 1, 1, "the asked-for line"),
    Verdict("Answer: 175 minutes", "175", 1, 1, "with its unit"),
    Verdict("Answer: 175 minutes (2 hours and 55 minutes)", "175", 1, 0, "the same duration again in brackets"),
    Verdict("From 3:05 to 6:00 is 175 minutes.", "175", 1, 0, "a sentence"),
    Verdict("Answer: 2 hours and 55 minutes", "175", 1, 0, "the same duration in hours and minutes (flexible only)"),
    Verdict("Answer: 2 hours 55 minutes", "175", 1, 0, "hours and minutes without 'and'"),
    Verdict("Answer: 2h 55m", "175", 1, 0, "abbreviated units"),
    Verdict("Answer: two hours and fifty-five minutes", "175", 1, 0, "in words"),
    Verdict("Answer: an hour and five minutes", "65", 1, 0, "'an hour'"),
    Verdict("Answer: 3 hours", "180", 1, 0, "whole hours"),
    Verdict("Answer: 2 hours and 55 minutes, i.e. 175 minutes", "175", 1, 0, "a restatement in minutes"),
    Verdict("It takes 2 hours and 55 minutes, which is 175 minutes.", "175", 1, 0, "a sentence with both forms"),
    Verdict("Answer: 2 hours and 50 minutes", "175", 0, 0, "another duration"),
    Verdict("Answer: 2 hours", "175", 0, 0, "the minutes left out"),
    Verdict("Answer: about 2 hours and 55 minutes", "175", 0, 0, "approximate", "approximate"),
    Verdict("Answer: 2 hours or 175 minutes", "175", 0, 0, "two different values offered", "alternative"),
    Verdict("Answer: 2:55", "175", 0, 0, "a duration written like a time", "several values"),
    Verdict("Answer: 175 or 185", "175", 0, 0, "two values", "alternative"),
    Verdict("Answer: about 175", "175", 0, 0, "approximate", "approximate"),
    # a check in minutes that confirms the value (issue 18): its working's 60 or 115 is no answer
    Verdict(
        "Answer: 175\nLet me double-check: from 3:05 to 4:00 is 55 minutes, 4:00 to 6:00 is 120 minutes.\n"
        "55 + 120 = 175 minutes.\nYes, 175.",
        "175",
        1,
        1,
        "a check in minutes that confirms the value",
    ),
    Verdict(
        "Answer: 175\nLet me double-check: 55 + 120 = 175 minutes.\nYes, 185.",
        "175",
        0,
        0,
        "near miss: the check ends on another value",
    ),
    Verdict("Somewhere from 170 to 180 minutes.", "180", 0, 0, "a range of durations", "range"),
]


@pytest.mark.parametrize("case", verdict_params(MINUTE_VERDICTS))
def test_minute_answers_are_numbers_or_hours_and_minutes(
    family: Clock, rows: list[dict[str, Any]], case: Verdict
) -> None:
    row = {**row_with(rows, kind="until"), "answer": case.target}
    verdict = family.score_answer(case.response, row)
    assert (verdict.correct, verdict.strict) == (case.correct, case.strict), verdict
    if case.reason is not None:
        assert case.reason in (scoring.read_answer(case.response, MINUTES).reason or "")


def test_each_question_kind_is_scored_with_its_answer_type(family: Clock, rows: list[dict[str, Any]]) -> None:
    for kind in KIND_WEIGHTS:
        row = row_with(rows, kind=kind)
        right = family.score_answer(f"Answer: {row['answer']}", row)
        assert (right.extracted, right.correct, right.strict) == (row["answer"], 1, 1)
        if kind in TIME_ANSWERS:
            hour, minute = map(int, row["answer"].split(":"))
            assert family.score_answer(f"Answer: {hour % 12 + 12}:{minute:02d}", row).correct == 1
            assert family.score_answer(f"Answer: {int(row['answer'].replace(':', ''))}", row).correct == 0
        else:
            assert family.score_answer(f"Answer: {format_time(int(row['answer']))}", row).correct == 0


# ---- the intermediate --------------------------------------------------------------------------------------
def test_the_time_read_is_scored_exact_by_minutes_off_and_usable(family: Clock, rows: list[dict[str, Any]]) -> None:
    row = rows[0]
    gold = parse_time(row["intermediate"])
    cases = {
        row["intermediate"]: (1, 0, 1),
        f"The clock shows {row['intermediate']}.": (1, 0, 1),
        format_time(gold + 5): (0, 5, 0),
        format_time(gold - 60): (0, 60, 0),
        format_time(gold + 360): (0, 360, 0),
        "I cannot tell.": (0, 360, 0),
        "3:75": (0, 360, 0),
    }
    for response, (exact, minutes_off, usable) in cases.items():
        score = family.score_intermediate(response, row)
        assert (score.exact, score.details["minutes_off"], score.usable) == (exact, minutes_off, usable), response
        assert score.score == pytest.approx(1 - minutes_off / 360)


def test_usable_follows_from_answering_with_the_time_read(family: Clock, rows: list[dict[str, Any]]) -> None:
    """Every question is one-to-one in the time, so a reading is usable exactly when it is right."""
    for row in rows[:150]:
        gold = parse_time(row["intermediate"])
        for shift in (0, 1, -5, 60, 355):
            score = family.score_intermediate(format_time(gold + shift), row)
            assert score.usable == score.exact == int(shift == 0)


def test_swapped_hands_are_named(family: Clock, rows: list[dict[str, Any]]) -> None:
    row = rows[0]
    spec = json.loads(row["spec"])
    swapped = format_time(swapped_reading(spec["time"]["hour"], spec["time"]["minute"]))
    score = family.score_intermediate(f"It is {swapped}.", row)
    assert score.exact == 0 and score.details["hands_swapped"] == 1
    assert swapped_reading(3, 5) == time_of(1, 15)
    assert family.score_intermediate(row["intermediate"], row).details["hands_swapped"] == 0


def test_the_vision_metric_is_the_one_the_family_declares(family: Clock, rows: list[dict[str, Any]]) -> None:
    assert family.intermediate_metric == Metric("minutes_off", higher_is_better=False)
    assert "minutes_off" in family.score_intermediate("12:00", rows[0]).details


# ---- prompts -----------------------------------------------------------------------------------------------
def test_prompts_fill_through_the_hooks_for_every_setting(rows: list[dict[str, Any]]) -> None:
    row = rows[0]
    assert set(PROMPTS) == {"answer_format", "direct_prompt", "cot_prompt", "visual_prompt", "textual_prompt"}
    assert template_fields(PROMPTS["textual_prompt"]) == {"intermediate", "question", "answer_format"}
    assert template_fields(PROMPTS["visual_prompt"]) == set()
    direct, language = hooks.direct_text(row, PROMPTS), hooks.language_text(row, PROMPTS)
    assert row["question"] in direct and row["question"] in hooks.cot_text(row, PROMPTS)
    assert f"\n{row['intermediate']}\n" in language and "Answer: <answer>" in direct
    assert "H:MM" in hooks.vision_text(row, PROMPTS)


# ---- the data check: the time read back from the pixels ----------------------------------------------------
def test_the_pixels_show_the_labelled_time(rows: list[dict[str, Any]]) -> None:
    sample = rows[:40] + [row_with(rows, layout=layout, rotated=True) for layout in dials.LAYOUTS]
    checks = check_clock(sample)
    assert [check.uid for check in checks] == [row["uid"] for row in sample]
    assert all(check.agrees for check in checks), [check.note for check in checks if not check.agrees]
    assert CLOCK.data_check is not None and CLOCK.data_check.tools == ("opencv",)


def test_the_check_reads_the_tilt_and_the_hands_from_the_pixels(family: Clock, rows: list[dict[str, Any]]) -> None:
    for row in rows[:30]:
        spec = json.loads(row["spec"])
        reading = read_clock(np.asarray(family.draw_row(row)))
        hour_angle, minute_angle = dials.hand_angles(spec["time"]["hour"], spec["time"]["minute"])
        assert abs(reading.tilt - spec["rotation"]) < 1.0
        assert abs((reading.minute_angle - minute_angle - spec["rotation"] + 180) % 360 - 180) < 1.5
        assert abs((reading.hour_angle - hour_angle - spec["rotation"] + 180) % 360 - 180) < 5.0


def test_a_wrong_label_disagrees(rows: list[dict[str, Any]]) -> None:
    row = rows[0]
    wrong = format_time(parse_time(row["intermediate"]) + 5)
    (check,) = check_clock([{**row, "intermediate": wrong}])
    assert not check.agrees and check.read == rows[0]["intermediate"] and wrong in check.note


def test_an_image_without_a_clock_is_named() -> None:
    with pytest.raises(ValueError, match="no clock"):
        read_clock(np.full((64, 64, 3), 200, dtype=np.uint8))


# ---- hostile output ----------------------------------------------------------------------------------------
@HOSTILE
@given(hostile_text)
def test_the_time_readers_survive_hostile_text(text: str) -> None:
    row_time, row_minutes = CLOCK_ROWS["time"], CLOCK_ROWS["minutes"]
    for found in bounded(lambda: find_times(text)):
        assert 0 <= found[0] < found[1] <= len(text) and isinstance(found[2], str)
    result = bounded(lambda: score_time(text, "5:40"))
    assert result["strict"] <= result["correct"]
    for row in (row_time, row_minutes):
        answer = bounded(lambda row=row: CLOCK.score_answer(text, row))
        assert answer.strict <= answer.correct
        intermediate = bounded(lambda row=row: CLOCK.score_intermediate(text, row))
        assert 0 <= intermediate.details["minutes_off"] <= 360 and intermediate.usable <= 1


# ---- the task card says what the data are ---------------------------------------------------------------------
def test_the_task_card_states_the_measured_shares(rows: list[dict[str, Any]]) -> None:
    card = (Path(clock_package.__file__).parent / "README.md").read_text()
    attributes = [_attributes(row) for row in rows]
    for key in ("layout", "kind", "numerals"):
        for value, count in Counter(a[key] for a in attributes).items():
            if value != "none":
                assert f"{100 * count / len(rows):.1f}%" in card, (key, value)
    for key in ("rotated", "wraps", "two_colour_hands"):
        assert f"{100 * sum(a[key] for a in attributes) / len(rows):.1f}%" in card, key
    assert f"{100 * sum(a['minute_step'] == 1 for a in attributes) / len(rows):.1f}%" in card
    for number in (1, 2, 3):
        assert (Path(clock_package.__file__).parent / "img" / f"clock_example{number}.png").is_file()


# ---- through the shared scorer ---------------------------------------------------------------------------
def test_every_setting_scores_through_the_shared_scorer() -> None:
    """The registered family goes through `score_response` and the hooks like the other families: answers, the
    time read, a cascade envelope, a failed call."""
    time_row, minutes_row = CLOCK_ROWS["time"], CLOCK_ROWS["minutes"]
    for row in (time_row, minutes_row):
        for setting in ("direct", "cot", "language"):
            result = score_response(row, setting, f"Let me work it out.\nAnswer: {row['answer']}")
            assert (result["accuracy"], result["strict_accuracy"], result["failed_calls"]) == (1, 1, 0)
            assert result["compgap"]["extracted"] == row["answer"]
        vision = hooks.process_vision(row, [f"The clock shows {row['intermediate']}."])
        assert (vision["exact_match"], vision["usable"], vision["minutes_off"]) == (1, 1, 0)
        wrong = format_time(parse_time(row["intermediate"]) + 30)
        envelope = CascadeResponse(step1=wrong, step2=f"Answer: {row['answer']}").encode()
        cascade = score_response(row, "cascade", envelope)
        assert (cascade["accuracy"], cascade["step1_usable"]) == (1, 0)
        assert cascade["compgap"]["intermediate_score"] == pytest.approx(1 - 30 / 360)
    assert score_response(time_row, "direct", "")["failed_calls"] == 1
    assert hooks.doc_to_visual(time_row)[0].size == tuple(json.loads(time_row["spec"])["size"])


def test_a_duration_is_one_value_and_the_numbers_outside_it_are_kept() -> None:
    text = "From 3:05 it is 2 hours and 55 minutes, so 175 minutes; an hour later 235."
    values = [value for _, _, value in find_minutes(text)]
    assert values == ["3", "5", "175", "175", "60", "235"]  # 3:05's numbers, each duration as one value, the rest
    spans = find_minutes(text)
    assert text[spans[2][0] : spans[2][1]] == "2 hours and 55 minutes"


# ---- answers read against the question (issue 18): the row's question reaches the reader --------------------------
# (question kind, response template over the row's {now} time and {answer}, correct, strict, why)
AGAINST_THE_QUESTION = [
    ("until", "It is {now} now, so {answer} minutes remain.", 1, 0, "the minutes asked for, not the time shown"),
    ("until", "From {now} it is {answer} minutes, 5 more than the hour before.", 1, 0, "a relation to the givens"),
    ("until", "Answer: {answer} minutes, counting from {now}.", 1, 0, "a justification after a comma"),
    ("until", "Answer: {answer}%", 0, 0, "a percentage is no number of minutes"),
    ("until", "**Final answer: {answer}**", 1, 0, "'Final answer:' is not the asked-for 'Answer:' line"),
    (
        "since",
        "The wait was {answer} minutes. Let me verify: {now} minus {answer} minutes is 1",
        1,
        0,
        "cut off while checking",
    ),
    ("later", "The clock shows {now}; adding the time gives {answer}.", 1, 0, "the time the verb gives"),
    ("later", "Answer: {answer}, 3 hours after the time shown.", 1, 0, "a justification with a number"),
    ("later", "**Final answer: {answer}**", 1, 0, "a time on a 'Final answer:' line: flexible only"),
    ("earlier", "It showed {answer}. Let me double-check: {now} minus the offset is 1", 1, 0, "cut off while checking"),
    ("earlier", "It showed {now}, not {answer}.", 0, 0, "the answer negated"),
    # a time followed by a number of minutes: two values, never one number glued from the minutes and the number
    ("since", "The clock showed {named} {answer} minutes ago.", 1, 0, "a time, then the minutes asked for"),
    ("since", "Answer: it showed {named} {answer} minutes ago.", 1, 0, "the same on an answer line (words: flexible)"),
    ("since", "By my reading the dial showed {named} exactly {answer} minutes ago.", 1, 0, "'exactly' between"),
    ("until", "It will show {named} in {answer} minutes.", 1, 0, "the time named, then the minutes"),
    (
        "since",
        "The clock showed {named} {answer} minutes ago.\n\nLet me double-check: From {named} to 12:",
        1,
        0,
        "the same, then cut off while checking",
    ),
    ("since", "Answer: {named} {answer}", 0, 0, "a time and a bare number on the answer line: two values"),
    ("later", "Answer: {answer}%", 0, 0, "a percent sign on a time"),
]


@pytest.mark.parametrize(
    ("kind", "template", "correct", "strict", "why"),
    AGAINST_THE_QUESTION,
    ids=[case[-1] for case in AGAINST_THE_QUESTION],
)
def test_clock_answers_are_read_against_the_rows_question(
    family: Clock, rows: list[dict[str, Any]], kind: str, template: str, correct: int, strict: int, why: str
) -> None:
    row = row_with(rows, kind=kind)
    named = json.loads(row["spec"])["question"].get("time", "")  # the time a since/until question names
    verdict = family.score_answer(template.format(now=row["intermediate"], named=named, answer=row["answer"]), row)
    assert (verdict.correct, verdict.strict) == (correct, strict), verdict

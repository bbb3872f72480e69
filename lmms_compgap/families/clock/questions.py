"""Time arithmetic questions about the time a clock shows: their text, their answer and the worked steps.

Every question is about the 12-hour dial, with no a.m. or p.m. (a dial has neither):

- ``later``: "What time will the clock show 2 hours and 35 minutes from now?" (a time);
- ``later_minutes``: "What time will the clock show 155 minutes from now?" (a time);
- ``earlier``: "What time did the clock show 1 hour and 10 minutes ago?" (a time);
- ``until``: "How many minutes from now until the clock next shows 6:00?" (minutes, 1 to 719);
- ``since``: "How many minutes ago did the clock last show 11:20?" (minutes, 1 to 719).

Offsets are under 12 hours and the named time is never the time shown, so every answer is unique.
"""

from __future__ import annotations

import random
from typing import Any

from lmms_compgap.families.clock.times import DIAL_MINUTES, format_time

#: Question kind -> share of the items.
KIND_WEIGHTS: dict[str, float] = {"later": 0.25, "later_minutes": 0.15, "earlier": 0.2, "until": 0.2, "since": 0.2}
#: Kinds whose answer is a time (the others' is a number of minutes).
TIME_ANSWERS = frozenset({"later", "later_minutes", "earlier"})
#: Hour parts of an offset, with repeats for how often each is drawn (short offsets are the most common).
_OFFSET_HOURS: tuple[int, ...] = (0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 4, 4, 5, 6, 7, 8, 9, 10, 11)


def duration_text(minutes: int) -> str:
    """'2 hours and 35 minutes', '1 hour', '45 minutes', '1 hour and 1 minute'."""
    hours, rest = divmod(minutes, 60)
    parts = [f"{hours} hour{'s' if hours != 1 else ''}"] if hours else []
    if rest or not hours:
        parts.append(f"{rest} minute{'s' if rest != 1 else ''}")
    return " and ".join(parts)


def draw_question(rng: random.Random, shown: int) -> dict[str, Any]:
    """A question about the time `shown` (minutes after 12:00): its kind and offset (minutes) or named time."""
    kinds = sorted(KIND_WEIGHTS)
    kind = rng.choices(kinds, weights=[KIND_WEIGHTS[k] for k in kinds])[0]
    if kind in ("later", "earlier"):
        while True:
            hours = rng.choice(_OFFSET_HOURS)
            minutes = 5 * rng.randint(0, 11) if rng.random() < 0.6 else rng.randint(1, 59)
            if hours * 60 + minutes >= 5:
                return {"kind": kind, "offset": hours * 60 + minutes}
    if kind == "later_minutes":
        offset = 5 * rng.randint(5, 120) if rng.random() < 0.7 else rng.randint(25, 600)
        return {"kind": kind, "offset": offset}
    while True:  # until / since: a named time other than the one shown, usually a round one
        roll = rng.random()
        if roll < 0.35:
            named = 60 * rng.randint(0, 11)
        elif roll < 0.8:
            named = 5 * rng.randint(0, 143)
        else:
            named = rng.randint(0, DIAL_MINUTES - 1)
        if named != shown:
            return {"kind": kind, "time": format_time(named), "named": named}


def question_text(question: dict[str, Any]) -> str:
    """The question's words (the same next to the image and next to the time read from it)."""
    kind = question["kind"]
    if kind == "later":
        return f"What time will the clock show {duration_text(question['offset'])} from now?"
    if kind == "later_minutes":
        return f"What time will the clock show {question['offset']} minutes from now?"
    if kind == "earlier":
        return f"What time did the clock show {duration_text(question['offset'])} ago?"
    if kind == "until":
        return f"How many minutes from now until the clock next shows {question['time']}?"
    if kind == "since":
        return f"How many minutes ago did the clock last show {question['time']}?"
    raise ValueError(f"unknown clock question kind {kind!r}")


def answer_minutes(shown: int, question: dict[str, Any]) -> int:
    """The answer in minutes: a time as minutes after 12:00 (later, earlier), or a number of minutes."""
    kind = question["kind"]
    if kind in ("later", "later_minutes"):
        return (shown + question["offset"]) % DIAL_MINUTES
    if kind == "earlier":
        return (shown - question["offset"]) % DIAL_MINUTES
    if kind == "until":
        return (question["named"] - shown) % DIAL_MINUTES
    if kind == "since":
        return (shown - question["named"]) % DIAL_MINUTES
    raise ValueError(f"unknown clock question kind {kind!r}")


def answer_text(shown: int, question: dict[str, Any]) -> str:
    """The gold answer: ``H:MM`` for a time, digits for minutes."""
    value = answer_minutes(shown, question)
    return format_time(value) if question["kind"] in TIME_ANSWERS else str(value)


def wraps(shown: int, question: dict[str, Any]) -> bool:
    """Whether the arithmetic goes past 12 o'clock (the hours start again at 1), forwards or backwards."""
    kind = question["kind"]
    if kind in ("later", "later_minutes"):
        return shown + question["offset"] >= DIAL_MINUTES
    if kind == "earlier":
        return shown - question["offset"] < 0
    if kind == "until":
        return question["named"] < shown
    return question["named"] > shown


# ---- worked steps -----------------------------------------------------------------------------------------
def _hour(minutes: int) -> int:
    return minutes % DIAL_MINUTES // 60 or 12


def _add_hours(start: int, hours: int, sign: int) -> str:
    """'3:05 + 2 hours = 5:05.', saying so when the hour goes past 12 ('11 + 2 = 13, which is 1 ...')."""
    end = start + sign * 60 * hours
    op = "+" if sign > 0 else "-"
    step = f"{format_time(start)} {op} {duration_text(60 * hours)}"
    raw = _hour(start) + sign * hours
    if 1 <= raw <= 12:
        return f"{step} = {format_time(end)}."
    return (
        f"{step}: {_hour(start)} {op} {hours} = {raw}, which is {_hour(end)} on a 12-hour clock, so {format_time(end)}."
    )


def _add_minutes(start: int, minutes: int, sign: int) -> str:
    """'5:05 + 35 minutes = 5:40.', with the carry or borrow of an hour spelled out."""
    end = start + sign * minutes
    op = "+" if sign > 0 else "-"
    step = f"{format_time(start)} {op} {duration_text(minutes)}"
    now = start % 60
    if sign > 0 and now + minutes >= 60:
        return (
            f"{step}: {now} + {minutes} = {now + minutes} minutes, which is 1 hour and {now + minutes - 60} "
            f"minutes, so the hour goes from {_hour(start)} to {_hour(end)}: {format_time(end)}."
        )
    if sign < 0 and now - minutes < 0:
        return (
            f"{step}: {now} - {minutes} is below 0, so borrow an hour: {now + 60} - {minutes} = "
            f"{now + 60 - minutes}, and the hour goes back from {_hour(start)} to {_hour(end)}: "
            f"{format_time(end)}."
        )
    return f"{step} = {format_time(end)}."


def _shift_steps(shown: int, offset: int, sign: int) -> list[str]:
    hours, minutes = divmod(offset, 60)
    steps, now = [], shown
    if hours:
        steps.append(_add_hours(now, hours, sign))
        now += sign * 60 * hours
    if minutes:
        steps.append(_add_minutes(now, minutes, sign))
    return steps


def _span_steps(start: int, end: int) -> list[str]:
    """Minutes going forwards round the dial from `start` to `end` (to the next full hour, whole hours, the rest)."""
    total = (end - start) % DIAL_MINUTES
    frm, to = format_time(start), format_time(end)
    if total < 60 - start % 60:  # later in the same hour
        return [f"From {frm} to {to} is {end % 60} - {start % 60} = {total} minutes."]
    parts: list[int] = []
    steps: list[str] = []
    now = start
    if start % 60:
        first = 60 - start % 60
        steps.append(f"From {frm} to {format_time(start + first)} is {first} minutes.")
        parts.append(first)
        now = start + first
    hours = (end - end % 60 - now) % DIAL_MINUTES // 60
    if hours:
        note = " (going past 12)" if now % DIAL_MINUTES + 60 * hours > DIAL_MINUTES else ""
        steps.append(
            f"From {format_time(now)} to {format_time(now + 60 * hours)} is {duration_text(60 * hours)}"
            f"{note}, that is {60 * hours} minutes."
        )
        parts.append(60 * hours)
    if end % 60:
        steps.append(f"From {format_time(end - end % 60)} to {to} is {end % 60} minutes.")
        parts.append(end % 60)
    if len(parts) > 1:
        steps.append(f"{' + '.join(map(str, parts))} = {total} minutes.")
    return steps


def worked_steps(shown: int, question: dict[str, Any]) -> tuple[str, ...]:
    """The textual skill's steps from the time shown to the answer (the fine-tuning targets' reasoning)."""
    kind = question["kind"]
    start = f"The clock shows {format_time(shown)}."
    if kind == "later":
        return (start, *_shift_steps(shown, question["offset"], +1))
    if kind == "later_minutes":
        hours, minutes = divmod(question["offset"], 60)
        convert = f"{question['offset']} minutes is {duration_text(question['offset'])}"
        if hours:
            convert += f" ({hours} × 60 = {60 * hours}, and {question['offset']} - {60 * hours} = {minutes})"
        return (start, convert + ".", *_shift_steps(shown, question["offset"], +1))
    if kind == "earlier":
        return (start, *_shift_steps(shown, question["offset"], -1))
    if kind == "until":
        intro = f"Counting forwards from {format_time(shown)} to the next {question['time']}:"
        return (start, intro, *_span_steps(shown, question["named"]))
    if kind == "since":
        intro = f"Counting forwards from the last {question['time']} to {format_time(shown)}:"
        return (start, intro, *_span_steps(question["named"], shown))
    raise ValueError(f"unknown clock question kind {kind!r}")

"""Clock reading: read the time an analogue clock shows (the visual skill), then do time arithmetic with it."""

from __future__ import annotations

import json
import random
from typing import Any, ClassVar

from PIL import Image

from lmms_compgap.core.family import (
    AnswerScore,
    DataCheck,
    GeneratedFamily,
    IntermediateScore,
    Item,
    Metric,
    Paraphrase,
    Prompts,
    canonical_json,
)
from lmms_compgap.families.clock import dial as dials
from lmms_compgap.families.clock.prompts import PARAPHRASES, PROMPTS
from lmms_compgap.families.clock.questions import (
    TIME_ANSWERS,
    answer_text,
    draw_question,
    question_text,
    worked_steps,
    wraps,
)
from lmms_compgap.families.clock.times import (
    dial_distance,
    format_time,
    parse_time,
    read_time,
    score_minutes,
    score_time,
    time_of,
)

#: Dial radius as a share of the canvas's shorter side, and the margin left round the dial.
RADIUS_SHARE = (0.36, 0.46)
MARGIN_SHARE = 0.04
ROTATED_SHARE = 0.6
TWO_COLOUR_SHARE = 0.3
INNER_RING_SHARE = 0.4


def _spec(row: dict[str, Any]) -> dict[str, Any]:
    spec = row["spec"]
    return json.loads(spec) if isinstance(spec, str) else spec


def swapped_reading(hour: int, minute: int) -> int:
    """The time read when the hands are taken for each other: the minute hand read as the hour hand and the
    hour hand as the minute hand (minutes after 12:00)."""
    hour_angle, minute_angle = dials.hand_angles(hour, minute)
    read_minute = round(hour_angle / 6) % 60
    read_hour = round((minute_angle - 0.5 * read_minute) / 30) % 12
    return time_of(read_hour, read_minute)


class Clock(GeneratedFamily):
    """An analogue clock face: read the time, then answer a question of time arithmetic about it."""

    name: ClassVar[str] = "clock"
    task_version: ClassVar[int] = 3
    data_version: ClassVar[int] = 1
    prompts: ClassVar[Prompts] = PROMPTS
    paraphrases: ClassVar[tuple[Paraphrase, ...]] = PARAPHRASES
    #: Minutes of error round the dial (360, the most a reading can be off, when no time is read).
    intermediate_metric: ClassVar[Metric] = Metric("minutes_off", higher_is_better=False)
    in_paper_group: ClassVar[bool] = False
    data_check: ClassVar[DataCheck] = DataCheck(".datacheck:check_clock", tools=("opencv",), threshold=99.0)

    # ---- generation -----------------------------------------------------------------------------------
    def generate_item(self, rng: random.Random) -> Item:
        layouts = sorted(dials.LAYOUTS)
        layout = rng.choices(layouts, weights=[dials.LAYOUTS[name][3] for name in layouts])[0]
        numeral_kinds, _marks, step, _share = dials.LAYOUTS[layout]
        numerals = rng.choice(numeral_kinds)
        while True:  # a time whose hands are clearly apart
            hour, minute = rng.randint(1, 12), step * rng.randrange(60 // step)
            if dials.hand_gap(hour, minute) >= dials.MIN_HAND_GAP:
                break
        shown = time_of(hour, minute)

        side = rng.choice(dials.CANVAS_SIDES)
        width, height = side, rng.choice([s for s in dials.CANVAS_SIDES if abs(s - side) <= 64])
        short = min(width, height)
        radius = round(rng.uniform(*RADIUS_SHARE) * short)
        margin = round(MARGIN_SHARE * short)
        centre = [
            rng.randint(radius + margin, width - radius - margin),
            rng.randint(radius + margin, height - radius - margin),
        ]
        rim_width = round(rng.uniform(0.03, 0.07) * radius, 1)
        face_name = rng.choice(sorted(dials.FACES))
        face, ink, accent = dials.FACES[face_name]
        background = rng.choice(sorted(dials.BACKGROUNDS))
        backdrop = dials.BACKGROUNDS[background]
        rim = rng.choice(
            [
                name
                for name, colour in sorted(dials.RIMS.items())
                if dials.colour_distance(colour, backdrop) >= dials.MIN_RIM_CONTRAST
            ]
        )
        two_colour = rng.random() < TWO_COLOUR_SHARE
        rotation = 0.0
        if rng.random() < ROTATED_SHARE:
            rotation = round(rng.choice((-1, 1)) * rng.uniform(2.0, dials.MAX_ROTATION), 1)
        inner_ring = rng.random() < INNER_RING_SHARE
        dial = dials.layout_spec(rng, layout, numerals, radius - rim_width)
        question = draw_question(rng, shown)
        spec = {
            "size": [width, height],
            "background": list(dials.BACKGROUNDS[background]),
            "centre": centre,
            "radius": radius,
            "rim_width": rim_width,
            "rim": list(dials.RIMS[rim]),
            "face": list(face),
            "ink": list(ink),
            "hour_hand": list(ink),
            "minute_hand": list(accent if two_colour else ink),
            "inner_ring": inner_ring,
            "rotation": rotation,
            "dial": dial,
            "time": {"hour": hour, "minute": minute},
            "question": question,
        }
        answer = answer_text(shown, question)
        attributes = {
            "layout": layout,
            "numerals": numerals,
            "marks": dial["marks"],
            "minute_step": step,
            "hand_style": dial["hands"]["style"],
            "two_colour_hands": two_colour,
            "face": face_name,
            "rim": rim,
            "background": background,
            "rotation": rotation,
            "rotated": rotation != 0,
            "radius": radius,
            "width": width,
            "height": height,
            "hour": hour,
            "minute": minute,
            "on_five_minutes": minute % 5 == 0,
            "hand_gap": round(dials.hand_gap(hour, minute), 1),
            "kind": question["kind"],
            "answer_type": "time" if question["kind"] in TIME_ANSWERS else "minutes",
            "offset_minutes": question.get("offset", int(answer) if question["kind"] not in TIME_ANSWERS else None),
            "wraps": wraps(shown, question),
        }
        return Item(
            question=question_text(question),
            answer=answer,
            intermediate=format_time(shown),
            attributes=attributes,
            spec=spec,
            solution=worked_steps(shown, question),
        )

    def problem_signature(self, item: Item) -> str:
        """The time shown, the question kind and its offset or named time: the answer follows from them whatever
        the dial looks like. ``later`` and ``later_minutes`` are one kind (the same offset added, written as hours
        and minutes or as minutes alone)."""
        question = item.spec["question"]
        kind = "later" if question["kind"] == "later_minutes" else question["kind"]
        time = item.spec["time"]
        return canonical_json(
            {
                "time": time_of(time["hour"], time["minute"]),
                "kind": kind,
                "offset": question.get("offset"),
                "named": question.get("named"),
            }
        )

    # ---- drawing ----------------------------------------------------------------------------------------
    def draw(self, spec: dict[str, Any]) -> Image.Image:
        return dials.draw_clock(spec)

    # ---- scoring ----------------------------------------------------------------------------------------
    def score_answer(self, response: str, row: dict[str, Any]) -> AnswerScore:
        """A time (later, earlier) by the time reader (`times.score_time`); minutes by the number scorer, which
        also reads hours and minutes ("8 hours and 45 minutes" is 525; `times.score_minutes`)."""
        score = score_time if _spec(row)["question"]["kind"] in TIME_ANSWERS else score_minutes
        result = score(response, row["answer"], row.get("question"))
        return AnswerScore(extracted=result["extracted"], correct=int(result["correct"]), strict=int(result["strict"]))

    def score_intermediate(self, response: str, row: dict[str, Any]) -> IntermediateScore:
        """The time read (by the shared answer rules, `times.read_time`) against the gold time.

        `exact`: the same time of the dial (any accepted form: ``3:05``, ``five past three``, ``15:05``);
        `score`: 1 - minutes off / 360 (the shorter way round the dial; 0 when no time is read);
        `usable`: the question answered from the time read gives the gold answer. Every question here is a
        one-to-one function of the time, so `usable` equals `exact`; it is computed, not assumed.
        """
        gold = parse_time(row["intermediate"])
        reading = read_time(response)
        try:
            read = parse_time(reading.value) if reading.value is not None else None
        except ValueError:  # a written time that names no time of the dial ("3:75")
            read = None
        spec = _spec(row)
        minutes_off = dial_distance(read, gold) if read is not None else 360
        usable = int(read is not None and answer_text(read, spec["question"]) == row["answer"])
        swapped = swapped_reading(spec["time"]["hour"], spec["time"]["minute"])
        details = {
            "read": reading.value,
            "reason": reading.reason,
            "minutes_off": minutes_off,
            "hour_right": int(read is not None and read // 60 == gold // 60),
            "minute_right": int(read is not None and read % 60 == gold % 60),
            "hands_swapped": int(read is not None and read != gold and dial_distance(read, swapped) <= 2),
        }
        return IntermediateScore(exact=int(read == gold), score=1.0 - minutes_off / 360, usable=usable, details=details)

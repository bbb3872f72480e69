"""The spoken family's declaration: mathtext's word problems, spoken by eSpeak NG in varied voices, rates and
pitches; the hearing step is scored as mathtext's reading step is (`core.transcription`)."""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Mapping
from dataclasses import replace
from types import MappingProxyType
from typing import Any, ClassVar

import numpy as np
from PIL import Image

from lmms_compgap.core.family import (
    DataCheck,
    GeneratedFamily,
    IntermediateScore,
    Item,
    Metric,
    Paraphrase,
    Prompts,
    canonical_json,
)
from lmms_compgap.core.transcription import score_transcription
from lmms_compgap.families.mathtext.generate import problem_item, solution_plan

from .prompts import PARAPHRASES, PROMPTS
from .respoken import RESPOKEN
from .spectrogram import spectrogram
from .speech import SAMPLE_RATE, speak

#: eSpeak NG voices (language, and a variant after "+"): American English with the four variants the data check's
#: recogniser, trained on American speech, heard best in a trial (the task card).
VOICES: tuple[str, ...] = ("en-us+f1", "en-us+f2", "en-us+f3", "en-us+f5")
#: Speaking rate in words per minute (eSpeak NG's default is 175) and pitch (0-100, default 50).
RATES, PITCHES = (130, 175), (35, 65)
#: How many times a problem may be spoken again (`RESPOKEN`), in three kinds of attempt, each seeded by the text and
#: the attempt: attempts 1 to `PLAIN_ATTEMPTS` draw another voice, rate and pitch; those up to `SLOW_ATTEMPTS` also
#: speak every number from 13 to 19 at `TEEN_RATE` percent of the rate (the data check's recogniser hears eSpeak NG's
#: "-teen" as "-ty" most of all); the later ones, up to `MAX_ATTEMPTS`, speak them at `CLEAR_TEEN_RATE` percent,
#: follow each with a `TEEN_PAUSE` ms pause (a teen before a vowel, "sixteen of", is heard as "sixty" most often),
#: and draw the voice from `CLEAR_VOICES`, those the recogniser followed best with teens spoken so (the task card).
PLAIN_ATTEMPTS, SLOW_ATTEMPTS, MAX_ATTEMPTS = 8, 16, 32
TEEN_RATE, CLEAR_TEEN_RATE, TEEN_PAUSE = 60, 40, 300
CLEAR_VOICES: tuple[str, ...] = ("en-us+f1", "en-us+f2", "en-us+anika")


def text_key(text: str) -> str:
    """The key of a problem's text in `RESPOKEN` (the first 16 hex digits of its SHA-256)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def draw_voice(rng: random.Random, voices: tuple[str, ...] = VOICES) -> dict[str, Any]:
    """A voice from `voices`, a rate and a pitch drawn from `rng`, numbers spoken as the rest (`teen_rate` 100, no
    `teen_pause`)."""
    return {
        "voice": rng.choice(voices),
        "rate": rng.randint(*RATES),
        "pitch": rng.randint(*PITCHES),
        "teen_rate": 100,
        "teen_pause": 0,
    }


def respoken_voice(text: str, attempt: int) -> dict[str, Any]:
    """The voice, rate and pitch of `text`'s `attempt`-th re-speaking (1 to `MAX_ATTEMPTS`): seeded by the text and
    the attempt alone, so the item's other draws, and every other item, stay as they were."""
    if not 1 <= attempt <= MAX_ATTEMPTS:
        raise ValueError(f"attempt {attempt} is outside 1-{MAX_ATTEMPTS}")
    rng = random.Random(f"compgap:spoken:respoken:{text}:{attempt}")
    if attempt <= PLAIN_ATTEMPTS:
        return draw_voice(rng)
    if attempt <= SLOW_ATTEMPTS:
        return {**draw_voice(rng), "teen_rate": TEEN_RATE}
    return {**draw_voice(rng, CLEAR_VOICES), "teen_rate": CLEAR_TEEN_RATE, "teen_pause": TEEN_PAUSE}


class Spoken(GeneratedFamily):
    """Reasoning over speech: hear a word problem, then solve it."""

    name: ClassVar[str] = "spoken"
    task_version: ClassVar[int] = 2
    data_version: ClassVar[int] = 3
    prompts: ClassVar[Prompts] = PROMPTS
    paraphrases: ClassVar[tuple[Paraphrase, ...]] = PARAPHRASES
    intermediate_metric: ClassVar[Metric] = Metric("cer", higher_is_better=False)
    in_paper_group: ClassVar[bool] = False
    #: PocketSphinx, trained on human speech, hears every number of every clip right (re-spoken ones included) and
    #: of none when each number of the labels is off by one (docs/data_check.md): the other families' threshold.
    data_check: ClassVar[DataCheck] = DataCheck(".datacheck:check_spoken", tools=("pocketsphinx",), threshold=99.0)
    #: The problems spoken again, and in which attempt (`respoken.py`, made by `respeak.py`).
    respoken: ClassVar[Mapping[str, int]] = MappingProxyType(RESPOKEN)
    medium: ClassVar[str] = "audio"
    sample_rate: ClassVar[int] = SAMPLE_RATE

    def generate_item(self, rng: random.Random) -> Item:
        """mathtext's problem (its text is what is spoken), told in a voice, rate and pitch drawn from `rng`, or, for a
        problem whose first clip the data check's recogniser did not follow, its `RESPOKEN` attempt's."""
        problem = problem_item(rng)
        voice = draw_voice(rng)
        attempt = self.respoken.get(text_key(problem.intermediate), 0)
        if attempt:
            voice = respoken_voice(problem.intermediate, attempt)
        attributes = {
            "steps": problem.attributes["steps"],
            "operations": problem.attributes["operations"],
            "chars": len(problem.intermediate),
            **voice,
            "attempt": attempt,
        }
        return replace(problem, attributes=attributes, spec={"text": problem.intermediate, **voice})

    def problem_signature(self, item: Item) -> str:
        """The operation chain and its numbers, as mathtext's: one problem however it is told or spoken."""
        start, steps = solution_plan(item.solution)
        return canonical_json({"start": start, "steps": steps})

    def speak_row(self, row: dict[str, Any]) -> np.ndarray:
        return speak(json.loads(row["spec"]))

    def draw(self, spec: dict[str, Any]) -> Image.Image:
        """The clip's spectrogram: a picture of what is heard (requests carry the clip itself)."""
        return spectrogram(speak(spec))

    def score_intermediate(self, response: str, row: dict[str, Any]) -> IntermediateScore:
        return score_transcription(response, row["intermediate"])

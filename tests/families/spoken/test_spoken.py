"""The spoken family: mathtext's problems spoken deterministically, clips cached like pictures, the hearing step
scored as a transcription, and the PocketSphinx check's grammar and verdicts."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from lmms_compgap.core import clips, pictures
from lmms_compgap.core.results import score_response
from lmms_compgap.datacheck import sphinx
from lmms_compgap.families.mathtext import FAMILY as MATHTEXT
from lmms_compgap.families.spoken import FAMILY
from lmms_compgap.families.spoken.datacheck import compare
from lmms_compgap.families.spoken.family import (
    CLEAR_TEEN_RATE,
    CLEAR_VOICES,
    MAX_ATTEMPTS,
    PITCHES,
    PLAIN_ATTEMPTS,
    RATES,
    SLOW_ATTEMPTS,
    TEEN_PAUSE,
    TEEN_RATE,
    VOICES,
    Spoken,
    respoken_voice,
    text_key,
)
from lmms_compgap.families.spoken.speech import MAX_TEEN_PAUSE, SAMPLE_RATE, speak, spoken_text
from lmms_compgap.tasks import hooks

#: The WAV bytes of the canonical split's first clip (eSpeak NG of espeakng-loader 0.2.4): a change of the
#: synthesiser or the resampling that changes the samples must bump the family's data_version.
FIRST_CLIP_SHA256 = "7b0595d675f68db1086b0af38136231df08e803998da906e66d06c8107e856a0"
SHORT = {"text": "Maya has 17 apples.", "voice": "en-us+f2", "rate": 150, "pitch": 50}


def _speak_in_a_fresh_process(specs: list[dict]) -> list[str]:
    code = (
        "import hashlib, json, sys\nfrom lmms_compgap.families.spoken.speech import speak\n"
        "print(json.dumps([hashlib.sha256(speak(s).tobytes()).hexdigest() for s in json.loads(sys.argv[1])]))"
    )
    done = subprocess.run([sys.executable, "-c", code, json.dumps(specs)], capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def test_a_clip_depends_on_its_spec_alone_whatever_was_spoken_before_and_in_any_process() -> None:
    other = {**SHORT, "voice": "en-us+f5", "rate": 130, "pitch": 65}
    here = [hashlib.sha256(speak(spec).tobytes()).hexdigest() for spec in (SHORT, other, SHORT)]
    assert here[0] == here[2] != here[1]  # eSpeak NG's library alone drifts after another voice has spoken
    assert _speak_in_a_fresh_process([other, SHORT]) == [here[1], here[0]]


def test_the_canonical_first_clip_keeps_its_bytes() -> None:
    row = FAMILY.canonical_rows()[0]
    assert hashlib.sha256(clips.wav_bytes(FAMILY.speak_row(row), SAMPLE_RATE)).hexdigest() == FIRST_CLIP_SHA256


@pytest.mark.parametrize("text", ["", "   ", "x" * 4001])
def test_empty_or_runaway_text_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="1-4000 characters"):
        speak({**SHORT, "text": text})


def test_items_are_mathtexts_problems_told_in_recorded_voices_rates_and_pitches() -> None:
    rows = FAMILY.canonical_rows()
    assert len(rows) == 1000 and len({row["intermediate"] for row in rows}) == 1000
    attributes = [json.loads(row["attributes"]) for row in rows]
    specs = [json.loads(row["spec"]) for row in rows]
    assert all(spec["text"] == row["intermediate"] for spec, row in zip(specs, rows, strict=True))
    assert set(VOICES) <= Counter(a["voice"] for a in attributes).keys() <= set(VOICES) | set(CLEAR_VOICES)
    assert all(RATES[0] <= a["rate"] <= RATES[1] and PITCHES[0] <= a["pitch"] <= PITCHES[1] for a in attributes)
    assert all(
        {key: a[key] for key in ("voice", "rate", "pitch", "teen_rate", "teen_pause")} == {k: s[k] for k in a if k in s}
        for a, s in zip(attributes, specs, strict=True)
    )
    # Its own seed: not mathtext's items in another voice.
    assert rows[0]["intermediate"] != MATHTEXT.canonical_rows()[0]["intermediate"]


def test_a_respoken_problem_keeps_its_text_and_takes_its_attempts_voice_and_no_other_item_changes() -> None:
    rows, first_clips = FAMILY.canonical_rows(), Spoken()
    first_clips.respoken = {}
    drawn = first_clips.generate()
    attempts = [json.loads(row["attributes"])["attempt"] for row in rows]
    assert FAMILY.respoken and all(0 <= attempt <= MAX_ATTEMPTS for attempt in attempts)
    assert sum(attempt > 0 for attempt in attempts) == len(FAMILY.respoken)
    for row, first, attempt in zip(rows, drawn, attempts, strict=True):
        assert (row["uid"], row["question"], row["intermediate"]) == (
            first["uid"],
            first["question"],
            first["intermediate"],
        )
        if attempt == 0:
            assert row == first
        else:
            assert FAMILY.respoken[text_key(row["intermediate"])] == attempt
            spec = json.loads(row["spec"])
            assert {key: spec[key] for key in ("voice", "rate", "pitch", "teen_rate", "teen_pause")} == respoken_voice(
                row["intermediate"], attempt
            )


def test_later_attempts_slow_the_teens_then_pause_after_them_and_earlier_ones_only_draw_another_voice() -> None:
    text = "Ana has 17 pens."
    attempts = (1, PLAIN_ATTEMPTS, PLAIN_ATTEMPTS + 1, SLOW_ATTEMPTS, SLOW_ATTEMPTS + 1, MAX_ATTEMPTS)
    kinds = [(respoken_voice(text, a)["teen_rate"], respoken_voice(text, a)["teen_pause"]) for a in attempts]
    clear = (CLEAR_TEEN_RATE, TEEN_PAUSE)
    assert kinds == [(100, 0), (100, 0), (TEEN_RATE, 0), (TEEN_RATE, 0), clear, clear]
    assert {respoken_voice(text, attempt)["voice"] for attempt in range(SLOW_ATTEMPTS + 1, MAX_ATTEMPTS + 1)} <= set(
        CLEAR_VOICES
    )
    assert respoken_voice(text, 2) == respoken_voice(text, 2) != respoken_voice(text, 3)


@pytest.mark.parametrize(
    ("text", "teen_rate", "teen_pause", "spoken", "flags"),
    [
        ("Ana has 17 pens & 130 caps.", 100, 0, "Ana has 17 pens & 130 caps.", 1),
        (
            "Ana has 17 pens & 130 caps, 19 <b>.",
            60,
            0,
            '<speak>Ana has <prosody rate="60%">17</prosody> pens &amp; 130 caps, <prosody rate="60%">19</prosody> '
            "&lt;b&gt;.</speak>",
            0x11,
        ),
        (
            "Ana has 17 pens, 12 cups and 119 caps.",
            40,
            300,
            '<speak>Ana has <prosody rate="40%">17</prosody><break time="300ms"/> pens, 12 cups and 119 caps.</speak>',
            0x11,
        ),
        ("Ana has 13 pens.", 100, 250, '<speak>Ana has 13<break time="250ms"/> pens.</speak>', 0x11),
    ],
)
def test_slowed_teens_are_ssml_around_13_to_19_alone_with_the_text_escaped(
    text: str, teen_rate: int, teen_pause: int, spoken: str, flags: int
) -> None:
    assert spoken_text({"text": text, "teen_rate": teen_rate, "teen_pause": teen_pause}) == (spoken, flags)


def test_a_slowed_teen_is_spoken_longer_and_a_pause_lengthens_it_again() -> None:
    plain = {**SHORT, "teen_rate": 100, "teen_pause": 0}
    slowed = {**plain, "teen_rate": TEEN_RATE}
    paused = {**plain, "teen_rate": CLEAR_TEEN_RATE, "teen_pause": TEEN_PAUSE}
    assert len(speak(paused)) > len(speak(slowed)) > len(speak(plain)) == len(speak(SHORT))


@pytest.mark.parametrize(
    ("field", "value"), [("teen_rate", 9), ("teen_rate", 101), ("teen_pause", -1), ("teen_pause", MAX_TEEN_PAUSE + 1)]
)
def test_a_teen_rate_or_pause_out_of_range_is_refused(field: str, value: int) -> None:
    with pytest.raises(ValueError, match=f"{field} .* outside"):
        spoken_text({**SHORT, field: value})


@pytest.mark.parametrize("attempt", [0, MAX_ATTEMPTS + 1])
def test_an_attempt_outside_the_range_is_refused(attempt: int) -> None:
    with pytest.raises(ValueError, match="outside"):
        respoken_voice("Ana has 3 pens.", attempt)


def test_a_request_carries_the_clip_as_lmms_evals_audio_dict() -> None:
    row = FAMILY.canonical_rows()[1]
    (audio,) = hooks.doc_to_visual(row)
    assert set(audio) == {"array", "sampling_rate", "type"} and audio["type"] == "audio"
    assert audio["sampling_rate"] == SAMPLE_RATE and audio["array"].dtype == np.float32
    assert np.abs(audio["array"]).max() <= 1.0 and len(audio["array"]) > SAMPLE_RATE  # seconds of speech


@pytest.fixture()
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(pictures.CACHE_ENV, str(tmp_path / "cache"))
    return tmp_path / "cache"


def test_a_cached_clip_is_read_back_without_speaking_and_a_damaged_one_is_spoken_again(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    row = FAMILY.canonical_rows()[2]
    spoken = FAMILY.speak_row(row)
    assert clips.samples(FAMILY, row).tobytes() == spoken.tobytes()
    path = clips.cache_path(FAMILY, row, cache)
    assert path.read_bytes() == clips.wav_bytes(spoken, SAMPLE_RATE)
    monkeypatch.setattr(FAMILY, "speak_row", lambda _row: pytest.fail("the cached clip must be read, not spoken"))
    assert clips.samples(FAMILY, row).tobytes() == spoken.tobytes()
    monkeypatch.undo()
    monkeypatch.setenv(pictures.CACHE_ENV, str(cache))
    for damaged in (path.read_bytes()[:1000], b"not a wav", clips.wav_bytes(spoken, 22050)):
        path.write_bytes(damaged)
        assert clips.samples(FAMILY, row).tobytes() == spoken.tobytes()
        assert path.read_bytes() == clips.wav_bytes(spoken, SAMPLE_RATE)


def test_a_changed_spec_never_reads_a_stale_clip_and_the_cache_can_be_off(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    row = FAMILY.canonical_rows()[2]
    clips.samples(FAMILY, row)
    changed = {**row, "spec": json.dumps({**json.loads(row["spec"]), "rate": 131})}
    assert clips.cache_path(FAMILY, changed, cache) != clips.cache_path(FAMILY, row, cache)
    assert clips.samples(FAMILY, changed).tobytes() == FAMILY.speak_row(changed).tobytes()
    monkeypatch.setenv(pictures.CACHE_ENV, "off")
    assert clips.samples(FAMILY, row).tobytes() == FAMILY.speak_row(row).tobytes()


def test_the_hearing_step_is_scored_as_a_transcription() -> None:
    row = FAMILY.canonical_rows()[0]
    gold = score_response(row, "vision", row["intermediate"])
    assert (gold["exact_match"], gold["usable"], gold["cer"]) == (1, 1, 0.0)
    first = re.search(r"[0-9]+", row["intermediate"])
    assert first is not None
    misheard_text = row["intermediate"].replace(first.group(0), str(int(first.group(0)) + 1), 1)
    misheard = score_response(row, "vision", misheard_text)
    assert misheard["exact_match"] == 0 and misheard["usable"] == 0 and 0 < misheard["cer"] < 0.01  # a number wrong


@pytest.mark.parametrize(
    ("number", "words"),
    [
        (0, "zero"),
        (7, "seven"),
        (13, "thirteen"),
        (40, "forty"),
        (42, "forty two"),
        (100, "one hundred"),
        (305, "three hundred five"),
        (999, "nine hundred ninety nine"),
    ],
)
def test_numbers_are_spelled_as_the_recogniser_dictionary_spells_them(number: int, words: str) -> None:
    assert sphinx.number_words(number) == words


@pytest.mark.parametrize(
    ("hypothesis", "heard"),
    [
        ("she has n_forty n_two two apples and buys n_three more", ["forty two", "three"]),
        ("she has n_forty two apples and buys n_twenty n_three more", ["forty", "twenty three"]),
        # The text's own "two" after a number is not part of the number.
        ("she has n_sixty n_two two apples and buys n_one more", ["sixty two", "one"]),
        ("she has", ["", ""]),
    ],
)
def test_the_numbers_heard_are_read_at_their_places_in_the_grammar(hypothesis: str, heard: list[str]) -> None:
    parts = ["she", "has", "<number>", "two", "apples", "and", "buys", "<number>", "more"]
    assert sphinx.numbers_heard(hypothesis, parts) == heard


def test_the_check_agrees_only_when_every_number_is_heard_right() -> None:
    row = {"uid": "u", "intermediate": "Ana has 42 pens. She buys 3 more."}
    assert compare(row, sphinx.Heard("ana has forty two pens she buys three more", ["forty two", "three"])).agrees
    wrong = compare(row, sphinx.Heard("ana has forty pens she buys three more", ["forty", "three"]))
    assert not wrong.agrees and "'forty' for 'forty two'" in wrong.note
    nothing = compare(row, sphinx.Heard("", []))
    assert not nothing.agrees and "no hypothesis" in nothing.note


@pytest.mark.skipif(
    __import__("importlib").util.find_spec("pocketsphinx") is None, reason="pocketsphinx is not installed"
)
def test_a_word_without_pronunciation_is_named() -> None:
    with pytest.raises(sphinx.SphinxError, match="Zyxwv"):
        sphinx.grammar("Zyxwv has 3 pens.", {}, sphinx.decoder())

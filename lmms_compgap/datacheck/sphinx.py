"""The PocketSphinx runner: which number a recogniser, not written here, hears at each number of a known text.

PocketSphinx (its wheel ships CMU's US English acoustic model and dictionary) decodes a clip against a grammar made
from the gold text: its words in order, and at each number a free choice among all the numbers `0` to `MAX_NUMBER`
spoken as words. The recogniser so decides which number it hears in every number's place, against a hundred
alternatives, while the words around it tell it where to listen; a clip whose numbers it hears right is
intelligible where it matters for the problem. A clip that does not fit the text at all gives no hypothesis.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np

#: The numbers each number's place may be heard as (the problems' numbers are 2 to 80). A thousand alternatives
#: decode ten times slower (about 10 s a clip, measured) and change no verdict of the first eight items.
MAX_NUMBER = 100
ONES = (
    *("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"),
    *("eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"),
)
TENS = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
_NUMBER_WORDS = (*ONES, *TENS[2:], "hundred")
#: A number's words in the grammar are dictionary copies under this prefix ("n_two" sounds as "two"), so that the
#: hypothesis tells a number's "two" from a "two" of the text ("becomes two times larger").
NUMBER_PREFIX = "n_"
_TOKEN = re.compile(r"[0-9]+|[A-Za-z]+(?:'[A-Za-z]+)?")
#: No dither of the decoder's own: its generator runs on from clip to clip, so a clip's verdict would depend on the
#: clips decoded before it (measured); `hear` adds its own, seeded per clip.
DECODER_OPTIONS: dict[str, Any] = {"loglevel": "ERROR", "dither": False}


class SphinxError(RuntimeError):
    """PocketSphinx is missing, or a word of a text has no pronunciation."""


def number_words(number: int) -> str:
    """`number` (0-999) as US English words: 42 -> "forty two", 305 -> "three hundred five"."""
    if not 0 <= number <= 999:
        raise ValueError(f"{number} is outside 0-999")
    if number < 20:
        return ONES[number]
    if number < 100:
        return TENS[number // 10] + ("" if number % 10 == 0 else " " + ONES[number % 10])
    rest = number % 100
    return f"{ONES[number // 100]} hundred" + ("" if rest == 0 else " " + number_words(rest))


def decoder() -> Any:
    """A PocketSphinx decoder with its bundled US English model (one per process: loading takes about 0.3 s)."""
    try:
        from pocketsphinx import Decoder
    except ImportError as error:
        raise SphinxError(
            "the spoken family's data check hears clips with PocketSphinx: pip install pocketsphinx"
        ) from error
    decode = Decoder(**DECODER_OPTIONS)
    for index, word in enumerate(_NUMBER_WORDS, start=1):  # the search is updated once, with the last word
        decode.add_word(NUMBER_PREFIX + word, decode.lookup_word(word), index == len(_NUMBER_WORDS))
    return decode


def sphinx_version() -> str:
    from importlib.metadata import version

    return f"{version('pocketsphinx')} (model en-us)"


@dataclass(frozen=True)
class Heard:
    """What the recogniser heard: its hypothesis (empty when the clip did not fit the grammar at all) and, for each
    number of the text in order, the words it heard there."""

    hypothesis: str
    numbers: list[str]


def _pronounced(token: str, known: dict[str, str], decode: Any) -> str:
    """`token` as a dictionary word, added to the decoder from `known` (words the model's dictionary lacks, and
    their possessives) when it is not in the dictionary."""
    word = token.lower()
    if decode.lookup_word(word) is not None:
        return word
    base, possessive = (word[:-2], True) if word.endswith("'s") else (word, False)
    phones = decode.lookup_word(base) or known.get(base)
    if phones is None:
        raise SphinxError(f"no pronunciation for {token!r}: add it to the check's dictionary of extra words")
    decode.add_word(word, phones + (" Z" if possessive else ""), True)
    return word


def grammar(text: str, known: dict[str, str], decode: Any) -> tuple[str, list[str]]:
    """The JSGF grammar of `text` (its words in order, every number a choice among all numbers) and its parts."""
    parts = ["<number>" if token.isdigit() else _pronounced(token, known, decode) for token in _TOKEN.findall(text)]
    numbers = " | ".join(
        " ".join(NUMBER_PREFIX + word for word in number_words(number).split()) for number in range(MAX_NUMBER + 1)
    )
    jsgf = f"#JSGF V1.0;\ngrammar problem;\n<number> = {numbers};\npublic <problem> = {' '.join(parts)};\n"
    return jsgf, parts


def numbers_heard(hypothesis: str, parts: list[str]) -> list[str]:
    """The number words the hypothesis holds at each number's place of the grammar, prefix removed (linear in its
    length)."""
    tokens, position, heard = hypothesis.split(), 0, []
    for part in parts:
        if part == "<number>":
            start = position
            while position < len(tokens) and tokens[position].startswith(NUMBER_PREFIX):
                position += 1
            heard.append(" ".join(token.removeprefix(NUMBER_PREFIX) for token in tokens[start:position]))
        elif position < len(tokens) and tokens[position] == part:
            position += 1
    return heard


def dithered(samples: np.ndarray) -> np.ndarray:
    """`samples` with a least-significant-bit noise added, seeded by nothing but a constant: eSpeak NG's pauses are
    digital silence, whose log energy is minus infinity, and PocketSphinx's features need some signal. The same
    clip always gets the same noise, whatever was decoded before."""
    noise = np.random.default_rng(1).integers(-1, 2, size=len(samples))
    return np.clip(np.asarray(samples, dtype=np.int32) + noise, -32768, 32767).astype("<i2")


def hear(decode: Any, samples: np.ndarray, text: str, known: dict[str, str]) -> Heard:
    """Decode 16 kHz 16-bit `samples` against the grammar of `text`."""
    jsgf, parts = grammar(text, known, decode)
    decode.add_jsgf_string("problem", jsgf)
    decode.activate_search("problem")
    decode.start_utt()
    decode.process_raw(dithered(samples).tobytes(), full_utt=True)
    decode.end_utt()
    found = decode.hyp()
    hypothesis = found.hypstr if found is not None else ""
    return Heard(hypothesis, numbers_heard(hypothesis, parts) if hypothesis else [])


def spoken_numbers(text: str) -> list[str]:
    """The numbers written in `text`, in order, as the words the grammar uses."""
    return [number_words(int(token)) for token in _TOKEN.findall(text) if token.isdigit()]

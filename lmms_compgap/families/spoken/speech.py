"""Speaking a word problem: eSpeak NG (the `espeakng-loader` wheel's library) in a fresh process per clip.

eSpeak NG keeps state from one utterance to the next inside its library (the same text, voice, rate and pitch
gives other samples after another voice has spoken, even after `espeak_Terminate`), so every clip is made by a
new, small Python process that loads the library, speaks once and exits: the samples depend on the spec alone.
That costs about 30 ms a clip, once per machine (clips are cached, `core.clips`). The library is GPL-3.0 and is
used as a separately installed program, never linked into or shipped with this package.
"""

from __future__ import annotations

import re
import subprocess
import sys
from typing import Any
from xml.sax.saxutils import escape

import numpy as np
from scipy.signal import resample_poly

#: The rate clips are stored and sent at: what speech models (Whisper's feature extractor, Qwen2-Audio) expect.
SAMPLE_RATE = 16000
#: eSpeak NG speaks at 22,050 Hz; 16,000 / 22,050 = 320 / 441, a polyphase resampling (deterministic).
ESPEAK_RATE = 22050
_UP, _DOWN = 320, 441
#: Longest text spoken (characters): far above any problem, a guard against a runaway spec.
MAX_TEXT = 4000
#: espeak_PARAMETER: rate (words per minute) and pitch (0-100).
_RATE, _PITCH = 1, 3
#: espeak_Synth's flags: the text is UTF-8; it is SSML.
_UTF8, _SSML = 1, 0x10
#: The numbers a spec's `teen_rate` slows down and its `teen_pause` follows: those whose "-teen" a recogniser hears
#: as "-ty" (13-19).
_TEEN = re.compile(r"(?<![0-9])1[3-9](?![0-9])")
#: The longest pause after a teen a spec may ask for (milliseconds).
MAX_TEEN_PAUSE = 2000


def spoken_text(spec: dict[str, Any]) -> tuple[str, int]:
    """What eSpeak NG is given for `spec`, and its flags: the text itself; or, when the spec's `teen_rate` (percent
    of the rate, 100 by default) is below 100 or its `teen_pause` (milliseconds, 0 by default) above 0, SSML that
    speaks every number from 13 to 19 at that rate and pauses that long after it. eSpeak NG speaks no slower than
    80 words a minute, so a rate below that is spoken at 80."""
    text, teen_rate, teen_pause = str(spec["text"]), int(spec.get("teen_rate", 100)), int(spec.get("teen_pause", 0))
    if not 10 <= teen_rate <= 100:
        raise ValueError(f"teen_rate {teen_rate} is outside 10-100")
    if not 0 <= teen_pause <= MAX_TEEN_PAUSE:
        raise ValueError(f"teen_pause {teen_pause} is outside 0-{MAX_TEEN_PAUSE} ms")
    if teen_rate == 100 and teen_pause == 0:
        return text, _UTF8

    def marked(number: re.Match[str]) -> str:
        spoken = number.group(0) if teen_rate == 100 else f'<prosody rate="{teen_rate}%">{number.group(0)}</prosody>'
        return spoken + (f'<break time="{teen_pause}ms"/>' if teen_pause else "")

    return f"<speak>{_TEEN.sub(marked, escape(text))}</speak>", _UTF8 | _SSML


#: Run by `python -I -S` (no site-packages, no user paths): the library and data paths come as arguments, the text
#: on stdin; 16-bit samples go to stdout. AUDIO_OUTPUT_SYNCHRONOUS (2): the callback receives every sample before
#: espeak_Synth returns. The flags (`spoken_text`) come as an argument too. The random seed is fixed: voices with
#: "breath" (the f2, f3 and f5 variants) add noise drawn from it, seeded from the clock otherwise (measured: other
#: samples in every process).
_SPEAK_ONCE = r"""
import ctypes, sys
library, data, voice, rate, pitch, flags = sys.argv[1:7]
lib = ctypes.CDLL(library)
samples = []
@ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p)
def collect(wav, count, events):
    if count > 0:
        samples.append(ctypes.string_at(wav, count * 2))
    return 0
if lib.espeak_Initialize(2, 0, data.encode(), 0) != 22050:
    sys.exit("espeak_Initialize failed")
lib.espeak_SetSynthCallback(collect)
lib.espeak_ng_SetRandSeed(ctypes.c_long(1))
if lib.espeak_SetVoiceByName(voice.encode()) != 0:
    sys.exit("unknown voice " + voice)
lib.espeak_SetParameter(1, int(rate), 0)
lib.espeak_SetParameter(3, int(pitch), 0)
text = sys.stdin.buffer.read()
if lib.espeak_Synth(text, len(text) + 1, 0, 0, 0, int(flags), None, None) != 0 or lib.espeak_Synchronize() != 0:
    sys.exit("espeak_Synth failed")
sys.stdout.buffer.write(b"".join(samples))
"""


class SpeechUnavailable(RuntimeError):
    """The speech synthesiser is not installed, or failed."""


def espeak_paths() -> tuple[str, str]:
    """The eSpeak NG library and its voice data, from the `espeakng-loader` wheel."""
    try:
        import espeakng_loader
    except ImportError as error:
        raise SpeechUnavailable(
            "the spoken family speaks its problems with eSpeak NG: pip install espeakng-loader"
        ) from error
    return espeakng_loader.get_library_path(), espeakng_loader.get_data_path()


def speak(spec: dict[str, Any]) -> np.ndarray:
    """The spec's text spoken in its voice, rate and pitch: 16-bit mono samples at `SAMPLE_RATE` (same spec,
    same samples)."""
    text = str(spec["text"])
    if not text.strip() or len(text) > MAX_TEXT:
        raise ValueError(f"a clip's text must be 1-{MAX_TEXT} characters")
    text, flags = spoken_text(spec)
    library, data = espeak_paths()
    arguments = [str(spec["voice"]), str(int(spec["rate"])), str(int(spec["pitch"])), str(flags)]
    try:
        done = subprocess.run(
            [sys.executable, "-I", "-S", "-c", _SPEAK_ONCE, library, data, *arguments],
            input=text.encode("utf-8"),
            capture_output=True,
            timeout=60,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise SpeechUnavailable(f"eSpeak NG did not run: {error}") from error
    if done.returncode != 0 or not done.stdout:
        reason = done.stderr.decode("utf-8", "replace").strip()[-300:] or f"exit status {done.returncode}"
        raise SpeechUnavailable(f"eSpeak NG failed on voice {arguments[0]}: {reason}")
    raw = np.frombuffer(done.stdout[: len(done.stdout) // 2 * 2], dtype="<i2").astype(np.float64)
    resampled = resample_poly(raw, _UP, _DOWN)
    return np.clip(np.rint(resampled), -32768, 32767).astype("<i2")

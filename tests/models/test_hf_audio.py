"""`compgap_hf` hands an audio part holding lmms-eval's audio dict to the processor as its samples."""

from __future__ import annotations

import numpy as np
import pytest

from lmms_compgap.models.hf import _with_audio_samples


def _turn(*parts: dict) -> list[dict]:
    return [{"role": "user", "content": list(parts)}]


def test_an_audio_dict_becomes_its_samples_and_other_parts_stay_as_they_are() -> None:
    samples = np.zeros(16000, dtype=np.float32)
    text = {"type": "text", "text": "Transcribe."}
    image = {"type": "image", "url": "picture"}
    clip = {"type": "audio", "url": {"array": samples, "sampling_rate": 16000, "type": "audio"}}
    (message,), left_out = _with_audio_samples(_turn(clip, image, text), 16000)
    assert left_out == 0
    assert message["content"][0] == {"type": "audio", "audio": samples} and message["content"][0]["audio"] is samples
    assert message["content"][1:] == [image, text]
    assert _with_audio_samples([{"role": "user", "content": "plain text"}], 16000) == (
        [{"role": "user", "content": "plain text"}],
        0,
    )


def test_a_processor_without_a_feature_extractor_gets_no_clip_and_it_is_counted() -> None:
    text = {"type": "text", "text": "Solve."}
    clip = {"type": "audio", "url": {"array": np.zeros(10, dtype=np.float32), "sampling_rate": 16000}}
    assert _with_audio_samples(_turn(clip, text), None) == (_turn(text), 1)


def test_a_clip_at_another_rate_than_the_processors_is_refused() -> None:
    clip = {"type": "audio", "url": {"array": np.zeros(10, dtype=np.float32), "sampling_rate": 22050}}
    with pytest.raises(ValueError, match="22050 Hz, but the processor takes 16000 Hz"):
        _with_audio_samples(_turn(clip), 16000)

"""A clip's picture: its spectrogram (what the task card shows, and what `draw_row` gives for this audio family)."""

from __future__ import annotations

import numpy as np
from PIL import Image

#: 32 ms windows every 10 ms at 16 kHz; frequencies up to 8 kHz, the loudest 60 dB shown.
WINDOW, HOP, DYNAMIC_RANGE_DB = 512, 160, 60.0


def spectrogram(samples: np.ndarray, height: int = 256) -> Image.Image:
    """Time left to right, frequency bottom to top, louder darker (same samples, same pixels)."""
    signal = np.asarray(samples, dtype=np.float64) / 32768.0
    if len(signal) < WINDOW:
        signal = np.pad(signal, (0, WINDOW - len(signal)))
    frames = np.lib.stride_tricks.sliding_window_view(signal, WINDOW)[::HOP] * np.hanning(WINDOW)
    power = np.abs(np.fft.rfft(frames, axis=1)) ** 2
    decibels = 10 * np.log10(power + 1e-12)
    scaled = np.clip((decibels - decibels.max() + DYNAMIC_RANGE_DB) / DYNAMIC_RANGE_DB, 0.0, 1.0)
    pixels = np.round(255 * (1.0 - scaled.T[::-1])).astype(np.uint8)  # rows: high frequencies first
    image = Image.fromarray(pixels, mode="L").resize((pixels.shape[1], height), Image.Resampling.BILINEAR)
    return image.convert("RGB")

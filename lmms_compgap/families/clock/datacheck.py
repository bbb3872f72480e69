"""Check clock images with classical computer vision (OpenCV, NumPy): read the time from the pixels alone.

Nothing of the row's spec or of the drawing code is used, only what any analogue clock obeys: the dial
is a disc standing out from its background; the hands turn about its centre, the minute hand longer
than the hour hand; the numerals or marks sit at the twelve hour positions with 12 near the top. So:

1. the background is the colour of the image's border; the largest region that differs from it is the
   clock, and its smallest enclosing circle gives the centre and radius;
2. the face is the commonest colour near the centre; ink is what differs from it;
3. the hands are the ink region joined to the centre; the minute hand is the direction they reach
   farthest, the hour hand the farthest reach at least 15 degrees away from it;
4. the dial's tilt is the phase of the twelve-fold pattern of all other ink (numerals, marks: anything
   round the dial at the hour positions; rings and the rim contribute nothing to it);
5. the minute is the minute hand's angle from 12 over 6 degrees, rounded; the hour is the hour hand's
   angle less half a degree per minute, over 30 degrees, rounded.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np

from lmms_compgap.core.item_check import ItemCheck
from lmms_compgap.families.clock.family import Clock

#: A pixel belongs to the clock when this far (RGB distance) from the background's colour.
BACKGROUND_DISTANCE = 45.0
#: A pixel is ink when this far from the face's colour (half the weakest contrast of a print and a face).
INK_DISTANCE = 80.0
#: Hand pixels this share of the farthest reach out or more are the minute hand's tip.
TIP_SHARE = 0.78
#: The hour hand is looked for this many degrees away from the minute hand at least.
HOUR_AWAY = 15.0
#: Ink this share of the radius out or more is the rim, left out of the tilt.
RIM_SHARE = 0.93


@dataclass(frozen=True)
class Reading:
    """What the pixels say: the time and the measurements behind it (degrees clockwise from the image's up)."""

    hour: int
    minute: int
    minute_angle: float
    hour_angle: float
    tilt: float
    centre: tuple[float, float]
    radius: float

    @property
    def time(self) -> str:
        return f"{self.hour}:{self.minute:02d}"


def _far(image: np.ndarray, colour: np.ndarray, distance: float) -> np.ndarray:
    """Pixels farther than `distance` (RGB) from `colour` (integer arithmetic: exact and quick)."""
    difference = image.astype(np.int32) - np.round(colour).astype(np.int32)
    return np.einsum("ijk,ijk->ij", difference, difference) > distance * distance


def _circular_mean(degrees: np.ndarray, weights: np.ndarray | None = None, fold: int = 1) -> float:
    """The mean direction of angles (degrees), or of their `fold`-fold pattern (its phase over `fold`)."""
    radians = np.radians(degrees) * fold
    w = np.ones_like(radians) if weights is None else weights
    return math.degrees(math.atan2(float((w * np.sin(radians)).sum()), float((w * np.cos(radians)).sum()))) / fold


def _bearing(dx: np.ndarray, dy: np.ndarray) -> np.ndarray:
    """Degrees clockwise from the image's up, 0 to 360, of offsets from the centre (image y grows down)."""
    return np.degrees(np.arctan2(dx, -dy)) % 360.0


def _angle_gap(a: np.ndarray | float, b: float) -> np.ndarray | float:
    return np.abs((np.asarray(a) - b + 180.0) % 360.0 - 180.0)


def read_clock(image: np.ndarray) -> Reading:
    """The time an RGB clock image shows, read as the module docstring says. ValueError when there is no clock."""
    height, width = image.shape[:2]
    border = np.concatenate([image[0], image[-1], image[:, 0], image[:, -1]])
    background = np.median(border, axis=0)
    clock = _far(image, background, BACKGROUND_DISTANCE).astype(np.uint8)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(clock, connectivity=8)
    if count < 2:
        raise ValueError("no clock: nothing differs from the background")
    largest = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
    contours, _ = cv2.findContours((labels == largest).astype(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    (cx, cy), radius = cv2.minEnclosingCircle(max(contours, key=cv2.contourArea))

    # Only the dial's square is read further.
    left, top = max(0, int(cx - radius) - 1), max(0, int(cy - radius) - 1)
    image = image[top : min(height, int(cy + radius) + 2), left : min(width, int(cx + radius) + 2)]
    ys, xs = np.mgrid[top : top + image.shape[0], left : left + image.shape[1]]
    dx, dy = xs - cx, ys - cy
    rho = np.hypot(dx, dy)
    face = np.median(image[rho < 0.5 * radius][::7], axis=0)  # every 7th pixel: the same median, sooner
    ink = (_far(image, face, INK_DISTANCE) & (rho < radius)).astype(np.uint8)

    count, labels = cv2.connectedComponents(ink, connectivity=8)
    near = (labels > 0) & (rho < 0.08 * radius)
    if not near.any():
        raise ValueError("no hands: no ink at the centre")
    hands_label = np.bincount(labels[near]).argmax()
    hands = labels == hands_label
    hand_rho, hand_phi = rho[hands], _bearing(dx[hands], dy[hands])

    reach = hand_rho.max()
    tip = hand_rho >= TIP_SHARE * reach
    minute_angle = _circular_mean(hand_phi[tip]) % 360.0
    away = _angle_gap(hand_phi, minute_angle) >= HOUR_AWAY
    if not away.any():
        raise ValueError("no hour hand apart from the minute hand")
    hour_reach = hand_rho[away].max()
    coarse = hand_phi[away][np.argmax(hand_rho[away])]
    body = away & (hand_rho >= 0.5 * hour_reach) & (_angle_gap(hand_phi, coarse) < 20.0)
    hour_angle = _circular_mean(hand_phi[body]) % 360.0

    marks = (ink > 0) & ~hands & (rho < RIM_SHARE * radius)
    tilt = _circular_mean(_bearing(dx[marks], dy[marks]), fold=12) if marks.any() else 0.0

    minute = round(((minute_angle - tilt) % 360.0) / 6.0) % 60
    hour = round((((hour_angle - tilt) % 360.0) - 0.5 * minute) / 30.0) % 12 or 12
    return Reading(
        hour,
        minute,
        round(minute_angle, 2),
        round(hour_angle, 2),
        round(tilt, 2),
        (round(cx, 1), round(cy, 1)),
        round(radius, 1),
    )


def check_clock(rows: list[dict[str, Any]]) -> list[ItemCheck]:
    """Read the time from every row's image and compare it with the row's gold time."""
    family = Clock()
    checks = []
    for row in rows:
        try:
            reading: Reading | None = read_clock(np.asarray(family.draw_row(row)))
        except ValueError as error:
            checks.append(ItemCheck(uid=row["uid"], agrees=False, read="", gold=row["intermediate"], note=str(error)))
            continue
        assert reading is not None
        agrees = reading.time == row["intermediate"]
        details = {
            "read": reading.time,
            "minute_angle": reading.minute_angle,
            "hour_angle": reading.hour_angle,
            "tilt": reading.tilt,
            "radius": reading.radius,
        }
        note = "" if agrees else f"read {reading.time} (tilt {reading.tilt}°), the row says {row['intermediate']}"
        checks.append(ItemCheck(row["uid"], agrees, reading.time, row["intermediate"], note, details))
    return checks

"""Check object scenes with classical computer vision (OpenCV), never looking at the row's spec.

Each pixel near a palette colour is labelled with it; each connected region of one colour is an object,
whose shape is named from its contour's geometry. The objects found are compared with the gold list
(as a multiset of colour and shape) and the number of the asked category with the gold answer.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from dataclasses import dataclass
from functools import cache
from typing import Any

import cv2
import numpy as np

from lmms_compgap.core.item_check import ItemCheck
from lmms_compgap.families.count.drawing import draw_scene

#: The palette named in the task card (README.md), written out here rather than imported so that
#: a change to the generator's colours shows up as a disagreement instead of being followed silently.
PALETTE: dict[str, tuple[int, int, int]] = {
    "red": (220, 30, 35),
    "orange": (245, 130, 15),
    "yellow": (240, 200, 0),
    "green": (30, 150, 55),
    "blue": (35, 85, 220),
    "purple": (135, 50, 185),
    "black": (25, 25, 25),
}
#: A pixel takes the nearest palette colour within this RGB distance. The closest palette colours (orange and
#: yellow) are 72 apart and every background is over 217 from all of them, so only anti-aliased rims are left out.
COLOUR_RADIUS = 60.0
#: Regions smaller than this (pixels) are rim fragments, not objects; the smallest object covers ~250.
MIN_AREA = 60


@dataclass(frozen=True)
class Blob:
    """One object found in the image: its colour, shape, centre and the geometry the shape was named from."""

    colour: str
    shape: str
    x: float
    y: float
    features: dict[str, float]


@cache
def _colour_table() -> np.ndarray:
    """Nearest palette colour within COLOUR_RADIUS (or -1) for every colour quantised to 6 bits a channel.

    Looking pixels up in this table is ten times faster than measuring their distances; quantising moves a
    colour by at most 3.5 in RGB distance, which only matters for anti-aliased rim pixels.
    """
    levels = (np.arange(64, dtype=np.float32) * 4 + 1.5)[:, None, None, None]
    grid = np.stack(np.broadcast_arrays(levels, levels.reshape(1, 64, 1, 1), levels.reshape(1, 1, 64, 1)), axis=-1)
    palette = np.array(list(PALETTE.values()), dtype=np.float32)
    distances = np.linalg.norm(grid - palette, axis=-1)
    return np.where(distances.min(axis=-1) <= COLOUR_RADIUS, distances.argmin(axis=-1), -1).astype(np.int8)


def colour_labels(image: np.ndarray) -> np.ndarray:
    """Per pixel of an RGB image, the index of the nearest palette colour within COLOUR_RADIUS, or -1."""
    quantised = (image >> 2).astype(np.intp)
    return _colour_table()[quantised[:, :, 0], quantised[:, :, 1], quantised[:, :, 2]]


def shape_features(mask: np.ndarray) -> dict[str, float]:
    """Scale-free geometry of one filled, upright region (a uint8 mask with a blank border).

    `deep_notches`: concavities deeper than 0.12 of the region's size (sqrt of its area); measured notches are
    either deeper than 0.18 (a star's, a cross's, a heart's top) or shallower than 0.06 (pixel steps).
    `circle_fill`, `box_fill`: the area over that of the minimum enclosing circle, and of the bounding box.
    `widest_row`: where the widest row lies, from 0 (top) to 1 (bottom).
    """
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    contour = max(contours, key=cv2.contourArea)
    area = float(mask.sum())
    size = math.sqrt(area)
    defects = cv2.convexityDefects(contour, cv2.convexHull(contour, returnPoints=False))
    # Defect depths are fixed-point with 8 fractional bits.
    depths = [] if defects is None else defects.reshape(-1, 4)[:, 3] / 256.0 / size
    _centre, radius = cv2.minEnclosingCircle(contour)
    x, y, width, height = cv2.boundingRect(contour)
    rows = mask[y : y + height, x : x + width].sum(axis=1)
    return {
        "deep_notches": float(np.count_nonzero(np.asarray(depths) > 0.12)),
        "circle_fill": area / (math.pi * radius * radius),
        "box_fill": area / (width * height),
        "widest_row": (float(np.argmax(rows)) + 0.5) / height,
    }


def name_shape(features: dict[str, float]) -> str:
    """The shape a region's geometry says it is.

    Concave shapes by their deep notches (a star has 5, a cross 4, a heart 1, at its top); convex ones by how
    much of their enclosing circle they fill (circle ~1.0, hexagon ~0.85, square ~0.67, triangle and diamond
    ~0.45), then the square by filling its bounding box, and the triangle by being widest at its base where a
    diamond is widest in its middle. The margins between shapes are wide (docs/data_check.md).
    """
    notches = features["deep_notches"]
    if notches >= 5:
        return "star"
    if notches >= 3:
        return "cross"
    if notches >= 1:
        return "heart"
    if features["circle_fill"] > 0.93:
        return "circle"
    if features["circle_fill"] > 0.77:
        return "hexagon"
    if features["box_fill"] > 0.85:
        return "square"
    return "triangle" if features["widest_row"] > 0.75 else "diamond"


def find_objects(image: np.ndarray) -> list[Blob]:
    """Every object in an RGB scene, in reading order (top to bottom, then left to right)."""
    labels = colour_labels(image)
    blobs: list[Blob] = []
    for index, colour in enumerate(PALETTE):
        mask = (labels == index).astype(np.uint8)
        count, components, stats, centroids = cv2.connectedComponentsWithStats(mask, connectivity=8)
        for component in range(1, count):
            if stats[component, cv2.CC_STAT_AREA] < MIN_AREA:
                continue
            x, y, width, height = stats[component, :4]
            region = (components[y : y + height, x : x + width] == component).astype(np.uint8)
            region = cv2.copyMakeBorder(region, 2, 2, 2, 2, cv2.BORDER_CONSTANT, value=0)
            features = shape_features(region)
            cx, cy = centroids[component]
            blobs.append(Blob(colour, name_shape(features), float(cx), float(cy), features))
    return sorted(blobs, key=lambda blob: (round(blob.y), blob.x))


def check_count(rows: list[dict[str, Any]]) -> list[ItemCheck]:
    """Find the objects in every row's image and compare them with its gold list and answer."""
    return [compare_objects(row, find_objects(np.asarray(draw_scene(json.loads(row["spec"]))))) for row in rows]


def compare_objects(row: dict[str, Any], blobs: list[Blob]) -> ItemCheck:
    """The verdict on one item: the asked count and the whole object multiset must both match the row."""
    attributes = json.loads(row["attributes"])
    colour, shape = attributes.get("colour"), attributes.get("shape")
    found = Counter((blob.colour, blob.shape) for blob in blobs)
    gold = Counter(tuple(line.split(" ", 1)) for line in row["intermediate"].splitlines() if line.strip())
    counted = sum(n for (c, s), n in found.items() if (colour is None or c == colour) and (shape is None or s == shape))
    count_agrees, list_agrees = str(counted) == row["answer"], found == gold
    details: dict[str, Any] = {"counted": counted, "answer": row["answer"], "objects": sum(found.values())}
    note = ""
    if not (count_agrees and list_agrees):
        details["missing"] = _names(gold - found)
        details["extra"] = _names(found - gold)
        note = (
            f"counted {counted} {_category(colour, shape)} (answer {row['answer']}); "
            f"objects not found: {details['missing'] or 'none'}; found but not listed: {details['extra'] or 'none'}"
        )
    return ItemCheck(
        uid=row["uid"],
        agrees=count_agrees and list_agrees,
        read="\n".join(f"{blob.colour} {blob.shape}" for blob in blobs),
        gold=row["intermediate"],
        note=note,
        details=details,
    )


def _names(objects: Counter[tuple[str, str]]) -> list[str]:
    return [f"{colour} {shape}" for (colour, shape), n in sorted(objects.items()) for _ in range(n)]


def _category(colour: str | None, shape: str | None) -> str:
    return " ".join(part for part in (colour, shape) if part) or "objects"

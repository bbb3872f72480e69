"""Check card tables: Tesseract reads each card's corner rank; the suit comes from the index's ink colour and shape.

The spec says where each card lies and how it is turned (never what it shows): each corner index is cut out,
turned upright and enlarged with OpenCV, its ink split into the rank (above) and the suit symbol (below). The
rank is read by Tesseract as one character (or "10") from a whitelist; the suit's colour is the ink's (red or
black), and its shape is named from the symbol's contour (a heart's notch, a club's lobes).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np

from lmms_compgap.core.item_check import ItemCheck
from lmms_compgap.datacheck import tesseract
from lmms_compgap.families.cards.drawing import CARD_RATIO, SHADOW, draw_cards

RANK_WHITELIST = "A23456789JQK10"
RANKS = ("A", "2", "3", "4", "5", "6", "7", "8", "9", "10", "J", "Q", "K")
RED_SUITS = ("hearts", "diamonds")
#: Tesseract page segmentation mode 7: the image is one line of text ("10" is two characters).
PSM = 7
#: Corner crops are taken at this many times the image's resolution.
UPSCALE = 4
#: Glyph heights (pixels) the rank is shown to Tesseract at: the first, then the next ones only while what it
#: reads is not a rank at all (it sometimes returns nothing for a clean glyph at one size and reads it at
#: another). Over the canonical split 20 px misses about 1 read in 2,000; from 32 px up it misreads 9 as Q.
GLYPH_HEIGHTS = (20, 18, 22, 16, 24)
#: The corner index, as fractions of the card width from the card face's top-left corner: a box holding the rank
#: (its baseline at 0.205) over a small suit symbol (centred at 0.315), reaching the card's border.
INDEX_BOX = (0.0, 0.0, 0.26, 0.40)  # left, top, right, bottom
#: Between the rank (a J's descender reaches 0.25) and the suit symbol (from 0.254).
RANK_SUIT_SPLIT = 0.252
#: Ink: a pixel whose darkest channel is below this. Rank and suit ink is red (196, 24, 36) or near black
#: (20, 20, 24); the card's grey border (70, 70, 76) and the face (252, 251, 246) are not ink, so a glyph that
#: nearly touches the border stays apart from it.
INK_LEVEL = 55


@dataclass(frozen=True)
class CornerIndex:
    """One corner index cut out upright: the rank's ink (a mask, for OCR) and the suit symbol's colour and shape."""

    rank_ink: np.ndarray
    colour: str
    suit: str


def corner_crop(image: np.ndarray, spec: dict[str, Any], card: dict[str, Any], corner: int) -> np.ndarray:
    """The upright, enlarged corner index of a card: top-left (corner 0) or bottom-right (1, turned back).

    The card face (with its shadow margin) was turned by `angle` degrees counter-clockwise about its centre and
    pasted centred at (x, y); this inverts that mapping for the index box only (one affine warp, bicubic).
    """
    width = spec["card_width"]
    face_w, face_h = width + 2 * SHADOW, round(width * CARD_RATIO) + 2 * SHADOW
    left, top, right, bottom = (SHADOW + f * width for f in INDEX_BOX)
    out_w, out_h = round((right - left) * UPSCALE), round((bottom - top) * UPSCALE)
    # Output pixel (u, v) -> face point: (left + u/k, top + v/k), or the point turned half round for corner 1.
    sign = 1.0 if corner == 0 else -1.0
    origin_u = left if corner == 0 else face_w - left
    origin_v = top if corner == 0 else face_h - top
    to_face = np.array([[sign / UPSCALE, 0, origin_u], [0, sign / UPSCALE, origin_v], [0, 0, 1]])
    angle = math.radians(card["angle"])
    c, s = math.cos(angle), math.sin(angle)
    to_image = np.array(
        [
            [c, s, card["x"] - c * face_w / 2 - s * face_h / 2],
            [-s, c, card["y"] + s * face_w / 2 - c * face_h / 2],
            [0, 0, 1],
        ]
    )
    # PIL's paste offset is round(x - w/2) of the *rotated* face's size; that rounding is under a pixel.
    matrix = (to_image @ to_face)[:2]
    return cv2.warpAffine(
        image, matrix, (out_w, out_h), flags=cv2.INTER_CUBIC | cv2.WARP_INVERSE_MAP, borderMode=cv2.BORDER_REPLICATE
    )


def _inner_components(ink: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Connected ink regions not touching the crop's edge (those are the table beyond the card's rounded corner,
    or a court card's frame): their label image, stats and centroids, with the others' labels set to 0."""
    count, labels, stats, centroids = cv2.connectedComponentsWithStats(ink, connectivity=8)
    height, width = ink.shape
    keep = np.zeros(count, dtype=bool)
    for component in range(1, count):
        x, y, w, h, area = stats[component]
        touches = x == 0 or y == 0 or x + w >= width or y + h >= height
        keep[component] = not touches and area >= 4 * UPSCALE
    return np.where(keep[labels], labels, 0), stats, centroids


def read_corner(crop: np.ndarray, card_width: int) -> CornerIndex:
    """Split one corner index into rank ink (for OCR) and suit symbol (colour and shape named here).

    A region is the rank's or the suit's by where its centre lies; a region reaching two pixels or more into
    both sides of the split line (a J whose descender touches the suit symbol) is cut along it.
    """
    labels, stats, centroids = _inner_components((crop.min(axis=2) < INK_LEVEL).astype(np.uint8))
    split = round((RANK_SUIT_SPLIT - INDEX_BOX[1]) * card_width * UPSCALE)
    rows = np.arange(labels.shape[0])[:, None]
    rank_ink = np.zeros(labels.shape, dtype=bool)
    suit_ink = np.zeros(labels.shape, dtype=bool)
    for component in np.unique(labels[labels > 0]):
        region = labels == component
        top, height = stats[component, cv2.CC_STAT_TOP], stats[component, cv2.CC_STAT_HEIGHT]
        if top < split - 2 * UPSCALE and top + height > split + 2 * UPSCALE:  # well into both halves
            rank_ink |= region & (rows < split)
            suit_ink |= region & (rows >= split)
        elif centroids[component][1] < split:
            rank_ink |= region
        else:
            suit_ink |= region
    ink = rank_ink | suit_ink
    return CornerIndex(rank_ink=rank_ink, colour=ink_colour(crop, ink), suit=name_suit(suit_ink))


def ink_colour(crop: np.ndarray, ink: np.ndarray) -> str:
    """Red or black: how much redder than its green and blue the index's ink is on average (about 165 for red
    ink, 0 for black over the canonical split)."""
    pixels = crop[ink].astype(np.float32)
    if not len(pixels):
        return "none"
    redness = float(np.mean(pixels[:, 0] - (pixels[:, 1] + pixels[:, 2]) / 2))
    return "red" if redness > 80 else "black"


def name_suit(mask: np.ndarray) -> str:
    """The suit symbol's shape from its largest region, or "none"."""
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    if count < 2:
        return "none"
    largest = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
    region = cv2.copyMakeBorder((labels == largest).astype(np.uint8), 2, 2, 2, 2, cv2.BORDER_CONSTANT, value=0)
    return suit_from_features(suit_features(region))


def suit_features(region: np.ndarray) -> dict[str, float]:
    """`notches`: concavities deeper than 0.08 of the symbol's size (sqrt of its area; measured notches are
    deeper than 0.18 or shallower than 0.07); `top_width`: the width of its top eighth over its widest row's."""
    contours, _ = cv2.findContours(region, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    contour = max(contours, key=cv2.contourArea)
    size = math.sqrt(float(region.sum()))
    defects = cv2.convexityDefects(contour, cv2.convexHull(contour, returnPoints=False))
    # Defect depths are fixed-point with 8 fractional bits.
    depths = np.zeros(0) if defects is None else defects.reshape(-1, 4)[:, 3] / 256.0 / size
    x, y, width, height = cv2.boundingRect(contour)
    rows = region[y : y + height, x : x + width].sum(axis=1)
    return {
        "notches": float(np.count_nonzero(depths > 0.08)),
        "top_width": float(rows[: max(1, height // 8)].max()) / float(rows.max()),
    }


def suit_from_features(features: dict[str, float]) -> str:
    """The suit a symbol's outline says, colour aside.

    Over the canonical split a club always has 3 deep notches (between its lobes and beside its stem), a spade
    and a heart 1 (the stem's base; the heart's top) and a diamond none; a heart's top eighth is over 0.6 of its
    width, a spade's, which comes to a point, under 0.25.
    """
    if features["notches"] >= 3:
        return "clubs"
    if features["notches"] == 0:
        return "diamonds"
    return "hearts" if features["top_width"] > 0.45 else "spades"


def rank_image(ink: np.ndarray, height: int) -> np.ndarray:
    """Black glyphs on white, cropped to the ink, scaled to `height` and padded (Tesseract misreads or drops
    glyphs that are much taller than ordinary text)."""
    ys, xs = np.nonzero(ink)
    if not len(ys):
        return np.full((2 * height, 2 * height), 255, dtype=np.uint8)
    glyph = np.where(ink[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1], 0, 255).astype(np.uint8)
    scale = height / glyph.shape[0]
    glyph = cv2.resize(glyph, (max(1, round(glyph.shape[1] * scale)), height), interpolation=cv2.INTER_AREA)
    pad = height // 2
    return cv2.copyMakeBorder(glyph, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=255)


def read_ranks(inks: list[np.ndarray]) -> list[str]:
    """Tesseract's reading of each rank's ink: one run per glyph height, the later ones only for the glyphs not
    yet read as a rank (a rank read is final, even a wrong one)."""
    ranks = [""] * len(inks)
    for height in GLYPH_HEIGHTS:
        pending = [i for i, rank in enumerate(ranks) if rank not in RANKS]
        if not pending:
            break
        pages = tesseract.read_images([rank_image(inks[i], height) for i in pending], psm=PSM, whitelist=RANK_WHITELIST)
        for i, words in zip(pending, pages, strict=True):
            ranks[i] = "".join(word.text for word in words)
    return ranks


def read_cards(rows: list[dict[str, Any]]) -> list[list[list[CornerIndex]]]:
    """Per row, per card, its two corner indices (top-left, bottom-right)."""
    read = []
    for row in rows:
        spec = json.loads(row["spec"])
        image = np.asarray(draw_cards(spec))
        read.append(
            [
                [read_corner(corner_crop(image, spec, card, corner), spec["card_width"]) for corner in (0, 1)]
                for card in spec["cards"]
            ]
        )
    return read


def check_cards(rows: list[dict[str, Any]]) -> list[ItemCheck]:
    """Read every card of every row and compare rank, colour and suit with the row's gold card list."""
    corners = read_cards(rows)
    ranks = iter(read_ranks([corner.rank_ink for cards in corners for card in cards for corner in card]))
    return [
        compare_cards(row, [[(next(ranks), corner) for corner in card] for card in cards])
        for row, cards in zip(rows, corners, strict=True)
    ]


def compare_cards(row: dict[str, Any], cards: list[list[tuple[str, CornerIndex]]]) -> ItemCheck:
    """The verdict on one item: both corners of every card must show the gold rank, colour and suit."""
    gold = [tuple(line.split(" of ")) for line in row["intermediate"].splitlines()]
    agrees = len(gold) == len(cards)
    per_card, read_lines, wrong = [], [], []
    for position, ((gold_rank, gold_suit), corners) in enumerate(zip(gold, cards, strict=False), start=1):
        gold_colour = "red" if gold_suit in RED_SUITS else "black"
        reads = [(rank or "?", corner.suit, corner.colour) for rank, corner in corners]
        ok = all(read == (gold_rank, gold_suit, gold_colour) for read in reads)
        agrees = agrees and ok
        shown = " / ".join(f"{rank} of {suit} ({colour})" for rank, suit, colour in reads)
        read_lines.append(shown)
        per_card.append({"read": shown, "gold": f"{gold_rank} of {gold_suit}", "ok": ok})
        if not ok:
            wrong.append(f"card {position}: corners read {shown}, gold {gold_rank} of {gold_suit} ({gold_colour})")
    if len(gold) != len(cards):
        wrong.append(f"{len(cards)} cards drawn, {len(gold)} listed")
    note = "; ".join(wrong)
    return ItemCheck(
        uid=row["uid"],
        agrees=agrees,
        read="\n".join(read_lines),
        gold=row["intermediate"],
        note=note,
        details={"cards": per_card},
    )

"""Laying out a table: where each card lies and how it is turned, the table's size, colour and texture."""

from __future__ import annotations

import random
from typing import Any

from lmms_compgap.families.cards.drawing import BACKGROUND_STYLES, BACKGROUNDS, CARD_RATIO, INDEX_FONTS, rotated_box

MARGIN = 10  # pixels between the image edge and any card's box
GAP = 10  # pixels between two cards' boxes (covers the shadow)


def lay_out(rng: random.Random, cards: list[tuple[str, str]]) -> dict[str, Any]:
    """Where the cards lie: one or two rows of cells, one card per cell, each card turned by a small angle
    and placed at random inside its cell, so no card covers another (or its shadow another's index)."""
    n = len(cards)
    if n <= 3:
        rows = [n]
    elif n == 4:
        rows = rng.choice([[4], [2, 2]])
    elif n == 5:
        rows = rng.choice([[3, 2], [2, 3]])
    else:
        rows = [3, 3]
    width = 640
    height = rng.choice([400, 420, 440]) if len(rows) == 1 else rng.choice([460, 480])
    max_rotation = rng.choice([0, 4, 8, 12])
    card_width = rng.randint(112, 132)
    while True:  # shrink the card until the widest row and all rows fit at the largest rotation
        box_w, box_h = rotated_box(card_width, card_width * CARD_RATIO, max_rotation)
        if max(rows) * (box_w + GAP) <= width - 2 * MARGIN and len(rows) * (box_h + GAP) <= height - 2 * MARGIN:
            break
        card_width -= 1
    band = (height - 2 * MARGIN) / len(rows)
    placed: list[dict[str, Any]] = []
    for row_number, count in enumerate(rows):
        cell = (width - 2 * MARGIN) / count
        for column in range(count):
            angle = round(rng.uniform(-max_rotation, max_rotation), 1)
            box_w, box_h = rotated_box(card_width, card_width * CARD_RATIO, angle)
            half_w, half_h = (box_w + GAP) / 2, (box_h + GAP) / 2
            left, right = MARGIN + column * cell + half_w, MARGIN + (column + 1) * cell - half_w
            top, bottom = MARGIN + row_number * band + half_h, MARGIN + (row_number + 1) * band - half_h
            rank, suit = cards[len(placed)]
            x, y = round(rng.uniform(left, right), 1), round(rng.uniform(top, bottom), 1)
            placed.append({"rank": rank, "suit": suit, "x": x, "y": y, "angle": angle})
    table = rng.choice(sorted(BACKGROUNDS))
    style = rng.choice(BACKGROUND_STYLES[table])
    shift = rng.randint(-14, 14)  # lighter or darker, keeping the hue
    colour = [max(0, min(255, c + shift + rng.randint(-2, 2))) for c in BACKGROUNDS[table]]
    return {
        "size": [width, height],
        "rows": len(rows),
        "card_width": card_width,
        "index_font": rng.choice(INDEX_FONTS),
        "background": {"kind": table, "style": style, "colour": colour, "seed": rng.randrange(2**31)},
        "cards": placed,
    }

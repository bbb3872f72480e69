"""The objects a counting scene holds: named colours and shapes, and how a question names a category of them."""

from __future__ import annotations

#: Colour name -> RGB fill. Saturated, far apart, and far from every background.
COLOURS: dict[str, tuple[int, int, int]] = {
    "red": (220, 30, 35),
    "orange": (245, 130, 15),
    "yellow": (240, 200, 0),
    "green": (30, 150, 55),
    "blue": (35, 85, 220),
    "purple": (135, 50, 185),
    "black": (25, 25, 25),
}
#: Shape name -> plural.
SHAPES: dict[str, str] = {
    "circle": "circles",
    "square": "squares",
    "triangle": "triangles",
    "star": "stars",
    "hexagon": "hexagons",
    "diamond": "diamonds",
    "heart": "hearts",
    "cross": "crosses",
}


def plural(colour: str | None, shape: str | None) -> str:
    """How a question names a category: "red circles", "circles" or "red objects"."""
    if shape is None:
        return f"{colour} objects"
    return f"{colour} {SHAPES[shape]}" if colour else SHAPES[shape]


def matches(colour: str, shape: str, target_colour: str | None, target_shape: str | None) -> bool:
    """Whether an object of `colour` and `shape` is of the asked category (None: any colour or shape)."""
    return (target_colour is None or colour == target_colour) and (target_shape is None or shape == target_shape)

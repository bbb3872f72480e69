"""The deck, the value rules every question states, the questions and the answers they have."""

from __future__ import annotations

from typing import Any

# ---- the deck -----------------------------------------------------------------------------------
RANKS: tuple[str, ...] = ("A", "2", "3", "4", "5", "6", "7", "8", "9", "10", "J", "Q", "K")
SUITS: tuple[str, ...] = ("spades", "hearts", "diamonds", "clubs")
RED_SUITS = frozenset({"hearts", "diamonds"})
SUIT_SYMBOLS: dict[str, str] = {"spades": "\u2660", "hearts": "\u2665", "diamonds": "\u2666", "clubs": "\u2663"}
DECK: tuple[tuple[str, str], ...] = tuple((rank, suit) for suit in SUITS for rank in RANKS)
COURT = frozenset({"J", "Q", "K"})

# ---- value rules (stated in every question) -----------------------------------------------------
#: rule -> (ace value, (J, Q, K) values, the sentence stating it)
RULES: dict[str, tuple[int, tuple[int, int, int], str]] = {
    "ace1": (1, (10, 10, 10), "Aces count as 1; jacks, queens and kings as 10; number cards as their number."),
    "ace11": (11, (10, 10, 10), "Aces count as 11; jacks, queens and kings as 10; number cards as their number."),
    "high13": (
        1,
        (11, 12, 13),
        "Aces count as 1; jacks as 11, queens as 12 and kings as 13; number cards as their number.",
    ),
}
#: question kind -> the rules it is asked with
KIND_RULES: dict[str, tuple[str, ...]] = {
    "total": ("ace1", "ace11"),
    "colour_sum": ("ace1", "ace11"),
    "suit_sum": ("ace1", "ace11"),
    "range": ("ace1", "ace11", "high13"),
    "make24": ("ace1", "high13"),
}
KIND_WEIGHTS: dict[str, float] = {"total": 0.25, "colour_sum": 0.125, "suit_sum": 0.125, "range": 0.2, "make24": 0.3}
TARGET = 24
MAKE24_TEXT = (
    "Using each card's value exactly once, and only +, -, *, / and parentheses, write an expression that "
    "equals 24. {rule} Write the expression with the card values as numbers; your answer is the expression itself."
)


def card_value(rank: str, rule: str) -> int:
    ace, court, _ = RULES[rule]
    if rank == "A":
        return ace
    if rank in COURT:
        return court["JQK".index(rank)]
    return int(rank)


def question_text(question: dict[str, Any]) -> str:
    """The question an item asks, from its `spec["question"]` (kind, rule, and colour or suit)."""
    kind, rule = question["kind"], RULES[question["rule"]][2]
    if kind == "total":
        return f"What is the total value of all the cards? {rule}"
    if kind == "colour_sum":
        suits = "hearts and diamonds" if question["colour"] == "red" else "spades and clubs"
        return f"What is the total value of the {question['colour']} cards ({suits})? {rule}"
    if kind == "suit_sum":
        return f"What is the total value of the cards whose suit is {question['suit']}? {rule}"
    if kind == "range":
        return f"What is the difference between the highest and the lowest card value? {rule}"
    if kind == "make24":
        return MAKE24_TEXT.format(rule=rule)
    raise ValueError(f"unknown cards question kind {kind!r}")


def numeric_answer(cards: list[tuple[str, str]], question: dict[str, Any]) -> int | None:
    """The answer to a numeric question about `cards` (None when it has none, e.g. range of no cards)."""
    kind, rule = question["kind"], question["rule"]
    if kind == "total":
        chosen = cards
    elif kind == "colour_sum":
        chosen = [card for card in cards if (card[1] in RED_SUITS) == (question["colour"] == "red")]
    elif kind == "suit_sum":
        chosen = [card for card in cards if card[1] == question["suit"]]
    elif kind == "range":
        values = [card_value(rank, rule) for rank, _ in cards]
        return max(values) - min(values) if values else None
    else:
        raise ValueError(f"cards question kind {kind!r} has no numeric answer")
    return sum(card_value(rank, rule) for rank, _ in chosen)


def worked_answer(cards: list[tuple[str, str]], question: dict[str, Any]) -> str:
    """The arithmetic behind an answer, over card values only (it does not restate the card list)."""
    kind, rule = question["kind"], question["rule"]
    values = [card_value(rank, rule) for rank, _ in cards]
    listed = ", ".join(map(str, values))
    if kind == "make24":
        return f"The values are {listed}: {question['solution']} = {TARGET}."
    if kind == "range":
        high, low = max(values), min(values)
        return f"The values are {listed}; the highest is {high} and the lowest {low}: {high} - {low} = {high - low}."
    if kind == "total":
        chosen, what = cards, "All the cards"
    elif kind == "colour_sum":
        chosen = [card for card in cards if (card[1] in RED_SUITS) == (question["colour"] == "red")]
        what = f"The {question['colour']} cards"
    else:
        chosen = [card for card in cards if card[1] == question["suit"]]
        what = f"The {question['suit']}"
    terms = [card_value(rank, rule) for rank, _ in chosen]
    total = numeric_answer(cards, question)
    if len(terms) == 1:
        return f"{what} count {terms[0]}."
    return f"{what} count {' + '.join(map(str, terms))} = {total}."

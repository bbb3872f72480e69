"""Reading a free-text card list (a model's visual step) as (rank, suit) pairs, and writing the gold one."""

from __future__ import annotations

import re

from lmms_compgap import scoring
from lmms_compgap.families.cards.deck import RANKS

_RANK_WORDS: dict[str, str] = {
    "ace": "A",
    "1": "A",
    "a": "A",
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
    "ten": "10",
    "t": "10",
    "jack": "J",
    "j": "J",
    "queen": "Q",
    "q": "Q",
    "king": "K",
    "k": "K",
}
_SUIT_NAMES: dict[str, str] = {
    "spade": "spades",
    "heart": "hearts",
    "diamond": "diamonds",
    "club": "clubs",
    "\u2660": "spades",
    "\u2664": "spades",
    "\u2665": "hearts",
    "\u2661": "hearts",
    "\u2666": "diamonds",
    "\u2662": "diamonds",
    "\u2663": "clubs",
    "\u2667": "clubs",
    "s": "spades",
    "h": "hearts",
    "d": "diamonds",
    "c": "clubs",
}
# Single-letter ranks must be capitals ("a ♠ in the corner" is not the ace of spades).
_WORD_RANK = r"ace|two|three|four|five|six|seven|eight|nine|ten|jack|queen|king|10|[1-9]|(?-i:[AJQK])"
_SYMBOL = "[\u2660-\u2667]\ufe0f?"
_LOWER_WORD = re.compile(r"\s+[a-z]")
_CARD = re.compile(
    rf"(?<![\w.])(?P<r1>{_WORD_RANK})\s+of\s+(?P<s1>spade|heart|diamond|club)s?\b"  # 7 of hearts, King of Spades
    rf"|(?<![\w.])(?P<r2>{_WORD_RANK}|(?-i:T))\s*(?:of\s*)?(?P<s2>{_SYMBOL})"  # K♠, 10 ♥, Queen ♦, 7 of ♥
    rf"|(?P<s3>{_SYMBOL})\s*(?P<r3>{_WORD_RANK}|(?-i:T))(?![\w])"  # ♠K
    r"|(?<![\w.])(?P<r4>(?-i:10|[2-9TAJQK]))(?P<s4>[SHDC])(?![\w])",  # 7H, 10c, KS, Ah (capital rank letter)
    re.IGNORECASE,
)


def parse_cards(text: str) -> list[tuple[str, str]]:
    """The cards a free-text card list names, in order, as (rank, suit) pairs.

    Accepts "7 of hearts", "King of Spades", "ten of hearts", "K♠", "♠K", "7H", "10c" and the like, with
    any bullets, numbering or prose around them. A card named twice on one line (e.g. "7 of hearts (7♥)")
    counts once; a card on two lines counts twice (a deck has no duplicates, so that is an error).
    """
    cards: list[tuple[str, str]] = []
    for line in scoring.prepare_for_reading(text).splitlines():
        line_cards: list[tuple[str, str]] = []
        for match in _CARD.finditer(line):
            groups = match.groupdict()
            number = next(i for i in "1234" if groups[f"r{i}"] is not None)
            rank_text, suit_text = groups[f"r{number}"], groups[f"s{number}"]
            # A short code of a capital and a lowercase letter must not start an English sentence ("As the").
            if number == "4" and rank_text.isalpha() and suit_text.islower() and _LOWER_WORD.match(line, match.end()):
                continue
            suit_key = suit_text.rstrip("\ufe0f").lower()
            card = (_RANK_WORDS.get(rank_text.lower(), rank_text.upper()), _SUIT_NAMES[suit_key])
            if card[0] in RANKS and card not in line_cards:
                line_cards.append(card)
        cards.extend(line_cards)
    return cards


def format_cards(cards: list[tuple[str, str]]) -> str:
    """The gold card list: one card per line, "7 of hearts"."""
    return "\n".join(f"{rank} of {suit}" for rank, suit in cards)

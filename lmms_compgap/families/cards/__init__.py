"""Card playing: recognise the playing cards in an image, then do the arithmetic the question asks.

Step 1 (visual skill) lists the cards, one per line, left to right (top row first):
``7 of hearts``, ``K of spades``, ``A of diamonds``, ``10 of clubs``. Step 2 (textual skill) answers
a question about their values. Every question states its value rules, so the answer follows from
the card list alone. Question kinds:

- ``total``: the total value of all the cards;
- ``colour_sum`` / ``suit_sum``: the total value of the red/black cards, or of one suit;
- ``range``: the highest card value minus the lowest;
- ``make24``: four cards; write an expression with + - * / and parentheses that uses each card's
  value exactly once and equals 24 (the GeneralPoints game). Only solvable hands are generated; the
  ``answer`` column holds one known solution, and any valid expression is accepted.

Modules: `deck` (cards, value rules, questions and answers), `solver` (the exact make-24 solver), `generate`
(items), `layout` (where the cards lie), `drawing` (pictures), `parse` (reading a card list), `make24`
(scoring make-24 answers), `prompts`, `family` (the declaration and the card-list scorer), `datacheck` (the
independent Tesseract and OpenCV check); the task card is README.md.
"""

from lmms_compgap.families.cards.family import Cards

FAMILY = Cards()

"""The verdicts a careful human grader gives, on realistic model outputs: every case with its reason.

Each row: the response, the target, the flexible verdict (`correct`), the strict verdict, why a grader
decides so, and a fragment of the reason the reader gives when it finds no value (None when it finds one).
The tables hold every example of issue 11 and the variants found around them, in both directions (wrongly
credited before, and wrongly refused before).
"""

from __future__ import annotations

import json
from typing import NamedTuple

import pytest

from lmms_compgap import scoring
from lmms_compgap.core.registry import get_family
from lmms_compgap.core.results import score_response
from lmms_compgap.families.cards.make24 import score_make24
from lmms_compgap.scoring import arith
from tests.helpers import Verdict, verdict_params

# ---- numbers: wrong answers that read like right ones ------------------------------------------------------
NOT_CREDITED = [
    Verdict("Answer: 68 or 70", "68", 0, 0, "two values offered: a grader cannot tell which", "alternative"),
    Verdict("Answer: either 68 or 70", "70", 0, 0, "either/or", "alternative"),
    Verdict("Answer: 68 (or 70)", "68", 0, 0, "an alternative in brackets", "another or an approximate"),
    Verdict("Answer: 68, maybe 70", "68", 0, 0, "a second value offered as possible", "alternative"),
    Verdict("Answer: 68. Or maybe 70.", "68", 0, 0, "a later sentence offers another value", "later sentence"),
    Verdict("Answer: 68, 70", "68", 0, 0, "a list of values", "several values"),
    Verdict("Answer: 6 8", "68", 0, 0, "two numbers, not one", "several values"),
    Verdict("Answer: 68 red circles, 3 blue squares", "68", 0, 0, "two counts stated", "several values"),
    Verdict("Answer: 68 to 70", "68", 0, 0, "a range", "range"),
    Verdict("Answer: between 68 and 70", "68", 0, 0, "a range in words", "alternative"),
    Verdict("Answer: 68-70", "68", 0, 0, "a range written with a dash", "operation"),
    Verdict("Answer: not 68", "68", 0, 0, "the value is negated", "negated"),
    Verdict("Answer: It is not 68.", "68", 0, 0, "a negated sentence", "negated"),
    Verdict("Answer: ≠ 68", "68", 0, 0, "a 'not equal' sign", "negated"),
    Verdict("The answer is not 68.", "68", 0, 0, "a negated answer phrase", "negated"),
    Verdict("Answer: 68/3", "68", 0, 0, "a fraction, another value", "fraction"),
    Verdict("Answer: \\frac{136}{2}", "68", 0, 0, "an unevaluated LaTeX fraction", "operation"),
    Verdict("Answer: 68e5", "68", 0, 0, "scientific notation scales the value", "scientific"),
    Verdict("Answer: 68^2", "68", 0, 0, "a power", "power"),
    Verdict("Answer: 68²", "68", 0, 0, "a superscript power (NFKC must not glue it into 682)", "power"),
    Verdict("Answer: 68 \\times 10^{3}", "68", 0, 0, "a value times a power of ten", "operation"),
    Verdict("Answer: 68 thousand", "68", 0, 0, "a scale word", "scaled"),
    Verdict("Answer: 68 million", "68", 0, 0, "a scale word, million", "scaled"),
    Verdict("Answer: 68 hundred", "68", 0, 0, "a scale word, hundred", "scaled"),
    Verdict("Answer: 68 dozen", "68", 0, 0, "a scale word, dozen", "scaled"),
    Verdict("Answer: 68k", "68", 0, 0, "a scale suffix", "scaled"),
    Verdict("Answer: 68 - 1", "68", 0, 0, "an operation left undone (it is 67)", "operation"),
    Verdict("Answer: 68 - 1", "67", 0, 0, "an operation left undone is no final value either", "operation"),
    Verdict("Answer: 2 × 34", "68", 0, 0, "an unevaluated product", "operation"),
    Verdict("Answer: 2 × (30 + 4)", "68", 0, 0, "an unevaluated expression", "operation"),
    Verdict("\\sqrt{68}", "68", 0, 0, "a square root, found as the last number", "root"),
    Verdict("Answer: \\sqrt{68}", "68", 0, 0, "a square root on the answer line", "root"),
    Verdict("The result is \\boxed{\\sqrt{68}}.", "68", 0, 0, "a boxed square root", "root"),
    Verdict("Answer: about 68", "68", 0, 0, "an approximation", "approximate"),
    Verdict("Answer: approximately 68", "68", 0, 0, "an approximation, spelled out", "approximate"),
    Verdict("Answer: ~68", "68", 0, 0, "a tilde approximation", "approximation"),
    Verdict("Answer: ≈ 68", "68", 0, 0, "an approximately-equal sign", "approximate"),
    Verdict("Answer: 68 or so", "68", 0, 0, "'or so' hedges", "approximate"),
    Verdict("Answer: 68 (approximately)", "68", 0, 0, "an approximation in brackets", "approximate"),
    Verdict("Answer: 68 (rounded)", "68", 0, 0, "a rounded value", "approximate"),
    Verdict("Answer: at least 68", "68", 0, 0, "a lower bound", "bounded"),
    Verdict("Answer: more than 68", "68", 0, 0, "a strict bound", "bounded"),
    Verdict("Answer: 68+", "68", 0, 0, "'68+' means at least 68", "margin"),
    Verdict("Answer: 68 or more", "68", 0, 0, "'or more' is a bound", "approximate"),
    Verdict("Answer: 68 ± 2", "68", 0, 0, "a margin", "margin"),
    Verdict("Answer: 22/7 ≈ 3.14", "3.14", 0, 0, "an approximate equation", "approximate"),
    Verdict("Answer: 3 + 4 = 7 = 8", "8", 0, 0, "an equation stating two values", "two different values"),
    Verdict(
        "Tom has 49 apples and buys 19 more, so he has 49 + 19 = 68.\nAnswer: 68\n"
        "No wait, that is wrong. It should be 70.",
        "68",
        0,
        0,
        "the answer line is retracted and replaced (reported under both scores)",
    ),
    Verdict("Answer: 68\nWait, that's wrong.", "68", 0, 0, "retracted with nothing in its place", "retracted"),
    Verdict("Answer: 68\nI made a mistake above.", "68", 0, 0, "an admitted mistake retracts it", "retracted"),
    Verdict("Answer: 68, wait, no, 70", "68", 0, 0, "retracted within the line"),
    Verdict("Answer: 68\n\nWait, I miscounted: there are 67.", "68", 0, 0, "a recount replaces the answer"),
    Verdict("\\boxed{68 or 70}", "68", 0, 0, "alternatives in a box", "alternative"),
    Verdict("The answer is 68 or 70.", "70", 0, 0, "alternatives after an answer phrase", "alternative"),
    Verdict("It is either 68 or 70.", "70", 0, 0, "alternatives found as the last number", "alternative"),
    Verdict("I think there are 7, or maybe 8.", "8", 0, 0, "a count hedged between two values", "alternative"),
    Verdict("Answer: None (I cannot see the image)", "0", 0, 0, "'none' that is a refusal, not a count", "cannot"),
    Verdict("Answer: 68.5", "68", 0, 0, "another value, plainly"),
]

# ---- numbers: right answers that the old reader refused -----------------------------------------------------
CREDITED = [
    Verdict("Answer: He started with 49 and now has 68.", "68", 1, 0, "an answer sentence: its final value"),
    Verdict("Answer: He had 49 apples; now he has 68.", "68", 1, 0, "the value after the verb, not the first"),
    Verdict("Answer: The total is 68, not 70.", "68", 1, 0, "a rejected alternative is not an alternative"),
    Verdict("Answer: 68, not 70", "68", 1, 0, "the same, without a verb"),
    Verdict("Answer: ٦٨", "68", 1, 1, "Arabic-Indic digits are digits"),
    Verdict("Answer: ६८", "68", 1, 1, "Devanagari digits are digits"),
    Verdict("Answer: 6\u200b8", "68", 1, 1, "a zero-width space inside the number is invisible"),
    Verdict("Answer: 6\u00ad8", "68", 1, 1, "a soft hyphen inside the number is invisible"),
    Verdict("Answer: \ufeff68", "68", 1, 1, "a byte-order mark before the number"),
    Verdict("Answer: ６８", "68", 1, 1, "full-width digits (NFKC)"),
    Verdict("Answer: none", "0", 1, 0, "'none' is a count of zero"),
    Verdict("Answer: There are no purple diamonds.", "0", 1, 0, "'there are no ...' is zero"),
    Verdict("Answer: No red circles.", "0", 1, 0, "'no red circles' is zero"),
    Verdict("I looked at every shape. There are none.", "0", 1, 0, "'there are none' as a phrase"),
    Verdict("Answer: zero", "0", 1, 0, "a number word (not digits: not strict)"),
    Verdict("Answer: 0", "0", 1, 1, "zero in digits"),
    Verdict("Answer: 68 (49 + 19)", "68", 1, 0, "working in brackets is set aside"),
    Verdict("Answer: 49 + 19 = 68", "68", 1, 0, "an equation: the value of its last side"),
    Verdict("Answer: 68 = 49 + 19", "68", 1, 0, "an equation the other way round"),
    Verdict("Answer: 68, because 49 + 19 = 68", "68", 1, 0, "a justification after the value"),
    Verdict("Answer: 175 minutes, i.e. 2 hours and 55 minutes.", "175", 1, 0, "a restatement after 'i.e.'"),
    Verdict("Answer: 175 minutes, i. e. 2 hours and 55 minutes.", "175", 1, 0, "'i. e.' spelt with a space"),
    Verdict("Answer: 68, e.g. 49 + 19", "68", 1, 0, "an example after 'e.g.'"),
    Verdict("Answer: 68 apples in total", "68", 1, 1, "unit words and 'in total'"),
    Verdict("Answer: **68** red circles", "68", 1, 1, "Markdown bold and a unit"),
    Verdict("Answer: 68!", "68", 1, 1, "an exclamation mark, not a factorial"),
    Verdict("Answer: probably 68", "68", 1, 0, "one value, said with confidence short of certainty"),
    Verdict("Answer: 68\n\nI hope this helps!", "68", 1, 1, "a closing remark changes nothing"),
    Verdict("Answer: 68\n\nNote: the 3 blue circles are not counted.", "68", 1, 1, "a note with another number"),
    Verdict("Answer: 68\nWait, I'm not sure.", "68", 1, 1, "a second thought without a new value leaves it"),
    Verdict(
        "Answer: 68\nWait, let me double-check: 49 + 19 = 68. Yes, 68.",
        "68",
        1,
        1,
        "a check that confirms the same value",
    ),
    Verdict(
        "Answer: 67\nWait, I forgot the one behind the square. The answer is 68.",
        "68",
        1,
        0,
        "a correction after the answer line: right, but not in the asked-for line",
    ),
    Verdict(
        "Answer: 68\nNo wait, that is wrong. It should be 70.",
        "70",
        1,
        0,
        "the correction is the final answer (flexible only: the answer line no longer stands)",
    ),
    Verdict("There are 5 red circles and 3 blue ones.", "5", 1, 0, "the count right after 'there are'"),
    Verdict("Answer: x = 68", "68", 1, 0, "a named value"),
    Verdict("Answer: 7 out of 10 shapes are red.", "7", 1, 0, "the part, not the whole it is out of"),
    Verdict("Answer: She gave away 5 of the 12 apples.", "5", 1, 0, "the part, not 'of the 12'"),
    Verdict("Answer: 12 apples, 5 of which are green", "12", 1, 0, "a relative clause after the value"),
    Verdict("Answer: 7 (seven)", "7", 1, 0, "the same value again in brackets"),
    Verdict("Answer: $4 each", "4", 1, 1, "a price with 'each'"),
    Verdict("Answer: 68 != 70", "68", 1, 0, "a value and an excluded one"),
]

CROSS_CHECKS = [  # both readers on the same layouts, as before this issue
    Verdict("Answer: 1,234", "1234", 1, 1, "thousands separators"),
    Verdict("Final Answer: The final answer is $\\boxed{18}$. I hope it is correct.", "18", 1, 0, "Minerva style"),
    Verdict("#### 1,000", "1000", 1, 0, "GSM8K's ####"),
    Verdict("I'm sorry, I can't see the image.", "3", 0, 0, "a refusal", "no answer found"),
]


@pytest.mark.parametrize("case", verdict_params(NOT_CREDITED + CREDITED + CROSS_CHECKS))
def test_numeric_answers_get_the_verdict_a_careful_grader_gives(case: Verdict) -> None:
    verdict = scoring.score_number(case.response, case.target)
    assert (verdict["correct"], verdict["strict"]) == (case.correct, case.strict), verdict
    reading = scoring.read_answer(case.response)
    if case.reason is not None:
        assert reading.value is None and case.reason in (reading.reason or ""), reading
    assert verdict["strict"] <= verdict["correct"]


def test_the_tables_hold_every_example_of_the_issue() -> None:
    responses = {case.response for case in NOT_CREDITED + CREDITED}
    for example in (
        "Answer: 68 or 70",
        "Answer: not 68",
        "Answer: 68/3",
        "Answer: 68e5",
        "Answer: 68 thousand",
        "Answer: 68 - 1",
        "\\sqrt{68}",
        "Answer: He started with 49 and now has 68.",
        "Answer: ٦٨",
        "Answer: 6\u200b8",
        "Answer: 6\u00ad8",
        "Answer: none",
    ):
        assert example in responses, example
    assert len(NOT_CREDITED) >= 50 and len(CREDITED) >= 30


@pytest.mark.parametrize("family", ["mathtext", "count", "cards"])
def test_a_retracted_answer_is_wrong_in_every_numeric_setting(family: str) -> None:
    row = next(row for row in get_family(family).generate(size=40) if "make24" not in row["spec"])
    retracted = f"Answer: {row['answer']}\nNo wait, that is wrong. It should be {int(row['answer']) + 2}."
    for setting in ("direct", "cot", "language"):
        result = score_response(row, setting, retracted)
        assert (result["accuracy"], result["strict_accuracy"]) == (0, 0), (family, setting)


def test_an_answer_of_none_is_right_for_a_count_of_zero() -> None:
    row = next(row for row in get_family("count").generate(size=200) if row["answer"] == "0")
    result = score_response(row, "direct", "I checked every shape in the picture.\nAnswer: none")
    assert (result["accuracy"], result["strict_accuracy"]) == (1, 0)


# ---- make 24 ------------------------------------------------------------------------------------------------------
CARDS = [3, 8, 4, 3]
MAKE24 = [
    # outside the grammar: refused, not read around
    Verdict("Answer: (8 - 4)^2 + 3 - 3 - 4", "", 0, 0, "a power", "power"),
    Verdict("Answer: (8 - 4) * (3 + 3)^1", "", 0, 0, "a power of one is still a power", "power"),
    Verdict("Answer: (8 - 4) * (3 + 3)²", "", 0, 0, "a superscript power", "power"),
    Verdict("Answer: 2**3 * 3 * (4 - 3)", "", 0, 0, "Python's power", "power"),
    Verdict("Answer: 4! * (8 - 3 - 3 - 1)", "", 0, 0, "a factorial", "factorial"),
    Verdict("Answer: (8 - 4) * (3 + 3) mod 25", "", 0, 0, "a modulo", "mod"),
    Verdict("Answer: (8-4)*(3+3) % 100", "", 0, 0, "a percent sign as modulo", "%"),
    Verdict("Answer: \\ln(e) * (8 - 4) * (3 + 3)", "", 0, 0, "a natural logarithm", "\\ln"),
    Verdict("Answer: (8 - 4) * (3 + 3) + \\log 1", "", 0, 0, "a logarithm", "\\log"),
    Verdict("Answer: √(8 * 3 * (4 - 3) * 24)", "", 0, 0, "a root", "root"),
    Verdict("Answer: 3.0 * 8 * (4 - 3)", "", 0, 0, "a decimal", "decimal"),
    Verdict("Answer: 8 * 3 * (4 - 3) // 1", "", 0, 0, "floor division", "floor division"),
    Verdict("Answer: print((8 - 4) * (3 + 3))", "", 0, 0, "Python code around the expression", "function call"),
    Verdict("Answer: (8 - 4) * (3 + 3); import os", "", 0, 0, "Python code after the expression", "code"),
    Verdict("Answer: (8 - 4) * (3 + 3) if True else 0", "", 0, 0, "a Python conditional", "code"),
    Verdict("Answer: eval('(8-4)*(3+3)')", "", 0, 0, "eval", "function call"),
    # ambiguous or retracted
    Verdict("Answer: (8 - 4) * (3 + 3) or 8 * 3 * (4 - 3)", "", 0, 0, "two expressions offered", "more than one"),
    Verdict("Answer: (8 - 4) * (3 + 3)\nWait, that's wrong.", "", 0, 0, "retracted", "retracted"),
    Verdict("Answer: not (8 - 4) * (3 + 3)", "", 0, 0, "an answer line that only negates", "negated"),
    Verdict(
        "Answer: (8 - 4) * (3 + 3)\nOn second thought, it is 8 * 3 * 4 / 3, not (8 - 4) * (3 + 3).",
        "",
        0,
        0,
        "a wrong correction replaces a right answer; the expression it rejects is not read",
    ),
    # plainly wrong
    Verdict("Answer: 8 / (3 - 8 / 3)", "", 0, 0, "another hand's solution: the cards are 3, 8, 4, 3"),
    Verdict("8 - 4 = 4\n4 + 3 = 7\n7 * 3 = 21", "", 0, 0, "steps that end in 21"),
    Verdict("8 * 3 = 24\n24 * 4 = 96", "", 0, 0, "steps that do not use every card once"),
    Verdict("8 - 4 = 4\n3 + 3 = 6\n4 × 6 = 24\nAnswer: 8 * 3 * 4 / 3", "", 0, 0, "a wrong final answer after steps"),
    # right
    Verdict("Answer: (8 - 4) * (3 + 3) = 24", "", 1, 1, "the expression and its value"),
    Verdict("Answer: $(8 - 4) \\times (3 + 3)$", "", 1, 1, "LaTeX"),
    Verdict("Answer: (8 − 4) × (3 + 3) = 24.", "", 1, 1, "Unicode operators"),
    Verdict("Answer: (8-4)*(3+3) = 24!", "", 1, 0, "an exclamation after the value, not a factorial"),
    Verdict("Answer: (8 - 4) * (3 + 3)\n\nThis uses each card exactly once.", "", 1, 1, "a closing remark"),
    Verdict("Answer: (8 - 4) * (3 + 3)\n\nLet me double-check: 4 * 6 = 24. Correct!", "", 1, 1, "a check"),
    Verdict(
        "Answer: (8 - 4) * (3 + 3)\nNo wait, that is wrong. It should be 8 * 3 * (4 - 3) = 24.",
        "",
        1,
        0,
        "a corrected expression that is right (flexible only)",
    ),
    # a correction that names what it replaces: the correction is read, not the expression it rejects
    Verdict(
        "Answer: 8 * 3 * 4 / 3\n\nHmm, wait. Checking again, the answer is (8 - 4) * (3 + 3), not 8 * 3 * 4 / 3.",
        "",
        1,
        0,
        "a correction after a second thought (flexible only)",
    ),
    Verdict(
        "Answer: 3 * 4 * 8 / 3\nI made a mistake: the answer is 8 * 3 * (4 - 3), not 3 * 4 * 8 / 3.",
        "",
        1,
        0,
        "a correction after an outright retraction",
    ),
    Verdict(
        "So the answer is (8 - 4) * (3 + 3), rather than 8 * 3 * 4 / 3.",
        "",
        1,
        0,
        "'rather than' sets the other expression aside",
    ),
    Verdict("Answer: not 8 * 3 * 4 / 3 but (8 - 4) * (3 + 3)", "", 1, 0, "a negated expression on the answer line"),
    Verdict(
        "Answer: (8 - 4) * (3 + 3)\nWait, let me make sure it is not 8 * 3 * 4 / 3. Yes.",
        "",
        1,
        1,
        "a second thought that only rules another expression out leaves the answer standing",
    ),
    Verdict("8 - 4 = 4\n3 + 3 = 6\n4 × 6 = 24", "", 1, 0, "worked out in steps, each card once"),
    Verdict(
        "Step 1: 8 - 4 = 4\nStep 2: 3 + 3 = 6\nStep 3: 4 × 6 = 24\nAnswer: 4 × 6 = 24",
        "",
        1,
        0,
        "steps, and the last step restated as the answer",
    ),
    Verdict("First, 8 - 4 = 4. Then 3 + 3 = 6. Finally 4 × 6 = 24.", "", 1, 0, "steps in one sentence"),
    Verdict(
        "Try 8 * 3 = 24, but 4 and 3 are unused. Instead: 8 - 4 = 4, 3 + 3 = 6, 4 * 6 = 24.",
        "",
        1,
        0,
        "a failed attempt, then steps that work",
    ),
    Verdict("4 - 3 = 1\n8 * 3 = 24\n24 * 1 = 24\nAnswer: 24", "", 1, 0, "steps, then only the value 24"),
    # cut off at the token limit while checking: the expression stated before the check is the answer (flexible)
    Verdict(
        "One way is (8 - 4) * (3 + 3).\n\nLet me verify: 8 - 4",
        "",
        1,
        0,
        "a check cut off mid-expression; the stated expression stands",
    ),
    Verdict(
        "I'd go with (8 - 4) * (3 + 3).\n\nDouble-checking: (8 - 4) is 4, and (3 +",
        "",
        1,
        0,
        "a check cut off inside a bracket",
    ),
    Verdict(
        "One way is 8 * 3 * 4 / 3.\n\nLet me verify: 8 * 3",
        "",
        0,
        0,
        "near miss: the stated expression is wrong (32), whatever the cut-off check",
    ),
]


@pytest.mark.parametrize("case", verdict_params(MAKE24))
def test_make24_answers_get_the_verdict_a_careful_grader_gives(case: Verdict) -> None:
    score = score_make24(case.response, CARDS)
    assert (score.correct, score.strict) == (case.correct, case.strict), score
    if case.reason is not None:
        reading = scoring.read_expression(case.response, literals=len(CARDS))
        assert reading.expression is None and case.reason in (reading.reason or ""), reading
    if case.correct:
        assert arith.check_make_target(score.extracted, CARDS)["valid"]


def test_steps_are_rebuilt_into_one_expression() -> None:
    derived = scoring.derive_expression("8 - 4 = 4\n3 + 3 = 6\n4 × 6 = 24", CARDS, 24)
    assert derived == "(8 - 4) * (3 + 3)"


def test_steps_count_only_when_they_end_the_response_and_match_its_answer() -> None:
    steps = "8 - 4 = 4\n3 + 3 = 6\n4 × 6 = 24"
    assert scoring.derive_expression(steps, CARDS, 24, final="4 * 6") == "(8 - 4) * (3 + 3)"
    assert scoring.derive_expression(steps, CARDS, 24, final="8 * 3 * 4 / 3") is None
    assert scoring.derive_expression(steps + "\nAlso 8 * 3 = 24.", CARDS, 24) is None


def test_make24_verdicts_through_the_cards_family() -> None:
    row = {"answer": "(8 - 4) * (3 + 3)", "spec": json.dumps({"question": {"kind": "make24", "values": CARDS}})}
    family = get_family("cards")
    assert family.score_answer("Answer: (8 - 4)^2 + 3 - 3 - 4", row).correct == 0
    assert family.score_answer("8 - 4 = 4\n3 + 3 = 6\n4 × 6 = 24", row).correct == 1


# ---- read against the question (issue 18) ---------------------------------------------------------------------
class Asked(NamedTuple):
    question: str
    response: str
    target: str
    correct: int
    strict: int
    why: str
    reason: str | None = None


LOAVES = "How many loaves does the baker have now?"
SHELLS = "How many seashells are left with Pablo?"
RED_CIRCLES = "How many red circles are there?"
STARS = "What is the number of yellow stars?"
RED_SUM = "What is the total value of the red cards (hearts and diamonds)? Aces count as 1."
RANGE = "What is the difference between the highest and the lowest card value? Aces count as 1."
SHIRT = "A shirt costs $40 and is sold at a 25% discount. How much does it cost now?"
RED_SHARE = "What percentage of the 20 cards are red?"

AGAINST_THE_QUESTION = [
    # mathtext: the value attached to the noun asked about; relations to the givens set aside
    Asked(LOAVES, "The baker now has 45 loaves after baking 12 more.", "45", 1, 0, "the count of loaves, not 12 more"),
    Asked(LOAVES, "That leaves 45 loaves, 12 more than before.", "45", 1, 0, "'12 more than' relates the givens"),
    Asked(LOAVES, "Answer: 45 loaves, 12 more than in the morning.", "45", 1, 0, "a justification with a number"),
    Asked(LOAVES, "The baker has 45 after selling 12.", "45", 1, 0, "'after selling 12' describes a given"),
    Asked(LOAVES, "So the baker has **45 loaves** (33 + 12).", "45", 1, 0, "bold, and working in brackets"),
    Asked(LOAVES, "He had 33 loaves and baked 12 more, so he has $\\boxed{45}$ loaves.", "45", 1, 0, "a box wins"),
    Asked(LOAVES, "The baker has 45 loaves now, up from 33 loaves.", "45", 1, 0, "'up from 33' is the given"),
    Asked(SHELLS, "Pablo is left with 30 seashells after giving away 19.", "30", 1, 0, "a gerund clause's number"),
    Asked(SHELLS, "Answer: 30 seashells (49 - 19)", "30", 1, 0, "working in brackets (strict: not the bare form)"),
    Asked(SHELLS, "1. Start: 49\n2. Gives away 19\n3. Left: 30 seashells", "30", 1, 0, "a list ending in the count"),
    Asked(
        LOAVES,
        "He had 33 loaves and baked 12 more, so he has 45 now.",
        "45",
        1,
        0,
        "after 'so' the conclusion, before it the givens",
    ),
    Asked(LOAVES, "He had 33 loaves and baked 12 more, 45 in total.", "45", 1, 0, "the value said to be the total"),
    Asked(LOAVES, "He had 33 loaves, sold 8 and baked 20, which leaves 45.", "45", 1, 0, "'which leaves'"),
    Asked(LOAVES, "Starting from 33 loaves, adding 12 gives 45 loaves.", "45", 1, 0, "'gives' after the givens"),
    Asked(
        LOAVES,
        "He has 33 loaves in the morning and 45 loaves in the evening.",
        "45",
        1,
        0,
        "two counts of the noun: the last, as before",
    ),
    Asked(LOAVES, "He therefore has 45 loaves, 12 more than at 7 am.", "45", 1, 0, "a relation, then a time"),
    Asked(LOAVES, "He had 33 loaves so far and 45 now", "45", 1, 0, "'now' before the conclusion"),
    Asked(RED_CIRCLES, "Answer: 4 of 11 shapes are red circles.", "4", 1, 0, "'of 11' is the whole"),
    Asked(RED_CIRCLES, "So there are 9 red circles, 3 in each row.", "9", 1, 0, "a description after the count"),
    # refusals that stand with a question
    Asked(LOAVES, "Answer: 45 loaves or 57 loaves", "45", 0, 0, "alternatives", "alternative"),
    Asked(LOAVES, "Answer: 45 loaves, 57 loaves", "45", 0, 0, "two counts of the noun asked about", "several values"),
    Asked(LOAVES, "Answer: not 45 loaves", "45", 0, 0, "negated", "negated"),
    Asked(LOAVES, "Answer: about 45 loaves", "45", 0, 0, "approximate", "approximate"),
    Asked(LOAVES, "Answer: 45 loaves\nWait, that's wrong.", "45", 0, 0, "retracted", "retracted"),
    Asked(
        LOAVES,
        "Answer: 45 loaves, 12 more, or maybe 57",
        "45",
        0,
        0,
        "an alternative after the relation",
        "alternative",
    ),
    Asked(
        "How many more loaves than muffins are there?",
        "There are 12 more loaves than the 33 muffins.",
        "12",
        1,
        0,
        "a comparison question: '12 more' is the answer",
    ),
    # count: the object the question names
    Asked(RED_CIRCLES, "I can see 9 red circles arranged in 3 rows.", "9", 1, 0, "the count, not the rows"),
    Asked(RED_CIRCLES, "There are 3 rows with 9 red circles.", "9", 1, 0, "the number attached to the object"),
    Asked(RED_CIRCLES, "Answer: 9, in 3 rows of 3.", "9", 1, 0, "a justification after a comma"),
    Asked(RED_CIRCLES, "Answer: 4 of the 11 shapes are red circles.", "4", 1, 0, "part of a whole"),
    Asked(RED_CIRCLES, "Of the 11 shapes, 4 are red circles.", "4", 1, 0, "part of a whole, the whole first"),
    Asked(RED_CIRCLES, "Answer: 68 red circles, 3 blue squares", "68", 1, 0, "the other count names other shapes"),
    Asked(RED_CIRCLES, "Answer: 9 blue circles and 4 red circles", "4", 1, 0, "the colour asked for decides"),
    Asked(
        RED_CIRCLES,
        "Answer: 4 red circles, 9 red circles",
        "4",
        0,
        0,
        "two counts of the asked object",
        "several values",
    ),
    Asked(RED_CIRCLES, "Answer: 10%", "10", 0, 0, "a percentage is no count", "percentage"),
    Asked(RED_CIRCLES, "There are 10% red circles.", "10", 0, 0, "a percentage in a sentence", "percentage"),
    Asked(STARS, "- yellow star\n- yellow star\n- blue star\n\n**Total yellow stars: 2**", "2", 1, 0, "a bold total"),
    Asked(STARS, "**Final answer: 2**", "2", 1, 0, "'Final answer:' is not the asked-for 'Answer:' line"),
    Asked(STARS, "**Answer: 2**", "2", 1, 1, "bold around the asked-for line is presentation"),
    Asked(STARS, "The final answer: 2", "2", 1, 0, "words before the marker"),
    # cards: sum verbs, and a difference of zero in words
    Asked(RED_SUM, "The two red cards add up to 17.", "17", 1, 0, "'add up to' is not 'up to'"),
    Asked(RED_SUM, "The hearts are 9 and 8, which sum to 17.", "17", 1, 0, "the sum, not the first card"),
    Asked(RED_SUM, "Answer: the hearts are 9 and 8, which sum to 17.", "17", 1, 0, "the same on an answer line"),
    Asked(RED_SUM, "The red cards are 9 and 8, which total 17.", "17", 1, 0, "'which total'"),
    Asked(RED_SUM, "9 of hearts + 8 of diamonds comes to 17", "17", 1, 0, "'comes to'"),
    Asked(RED_SUM, "Red cards: 9♥, 8♦. Together they make 17.", "17", 1, 0, "'make'"),
    # a percentage answers only a question that asks for one, whatever the kind of value asked for
    Asked(RED_SUM, "Answer: 17%", "17", 0, 0, "a percentage is no card total either", "percentage"),
    Asked(
        RED_SUM,
        "Together the hearts and diamonds come to 17 %.",
        "17",
        0,
        0,
        "a percent sign after a space",
        "percentage",
    ),
    Asked(RANGE, "Answer: 8 percent", "8", 0, 0, "the percent word", "percentage"),
    Asked(RED_CIRCLES, "Answer: 10 per cent", "10", 0, 0, "'per cent' on a count", "percentage"),
    Asked(SHIRT, "Answer: 30%", "30", 0, 0, "a percentage among the givens asks for none", "percentage"),
    Asked(SHIRT, "With 25% off, the shirt now costs $30.", "30", 1, 0, "the givens' percentage is not the answer"),
    Asked(SHIRT, "Answer: $30", "30", 1, 1, "a price, no percent sign"),
    Asked(RED_SHARE, "Answer: 45%", "45", 1, 1, "a percentage question: the percent sign answers it"),
    Asked(RED_SHARE, "Of the 20 cards, 45 percent are red.", "45", 1, 0, "a percentage in words, asked for"),
    Asked(RED_SUM, "The red cards add up to 9 or 17.", "17", 0, 0, "alternatives after a sum verb", "alternative"),
    Asked(RED_SUM, "The two red cards add up to at least 17.", "17", 0, 0, "a bound after a sum verb", "bounded"),
    Asked(RANGE, "There is no difference; both are worth 10.", "0", 1, 0, "no difference is 0"),
    Asked(RANGE, "No difference: both cards are worth 10.", "0", 1, 0, "no difference, said first"),
    Asked(RANGE, "Both cards are worth 10, so there's no difference.", "0", 1, 0, "no difference, said last"),
    Asked(RANGE, "The highest is 10 and the lowest is 2, so the difference is 8.", "8", 1, 0, "a difference"),
    Asked(RANGE, "Answer: 8, the highest (10) minus the lowest (2)", "8", 1, 0, "bracketed givens after words"),
    Asked(RANGE, "Answer: 8 (10)", "8", 0, 0, "a value in brackets after the value", "brackets"),
    Asked(RANGE, "The highest card is 10, 8 more than the lowest.", "8", 1, 0, "in a comparison, '8 more' answers"),
    # the styles models write: lists, Markdown, LaTeX, arrows
    Asked(RED_SUM, "Red cards:\n- 9♥\n- 8♦\n\nSum: 9 + 8 = **17**", "17", 1, 0, "a list, then a bold sum"),
    Asked(
        RED_SUM,
        "The red cards are the 9 of hearts and the 8 of diamonds, so the total value is $9 + 8 = \\boxed{17}$.",
        "17",
        1,
        0,
        "LaTeX and a box",
    ),
    Asked(RED_SUM, "**Red cards:** 9♥ and 8♦ → together they add up to **17**.", "17", 1, 0, "bold and an arrow"),
    Asked(
        RED_SUM,
        "The hearts and diamonds are 9 and 8; their values sum to 17, which is the answer",
        "17",
        1,
        0,
        "'sum to', the full stop left off",
    ),
    Asked(RED_SUM, "Answer: 17 (9 of hearts + 8 of diamonds)", "17", 1, 0, "the cards in brackets"),
    Asked(RANGE, "Highest: K (13). Lowest: A (1). Difference: 13 - 1 = 12.", "12", 1, 0, "labelled lines"),
    Asked(
        RANGE,
        "The highest and the lowest card are both 7, so there is no difference.\n\nAnswer: 0",
        "0",
        1,
        1,
        "no difference, then the asked-for line",
    ),
    Asked(RANGE, "All four cards are 10s: **no difference**.", "0", 1, 0, "no difference in bold"),
    Asked(
        RED_CIRCLES,
        "1. Red circle (top left)\n2. Red circle (centre)\n3. Blue square\n\nSo there are **2 red circles**.",
        "2",
        1,
        0,
        "a numbered list, then the count",
    ),
    Asked(RED_CIRCLES, "I count **5** red circles and 2 blue ones.", "5", 1, 0, "a bold count beside another"),
    Asked(
        RED_CIRCLES,
        "The image contains 3 blue squares, 5 red circles and 1 green star.",
        "5",
        1,
        0,
        "the count of the shape asked for, in a list of counts",
    ),
    Asked(
        LOAVES,
        "\\( 33 + 12 = 45 \\)\n\nThe baker now has **45 loaves**, 12 more than this morning.",
        "45",
        1,
        0,
        "LaTeX working, then a bold count and a relation",
    ),
    Asked(
        LOAVES, "- Morning: 33 loaves\n- Baked: 12 more\n- Total: 45 loaves", "45", 1, 0, "a list ending in the total"
    ),
    # a response cut off at the token limit while checking its work
    Asked(
        SHELLS,
        "49 - 19 = 30, so Pablo has 30 seashells left. Let me verify: 30 + 19 is 4",
        "30",
        1,
        0,
        "the conclusion before the unfinished check",
    ),
    Asked(
        RED_SUM,
        "The total is 17.\n\nLet me double-check by adding again: 9 + 8 = 1",
        "17",
        1,
        0,
        "an unfinished double-check",
    ),
    Asked(
        RED_CIRCLES,
        "Answer: 9\n\nTo verify, I count again row by row: 3, 3, and",
        "9",
        1,
        1,
        "an answer line, then an unfinished recount",
    ),
    Asked(
        SHELLS,
        "So Pablo has 30 seashells. Let me verify: 49 - 19 = 31.",
        "31",
        1,
        0,
        "a finished check that finds another value is read, not cut",
    ),
    Asked(
        SHELLS,
        "So Pablo has 29 seashells. Let me verify: 49 - 19 = 30\nAnswer: 30",
        "30",
        1,
        1,
        "an answer line after the check: not cut off",
    ),
    Asked(
        SHELLS,
        "Pablo has 30 seashells left. Let me verify: 30 + 19 = 49 and",
        "30",
        1,
        0,
        "cut off after a word no sentence ends with",
    ),
    Asked(SHELLS, "Pablo has 30 seashells left. To be sure, I'll add back: 30 +", "30", 1, 0, "cut off at an operator"),
    Asked(
        SHELLS,
        "Pablo has 31 seashells left.\n\nDouble-checking: 49 - 19 = 30",
        "30",
        1,
        0,
        "a check ending in an equation that holds is finished, full stop or not",
    ),
    Asked(
        RED_CIRCLES,
        "So there are 4 red circles. Let me double-check the count: that's 3 red circles",
        "3",
        1,
        0,
        "a check ending in a noun reads as finished: its value corrects the earlier one",
    ),
    Asked(
        RED_CIRCLES,
        "I count 7 red circles.\n\nLet me recount them row by row:\n- Row 1: 2\n- Row 2: 3\n- Row 3:",
        "7",
        1,
        0,
        "a recount cut off in a list",
    ),
    # decimal comma and thousands
    Asked(LOAVES, "Answer: 1,200 loaves", "1200", 1, 1, "a comma before three digits groups thousands"),
    Asked(LOAVES, "Answer: 116,50", "116.5", 1, 1, "a comma before two final digits is a decimal comma"),
    Asked(LOAVES, "Answer: 116,50", "11650", 0, 0, "a decimal comma is not a thousands separator"),
    Asked(LOAVES, "Answer: 3,5", "3.5", 1, 1, "a decimal comma before one digit"),
    Asked(LOAVES, "Answer: 1,2345", "12345", 0, 0, "four digits after a comma: neither", "several values"),
]


@pytest.mark.parametrize("case", [pytest.param(case, id=case.why) for case in AGAINST_THE_QUESTION])
def test_answers_read_against_the_question_get_the_verdict_a_careful_grader_gives(case: Asked) -> None:
    verdict = scoring.score_number(case.response, case.target, question=case.question)
    assert (verdict["correct"], verdict["strict"]) == (case.correct, case.strict), verdict
    if case.reason is not None:
        reading = scoring.read_answer(case.response, question=case.question)
        assert reading.value is None and case.reason in (reading.reason or ""), reading
    assert verdict["strict"] <= verdict["correct"]


# ---- issue 18, second round: checks, breakdowns, ranges, later conclusions, cut-off responses, other languages ----
APPLES = "How many apples does Mia have now?"
GREEN_SQUARES = "How many green squares are there?"
NO_QUESTION = ""

SECOND_ROUND = [
    # 1. a check that ends by confirming the value leaves it standing, strictly too; its working is no answer
    Asked(
        NO_QUESTION,
        "Answer: 30\n\nLet me check: 19 + 6 = 25\n25 + 5 = 30\nCorrect, 30.",
        "30",
        1,
        1,
        "a check whose working starts with other numbers, then confirms",
    ),
    Asked(NO_QUESTION, "Answer: 30\nChecking: 45 - 15 = 30. Yes, 30.", "30", 1, 1, "'Checking:' then 'Yes, 30'"),
    Asked(
        GREEN_SQUARES,
        "Answer: 3\n\nLet me verify by listing them:\n1. green square\n2. green square\n"
        "3. green square\nYes, 3 green squares.",
        "3",
        1,
        1,
        "a numbered recount: its item numbers are no answer",
    ),
    Asked(
        NO_QUESTION,
        "Answer: 3\nTo be sure, I recount: 1) top, 2) middle, 3) bottom. ✓ 3",
        "3",
        1,
        1,
        "a tick confirming the value",
    ),
    Asked(
        NO_QUESTION,
        "Answer: 17\n\nDouble-check: 50 - 40 = 10, 10 + 7 = 17. ✓",
        "17",
        1,
        1,
        "'Double-check:' as a heading, ending in a tick",
    ),
    Asked(
        GREEN_SQUARES,
        "Answer: 2\n\nRecounting to be sure:\n1. green square\n2. green square\nThat's 2.",
        "2",
        1,
        1,
        "'That's 2.' confirms a recount",
    ),
    Asked(
        GREEN_SQUARES,
        "Answer: 2\n\nLet me recount:\n1. green square\n2. green square\n3. green square\nThat's 3.",
        "3",
        1,
        0,
        "near miss: a recount that ends on another value corrects it",
    ),
    Asked(
        NO_QUESTION,
        "Answer: 30\nLet me double-check: 45 - 15 = 30\nYes, 31.",
        "30",
        0,
        0,
        "near miss: the check ends on another value, the answer no longer stands",
    ),
    Asked(
        GREEN_SQUARES,
        "Answer: 3\n\nLet me verify:\n1. green square\n2. green square\n3. green square\n4. green square\nSo 4.",
        "4",
        1,
        0,
        "near miss: a recount that concludes another value corrects it",
    ),
    # 2. a value followed by its breakdown (flexible only), and the value attached to the asked noun in a sentence
    Asked(NO_QUESTION, "Answer: 9, 6 red and 3 blue.", "9", 1, 0, "a count, then its parts that add up to it"),
    Asked(NO_QUESTION, "Answer: 12: 7 + 5", "12", 1, 0, "a value, a colon and the sum that makes it"),
    Asked(NO_QUESTION, "Answer: 7 stars, 5 large and 2 small", "7", 1, 0, "a unit word before the breakdown"),
    Asked(NO_QUESTION, "The hand is worth 24: 10 + 8 + 6.", "24", 1, 0, "a sentence's value, then its sum"),
    Asked(
        NO_QUESTION, "Answer: 9, 6 red and 4 blue.", "9", 0, 0, "near miss: parts that do not add up", "several values"
    ),
    Asked(
        NO_QUESTION, "Answer: 9, 6, 3", "9", 0, 0, "near miss: a list of bare values is no breakdown", "several values"
    ),
    Asked(NO_QUESTION, "The hand is worth 24: 10 + 8 + 5.", "24", 0, 0, "near miss: a sum that is not the value"),
    Asked(
        GREEN_SQUARES, "Answer: I see 6 green squares among the 20 shapes.", "6", 1, 0, "'among the 20' is the whole"
    ),
    Asked(
        GREEN_SQUARES,
        "Answer: 6 green squares; the other 14 shapes are something else.",
        "6",
        1,
        0,
        "'the other 14' is the rest",
    ),
    Asked(
        GREEN_SQUARES,
        "Answer: 6 green squares and 14 shapes.",
        "6",
        1,
        0,
        "the value with the asked colour and noun, not the bare noun",
    ),
    Asked(
        GREEN_SQUARES,
        "Answer: 6 green squares and 5 green squares",
        "6",
        0,
        0,
        "near miss: two values for the asked noun",
        "several values",
    ),
    # 3. a range in words is no value
    Asked(NO_QUESTION, "Anywhere from 12 to 14.", "14", 0, 0, "a range with 'from ... to'", "range"),
    Asked(NO_QUESTION, "I would say 12 to 14.", "14", 0, 0, "a range with 'to'", "range"),
    Asked(NO_QUESTION, "It lies between 12 and 14.", "14", 0, 0, "a range with 'between ... and'", "alternative"),
    Asked(NO_QUESTION, "Somewhere around 12 – 14.", "14", 0, 0, "a range with a dash", "range"),
    Asked(
        NO_QUESTION,
        "He walked from 3 to the shop and bought 14.",
        "14",
        1,
        0,
        "near miss: 'from 3 to the shop' is no range",
    ),
    Asked(NO_QUESTION, "The number of apples went from 12 to 25.", "25", 1, 0, "near miss: a change, not a range"),
    Asked(NO_QUESTION, "The stack grew by 3 to 45.", "45", 1, 0, "near miss: 'by 3 to 45' is a change"),
    # 4. an Answer line that a later conclusion contradicts is in doubt
    Asked(
        APPLES,
        "Answer: 12\n\nTherefore Mia has 13 apples.",
        "12",
        0,
        0,
        "a later 'therefore ... has 13 apples'",
        "later sentence concludes",
    ),
    Asked(
        APPLES,
        "Answer: 12\n\nIn total, Mia has 13 apples.",
        "13",
        0,
        0,
        "'In total' concluding another value",
        "later sentence concludes",
    ),
    Asked(APPLES, "Answer: 12\n\nThe answer is 13.", "12", 0, 0, "a later 'the answer is'", "later sentence concludes"),
    Asked(
        APPLES,
        "Answer: 12\n\nMia therefore has 13 apples.",
        "12",
        0,
        0,
        "'therefore' after the subject",
        "later sentence concludes",
    ),
    Asked(
        GREEN_SQUARES,
        "Answer: 6\n\nIn the picture I count 7 green squares.",
        "6",
        0,
        0,
        "a later 'I count' of the asked shapes",
        "later sentence concludes",
    ),
    Asked(
        APPLES,
        "Answer: 12\n\nAt first there were 25 apples; after eating 13, Mia has 12 apples.",
        "12",
        1,
        1,
        "near miss: a past-tense recap of the givens",
    ),
    Asked(APPLES, "Answer: 12\n\nSo Mia has 12 apples.", "12", 1, 1, "near miss: the conclusion agrees"),
    Asked(
        APPLES,
        "Answer: 12\n\nSo Mia gave away 13 apples.",
        "12",
        1,
        1,
        "near miss: another quantity of the noun, not what she has",
    ),
    Asked(APPLES, "Answer: 12\n\nSo there are 20 fruits in all.", "12", 1, 1, "near miss: another noun"),
    Asked(APPLES, "Answer: 12\n\nShe had 25 apples and ate 13.", "12", 1, 1, "near miss: the givens, not a conclusion"),
    Asked(
        APPLES,
        "Answer: 12\n\nSo Mia has 12 apples now, and she had 25 apples at first.",
        "12",
        1,
        1,
        "near miss: a conclusion that states the answer beside a given",
    ),
    # 5. a response cut off before it concludes has no answer; one cut off in a check has the conclusion before it
    Asked(
        NO_QUESTION, "The cards are 3, 7 and 9. So the largest is", "9", 0, 0, "cut off before the value", "no answer"
    ),
    Asked(
        NO_QUESTION,
        "Shapes:\n1. red star\n2. blue star\n3. gre",
        "3",
        0,
        0,
        "a list cut mid-item: item numbers are no answer",
        "no answer",
    ),
    Asked(
        NO_QUESTION,
        "The cards are 3, 7 and 9. So the largest is 9",
        "9",
        1,
        0,
        "near miss: cut after the value (no full stop)",
    ),
    Asked(NO_QUESTION, "Count: 7\nThat's it", "7", 1, 0, "near miss: an informal last sentence is not cut off"),
    Asked(
        APPLES,
        "Mia has 12 apples. Let me check: 12 + 13 = 25, 25 - 5 =",
        "12",
        1,
        0,
        "'Let me check' cut off mid-equation",
    ),
    Asked(APPLES, "Mia has 12 apples. Checking: 12 + 13 = 25, 25 - 5 =", "12", 1, 0, "'Checking:' cut off"),
    Asked(APPLES, "Mia has 12 apples. Check: 12 + 13 = 25, 25 - 5 =", "12", 1, 0, "'Check:' cut off"),
    # 6. answer phrases of other languages (flexible only); their "or" offers alternatives
    Asked(NO_QUESTION, "14 + 58 = 72\nDie Antwort lautet: 72", "72", 1, 0, "German"),
    Asked(NO_QUESTION, "There are 14 marbles.\nLa réponse est 72.", "72", 1, 0, "French"),
    Asked(NO_QUESTION, "There are 14 marbles.\nLa respuesta es 72.", "72", 1, 0, "Spanish"),
    Asked(NO_QUESTION, "There are 14 marbles.\nLa risposta è 72.", "72", 1, 0, "Italian"),
    Asked(NO_QUESTION, "There are 14 marbles.\nA resposta é 72.", "72", 1, 0, "Portuguese"),
    Asked(NO_QUESTION, "There are 14 marbles.\nLa respuesta correcta es 72.", "72", 1, 0, "Spanish, an adjective"),
    Asked(NO_QUESTION, "There are 14 marbles.\nRespuesta final: 72", "72", 1, 0, "Spanish, a label"),
    Asked(NO_QUESTION, "There are 14 marbles.\n答案是72。", "72", 1, 0, "Chinese"),
    Asked(NO_QUESTION, "There are 14 marbles.\n最终答案：72", "72", 1, 0, "Chinese, full-width colon"),
    Asked(NO_QUESTION, "14 + 58 = 72，一共有72个弹珠。", "72", 1, 0, "Chinese without a phrase: a number after a word"),
    Asked(
        NO_QUESTION,
        "The item code is x72.",
        "72",
        0,
        0,
        "near miss: a number glued to a Latin letter is none",
        "no answer",
    ),
    Asked(
        NO_QUESTION,
        "There are 14 marbles.\nLa réponse est 70 ou 72.",
        "72",
        0,
        0,
        "near miss: alternatives in French",
        "alternative",
    ),
    Asked(NO_QUESTION, "Die Antwort ist 70 oder 72.", "72", 0, 0, "near miss: alternatives in German", "alternative"),
    # 7. the recap just before an Answer line concludes another value: which is it? (as a later one, class 4)
    Asked(
        APPLES,
        "Mia had 20 apples and picked 7 more, 20 + 7 = 27.\nSo Mia has 27 apples now.\n\nAnswer: 28",
        "28",
        0,
        0,
        "the recap above the Answer line says 27",
        "the sentence before it concludes another value",
    ),
    Asked(
        GREEN_SQUARES,
        "Therefore there are 6 green squares.\nAnswer: 5",
        "5",
        0,
        0,
        "'Therefore there are 6' then 'Answer: 5'",
        "the sentence before it concludes another value",
    ),
    Asked(
        RED_SUM,
        "9 + 8 = 17\nSo the total of the red cards is 17.\n\nAnswer: 18",
        "18",
        0,
        0,
        "a total stated in the recap, another on the Answer line",
        "the sentence before it concludes another value",
    ),
    Asked(
        RANGE,
        "Highest 13, lowest 1.\nThus the difference is 12.\nAnswer: 11",
        "11",
        0,
        0,
        "a difference stated in the recap, another on the Answer line",
        "the sentence before it concludes another value",
    ),
    Asked(APPLES, "So Mia has 27 apples now.\n\nAnswer: 27", "27", 1, 1, "near miss: the recap agrees"),
    Asked(
        APPLES,
        "So Mia had 20 apples after lunch. Then she picked 7 more: 20 + 7 = 27.\nAnswer: 27",
        "27",
        1,
        1,
        "near miss: an earlier step's 'so' is working, not the recap just above the Answer line",
    ),
    Asked(
        APPLES,
        "Mia started with 20 apples.\nAnswer: 27",
        "27",
        1,
        1,
        "near miss: a past-tense given just above the Answer line concludes nothing",
    ),
    Asked(
        RED_SUM,
        "So the total of the red cards is 9 + 8 = 17.\nAnswer: 17",
        "17",
        1,
        1,
        "near miss: the recap works the total out to the same value",
    ),
]


@pytest.mark.parametrize("case", [pytest.param(case, id=case.why) for case in SECOND_ROUND])
def test_checks_breakdowns_ranges_conclusions_cuts_and_languages_get_a_graders_verdict(case: Asked) -> None:
    question = case.question or None
    verdict = scoring.score_number(case.response, case.target, question=question)
    assert (verdict["correct"], verdict["strict"]) == (case.correct, case.strict), verdict
    if case.reason is not None:
        reading = scoring.read_answer(case.response, question=question)
        assert reading.value is None and case.reason in (reading.reason or ""), reading
    assert verdict["strict"] <= verdict["correct"]


# ---- a response that restates the problem (a transcription, a copy) before it answers ---------------------------
MARBLES = "How many marbles does Keiko have now?"
MARBLES_PROBLEM = f"There are 40 marbles in Keiko's jar. She gives 12 marbles to Omar. {MARBLES}"

RESTATED = [
    Asked(
        MARBLES,
        f"{MARBLES_PROBLEM}\n\nKeiko has 28 marbles now.",
        "28",
        1,
        0,
        "the transcription's 'There are 40 marbles' is a given; the statement after the repeated question answers",
    ),
    Asked(
        MARBLES,
        f"**Transcription:**\n{MARBLES_PROBLEM}\n\nKeiko now has twenty-eight marbles.",
        "28",
        1,
        0,
        "a number word after the repeated question, over the transcription's digits",
    ),
    Asked(MARBLES, f"{MARBLES_PROBLEM}\n\n40 - 12 = 28\n\nAnswer: 28", "28", 1, 1, "working and an Answer line"),
    Asked(MARBLES, f"{MARBLES_PROBLEM}\n\nKeiko has 27 marbles now.", "28", 0, 0, "a wrong value after it is wrong"),
    Asked(
        MARBLES,
        f"{MARBLES_PROBLEM.replace(MARBLES, 'how many MARBLES does keiko  have now')}\nShe keeps 28.",
        "28",
        1,
        0,
        "the question repeated in another case and spacing, without its question mark",
    ),
    Asked(
        MARBLES,
        f"{MARBLES_PROBLEM}\n\nKeiko has 28 marbles now. Let me verify: 40 - ",
        "28",
        1,
        0,
        "cut off while checking, after the repeated question",
    ),
    Asked(
        MARBLES,
        f"Answer: 28\n\n{MARBLES} She had 40 and gave away 12.",
        "28",
        1,
        1,
        "near miss: the question repeated after a marked answer leaves the answer standing",
    ),
    Asked(
        MARBLES,
        f"Keiko has 28 marbles. ({MARBLES})",
        "28",
        1,
        0,
        "near miss: nothing stated after the repeated question: the whole response is read",
    ),
]


@pytest.mark.parametrize("case", [pytest.param(case, id=case.why) for case in RESTATED])
def test_a_restated_problem_is_no_answer_and_what_follows_its_question_is_read(case: Asked) -> None:
    verdict = scoring.score_number(case.response, case.target, question=case.question)
    assert (verdict["correct"], verdict["strict"]) == (case.correct, case.strict), verdict


def test_a_restated_problem_is_read_for_its_givens_without_the_question() -> None:
    """Without the question nothing is repeated, and the transcription's answer phrase is read (the reason the
    question travels with every scorer)."""
    response = f"{MARBLES_PROBLEM}\n\nKeiko has 28 marbles now."
    assert scoring.read_answer(response).value == "40"
    assert scoring.read_answer(response, question=MARBLES).value == "28"

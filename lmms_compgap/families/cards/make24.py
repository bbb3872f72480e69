"""Scoring a make-24 answer: any expression that uses each card value once and equals 24 counts."""

from __future__ import annotations

import re

from lmms_compgap import scoring
from lmms_compgap.core.family import AnswerScore
from lmms_compgap.families.cards.deck import TARGET
from lmms_compgap.scoring import arith

_TRAILING_TARGET = re.compile(rf"\s*=\s*{TARGET}\s*$")


def _valid_make24(expr: str | None, values: list[int]) -> bool:
    return expr is not None and bool(arith.check_make_target(expr, values, target=TARGET)["valid"])


def strict_expression(answer_line: str | None) -> str | None:
    """The expression on the final `Answer:` line when that line holds nothing else, normalised; else None.

    Allowed around it: Markdown emphasis or code marks, LaTeX math (normalised by `arith`), a trailing
    "= 24" and a final full stop. Anything else on the line (words, a second expression) is not strict.
    """
    if answer_line is None:
        return None
    rest = re.sub(r"\*\*|__|`", " ", answer_line).strip().rstrip(".").strip()
    rest = _TRAILING_TARGET.sub("", arith.normalize_expression(rest)).strip()
    if not rest:
        return None
    try:
        arith.evaluate_expression(rest)
    except ValueError:
        return None
    return rest


def score_make24(response: str, values: list[int]) -> AnswerScore:
    """A make-24 answer (`scoring.read_expression`): `correct` if the expression the response answers with uses
    each card value exactly once, only + - * / and parentheses, and equals 24 exactly; or, failing that, if the
    response works it out in final steps that do (`scoring.derive_expression`). `strict` if the final `Answer:`
    line is such an expression and nothing else (`strict_expression`) and nothing takes it back. `extracted` is
    the expression credited or found."""
    reading = scoring.read_expression(response, literals=len(values))
    extracted = reading.expression
    strict_expr = strict_expression(reading.answer_line)
    strict = _valid_make24(strict_expr, values)
    correct = _valid_make24(extracted, values)
    if strict and not correct:  # the two readers disagree only on odd layouts; the strict one was valid
        extracted, correct = strict_expr, True
    if not correct and reading.reason is None:
        derived = scoring.derive_expression(response, values, TARGET, final=extracted)
        if derived is not None:
            extracted, correct = derived, True
    return AnswerScore(extracted=extracted, correct=int(correct), strict=int(strict))

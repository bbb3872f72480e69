"""Tests for lmms_compgap.scoring.arith: the safe evaluator, the make-24 checker and expression extraction."""

from __future__ import annotations

import contextlib
import time
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lmms_compgap.scoring import extract_expression
from lmms_compgap.scoring.arith import (
    ExpressionError,
    check_make_target,
    evaluate_expression,
    normalize_expression,
    numbers_in_expression,
)

# ---- evaluation ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ("2 + 3 * 4", 14),
        ("(2 + 3) * 4", 20),
        ("2 * 3 + 4 * 5", 26),
        ("8 / 2 / 2", 2),
        ("10 - 4 - 3", 3),
        ("2 * 3 / 4", Fraction(3, 2)),
        ("1 / 3 + 1 / 6", Fraction(1, 2)),
        ("8 / (3 - 8 / 3)", 24),
        ("6 / (1 - 3 / 4)", 24),
        ("-3", -3),
        ("-3 * -2", 6),
        ("--5", 5),
        ("-(2 + 3) * 4", -20),
        ("2 - -3", 5),
        ("((((7))))", 7),
        ("0", 0),
        ("007 + 1", 8),
        ("999999999999 * 999999999999", 999999999999**2),
        ("  1+2  ", 3),
    ],
)
def test_evaluates_with_precedence_and_left_associativity(expr: str, expected: Fraction | int) -> None:
    assert evaluate_expression(expr) == expected


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ("3 \u00d7 8", 24),
        ("3 x 8", 24),
        ("3X8", 24),
        ("3 \u00b7 8", 24),
        ("48 \u00f7 2", 24),
        ("30 \u2212 6", 24),
        ("30 \u2013 6", 24),
        ("\uff13\uff0a\uff18", 24),
        ("\uff083 + 5\uff09 * 3", 24),
    ],
)
def test_accepts_unicode_operators(expr: str, expected: int) -> None:
    assert evaluate_expression(expr) == expected


@pytest.mark.parametrize(
    ("expr", "message"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("1 / 0", "division by zero"),
        ("1 / (2 - 2)", "division by zero"),
        ("2 ** 3", "expected a number"),
        ("2 ^ 3", "unknown character"),
        ("1 +", "end of expression"),
        ("(1 + 2", "unbalanced parentheses"),
        ("1 + 2)", "unbalanced parentheses"),
        (")(", "unbalanced parentheses"),
        ("()", "expected a number"),
        ("3 4", "unexpected"),
        ("2(3 + 4)", "unexpected"),
        ("1.5 * 2", "unknown character"),
        ("+5", "expected a number"),
        ("abs(3)", "unknown character"),
        ("__import__('os')", "unknown character"),
        ("1234567890123", "13 digits"),
        ("1 + 99999999999999999999", "digits"),
        ("\u0663 + 1", "unknown character"),
    ],
)
def test_rejects_invalid_expressions_with_clear_message(expr: str, message: str) -> None:
    with pytest.raises(ExpressionError, match=message):
        evaluate_expression(expr)


def test_expression_error_is_a_value_error() -> None:
    assert issubclass(ExpressionError, ValueError)


def test_rejects_length_bomb() -> None:
    with pytest.raises(ExpressionError, match="too long"):
        evaluate_expression("1+" * 150 + "1")
    assert evaluate_expression("1+" * 150 + "1", max_length=1000) == 151


def test_rejects_depth_bombs() -> None:
    with pytest.raises(ExpressionError, match="too long"):
        evaluate_expression("(" * 10000)
    with pytest.raises(ExpressionError, match="nested too deeply"):
        evaluate_expression("(" * 10000 + "1" + ")" * 10000, max_length=10**6)
    with pytest.raises(ExpressionError, match="nested too deeply"):
        evaluate_expression("-" * 10000 + "1", max_length=10**6)
    with pytest.raises(ExpressionError, match="nested too deeply"):
        evaluate_expression("(" * 33 + "1" + ")" * 33)
    assert evaluate_expression("(" * 32 + "1" + ")" * 32) == 1
    assert evaluate_expression("(" * 3 + "1" + ")" * 3, max_depth=3) == 1


def test_max_depth_must_be_sane() -> None:
    with pytest.raises(ValueError, match="max_depth"):
        evaluate_expression("1", max_depth=10**6)
    with pytest.raises(ValueError, match="max_depth"):
        evaluate_expression("1", max_depth=0)


def test_huge_but_legal_expression_is_fast() -> None:
    expr = "*".join(["999999999999"] * 300)
    start = time.process_time()  # CPU time: a guard against a blow-up, not slowed by other work on the machine
    assert evaluate_expression(expr, max_length=10**4) == 999999999999**300
    assert time.process_time() - start < 0.5


def _render(tree: object) -> str:
    if isinstance(tree, int):
        return str(tree)
    op, left, right = tree  # type: ignore[misc]
    return f"({_render(left)} {op} {_render(right)})"


def _value(tree: object) -> Fraction:
    if isinstance(tree, int):
        return Fraction(tree)
    op, left, right = tree  # type: ignore[misc]
    a, b = _value(left), _value(right)
    if op == "/" and b == 0:
        raise ZeroDivisionError
    return {"+": a + b, "-": a - b, "*": a * b, "/": a / b if b else a}[op]


_TREES = st.recursive(
    st.integers(min_value=0, max_value=99),
    lambda children: st.tuples(st.sampled_from("+-*/"), children, children),
    max_leaves=8,
)


@settings(max_examples=300, deadline=None)
@given(_TREES)
def test_evaluation_matches_fraction_arithmetic_on_random_trees(tree: object) -> None:
    expr = _render(tree)
    try:
        expected = _value(tree)
    except ZeroDivisionError:
        with pytest.raises(ExpressionError, match="division by zero"):
            evaluate_expression(expr, max_length=1000)
        return
    assert evaluate_expression(expr, max_length=1000) == expected


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=250))
def test_evaluator_only_raises_expression_error_on_arbitrary_text(text: str) -> None:
    try:
        result = evaluate_expression(text)
    except ExpressionError:
        return
    assert isinstance(result, Fraction)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="0123456789+-*/() x\u00d7\u00f7", max_size=200))
def test_evaluator_is_total_on_operator_soup(text: str) -> None:
    with contextlib.suppress(ExpressionError):
        evaluate_expression(text)


# ---- literals and the make-24 check ----------------------------------------------------------------------------


def test_numbers_in_expression_in_order() -> None:
    assert numbers_in_expression("(8 - 4) * 6 * 1") == [8, 4, 6, 1]
    assert numbers_in_expression("10 \u00d7 3 - 6") == [10, 3, 6]
    assert numbers_in_expression("") == []
    with pytest.raises(ExpressionError):
        numbers_in_expression("8 + y")


@pytest.mark.parametrize(
    ("expr", "cards", "valid", "value", "uses_each_once", "reason"),
    [
        ("(8 - 4) * 6 * 1", [1, 4, 6, 8], True, "24", True, None),
        ("8 / (3 - 8 / 3)", [3, 3, 8, 8], True, "24", True, None),
        ("6 / (1 - 3 / 4)", [1, 3, 4, 6], True, "24", True, None),
        ("(10 - 4) * (13 - 9)", [4, 9, 10, 13], True, "24", True, None),
        ("\\frac{8}{3 - \\frac{8}{3}}", [3, 3, 8, 8], True, "24", True, None),
        ("(8 - 4) \\times 6 \\times 1", [8, 6, 4, 1], True, "24", True, None),
        ("8 * 3", [1, 4, 6, 8], False, "24", False, "cards are"),
        ("(8 - 4) * 6 * 1 * 1", [1, 4, 6, 8], False, "24", False, "cards are"),
        ("(8 - 4) * 6 * 2", [1, 4, 6, 8], False, "48", False, "evaluates to 48"),
        ("8 + 4 + 6 + 1", [1, 4, 6, 8], False, "19", True, "evaluates to 19, not 24"),
        ("8 / 3 + 4 * 6", [3, 4, 6, 8], False, "80/3", True, "80/3"),
        ("8 / (3 - 3) + 8", [3, 3, 8, 8], False, None, True, "division by zero"),
        ("(8 - 4) * 6 * 1 = 24", [1, 4, 6, 8], False, None, False, "invalid expression"),
        ("no solution", [1, 1, 1, 1], False, None, False, "invalid expression"),
        ("", [1, 2, 3, 4], False, None, False, "empty"),
    ],
)
def test_check_make_target(
    expr: str, cards: list[int], valid: bool, value: str | None, uses_each_once: bool, reason: str | None
) -> None:
    result = check_make_target(expr, cards)
    assert result["valid"] is valid
    assert result["value"] == value
    assert result["uses_each_once"] is uses_each_once
    if reason is None:
        assert result["reason"] is None
    else:
        assert reason in str(result["reason"])


def test_check_make_target_other_targets() -> None:
    assert check_make_target("5 * 2", [2, 5], target=10)["valid"] is True
    assert check_make_target("5 * 2", [2, 5], target=24)["valid"] is False


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200), st.lists(st.integers(min_value=1, max_value=13), max_size=4))
def test_check_make_target_never_crashes(expr: str, cards: list[int]) -> None:
    result = check_make_target(expr, cards)
    assert set(result) == {"valid", "value", "uses_each_once", "reason"}
    assert result["valid"] == (result["reason"] is None)


# ---- extraction ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("response", "expected"),
    [
        pytest.param("Answer: (8 - 4) \u00d7 6 \u00d7 1 = 24", "(8 - 4) * 6 * 1", id="answer_line_unicode_times"),
        pytest.param("**Answer:** (8-4)*6*1", "(8-4)*6*1", id="bold_answer_line"),
        pytest.param("Answer: 24 = 8 / (3 - 8/3)", "8 / (3 - 8/3)", id="target_on_the_left"),
        pytest.param(
            "Answer: (8 - 4) * 6 * 1 = 4 * 6 * 1 = 24", "(8 - 4) * 6 * 1", id="chain_of_equalities_longest_part"
        ),
        pytest.param("Answer: 3 x 8 x 1 x 1", "3 * 8 * 1 * 1", id="letter_x_as_times"),
        pytest.param(
            "**Answer:**\n\\( \\frac{8}{3 - \\frac{8}{3}} = 24 \\)",
            "((8)/(3 - ((8)/(3))))",
            id="answer_on_next_line_latex_frac",
        ),
        pytest.param(
            "I tried 8*3 = 24 but that leaves cards unused.\n\n$$\\boxed{(8-4) \\times 6 \\times 1 = 24}$$",
            "(8-4) * 6 * 1",
            id="boxed_latex",
        ),
        pytest.param(
            "Let's see.\n1. 8 - 4 = 4\n2. 4 * 6 = 24\n3. 24 * 1 = 24\nSo (8 - 4) * 6 * 1 = 24.",
            "(8 - 4) * 6 * 1",
            id="last_line_with_expression",
        ),
        pytest.param("Answer: 24\n\n(8-4)*6*1", "(8-4)*6*1", id="answer_line_without_expression_falls_through"),
        pytest.param("\\left(8 - 4\\right) \\cdot 6 \\cdot 1", "(8 - 4) * 6 * 1", id="latex_left_right_cdot"),
        pytest.param("- 12 \u00f7 (1 - 1/2) = 24", "12 / (1 - 1/2)", id="bullet_and_division_sign"),
        pytest.param("The solution is [(10 - 4) * (13 - 9)].", "((10 - 4) * (13 - 9))", id="square_brackets"),
        pytest.param(
            "<think>Maybe 6*4?</think>\nAnswer: (6 - 2) * (7 - 1)", "(6 - 2) * (7 - 1)", id="thinking_ignored"
        ),
        pytest.param("No solution exists for these cards.", None, id="no_expression"),
        pytest.param("Answer: 24", None, id="bare_number_is_not_an_expression"),
        pytest.param("", None, id="empty"),
    ],
)
def test_extract_expression(response: str, expected: str | None) -> None:
    assert extract_expression(response) == expected


def test_extracted_expression_checks_as_valid() -> None:
    response = "We need 24 from 3, 3, 8, 8.\n\nAnswer: $8 \\div (3 - 8 \\div 3) = 24$"
    expr = extract_expression(response)
    assert expr is not None
    assert check_make_target(expr, [3, 3, 8, 8])["valid"] is True


def test_normalize_expression() -> None:
    assert normalize_expression("6 / \\frac{1}{4}") == "6 / ((1)/(4))"
    assert evaluate_expression(normalize_expression("6 / \\frac{1}{4}")) == 24
    assert normalize_expression("\\dfrac{12}{2} \\times 4") == "((12)/(2)) * 4"
    assert normalize_expression("$3 \\times 8$") == "3 * 8"
    assert normalize_expression("2\u22121 \u00d7 3 \u00f7 1") == "2-1 * 3 / 1"
    assert normalize_expression("box 3") == "box 3"


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_extract_expression_never_crashes(response: str) -> None:
    expr = extract_expression(response)
    assert expr is None or any(ch.isdigit() for ch in expr)


@pytest.mark.parametrize(
    "bomb",
    [
        "\\boxed{" * 5000 + "}" * 5000,
        "\\frac{" * 5000,
        "-" * 30000,
        "(" * 30000 + "1",
        "1 - " * 8000,
        ") - " * 8000,
        "Answer: " * 5000,
        "answer" + " " * 30000,
    ],
    ids=lambda bomb: repr(bomb[:12]),
)
def test_extract_expression_runs_in_bounded_time(bomb: str) -> None:
    start = time.process_time()  # CPU time: a guard against a blow-up, not slowed by other work on the machine
    extract_expression(bomb)
    assert time.process_time() - start < 1.0

"""Safe exact arithmetic over untrusted text: a small recursive-descent parser, never eval().

Reading an expression out of a model's response is `lmms_compgap.scoring.expressions`.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from fractions import Fraction

from lmms_compgap.scoring.text import prepare_for_reading

__all__ = [
    "ExpressionError",
    "check_make_target",
    "evaluate_expression",
    "normalize_expression",
    "numbers_in_expression",
]

MAX_LITERAL_DIGITS = 12
_DEPTH_CEILING = 100  # keeps the recursive parser far below Python's recursion limit

# Operator spellings accepted by the tokenizer (after NFKC), mapped to + - * /.
_OPERATORS = {
    "+": "+",
    "-": "-",
    "\u2212": "-",  # minus sign
    "\u2013": "-",  # en dash
    "*": "*",
    "\u00d7": "*",  # multiplication sign
    "\u2715": "*",
    "\u00b7": "*",  # middle dot
    "\u22c5": "*",  # dot operator
    "\u2217": "*",  # asterisk operator
    "x": "*",
    "X": "*",
    "/": "/",
    "\u00f7": "/",  # division sign
    "\u2215": "/",  # division slash
}


class ExpressionError(ValueError):
    """The text is not a valid arithmetic expression (or breaks a safety limit)."""


def _tokenize(expr: str) -> list[tuple[str, int | str, int]]:
    """Tokens as (kind, value, position): ("num", int, i), ("op", "+-*/", i), ("(", "(", i), (")", ")", i)."""
    text = unicodedata.normalize("NFKC", expr)
    tokens: list[tuple[str, int | str, int]] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
        elif "0" <= ch <= "9":
            j = i
            while j < n and "0" <= text[j] <= "9":
                j += 1
            if j - i > MAX_LITERAL_DIGITS:
                raise ExpressionError(
                    f"integer literal at position {i} has {j - i} digits (at most {MAX_LITERAL_DIGITS} allowed)"
                )
            tokens.append(("num", int(text[i:j]), i))
            i = j
        elif ch in _OPERATORS:
            tokens.append(("op", _OPERATORS[ch], i))
            i += 1
        elif ch in "()":
            tokens.append((ch, ch, i))
            i += 1
        else:
            raise ExpressionError(f"unknown character {ch!r} at position {i}")
    return tokens


class _Parser:
    """expr := term (("+" | "-") term)* ; term := unary (("*" | "/") unary)* ;
    unary := "-" unary | primary ; primary := INTEGER | "(" expr ")"."""

    def __init__(self, tokens: list[tuple[str, int | str, int]], max_depth: int) -> None:
        self.tokens = tokens
        self.pos = 0
        self.max_depth = max_depth

    def _peek(self) -> tuple[str, int | str, int] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def _describe(self, token: tuple[str, int | str, int] | None) -> str:
        return "end of expression" if token is None else f"{token[1]!r} at position {token[2]}"

    def parse(self) -> Fraction:
        value = self._expr(0)
        token = self._peek()
        if token is not None:
            if token[0] == ")":
                raise ExpressionError(f"unbalanced parentheses: unexpected ')' at position {token[2]}")
            raise ExpressionError(f"unexpected {self._describe(token)}")
        return value

    def _expr(self, depth: int) -> Fraction:
        value = self._term(depth)
        while (token := self._peek()) is not None and token[0] == "op" and token[1] in "+-":
            self.pos += 1
            right = self._term(depth)
            value = value + right if token[1] == "+" else value - right
        return value

    def _term(self, depth: int) -> Fraction:
        value = self._unary(depth)
        while (token := self._peek()) is not None and token[0] == "op" and token[1] in "*/":
            self.pos += 1
            right = self._unary(depth)
            if token[1] == "*":
                value *= right
            elif right == 0:
                raise ExpressionError(f"division by zero at position {token[2]}")
            else:
                value /= right
        return value

    def _enter(self, depth: int) -> int:
        if depth + 1 > self.max_depth:
            raise ExpressionError(f"expression nested too deeply (more than {self.max_depth} levels)")
        return depth + 1

    def _unary(self, depth: int) -> Fraction:
        token = self._peek()
        if token is not None and token[0] == "op" and token[1] == "-":
            self.pos += 1
            return -self._unary(self._enter(depth))
        return self._primary(depth)

    def _primary(self, depth: int) -> Fraction:
        token = self._peek()
        if token is None:
            raise ExpressionError("unexpected end of expression")
        if token[0] == "num":
            self.pos += 1
            return Fraction(int(token[1]))
        if token[0] == "(":
            self.pos += 1
            value = self._expr(self._enter(depth))
            close = self._peek()
            if close is None or close[0] != ")":
                raise ExpressionError(
                    f"unbalanced parentheses: '(' at position {token[2]} is not closed (found {self._describe(close)})"
                )
            self.pos += 1
            return value
        if token[0] == ")" and depth == 0:
            raise ExpressionError(f"unbalanced parentheses: unexpected ')' at position {token[2]}")
        raise ExpressionError(f"expected a number or '(' but found {self._describe(token)}")


def evaluate_expression(expr: str, *, max_length: int = 200, max_depth: int = 32) -> Fraction:
    """Evaluate ``+ - * /``, unary minus and parentheses over non-negative integer literals, exactly.

    Accepts ``×``/``x``/``·`` for ``*``, ``÷`` for ``/``, ``−`` (U+2212) and ``–`` for ``-``; LaTeX goes through
    `normalize_expression` first. No exponentiation, no implicit multiplication, no decimals. Raises
    `ExpressionError` (a ValueError) for: empty text, more than ``max_length`` characters, nesting (parentheses
    plus unary minus) deeper than ``max_depth``, an unknown character, a literal of more than 12 digits,
    unbalanced parentheses, a misplaced token, division by zero. Time and memory are bounded by ``max_length``.
    """
    if not 1 <= max_depth <= _DEPTH_CEILING:
        raise ValueError(f"max_depth must be between 1 and {_DEPTH_CEILING}")
    if len(expr) > max_length:
        raise ExpressionError(f"expression too long ({len(expr)} characters; at most {max_length})")
    if not expr.strip():
        raise ExpressionError("empty expression")
    tokens = _tokenize(expr)
    return _Parser(tokens, max_depth).parse()


def numbers_in_expression(expr: str) -> list[int]:
    """The integer literals of an expression, in order of appearance (raises `ExpressionError` on a character
    the evaluator does not accept or an over-long literal)."""
    return [int(value) for kind, value, _ in _tokenize(expr) if kind == "num"]


def check_make_target(expr: str, card_values: list[int], target: int = 24) -> dict[str, bool | str | None]:
    """Check a "make the target from these cards" answer (the 24 game by default).

    Returns ``{"valid", "value", "uses_each_once", "reason"}``: ``value`` is the exact result as a string
    (``"24"``, ``"47/2"``) or None if the expression does not evaluate; ``uses_each_once`` is whether the literals
    are exactly the multiset ``card_values``; ``valid`` needs both that and ``value == target``; ``reason`` says
    why not (None when valid). LaTeX and Unicode operators are normalised first.
    """
    text = normalize_expression(expr)
    reasons: list[str] = []
    try:
        used: list[int] | None = numbers_in_expression(text)
    except ExpressionError:
        used = None
    uses_each_once = used is not None and Counter(used) == Counter(card_values)
    value: Fraction | None = None
    try:
        value = evaluate_expression(text)
    except ExpressionError as error:
        reasons.append(f"invalid expression: {error}")
    if value is not None and value != target:
        reasons.append(f"evaluates to {value}, not {target}")
    if used is not None and not uses_each_once:
        reasons.append(f"uses {sorted(used)} but the cards are {sorted(card_values)}")
    return {
        "valid": not reasons,
        "value": None if value is None else str(value),
        "uses_each_once": uses_each_once,
        "reason": "; ".join(reasons) or None,
    }


# ---- finding the expression in a model's response ---------------------------------------------------------

_FRAC_RE = re.compile(r"\\[dt]?frac\s*\{")
_LATEX_REPLACEMENTS = [
    (re.compile(r"\\(?:times|cdot|ast)(?![A-Za-z])"), "*"),
    (re.compile(r"\\div(?![A-Za-z])"), "/"),
    (re.compile(r"\\(?:left|right|big|Big|bigg|Bigg)(?![A-Za-z])"), ""),
    (re.compile(r"\\[()\[\]]|\\[,;:! ]|\\q?quad(?![A-Za-z])|\$"), " "),
]
_TIMES_X_RE = re.compile(r"(?<=[0-9)])\s*[xX]\s*(?=[0-9(])")
_UNICODE_OPS = str.maketrans({k: v for k, v in _OPERATORS.items() if k not in "xX"})


def _frac_to_division(text: str) -> str:
    """``\\frac{a}{b}`` -> ``((a)/(b))``, other braces -> parentheses; one linear pass."""
    out: list[str] = []
    stack: list[str] = []  # "num", "den" or "grp"
    expect_den = False
    i, n = 0, len(text)
    while i < n:
        m = _FRAC_RE.match(text, i) if text[i] == "\\" else None
        if m:
            out.append("((")
            stack.append("num")
            i = m.end()
            continue
        ch = text[i]
        if ch == "{":
            stack.append("den" if expect_den else "grp")
            expect_den = False
            out.append("(")
        elif ch == "}":
            kind = stack.pop() if stack else "grp"
            out.append(")/" if kind == "num" else "))" if kind == "den" else ")")
            expect_den = kind == "num"
        else:
            if not ch.isspace():
                expect_den = False
            out.append(ch)
        i += 1
    return "".join(out)


def normalize_expression(text: str) -> str:
    """Rewrite LaTeX and Unicode arithmetic into the evaluator's ASCII: ``\\times``/``\\cdot``/``×``/``·`` -> ``*``,
    ``\\div``/``÷`` -> ``/``, ``−`` -> ``-``, ``\\frac{a}{b}`` -> ``((a)/(b))``, braces and brackets -> parentheses,
    ``\\left``/``\\right``, ``$`` and ``\\(``/``\\)`` dropped, ``3 x 4`` -> ``3 * 4``; whitespace collapsed."""
    s = prepare_for_reading(text).translate(_UNICODE_OPS)
    for regex, replacement in _LATEX_REPLACEMENTS:
        s = regex.sub(replacement, s)
    s = _frac_to_division(s).replace("[", "(").replace("]", ")")
    s = _TIMES_X_RE.sub(" * ", s)
    return " ".join(s.split())

"""An exact make-24 solver: one expression over the card values that equals the target, or None."""

from __future__ import annotations

from fractions import Fraction
from functools import cache

from lmms_compgap.families.cards.deck import TARGET

# An expression is (text, precedence): 3 for a number, 2 for * and /, 1 for + and -. Parentheses are
# added only where precedence needs them, so solutions read naturally: "(8 - 4) * (3 + 3)".
_Expr = tuple[str, int]


def _combine(a: _Expr, op: str, b: _Expr) -> _Expr:
    (left, left_prec), (right, right_prec) = a, b
    if op in "*/" and left_prec == 1:
        left = f"({left})"
    if (op == "-" and right_prec == 1) or (op == "*" and right_prec == 1) or (op == "/" and right_prec <= 2):
        right = f"({right})"
    return f"{left} {op} {right}", 2 if op in "*/" else 1


@cache
def _reachable(values: tuple[int, ...]) -> dict[Fraction, _Expr]:
    """Every value an expression over exactly `values` (sorted) can take, each with one expression.

    Covers every binary expression tree: split the multiset into two non-empty parts in every way,
    combine each pair of reachable values with every operation. Used for up to three values (the
    parts of a four-card hand), cached by sorted tuple, so each part is expanded once per process.
    """
    if len(values) == 1:
        return {Fraction(values[0]): (str(values[0]), 3)}
    found: dict[Fraction, _Expr] = {}
    for left, right in _splits(values):
        right_values = _reachable(right)
        for x, x_expr in _reachable(left).items():
            for y, y_expr in right_values.items():
                candidates = [(x + y, "+"), (x - y, "-"), (x * y, "*")]
                if y:
                    candidates.append((x / y, "/"))
                for value, op in candidates:
                    if value not in found:
                        found[value] = _combine(x_expr, op, y_expr)
    return found


def _splits(values: tuple[int, ...]) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
    """Every ordered split of a sorted multiset into two non-empty sorted parts, each once."""
    n = len(values)
    splits: dict[tuple[tuple[int, ...], tuple[int, ...]], None] = {}
    for mask in range(1, (1 << n) - 1):
        left = tuple(values[i] for i in range(n) if mask >> i & 1)
        right = tuple(values[i] for i in range(n) if not mask >> i & 1)
        splits.setdefault((left, right))
    return list(splits)


@cache
def _solve_sorted(values: tuple[int, ...], target: int) -> str | None:
    """Exact search for `target` over sorted `values`: at the root, `left op right` with each side's
    reachable values, looking the other side's needed value up instead of trying every pair."""
    if len(values) <= 3:
        expr = _reachable(values).get(Fraction(target))
        return expr[0] if expr else None
    goal = Fraction(target)
    for left, right in _splits(values):
        lefts, rights = _reachable(left), _reachable(right)
        if len(lefts) <= len(rights):
            for a, a_expr in lefts.items():
                needed = [(goal - a, "+"), (a - goal, "-"), (goal / a if a else None, "*"), (a / goal, "/")]
                for b, op in needed:
                    if b is not None and b in rights and (op != "/" or b):
                        return _combine(a_expr, op, rights[b])[0]
        else:
            for b, b_expr in rights.items():
                wanted = [
                    (goal - b, "+"),
                    (goal + b, "-"),
                    (goal / b if b else None, "*"),
                    (goal * b if b else None, "/"),
                ]
                for a, op in wanted:
                    if a is not None and a in lefts:
                        return _combine(lefts[a], op, b_expr)[0]
    return None


def solve_target(values: list[int] | tuple[int, ...], target: int = TARGET) -> str | None:
    """One expression using each of `values` exactly once that equals `target` exactly, or None.

    Exact (Fractions, so 8 / (3 - 8 / 3) counts) and complete over every expression tree with
    + - * / and parentheses. Cached by the sorted values.
    """
    return _solve_sorted(tuple(sorted(values)), target)

"""The intermediate form (``engine.ir``) as Polars expressions, and the state codes built on them.

Polars' ``&`` and ``|`` are Kleene's: ``null & false`` is false, ``null | true`` is true, and a
comparison with a null is null. A null is an absent fact, so ``truth(node)`` is ``engine.ir.truth``
evaluated for every row at once: true, false or null (unknown).

A condition's *state code* is one integer per row: ``MET_CODE`` (-1), ``FAILED_CODE`` (-2), or, when
unknown, a bit mask of which of the attributes it reads are absent (bit k: the k-th attribute), from
which the verdict layer names the paths to ask for.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import reduce

import polars as pl

from engine.ir import All, Any_, Attr, Compare, Derived, Node, Shifted

YEAR = 10_000  # one year in YYYYMMDD arithmetic

MET_CODE, FAILED_CODE = -1, -2
DERIVED_PREFIX = "@"  # derived columns: "@size_class", "@industry_group"


def derived_column(name: str) -> str:
    return f"{DERIVED_PREFIX}{name}"


def shifted(date: pl.Expr, years: int) -> pl.Expr:
    """The one date rule (``engine.dates.anniversary``) for a column of YYYYMMDD dates: the same
    month and day ``years`` later, 28 February from 29 February in a common year (tests/test_columnar.py
    keeps it equal to ``engine.ir.shift``)."""
    year = date // YEAR + years
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    moved = date + years * YEAR
    return pl.when((date % YEAR == 229) & leap.not_()).then(moved - 1).otherwise(moved)


def _operand(operand: object) -> pl.Expr:
    if isinstance(operand, Attr):
        return pl.col(operand.name)
    if isinstance(operand, Derived):
        return pl.col(derived_column(operand.name))
    if isinstance(operand, Shifted):
        return shifted(pl.col(operand.name), operand.years)
    return pl.lit(operand)


def truth(node: Node) -> pl.Expr:
    """Kleene's value of ``node`` per row: true, false or null."""
    if isinstance(node, Compare):
        left, right = _operand(node.left), _operand(node.right)
        return {"eq": left.__eq__, "ne": left.__ne__, "ge": left.__ge__, "gt": left.__gt__,
                "le": left.__le__, "lt": left.__lt__}[node.op](right)
    parts = [truth(part) for part in node.parts]
    if isinstance(node, All):
        return reduce(lambda a, b: a & b, parts)
    assert isinstance(node, Any_)
    return reduce(lambda a, b: a | b, parts)


def absent_mask(attributes: Sequence[str]) -> pl.Expr:
    """Bit k set when ``attributes[k]`` is absent (null) in the row."""
    if not attributes:
        return pl.lit(0, dtype=pl.Int64)
    bits = [pl.col(a).is_null().cast(pl.Int64) * (1 << k) for k, a in enumerate(attributes)]
    return reduce(lambda a, b: a + b, bits)


def state_code(node: Node, attributes: Sequence[str]) -> pl.Expr:
    """MET_CODE when known to hold, FAILED_CODE when known to fail, else the absent mask."""
    value = truth(node)
    return (pl.when(value).then(pl.lit(MET_CODE, dtype=pl.Int64))
            .when(value.not_()).then(pl.lit(FAILED_CODE, dtype=pl.Int64))
            .otherwise(absent_mask(attributes)))

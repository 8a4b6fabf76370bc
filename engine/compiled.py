"""What the compiler hands the session: durable-rules JSON plus what each rule means."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class CompiledRule:
    tag: str  # what a firing means, e.g. "M30|fail|sme" (see engine.compile)
    when: dict[str, Any]  # the durable-rules JSON of the rule (its ``all`` patterns)
    asserts: dict[str, Any] | None = None  # a derived fact to assert when it fires
    per_item: bool = False  # the rule matches a list item (alias "item"): record its ``i``
    also: tuple[str, ...] = ()  # tags of identical rules merged into this one (one test, one firing)
    # attributes of the enterprise fact copied onto the derived fact, when the enterprise has them
    carries: tuple[str, ...] = ()

    @property
    def tags(self) -> tuple[str, ...]:
        return (self.tag, *self.also)


@dataclass(frozen=True)
class Firing:
    tag: str
    item: int  # index of the item fact that matched, or -1
    enterprise: int = 0  # which enterprise of the session (its facts' ``e``)


Fired = tuple[tuple[str, ...], int, int]  # one rule firing: (its tags, item index, enterprise)


def or_last(exprs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Order the tests of one pattern with every ``$or`` last.

    durable-rules 2.0.28 skips a comparison against another attribute (``{"$m": …}`` or a
    joined fact) when it follows an ``$or`` in the same ``$and``: the rule then fires when it
    should not (reproduced in tests/test_engine_safety.py). Placing ``$or`` last avoids it.
    """
    return sorted(exprs, key=lambda expr: "$or" in expr)

"""Variants side by side: status and amount per measure, differences marked. Only arranges Results."""

from __future__ import annotations

from dataclasses import dataclass

from api.console.assess import Assessment
from engine.result import MeasureResult


@dataclass(frozen=True)
class CompareRow:
    measure: str
    title: str
    cells: list[MeasureResult]
    differs: bool


def _key(item: MeasureResult) -> tuple[str, str, str]:
    return item.status, item.amount.kind, str(item.amount.yuan)


def totals_differ(variants: list[Assessment]) -> tuple[bool, bool]:
    """Whether the exact and the "up to" totals differ between the variants."""
    return (len({v.result.totals.exact_yuan for v in variants}) > 1,
            len({v.result.totals.up_to_yuan for v in variants}) > 1)


def compare(variants: list[Assessment]) -> list[CompareRow]:
    """One row per measure that is not ineligible in every variant (informational ones left out)."""
    rows = []
    for index, first in enumerate(variants[0].result.results):
        cells = [v.result.results[index] for v in variants]
        if first.status == "informational" or all(c.status == "ineligible" for c in cells):
            continue
        rows.append(CompareRow(first.measure, first.title, cells, len({_key(c) for c in cells}) > 1))
    return rows

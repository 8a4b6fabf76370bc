"""The result shape that contract.md fixes, checked inside the test suite (no outside tool needed).

It checks shape and internal consistency only, never whether a measure's answer is right:
all 50 measures in order, known statuses and amount kinds, money as non-negative numbers with
at most 2 decimals, a formula beside every amount, units, reasons and missing as lists of
strings, and totals equal to the sum of the eligible exact and up-to amounts.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

STATUSES = {"eligible", "ineligible", "undetermined", "informational"}
KINDS = {"exact", "up_to", "share", "none"}
MONEY = re.compile(r"\d+(\.\d{1,2})?")


def _money(value: Any) -> bool:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return False
    return MONEY.fullmatch(str(value)) is not None


def _check_result(r: dict[str, Any], say: Any) -> None:
    m, status = r.get("measure", "?"), r.get("status")
    if status not in STATUSES:
        say(f"{m}: status {status!r} not one of {sorted(STATUSES)}")
    amount = r.get("amount") or {}
    kind = amount.get("kind")
    if kind not in KINDS:
        say(f"{m}: amount.kind {kind!r} not one of {sorted(KINDS)}")
    if kind in ("exact", "up_to", "share"):
        if not _money(amount.get("yuan", "")):
            say(f"{m}: amount.yuan {amount.get('yuan')!r} is not a non-negative amount with at most 2 decimals")
        if not amount.get("formula"):
            say(f"{m}: amount has no formula showing the arithmetic")
    if kind == "share" and ("percent" not in amount or "base_yuan" not in amount):
        say(f"{m}: a share amount needs percent and base_yuan")
    units = r.get("units") or {}
    if not isinstance(units.get("city"), list) or not units.get("city"):
        say(f"{m}: units.city must be a non-empty list")
    if not isinstance(units.get("local"), list):
        say(f"{m}: units.local must be a list")
    for key in ("reasons", "missing"):
        if not isinstance(r.get(key), list) or not all(isinstance(x, str) for x in r.get(key, [])):
            say(f"{m}: {key} must be a list of strings")
    if status == "undetermined" and not r.get("missing"):
        say(f"{m}: undetermined but names no missing field")
    if status in ("eligible", "ineligible") and not r.get("reasons"):
        say(f"{m}: {status} with no reason")
    if not r.get("text"):
        say(f"{m}: no original text")


def contract_problems(doc: dict[str, Any]) -> list[str]:
    """Every way ``doc`` (a result as JSON) departs from contract.md's shape; empty when it holds."""
    problems: list[str] = []
    say = problems.append
    for key in ("as_of", "rules_version", "derived", "results", "totals"):
        if key not in doc:
            say(f"top level: no '{key}'")
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(doc.get("as_of", ""))):
        say("as_of is not YYYY-MM-DD")
    results = doc.get("results") or []
    ids = [r.get("measure") for r in results]
    if ids != [f"M{i}" for i in range(1, 51)]:
        say(f"results: expected M1..M50 in order, got {len(ids)} items starting {ids[:3]}")
    sums = {"exact": Decimal(0), "up_to": Decimal(0)}
    for r in results:
        _check_result(r, say)
        amount = r.get("amount") or {}
        if r.get("status") == "eligible" and amount.get("kind") in sums and _money(amount.get("yuan", "")):
            sums[amount["kind"]] += Decimal(str(amount["yuan"]))
    totals = doc.get("totals") or {}
    for kind, want in sums.items():
        got = totals.get(f"{kind}_yuan")
        if got is None or Decimal(str(got)) != want:
            say(f"totals.{kind}_yuan is {got!r}; the eligible {kind} amounts add up to {want}")
    return problems

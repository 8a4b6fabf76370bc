"""``huiqi batch diff RUN_A RUN_B``: who became eligible, who no longer is, whose amount changed."""

from __future__ import annotations

import csv
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TextIO

from sqlalchemy import Engine, select

from batch.cells import safe_row
from store.models import BatchResult

CHANGES = {"new": "新增符合", "gone": "不再符合", "amount": "金额变化"}


@dataclass(frozen=True, order=True)
class Change:
    measure: str
    credit_code: str
    change: str  # new | gone | amount
    name: str | None
    before: Decimal | None
    after: Decimal | None


def _rows(engine: Engine, run_id: str) -> dict[tuple[str, str], tuple[str | None, Decimal | None]]:
    query = select(BatchResult.measure, BatchResult.credit_code, BatchResult.name, BatchResult.amount_yuan).where(
        BatchResult.run_id == run_id
    )
    with engine.connect() as conn:
        return {(m, c): (n, a) for m, c, n, a in conn.execute(query)}


def diff_runs(engine: Engine, run_a: str, run_b: str) -> list[Change]:
    """Changes from ``run_a`` to ``run_b``, sorted by measure and credit code."""
    a, b = _rows(engine, run_a), _rows(engine, run_b)
    changes = [Change(m, c, "new", n, None, amt) for (m, c), (n, amt) in b.items() if (m, c) not in a]
    changes += [Change(m, c, "gone", n, amt, None) for (m, c), (n, amt) in a.items() if (m, c) not in b]
    changes += [
        Change(m, c, "amount", b[(m, c)][0], a[(m, c)][1], b[(m, c)][1])
        for (m, c) in a.keys() & b.keys() if a[(m, c)][1] != b[(m, c)][1]
    ]
    return sorted(changes)


def write_changes(changes: Iterable[Change], handle: TextIO) -> None:
    writer = csv.writer(handle)
    writer.writerow(["措施", "统一社会信用代码", "企业名称", "变化", "原金额（元）", "新金额（元）"])
    for c in changes:
        writer.writerow(safe_row([c.measure, c.credit_code, c.name or "", CHANGES[c.change],
                                  "" if c.before is None else c.before, "" if c.after is None else c.after]))


def report(engine: Engine, run_a: str, run_b: str, out: Path | None = None) -> list[Change]:
    changes = diff_runs(engine, run_a, run_b)
    if out is None:
        write_changes(changes, sys.stdout)
    else:
        with out.open("w", encoding="utf-8-sig", newline="") as handle:
            write_changes(changes, handle)
    return changes

"""Every table of a database as plain rows, to compare what two chunk writers stored.

Timestamps are left out (they say when, not what) and run ids are renamed by order of first start, so
two databases that stored the same runs compare equal exactly when every stored value is the same:
on SQLite the values come straight from the driver (an INTEGER and a REAL of the same number differ)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, text

from store.models import Base

TIMESTAMPS = {"started_at", "finished_at", "created_at", "updated_at"}
RUN_ID_COLUMNS = {"run_id"}


def dump(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """{table: its rows ordered by every column}, timestamps dropped, run ids as ``run-1``, ``run-2``…"""
    with engine.connect() as conn:
        ids = [row[0] for row in conn.execute(text("SELECT id FROM batch_runs ORDER BY started_at, id"))]
        renamed = {run: f"run-{n}" for n, run in enumerate(ids, 1)}
        tables: dict[str, list[tuple[Any, ...]]] = {}
        for table in Base.metadata.sorted_tables:
            columns = [c.name for c in table.columns if c.name not in TIMESTAMPS]
            rows = []
            quoted = ", ".join(f'"{c}"' for c in columns)
            for row in conn.execute(text(f"SELECT {quoted} FROM {table.name}")):
                rows.append(tuple(
                    renamed.get(v, v) if name in RUN_ID_COLUMNS or (table.name == "batch_runs" and name == "id") else v
                    for name, v in zip(columns, row, strict=True)))
            tables[table.name] = sorted(rows, key=repr)
    return tables

"""The chunk writer as it was before issue 14's store work (main at 9d68b2d), kept verbatim but for the
imports and the outcome class (batch/worker.py's ChunkOutcome of then, results crossing processes as one
orjson blob): the reference the new store/runs.py must match value for value
(tests/batch/test_store_identical.py) and the baseline of bench/store_bench.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import orjson
from sqlalchemy import Engine, delete, insert, text
from sqlalchemy.dialects import postgresql, sqlite

from store.models import BatchChunk, BatchMember, BatchRejection, BatchResult, RegistryEnterprise


@dataclass
class ChunkOutcome:
    chunk_no: int
    rows: int = 0
    matched: int = 0
    unmatched: int = 0
    rejected: int = 0
    results: list[Any] = field(default_factory=list)
    rejections: list[Any] = field(default_factory=list)
    registry: list[Any] = field(default_factory=list)
    timing: dict[str, float] = field(default_factory=dict)

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "results": orjson.dumps(self.results)}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update({**state, "results": orjson.loads(state["results"])})


RegistryRow = tuple[str, str | None, str | None, str, str, str, str | None]


def _upsert_registry(conn: Any, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    dialect = conn.dialect.name
    if dialect not in ("sqlite", "postgresql"):  # other databases: delete then insert
        codes = [r["credit_code"] for r in rows]
        conn.execute(delete(RegistryEnterprise).where(RegistryEnterprise.credit_code.in_(codes)))
        conn.execute(insert(RegistryEnterprise), rows)
        return
    conn.execute(text(_KEEP_REPLACED.format(code=":credit_code", digest=":profile_digest")),
                 [{"credit_code": r["credit_code"], "profile_digest": r["profile_digest"]} for r in rows])
    module = sqlite if dialect == "sqlite" else postgresql
    stmt = module.insert(RegistryEnterprise)
    stmt = stmt.on_conflict_do_update(
        index_elements=[RegistryEnterprise.credit_code],
        set_={c: stmt.excluded[c]
              for c in ("name", "district", "profile", "profile_digest", "source", "run_id", "provenance")},
    )
    conn.execute(stmt, rows)


# What each run evaluated, kept for ``huiqi batch what-if``: the run's members name the digest of each
# profile. The registry holds the latest profile (with its digest); before a profile is replaced by a
# different one (a later run or ``huiqi registry import``), the old one is copied to profile_snapshots
# (once per content), so every run's profiles stay readable while a first import stores nothing twice.
_KEEP_REPLACED = (
    "INSERT INTO profile_snapshots (digest, profile) SELECT profile_digest, profile FROM registry_enterprises"
    " WHERE credit_code = {code} AND profile_digest IS NOT NULL AND profile_digest <> {digest}"
    " ON CONFLICT (digest) DO NOTHING"
)


# SQLite (the default) takes the rows straight through the driver: SQLAlchemy's per-row parameter
# processing cost about 25 µs per enterprise, a sixth of the main process's work in a batch. The
# values stored are exactly what the ORM types store (Numeric as float on SQLite, JSON as text).
_SQLITE_RESULTS = (
    "INSERT INTO batch_results (run_id, chunk_no, credit_code, measure, name, district, zone, amount_kind,"
    " amount_yuan, formula, reasons, units, provenance) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_SQLITE_REGISTRY = (
    "INSERT INTO registry_enterprises (credit_code, name, district, profile, profile_digest, source, run_id,"
    " provenance) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (credit_code) DO UPDATE SET name = excluded.name,"
    " district = excluded.district, profile = excluded.profile, profile_digest = excluded.profile_digest,"
    " source = excluded.source, run_id = excluded.run_id, provenance = excluded.provenance"
)
_SQLITE_KEEP_REPLACED = _KEEP_REPLACED.format(code="?", digest="?")
_SQLITE_MEMBERS = "INSERT INTO batch_members (run_id, credit_code, profile_digest) VALUES (?, ?, ?)"


def _write_sqlite(conn: Any, run_id: str, outcome: Any) -> None:
    chunk = outcome.chunk_no
    if outcome.results:
        conn.exec_driver_sql(_SQLITE_RESULTS, [
            (run_id, chunk, r[0], r[1], r[2], r[3], r[4], r[5], None if r[6] is None else float(Decimal(r[6])),
             r[7], r[8], r[9], r[10])
            for r in outcome.results
        ])
    if outcome.registry:
        rows = sorted(outcome.registry, key=lambda r: r[0])
        conn.exec_driver_sql(_SQLITE_KEEP_REPLACED, [(r[0], r[4]) for r in rows])
        conn.exec_driver_sql(_SQLITE_REGISTRY, [(r[0], r[1], r[2], r[3], r[4], r[5], run_id, r[6]) for r in rows])
        conn.exec_driver_sql(_SQLITE_MEMBERS, [(run_id, r[0], r[4]) for r in rows])


def write_chunk(engine: Engine, run_id: str, outcome: Any) -> None:
    """Results, rejections, registry rows, the run's members and the chunk marker of one chunk, atomically."""
    with engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            _write_sqlite(conn, run_id, outcome)
        else:
            _write_rows(conn, run_id, outcome)
        if outcome.rejections:
            conn.execute(insert(BatchRejection), [
                {"run_id": run_id, "chunk_no": outcome.chunk_no, "source": r[0], "line": r[1],
                 "credit_code": r[2], "field": r[3], "reason": r[4], "kind": r[5], "source_name": r[6],
                 "sheet": r[7], "column_name": r[8]}
                for r in outcome.rejections
            ])
        conn.execute(insert(BatchChunk).values(
            run_id=run_id, chunk_no=outcome.chunk_no, rows=outcome.rows, matched=outcome.matched,
            unmatched=outcome.unmatched, rejected=outcome.rejected,
        ))


_RESULT_COLUMNS = ("run_id", "chunk_no", "credit_code", "measure", "name", "district", "zone", "amount_kind",
                   "amount_yuan", "formula", "reasons", "units", "provenance")


def _copy_results(conn: Any, run_id: str, outcome: Any) -> None:
    """PostgreSQL: the result rows in one COPY (what SQLAlchemy's JSON and Numeric types would store)."""
    raw = conn.connection.dbapi_connection
    with raw.cursor() as cursor, cursor.copy(
        f"COPY batch_results ({', '.join(_RESULT_COLUMNS)}) FROM STDIN"
    ) as copy:
        for r in outcome.results:
            copy.write_row((run_id, outcome.chunk_no, r[0], r[1], r[2], r[3], r[4], r[5],
                            None if r[6] is None else Decimal(r[6]), r[7], r[8], r[9], r[10]))


def _write_rows(conn: Any, run_id: str, outcome: Any) -> None:
    """Results, registry rows and the run's members: results by COPY on PostgreSQL, else through
    SQLAlchemy's types."""
    if outcome.results and conn.dialect.name == "postgresql":
        _copy_results(conn, run_id, outcome)
    elif outcome.results:
        conn.execute(insert(BatchResult), [
            {"run_id": run_id, "chunk_no": outcome.chunk_no, "credit_code": r[0], "measure": r[1],
             "name": r[2], "district": r[3], "zone": r[4], "amount_kind": r[5],
             "amount_yuan": None if r[6] is None else Decimal(r[6]), "formula": r[7],
             "reasons": orjson.loads(r[8]), "units": orjson.loads(r[9]), "provenance": r[10]}
            for r in outcome.results
        ])
    rows = registry_rows(outcome.registry, run_id)
    _upsert_registry(conn, rows)
    if rows:
        conn.execute(insert(BatchMember), [
            {"run_id": run_id, "credit_code": r["credit_code"], "profile_digest": r["profile_digest"]} for r in rows
        ])


def registry_rows(registry: list[RegistryRow], run_id: str) -> list[dict[str, Any]]:
    """The rows for SQLAlchemy (PostgreSQL and other databases): JSON columns take the values."""
    return [{"credit_code": r[0], "name": r[1], "district": r[2], "profile": orjson.loads(r[3]),
             "profile_digest": r[4], "source": r[5], "run_id": run_id,
             "provenance": None if r[6] is None else orjson.loads(r[6])} for r in sorted(registry, key=lambda r: r[0])]

"""Reading and writing batch runs: one transaction per chunk, so a killed run resumes cleanly."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from decimal import Decimal
from typing import Any

import orjson
from sqlalchemy import Engine, Text, delete, func, insert, select, text, type_coerce, update
from sqlalchemy.dialects import postgresql, sqlite

from store.db import dump_json
from store.models import (
    BatchChunk,
    BatchMember,
    BatchRejection,
    BatchResult,
    BatchRun,
    ProfileSnapshot,
    RegistryEnterprise,
)


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def create_run(db: Engine, **fields: Any) -> None:
    with db.begin() as conn:
        conn.execute(insert(BatchRun).values(status="running", started_at=now(), **fields))


def load_run(engine: Engine, run_id: str) -> BatchRun | None:
    with engine.connect() as conn:
        row = conn.execute(select(BatchRun).where(BatchRun.id == run_id)).first()
    if row is None:
        return None
    return BatchRun(**row._mapping)


def done_chunks(engine: Engine, run_id: str) -> set[int]:
    with engine.connect() as conn:
        return set(conn.scalars(select(BatchChunk.chunk_no).where(BatchChunk.run_id == run_id)))


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


def profile_digest(profile_json: str) -> str:
    """The key of a stored profile: BLAKE2b-128 of its JSON text (the same profile dumps to the same text)."""
    return hashlib.blake2b(profile_json.encode(), digest_size=16).hexdigest()


# SQLite (the default) takes the rows straight through the driver: SQLAlchemy's per-row parameter
# processing cost about 25 µs per enterprise, a sixth of the main process's work in a batch. The
# values stored are exactly what the ORM types store (Numeric as float on SQLite, JSON as text).
#
# No parameter is None: Python's sqlite3 tries to adapt a None (failed attribute lookups that make and
# drop an exception, about 3,000 instructions each), a tenth of the cost of storing a result row. The
# nullable columns are bound with a mark that SQLite turns back into NULL: the integer 0 for a text column
# (``NULLIF(?, 0)``: a text, even '0' or '', never equals an integer) and '' for the amount (a number never
# equals a text). ``null_marked`` makes the marks.
_SQLITE_RESULTS = (
    "INSERT INTO batch_results (run_id, chunk_no, credit_code, measure, name, district, zone, amount_kind,"
    " amount_yuan, formula, reasons, units, provenance) VALUES (?, ?, ?, ?, NULLIF(?, 0), NULLIF(?, 0),"
    " NULLIF(?, 0), ?, NULLIF(?, ''), NULLIF(?, 0), ?, ?, NULLIF(?, 0))"
)
_SQLITE_REGISTRY = (
    "INSERT INTO registry_enterprises (credit_code, name, district, profile, profile_digest, source, run_id,"
    " provenance) VALUES (?, NULLIF(?, 0), NULLIF(?, 0), ?, ?, ?, ?, NULLIF(?, 0)) ON CONFLICT (credit_code)"
    " DO UPDATE SET name = excluded.name, district = excluded.district, profile = excluded.profile,"
    " profile_digest = excluded.profile_digest, source = excluded.source, run_id = excluded.run_id,"
    " provenance = excluded.provenance"
)


def sqlite_result_params(run_id: str, chunk_no: int, results: Any) -> list[tuple[Any, ...]]:
    """The parameters of ``_SQLITE_RESULTS`` for a chunk's result rows (amounts: ``float(amount text)``, the
    same double as ``float(Decimal(text))``: both round the decimal the text writes correctly)."""
    return [(run_id, chunk_no, r[0], r[1], r[2] or _text_null(r[2]), r[3] or _text_null(r[3]),
             r[4] or _text_null(r[4]), r[5], "" if r[6] is None else float(r[6]), r[7] or _text_null(r[7]), r[8],
             r[9], r[10] or _text_null(r[10]))
            for r in results]


def sqlite_registry_params(run_id: str, rows: list[Any]) -> list[tuple[Any, ...]]:
    """The parameters of ``_SQLITE_REGISTRY`` for registry rows (see ``RegistryRow``)."""
    return [(r[0], r[1] or _text_null(r[1]), r[2] or _text_null(r[2]), r[3], r[4], r[5], run_id,
             r[6] or _text_null(r[6])) for r in rows]


def _text_null(value: str | None) -> str | int:
    """The mark bound for a text column's None (0), or the falsy text itself ('')."""
    return 0 if value is None else value


_SQLITE_KEEP_REPLACED = _KEEP_REPLACED.format(code="?", digest="?")
_SQLITE_MEMBERS = "INSERT INTO batch_members (run_id, credit_code, profile_digest) VALUES (?, ?, ?)"


# The registry rows of a chunk whose stored profile a run replaces by a different one: only those need the
# keep-replaced statement. One statement looks them all up (an index lookup per enterprise) instead of one
# statement per enterprise; on a first import none are found.
_SQLITE_STORED_DIGESTS = (
    "SELECT r.credit_code, r.profile_digest FROM json_each(?) AS j JOIN registry_enterprises AS r"
    " ON r.credit_code = j.value WHERE r.profile_digest IS NOT NULL"
)


def _replaced(conn: Any, rows: list[Any]) -> list[tuple[str, str]]:
    """(code, new digest) of the rows whose stored profile has a digest other than the new one: the rows the
    keep-replaced statement copies a profile for (it does nothing for the others)."""
    codes = orjson.dumps([r[0] for r in rows])
    stored = dict(conn.exec_driver_sql(_SQLITE_STORED_DIGESTS, (codes.decode(),)).all())
    return [(r[0], r[4]) for r in rows if stored.get(r[0], r[4]) != r[4]]


def _write_sqlite(conn: Any, run_id: str, outcome: Any) -> None:
    chunk = outcome.chunk_no
    if outcome.results:
        conn.exec_driver_sql(_SQLITE_RESULTS, sqlite_result_params(run_id, chunk, outcome.results))
    if outcome.registry:
        rows = sorted(outcome.registry, key=lambda r: r[0])
        # the members first: the transaction starts with a write (so waits for the write lock) and the
        # registry read next is the state this chunk's writes replace
        conn.exec_driver_sql(_SQLITE_MEMBERS, [(run_id, r[0], r[4]) for r in rows])
        replaced = _replaced(conn, rows)
        if replaced:
            conn.exec_driver_sql(_SQLITE_KEEP_REPLACED, replaced)
        conn.exec_driver_sql(_SQLITE_REGISTRY, sqlite_registry_params(run_id, rows))


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


RegistryRow = tuple[str, str | None, str | None, str, str, str, str | None]
# (credit code, name, district, profile JSON, its digest, source, provenance JSON): as stored on SQLite


def registry_row(code: str, name: str | None, district: str | None, profile_json: str, source: str,
                 provenance: dict[str, Any] | None) -> RegistryRow:
    """A registry row as the batch workers make it: the JSON texts and digest ready to store.
    ``profile_json``: ``Profile.model_dump_json(exclude_none=True)``, the same text as ``dump_json`` of
    its JSON dump (tests/batch/test_registry_text.py) made without the intermediate dict."""
    return (code, name, district, profile_json, profile_digest(profile_json), source,
            None if provenance is None else dump_json(provenance))


def registry_rows(registry: list[RegistryRow], run_id: str) -> list[dict[str, Any]]:
    """The rows for SQLAlchemy (PostgreSQL and other databases): JSON columns take the values."""
    return [{"credit_code": r[0], "name": r[1], "district": r[2], "profile": orjson.loads(r[3]),
             "profile_digest": r[4], "source": r[5], "run_id": run_id,
             "provenance": None if r[6] is None else orjson.loads(r[6])} for r in sorted(registry, key=lambda r: r[0])]


def upsert_registry(engine: Engine, registry: list[RegistryRow], run_id: str) -> None:
    """Registry rows of an import (``huiqi registry import``), in one transaction."""
    with engine.begin() as conn:
        _upsert_registry(conn, registry_rows(registry, run_id))


def finish_run(engine: Engine, run_id: str) -> dict[str, int]:
    with engine.begin() as conn:
        total, matched, unmatched, rejected = conn.execute(
            select(func.coalesce(func.sum(BatchChunk.rows), 0), func.coalesce(func.sum(BatchChunk.matched), 0),
                   func.coalesce(func.sum(BatchChunk.unmatched), 0), func.coalesce(func.sum(BatchChunk.rejected), 0))
            .where(BatchChunk.run_id == run_id)
        ).one()
        counts = {"total": int(total), "matched": int(matched), "unmatched": int(unmatched), "rejected": int(rejected)}
        conn.execute(update(BatchRun).where(BatchRun.id == run_id).values(status="done", finished_at=now(), **counts))
    return counts


def measure_sizes(conn: Any, run_id: str) -> dict[str, int]:
    """How many eligible rows each measure has in a run (measures without any are absent)."""
    query = (select(BatchResult.measure, func.count()).where(BatchResult.run_id == run_id)
             .group_by(BatchResult.measure).order_by(BatchResult.measure))
    return {measure: int(count) for measure, count in conn.execute(query)}


LIST_COLUMNS = ("name", "credit_code", "district", "zone", "amount_kind", "amount_yuan", "formula", "reasons",
                "units", "provenance")
_SQLITE_LIST = (f"SELECT {', '.join(LIST_COLUMNS)} FROM batch_results WHERE run_id = ?{{measure}}"
                " ORDER BY measure, credit_code")


def results_of(conn: Any, run_id: str, measure: str | None = None) -> AbstractContextManager[Iterator[tuple[Any, ...]]]:
    """Eligible rows of a run ordered by measure then credit code (streamed), as tuples of ``LIST_COLUMNS``
    with the values SQLAlchemy's column types give: ``amount_yuan`` a Decimal (2 places on SQLite), ``reasons``
    and ``units`` lists. Use as ``with results_of(...) as rows``.

    SQLite (the default) reads through the driver's cursor and converts here as those types do
    (Numeric: ``Decimal("%.2f" % value)``, JSON: orjson): SQLAlchemy's row processing was a sixth of the
    cost of writing a list line. Other databases read through SQLAlchemy."""
    if conn.dialect.name == "sqlite":
        return _sqlite_results(conn, run_id, measure)
    return _typed_results(conn, run_id, measure)


@contextmanager
def _typed_results(conn: Any, run_id: str, measure: str | None) -> Iterator[Iterator[tuple[Any, ...]]]:
    table = BatchResult.__table__
    query = select(*(table.c[name] for name in LIST_COLUMNS)).where(table.c.run_id == run_id)
    if measure is not None:
        query = query.where(table.c.measure == measure)
    with conn.execution_options(yield_per=5000).execute(query.order_by(table.c.measure, table.c.credit_code)) as rows:
        yield iter(rows)


@contextmanager
def _sqlite_results(conn: Any, run_id: str, measure: str | None) -> Iterator[Iterator[tuple[Any, ...]]]:
    cursor = conn.connection.driver_connection.cursor()
    try:
        cursor.execute(_SQLITE_LIST.format(measure="" if measure is None else " AND measure = ?"),
                       (run_id,) if measure is None else (run_id, measure))
        yield _sqlite_rows(cursor)
    finally:
        cursor.close()


def _sqlite_rows(cursor: Any) -> Iterator[tuple[Any, ...]]:
    # A list repeats a few wordings, unit lists and amounts over and over: each distinct text or number is
    # parsed once (the parsed lists are shared between rows: read them, never change them).
    parsed: dict[str, Any] = {}
    amounts: dict[float, Decimal] = {}
    while block := cursor.fetchmany(5000):
        if len(parsed) > _KEPT_PARSED:
            parsed.clear()
        if len(amounts) > _KEPT_PARSED:
            amounts.clear()
        for name, code, district, zone, kind, amount, formula, reasons, units, provenance in block:
            if (said := parsed.get(reasons)) is None:
                said = parsed[reasons] = orjson.loads(reasons)
            if (handled := parsed.get(units)) is None:
                handled = parsed[units] = orjson.loads(units)
            if amount is not None and (yuan := amounts.get(amount)) is None:
                yuan = amounts[amount] = Decimal(f"{amount:.2f}")
            yield (name, code, district, zone, kind, None if amount is None else yuan, formula, said, handled,
                   provenance)


_KEPT_PARSED = 20_000  # distinct texts or amounts kept between blocks: a bound on the memory, rarely reached


def rejections_of(conn: Any, run_id: str, kinds: tuple[str, ...] | None = None, exclude: bool = False) -> Any:
    """A run's report lines of the given kinds (all when None; all others with ``exclude``)."""
    query = select(BatchRejection.__table__).where(BatchRejection.run_id == run_id)
    if kinds is not None:
        test = BatchRejection.kind.in_(kinds)
        query = query.where(~test if exclude else test)
    return conn.execution_options(yield_per=5000).execute(
        query.order_by(BatchRejection.source, BatchRejection.line, BatchRejection.field, BatchRejection.reason)
    )


def evaluated_profiles(conn: Any, run_id: str) -> Any:
    """The enterprises of a run with the profile it evaluated, ordered by credit code (streamed): from the
    registry while it still holds that profile, else from the snapshot kept when it was replaced.

    Rows are (credit_code, profile); the profile is JSON text or already a dict, by driver (None: lost)."""
    member, registry, kept = BatchMember, RegistryEnterprise, ProfileSnapshot
    profile = func.coalesce(type_coerce(registry.profile, Text), type_coerce(kept.profile, Text))
    query = (select(member.credit_code, type_coerce(profile, Text))
             .outerjoin(registry, (registry.credit_code == member.credit_code)
                        & (registry.profile_digest == member.profile_digest))
             .outerjoin(kept, kept.digest == member.profile_digest)
             .where(member.run_id == run_id).order_by(member.credit_code))
    return conn.execution_options(yield_per=5000).execute(query)


def registry_profiles(conn: Any, run_id: str) -> Any:
    """The registry rows whose latest import is ``run_id`` (for runs stored before ``batch_members``)."""
    query = (select(RegistryEnterprise.credit_code, type_coerce(RegistryEnterprise.profile, Text))
             .where(RegistryEnterprise.run_id == run_id).order_by(RegistryEnterprise.credit_code))
    return conn.execution_options(yield_per=5000).execute(query)


def count_members(conn: Any, run_id: str) -> tuple[int, int]:
    """(enterprises listed in batch_members, registry rows last imported by the run)."""
    members = conn.scalar(select(func.count()).select_from(BatchMember).where(BatchMember.run_id == run_id))
    registry = conn.scalar(select(func.count()).select_from(RegistryEnterprise)
                           .where(RegistryEnterprise.run_id == run_id))
    return int(members or 0), int(registry or 0)


def eligible_by_code(conn: Any, run_id: str) -> Any:
    """A run's eligible rows ordered by credit code then measure (streamed): the baseline of a what-if."""
    table = BatchResult.__table__
    query = (select(table.c.credit_code, table.c.measure, table.c.amount_kind, table.c.amount_yuan, table.c.units)
             .where(table.c.run_id == run_id).order_by(table.c.credit_code, table.c.measure))
    return conn.execution_options(yield_per=5000).execute(query)

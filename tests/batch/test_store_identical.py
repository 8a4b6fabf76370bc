"""store/runs.py's chunk writer stores exactly what the writer it replaced stored (tests/batch/store_before.py).

The same chunks, evaluated from a synthetic registry and then edited to hold every awkward value (None
and empty texts, '0', amounts finer than a fen, negative zero, provenance), are stored three times over:
a first import, then a run that replaces some profiles (some stored without a digest), then one that brings
the first profiles back, so the keep-replaced statement has work to do. Each database is dumped, every
table, every column but timestamps (tests/batch/store_dump.py); the two dumps must be equal."""

from __future__ import annotations

import pickle
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text

from batch.readers import open_input
from batch.worker import ChunkOutcome, Job, evaluate_chunk
from engine import default_rules
from store import runs
from store.db import dump_json, open_database
from store.runs import profile_digest
from tests.batch import store_before
from tests.batch.conftest import AS_OF
from tests.batch.store_dump import dump
from tests.postgres import throwaway_database

CHUNK = 90


@pytest.fixture(params=["sqlite", "postgresql"])
def two_databases(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Engine, Engine]]:
    if request.param == "sqlite":
        yield (open_database(f"sqlite:///{tmp_path / 'before.sqlite3'}"),
               open_database(f"sqlite:///{tmp_path / 'now.sqlite3'}"))
        return
    urls = [throwaway_database("huiqi_store_before"), throwaway_database("huiqi_store_now")]
    engines = tuple(open_database(next(url)) for url in urls)
    try:
        yield engines  # type: ignore[misc]
    finally:
        for engine in engines:
            engine.dispose()
        for url in urls:
            next(url, None)


def evaluated(registry: Path) -> list[ChunkOutcome]:
    records = list(open_input(registry, "jsonl")[0])
    job = Job(as_of=AS_OF, measures=frozenset(m.id for m in default_rules().measures), engine="columnar",
              chunk_size=CHUNK)
    return [evaluate_chunk(n, records[start:start + CHUNK], job) for n, start in enumerate(range(0, len(records),
                                                                                                   CHUNK))]


AWKWARD_TEXT = [None, "", "0", "名称\n带换行", "'='公式"]
AWKWARD_AMOUNT = [None, "0", "-0.00", "12.345", "1234567.89", "0.1", "1E+3", "99999999999.99"]


def awkward(outcomes: list[ChunkOutcome]) -> None:
    """Edit the rows in place so every nullable column holds None, '' and '0' somewhere."""
    for o in outcomes:
        for i, row in enumerate(o.results):
            r = list(row)
            r[2] = AWKWARD_TEXT[i % 5] if i % 3 == 0 else r[2]  # name
            r[4] = AWKWARD_TEXT[(i + 1) % 5] if i % 4 == 0 else r[4]  # zone
            r[6] = AWKWARD_AMOUNT[i % 8] if i % 2 == 0 else r[6]
            r[7] = AWKWARD_TEXT[(i + 2) % 5] if i % 5 == 0 else r[7]  # formula
            r[10] = AWKWARD_TEXT[i % 5] if i % 7 == 0 else r[10]  # provenance
            o.results[i] = tuple(r)
        for i, row in enumerate(o.registry):
            r = list(row)
            r[1] = AWKWARD_TEXT[i % 5] if i % 3 == 0 else r[1]
            r[2] = AWKWARD_TEXT[(i + 1) % 5] if i % 4 == 0 else r[2]
            r[6] = dump_json({"name": {"source": "市场监管", "row": i}}) if i % 2 else None
            o.registry[i] = tuple(r)


def replaced(outcomes: list[ChunkOutcome], every: int) -> list[ChunkOutcome]:
    """The same chunks with every ``every``-th enterprise's profile changed (a later registry export)."""
    out = pickle.loads(pickle.dumps(outcomes))
    for o in out:
        o.results = list(o.results)
        for i, row in enumerate(o.registry):
            if i % every == 0:
                profile = row[3][:-1] + f',"note":"v{every}"}}'
                o.registry[i] = (*row[:3], profile, profile_digest(profile), *row[5:])
    return out


def store(engine: Engine, write: Any, outcome_class: Any, run_id: str, outcomes: list[ChunkOutcome],
          crossing: bool) -> None:
    """Store a run's chunks; ``crossing``: as they arrive from a worker process (pickled)."""
    runs.create_run(engine, id=run_id, rules_version="x", input_path="x", input_format="jsonl",
                    input_fingerprint="x", as_of=AS_OF, measures=[], only_auto=False, chunk_size=CHUNK,
                    engine="columnar")
    for o in outcomes:
        outcome = outcome_class(**{k: getattr(o, k) for k in o.__dataclass_fields__})
        write(engine, run_id, pickle.loads(pickle.dumps(outcome)) if crossing else outcome)


@pytest.mark.parametrize("crossing", [True, False], ids=["from-workers", "in-process"])
def test_the_new_writer_stores_every_value_the_old_one_did(
    two_databases: tuple[Engine, Engine], registry: dict[str, Path], crossing: bool
) -> None:
    before, now = two_databases
    first = evaluated(registry["jsonl"])
    awkward(first)
    runs_to_store = [("a", first), ("b", replaced(first, 3)), ("c", first), ("d", replaced(first, 2))]
    for run_id, outcomes in runs_to_store:
        if run_id == "b":  # profiles stored before digests existed: nothing to keep for them
            for engine in (before, now):
                with engine.begin() as conn:
                    conn.execute(text("UPDATE registry_enterprises SET profile_digest = NULL"
                                      " WHERE credit_code IN (SELECT credit_code FROM registry_enterprises"
                                      " ORDER BY credit_code LIMIT 40)"))
        store(before, store_before.write_chunk, store_before.ChunkOutcome, run_id, outcomes, crossing)
        store(now, runs.write_chunk, ChunkOutcome, run_id, outcomes, crossing)
    old, new = dump(before), dump(now)
    assert old == new
    assert len(new["profile_snapshots"]) > 10  # the keep-replaced statement did copy profiles
    results = new["batch_results"]
    assert len(results) > 100 and any(None in r for r in results) and any("" in r for r in results)

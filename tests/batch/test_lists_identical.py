"""The lists batch/lists.py writes are byte for byte those of the writer it replaced (tests/batch/lists_before.py,
kept with the old xlsx writer in tests/batch/xlsx_before.py): a real run with rows made awkward on purpose."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, select, update

from batch import lists
from batch.lists import csv_line, write_measure
from batch.runner import RunSpec, execute, start
from engine import default_rules
from store import runs
from store.models import BatchResult
from tests.batch import lists_before
from tests.batch.conftest import AS_OF

LOCAL = frozenset(default_rules().local_units.all_local_units())
AWKWARD_TEXT = [
    "=HYPERLINK(\"http://x\")", "-1", "+2", "@SUM", "\t制表符开头", "\r回车开头", "逗号,引号\"换行\n回车\r结尾 ",
    " A&B <厦门> '单引号' 公司  ", "控制字符\x00\x01\x08\x0b被去掉", "非字符\ufffe\uffff", "全角￥１００\uffe5",
    "补充平面𠮷𝄞", "_x000D_ 字面量", "", "长" * 40_000,
]
AMOUNTS = [Decimal("1234.56"), Decimal("0.10"), Decimal("0"), Decimal("0.00"), Decimal("123456789012.34"),
           Decimal("-5.5"), Decimal("1e15"), Decimal("0.125")]


@pytest.fixture
def run_id(db: Engine, registry: dict[str, Path]) -> str:
    """A real run; some of its rows then get awkward text, amounts, reasons and units."""
    run = start(db, RunSpec(registry["csv"], AS_OF, chunk_size=70))
    execute(db, run, workers=0, progress=False)
    with db.connect() as conn:
        rows = conn.execute(select(BatchResult).where(BatchResult.run_id == run)
                            .order_by(BatchResult.measure, BatchResult.credit_code)).all()
    assert len(rows) > 500
    with db.begin() as conn:
        for k, row in enumerate(rows[::11]):
            text = AWKWARD_TEXT[k % len(AWKWARD_TEXT)]
            column = ("name", "district", "zone", "formula", "provenance", "credit_code")[k % 6]
            if column == "credit_code":
                text = text[:20] + row.credit_code  # still unique
            values: dict[str, Any] = {column: text, "amount_yuan": AMOUNTS[k % len(AMOUNTS)]}
            if k % 5 == 0:
                values["reasons"] = [text, "第二条"] if k % 2 else []
            if k % 7 == 0:
                values.update(district=None, zone=None, formula=None, amount_yuan=None,
                              units=[u for u in row.units if u not in LOCAL])  # no local unit
            conn.execute(update(BatchResult).where(BatchResult.id == row.id).values(**values))
    return run


def write_both(db: Engine, run_id: str, out: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """Every measure's lists by the old and the new writer; the totals each returned."""
    old, new = {}, {}
    with db.connect() as conn:
        for measure in runs.measure_sizes(conn, run_id):
            old[measure] = lists_before.write_measure(conn, run_id, measure, out / "old" / measure, LOCAL)
            new[measure] = write_measure(conn, run_id, measure, out / "new" / measure, LOCAL)
    return old, new


def assert_identical(out: Path, old: dict[str, Any], new: dict[str, Any]) -> int:
    files = sorted(p.relative_to(out / "old") for p in (out / "old").rglob("*.*"))
    assert files == sorted(p.relative_to(out / "new") for p in (out / "new").rglob("*.*"))
    assert [f for f in files if (out / "old" / f).read_bytes() != (out / "new" / f).read_bytes()] == []
    summary = {m: {u: (t.count, str(t.amount), sorted(t.kinds)) for u, t in found.items()} for m, found in old.items()}
    assert summary == {m: {u: (t.count, str(t.amount), sorted(t.kinds)) for u, t in found.items()}
                       for m, found in new.items()}
    return len(files)


def test_every_file_is_what_the_old_writer_wrote(db: Engine, run_id: str, tmp_path: Path) -> None:
    old, new = write_both(db, run_id, tmp_path)
    assert assert_identical(tmp_path, old, new) > 80
    text = b"".join(p.read_bytes() for p in (tmp_path / "new").rglob("*.csv")).decode("utf-8-sig")
    assert "'=HYPERLINK" in text and '"逗号,引号""换行\n回车\r结尾 "' in text  # the awkward rows are in the lists
    assert any(t.amount != int(t.amount) for found in new.values() for t in found.values())


def test_the_same_through_sqlalchemy_types(db: Engine, run_id: str, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """PostgreSQL's path (SQLAlchemy's column types) writes the same files as SQLite's."""
    monkeypatch.setattr(runs, "results_of", runs._typed_results)
    old, new = write_both(db, run_id, tmp_path)
    assert assert_identical(tmp_path, old, new) > 80


def test_the_sqlite_reader_gives_what_sqlalchemy_types_give(db: Engine, run_id: str) -> None:
    with db.connect() as conn:
        with runs._typed_results(conn, run_id, None) as rows:
            typed = [tuple(r) for r in rows]
        with runs.results_of(conn, run_id) as rows:
            raw = list(rows)
    assert len(raw) == len(typed) > 500
    assert [[(type(v), repr(v)) for v in r] for r in raw] == [[(type(v), repr(v)) for v in r] for r in typed]
    assert {type(r[5]) for r in raw} == {Decimal, type(None)} and {type(r[7]) for r in raw} == {list}


def test_several_sheets_and_mixed_city_units_too(db: Engine, run_id: str, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """Lists past a sheet's rows, and measures written the plain way (a unit named twice, city units differing)."""
    monkeypatch.setattr(lists, "EXCEL_MAX_ROWS", 7)
    monkeypatch.setattr(lists_before, "EXCEL_MAX_ROWS", 7)
    with db.connect() as conn:
        rows = conn.execute(select(BatchResult).where(BatchResult.run_id == run_id)
                            .order_by(BatchResult.measure, BatchResult.credit_code)).all()
    m33 = [r for r in rows if r.measure == "M33"]
    m30 = [r for r in rows if r.measure == "M30"]
    with db.begin() as conn:
        conn.execute(update(BatchResult).where(BatchResult.id == m33[3].id).values(units=m33[3].units[1:]))
        for r in m30[::2]:
            conn.execute(update(BatchResult).where(BatchResult.id == r.id).values(units=[r.units[0], *r.units]))
    old, new = write_both(db, run_id, tmp_path)
    assert assert_identical(tmp_path, old, new) > 80
    assert len(list((tmp_path / "new" / "M33").glob("*.xlsx"))) > 3


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(alphabet=st.sampled_from(',"\r\n a中\t\x00;\'')),
                          st.integers(), st.floats(), st.booleans(), st.decimals(allow_nan=False)), max_size=5))
def test_csv_lines_are_what_the_csv_module_writes(cells: list[Any]) -> None:
    buffer = io.StringIO()
    csv.writer(buffer).writerow(cells)
    assert csv_line(cells) == buffer.getvalue()

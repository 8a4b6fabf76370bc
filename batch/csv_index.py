"""The CSV folder as an on-disk index, merged into records in credit-code order, whole or chunk by chunk.

Each CSV file is parsed once (``csv`` module, in parallel processes) into its own SQLite file sorted
by (credit_code, line); a row is kept as its list of cells in header order (the header once per
file, in ``IndexFiles``), a row that could not be read as the reason why. ``CsvIndex.records``
merges the enterprises with their child rows in one pass. ``CsvIndex.slices`` cuts the same merge
into chunks that a worker process can read and merge on its own (``records_of``), so the main
process of a batch no longer parses, unflattens or ships every row: it only scans the codes to find
where each chunk begins. Both give the same records in the same chunks
(tests/batch/test_csv_slices.py).

How a child row is placed, in either form: it belongs to the first enterprise of its code; a child
whose code no enterprise has is reported (a ``Stray``) on the next enterprise in code order, or on a
last record of its own after every enterprise. So chunk k takes the child rows whose codes lie after
the last non-empty code of the chunks before it, up to the last non-empty code of chunk k itself.
"""

from __future__ import annotations

import csv
import sqlite3
import tempfile
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import orjson

from batch.pools import shared_or_own
from batch.records import Record, Stray
from batch.schema import ENTERPRISES, KEY, cells_unflattener, list_fields
from sources.encoding import detect

# Processes loading the CSV files into the index at once: the load runs before any enterprise
# is evaluated (about 18 s for a million on one core), and the files are independent.
INDEX_LOADERS = 2

Row = tuple[str, int, bytes]  # (credit code, line, the row's cells as a JSON list, or why not as a JSON text)
ERROR = "__error__"  # a column of this name makes every row of its file unreadable, its cell the reason (as before)


def csv_files(folder: Path) -> list[Path]:
    """The folder's input files in merge order: enterprises first, then each list field's file present."""
    return [folder / f"{ENTERPRISES}.csv"] + [
        folder / f"{name}.csv" for name in list_fields() if (folder / f"{name}.csv").exists()
    ]


def _load_table(file: Path, db_path: Path, encoding: str = "utf-8-sig") -> tuple[str, ...]:
    """One CSV file into its own SQLite file, indexed by (credit_code, line); returns the header's keys,
    the order of every row's cells. Runs in a process."""
    table = file.stem
    db = sqlite3.connect(db_path)
    db.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA temp_store=FILE;")
    db.execute(f'CREATE TABLE "{table}" (code TEXT, line INTEGER, row BLOB)')
    with file.open(encoding=encoding, newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader, None) or []
        width = len(header)
        # a repeated column counts once, where it first stands, with its last cell (as a dict of the row did)
        last = {key: position for position, key in enumerate(header)}
        keys = tuple(last)
        picks = None if len(keys) == width else [last[key] for key in keys]
        code_at, error_at = last.get(KEY), last.get(ERROR)
        batch: list[Row] = []
        for row in reader:
            line = reader.line_num
            if len(row) != width:
                code, cells = "", f"列数为 {len(row)}，表头有 {width} 列"
            else:
                code = "" if code_at is None else row[code_at].strip().upper()
                cells = row if picks is None else [row[position] for position in picks]
                if error_at is not None:
                    cells = row[error_at]
            batch.append((code, line, orjson.dumps(cells)))
            if len(batch) >= 20_000:
                db.executemany(f'INSERT INTO "{table}" VALUES (?, ?, ?)', batch)
                batch.clear()
        db.executemany(f'INSERT INTO "{table}" VALUES (?, ?, ?)', batch)
    db.execute(f'CREATE INDEX "ix_{table}" ON "{table}" (code, line)')
    db.commit()
    db.close()
    return keys


@dataclass(frozen=True)
class Slice:
    """What chunk ``number`` reads: ``count`` enterprise rows from ``start`` (code, line) on, and the
    child rows with codes in (``after``, ``upto``] (``None``: no bound; ``upto`` is ``None`` with
    ``after`` set only for the last chunk, which also takes the child rows no enterprise follows)."""

    number: int
    start: tuple[str, int] | None  # None: a chunk of leftover child rows only
    count: int
    after: str | None
    upto: str | None
    children: bool  # False: no child rows at all (no non-empty code yet)
    previous: tuple[str, int] | None  # the code before this chunk and the line it first appeared on


class Table(NamedTuple):
    name: str
    path: str  # its SQLite file
    keys: tuple[str, ...]  # the header: what each row's cells are


@dataclass(frozen=True)
class IndexFiles:
    """Where a worker process finds the index: each table's SQLite file and header, in merge order."""

    tables: tuple[Table, ...]


class CsvIndex:
    """The CSV folder loaded into temporary SQLite files (one per file, loaded in parallel),
    each sorted by (credit_code, line) for a merge."""

    def __init__(self, folder: Path, workdir: Path | None = None, pool: ProcessPoolExecutor | None = None) -> None:
        self.folder = folder
        self._tmp = tempfile.TemporaryDirectory(prefix="huiqi-index-", dir=workdir)
        ordered = csv_files(folder)  # the merge order
        files = sorted(ordered, key=lambda f: f.stat().st_size, reverse=True)  # loaded largest first
        paths = {file.stem: Path(self._tmp.name) / f"{file.stem}.sqlite3" for file in files}
        codes = [detect(file) for file in files]
        targets = [paths[file.stem] for file in files]
        if len(files) > 1 and INDEX_LOADERS > 1:
            with shared_or_own(pool, INDEX_LOADERS) as loaders:
                headers = list(loaders.map(_load_table, files, targets, codes))
        else:
            headers = [_load_table(*job) for job in zip(files, targets, codes, strict=True)]
        keys = {file.stem: header for file, header in zip(files, headers, strict=True)}
        self.files = IndexFiles(tuple(Table(file.stem, str(paths[file.stem]), keys[file.stem]) for file in ordered))
        self.dbs = {table.name: sqlite3.connect(table.path) for table in self.files.tables}
        self.total = self.dbs[ENTERPRISES].execute(f"SELECT count(*) FROM {ENTERPRISES}").fetchone()[0]
        self.unknown_files = sorted(
            p.name for p in folder.glob("*.csv") if p.stem not in (ENTERPRISES, *list_fields())
        )

    def records(self, size: int = 10_000) -> Iterator[Record]:
        """Every record of the folder, read ``size`` enterprises at a time."""
        for part in self.slices(size):
            yield from records_of(self.files, part)

    def slices(self, size: int) -> list[Slice]:
        """The chunks of ``size`` records that ``chunks(self.records(), size)`` would make, as slices."""
        out: list[Slice] = []
        previous: tuple[str, int] | None = None  # the last code so far and the line it first appeared on
        upto: str | None = None  # the last non-empty code so far
        start: tuple[str, int] | None = None
        count = 0
        after: str | None = None
        for code, line in self.dbs[ENTERPRISES].execute(f"SELECT code, line FROM {ENTERPRISES} ORDER BY code, line"):
            if count == 0:
                start, count, after, before = (code, line), 0, upto, previous
            count += 1
            if code:
                upto = code
            if previous is None or previous[0] != code:
                previous = (code, line)
            if count == size:
                out.append(Slice(len(out), start, count, after, upto, upto is not None, before))
                count = 0
        if count:
            out.append(Slice(len(out), start, count, after, upto, upto is not None, before))
        if self._children_after(upto):
            if out and out[-1].count < size:  # the leftover child rows' record fits in the last chunk
                last = out[-1]
                out[-1] = Slice(last.number, last.start, last.count, last.after, None, True, last.previous)
            else:
                out.append(Slice(len(out), None, 0, upto, None, True, previous))
        return out

    def _children_after(self, code: str | None) -> bool:
        for table, db in self.dbs.items():
            if table == ENTERPRISES:
                continue
            query = f'SELECT 1 FROM "{table}"' + (" WHERE code > ?" if code is not None else "") + " LIMIT 1"
            if db.execute(query, () if code is None else (code,)).fetchone():
                return True
        return False

    def close(self) -> None:
        for db in self.dbs.values():
            db.close()
        self._tmp.cleanup()


def records_of(files: IndexFiles, part: Slice) -> list[Record]:
    """The records of one chunk, read from the index by a worker process: each enterprise with its child
    rows, and the strays where they belong."""
    gathered = gathered_of(files, part)
    out = [record_at(gathered, position) for position in range(len(gathered.enterprises))]
    last = leftover(gathered)
    if last is not None:  # after every enterprise: a record of their own
        out.append(last)
    return out


def gathered_of(files: IndexFiles, part: Slice) -> Gathered:
    """The rows of one chunk, read from the index by a worker process and placed, no record built yet."""
    dbs = {table.name: sqlite3.connect(f"file:{table.path}?mode=ro", uri=True) for table in files.tables}
    try:
        return gather(dbs, part, {table.name: table.keys for table in files.tables})
    finally:
        for db in dbs.values():
            db.close()


def _enterprise_rows(db: sqlite3.Connection, part: Slice) -> list[Row]:
    if part.start is None:
        return []
    return db.execute(f"SELECT code, line, row FROM {ENTERPRISES} WHERE (code, line) >= (?, ?) "
                      "ORDER BY code, line LIMIT ?", (*part.start, part.count)).fetchall()


def _child_rows(db: sqlite3.Connection, table: str, part: Slice) -> Iterable[Row]:
    if not part.children:
        return ()
    where, args = [], []
    if part.after is not None:
        where.append("code > ?")
        args.append(part.after)
    if part.upto is not None:
        where.append("code <= ?")
        args.append(part.upto)
    condition = f" WHERE {' AND '.join(where)}" if where else ""
    return db.execute(f'SELECT code, line, row FROM "{table}"{condition} ORDER BY code, line', args)


@dataclass
class Gathered:
    """A chunk's rows, each child row placed with its enterprise and each stray with the record it is reported
    on, before any record is built: ``records_of`` builds every record, the column lane (``batch.column_lane``)
    only those it cannot take."""

    enterprises: list[Row]
    cells: list[Any]  # per enterprise row: its cells, the reason it could not be read, or None (a repeated code)
    duplicates: dict[int, str]  # position -> why (the code repeats an earlier row's)
    tables: list[str]  # the child tables, in merge order
    keys: dict[str, tuple[str, ...]]  # each table's header
    children: dict[int, dict[str, list[tuple[int, Any]]]]  # owner position -> table -> (line, cells or reason)
    strays: dict[int, list[Stray]]  # position of the record they are reported on -> strays


def gather(dbs: dict[str, sqlite3.Connection], part: Slice, keys: dict[str, tuple[str, ...]]) -> Gathered:
    """The rows of ``part``: each child row with the enterprise it belongs to, the strays where they go.

    Child rows are placed by looking their code up (the first enterprise of the code in this chunk) or,
    for a code no enterprise has, by bisecting the chunk's sorted codes for the next enterprise."""
    enterprises = _enterprise_rows(dbs[ENTERPRISES], part)
    codes = [code for code, _, _ in enterprises]
    first: dict[str, int] = {}
    for position, code in enumerate(codes):
        if code:
            first.setdefault(code, position)
    tables = [t for t in dbs if t != ENTERPRISES]
    children: dict[int, dict[str, list[tuple[int, Any]]]] = {}
    strays: dict[int, list[Stray]] = {}
    loads = orjson.loads
    for table in tables:
        file = f"{table}.csv"
        previous: str | None = None
        owner: int | None = None
        rows: list[tuple[int, Any]] = []
        for code, line, row in _child_rows(dbs[table], table, part):
            if code != previous:  # rows come in code order: one owner, one list, for each run of a code
                previous = code
                owner = first.get(code) if code else None
                if owner is not None:
                    rows = children.setdefault(owner, {})[table] = []
            if owner is None:
                strays.setdefault(bisect_right(codes, code), []).append(Stray(file, line, code or None, KEY,
                                                                              _orphan(code)))
                continue
            rows.append((line, loads(row)))
    cells: list[Any] = []
    duplicates: dict[int, str] = {}
    previous_code = part.previous
    for position, (code, line, row) in enumerate(enterprises):
        if code and previous_code is not None and previous_code[0] == code:
            duplicates[position] = f"统一社会信用代码重复（首次出现于第 {previous_code[1]} 行）"
            cells.append(None)
        else:
            cells.append(loads(row))
            previous_code = (code, line)
    return Gathered(enterprises, cells, duplicates, tables, keys, children, strays)


SOURCE = f"{ENTERPRISES}.csv"


def record_at(gathered: Gathered, position: int) -> Record:
    """The record of the enterprise row at ``position``, with its child rows and strays."""
    code, line, _ = gathered.enterprises[position]
    reason = gathered.duplicates.get(position)
    if reason is not None:
        record = Record(SOURCE, line, {KEY: code}, (KEY, reason))
    else:
        cells = gathered.cells[position]
        if type(cells) is str:  # noqa: E721 -- a reason, not cells
            data, error = {}, ("", cells)
        else:
            data, error = cells_unflattener("", gathered.keys[ENTERPRISES])(cells), None
        mine = gathered.children.get(position) or {}
        problem: tuple[str, str] | None = None  # the first child row that could not be read
        origins: dict[str, list[tuple[str, int]]] = {}
        for table in gathered.tables:  # a list each, empty or not (most enterprises have no child rows in most files)
            rows = mine.get(table)
            listed: list[dict[str, Any]] = []
            if rows:
                file = f"{table}.csv"
                unflatten = cells_unflattener(f"{table}.", gathered.keys[table])
                for child_line, child_cells in rows:
                    if type(child_cells) is str:  # noqa: E721
                        if problem is None:
                            problem = (f"{table}[{len(listed)}]", f"{file} 第 {child_line} 行：{child_cells}")
                        listed.append({})
                    else:
                        child = unflatten(child_cells)
                        child.pop(KEY, None)
                        listed.append(child)
                origins[table] = [(file, child_line) for child_line, _ in rows]
            data[table] = listed
        record = Record(SOURCE, line, data, error or problem, origins)
    record.strays = gathered.strays.get(position, [])
    return record


def leftover(gathered: Gathered) -> Record | None:
    """The record of the strays that come after every enterprise of the chunk, if any."""
    found = gathered.strays.get(len(gathered.enterprises))
    return None if not found else Record(SOURCE, 0, None, None, None, found)


def _orphan(code: str) -> str:
    if not code:
        return "缺少统一社会信用代码，无法归属企业"
    return f"{ENTERPRISES}.csv 中没有统一社会信用代码为 {code} 的企业"

"""Registry readers: a CSV folder, JSON Lines or Parquet -> a stream of ``Record``.

Every reader yields records in a deterministic order, so the n-th chunk of a run is the same
chunk on resume. Memory stays bounded: the CSV folder is merged through an on-disk SQLite
index sorted by credit code, JSON Lines and Parquet are streamed.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import sqlite3
import tempfile
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from batch.lifeline import die_with_parent
from batch.pools import clean_processes
from batch.schema import ENTERPRISES, KEY, clean, list_fields, unflatten
from sources.encoding import EncodingProblem, detect
from sources.mapping import load_sources
from sources.merge import Merged, Merger, Notice, SourceInfo
from sources.provenance import Provenance

FORMATS = ("csv", "jsonl", "parquet", "sources")
SOURCES_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True, slots=True)
class Stray:
    """A report line that is not an enterprise's rejection: an input row that belongs to no enterprise,
    or (department sources) a notice such as two sources disagreeing. Reported, never counted."""

    source: str  # the file
    line: int
    credit_code: str | None
    field: str
    reason: str
    kind: str = "rejected"
    source_name: str | None = None  # department sources: the source's name, sheet and column
    sheet: str | None = None
    column: str | None = None

    def row(self) -> tuple[Any, ...]:
        """As stored (``store.runs.write_chunk``): file, line, code, field, reason, kind, source, sheet, column."""
        return (self.source, self.line, self.credit_code, self.field, self.reason, self.kind, self.source_name,
                self.sheet, self.column)


@dataclass(slots=True)
class Record:
    """One enterprise row, ready for validation."""

    source: str
    line: int
    data: dict[str, Any] | None  # None: no enterprise in this record (only strays)
    error: tuple[str, str] | None = None  # (field, reason) when the row could not even be read
    origins: dict[str, list[tuple[str, int]]] | None = None  # list field -> (file, line) of each item
    strays: list[Stray] = field(default_factory=list)
    provenance: Provenance | None = None  # department sources: where each fact came from
    rejects: list[Stray] = field(default_factory=list)  # department sources: every cell that rejects the row

    @property
    def counted(self) -> bool:
        return self.data is not None or self.error is not None


def detect_format(path: Path) -> str:
    if path.is_file() and path.suffix.lower() in SOURCES_SUFFIXES:
        return "sources"
    if path.is_dir():
        if (path / f"{ENTERPRISES}.csv").exists():
            return "csv"
        if any(path.glob("*.parquet")):
            return "parquet"
        if any(path.glob("*.jsonl")):
            return "jsonl"
        raise ValueError(f"目录 {path} 中没有 {ENTERPRISES}.csv、*.parquet 或 *.jsonl 文件")
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson"):
        return "jsonl"
    if suffix == ".parquet":
        return "parquet"
    raise ValueError(f"无法识别的输入：{path}（应为 CSV 目录、.jsonl、.parquet 或数据来源文件 sources.yaml）")


def input_files(path: Path, fmt: str) -> list[Path]:
    if fmt == "sources":
        sources = load_sources(path)
        return [path.resolve(), *(s.path for s in sources if s.path != path.resolve()), *(s.file for s in sources)]
    if fmt == "csv":
        return [path / f"{ENTERPRISES}.csv"] + [
            path / f"{name}.csv" for name in list_fields() if (path / f"{name}.csv").exists()
        ]
    if path.is_dir():
        return sorted(path.glob("*.parquet" if fmt == "parquet" else "*.jsonl"))
    return [path]


def fingerprint(path: Path, fmt: str) -> str:
    """A hash of every input file's name and bytes: the same input gives the same fingerprint."""
    digest = hashlib.blake2b(digest_size=16)
    for file in input_files(path, fmt):
        digest.update(file.name.encode() + b"\0")
        with file.open("rb") as handle:
            while block := handle.read(1 << 20):
                digest.update(block)
    return digest.hexdigest()


def encodings(path: Path, fmt: str) -> dict[Path, str]:
    """The detected encoding of every text input file; ``EncodingProblem`` (file, line, reason) for a bad one."""
    if fmt == "sources":
        return {s.file: detect(s.file) for s in load_sources(path)
                if s.file.suffix.lower() in (".csv", ".txt") and s.mapping.encoding == "auto"}
    if fmt not in ("csv", "jsonl"):
        return {}
    return {file: detect(file) for file in input_files(path, fmt)}


def _code_of(data: dict[str, Any]) -> str:
    return str(data.get(KEY) or "").strip().upper()


class _Duplicates:
    """Flags a credit code seen before (streams that are not sorted by credit code)."""

    def __init__(self) -> None:
        self.seen: dict[str, str] = {}

    def check(self, record: Record) -> Record:
        if record.data is None or record.error is not None:
            return record
        code = _code_of(record.data)
        if not code:
            return record
        first = self.seen.get(code)
        if first is not None:
            record.error = (KEY, f"统一社会信用代码重复（首次出现于 {first}）")
        else:
            self.seen[code] = f"{record.source} 第 {record.line} 行"
        return record


# --- JSON Lines ---------------------------------------------------------------------------


def read_jsonl(path: Path) -> Iterator[Record]:
    duplicates = _Duplicates()
    for file, encoding in encodings(path, "jsonl").items():
        with file.open(encoding=encoding) as handle:
            for number, text in enumerate(handle, start=1):
                if not text.strip():
                    continue
                try:
                    data = json.loads(text)
                except json.JSONDecodeError as exc:
                    yield Record(file.name, number, None, ("", f"不是有效的 JSON：{exc.msg}"))
                    continue
                if not isinstance(data, dict):
                    yield Record(file.name, number, None, ("", "每行应为一个 JSON 对象"))
                    continue
                yield duplicates.check(Record(file.name, number, clean(data)))


def count_jsonl(path: Path) -> int:
    total = 0
    for file in input_files(path, "jsonl"):
        with file.open("rb") as handle:
            total += sum(1 for line in handle if line.strip())
    return total


# --- Parquet ------------------------------------------------------------------------------


def parquet_partitions(path: Path) -> list[tuple[Path, int, int]]:
    """(file, row group, first line) of every row group: the unit of work on Dask."""
    import pyarrow.parquet as pq

    parts = []
    for file in input_files(path, "parquet"):
        meta = pq.ParquetFile(file).metadata
        line = 1
        for group in range(meta.num_row_groups):
            parts.append((file, group, line))
            line += meta.row_group(group).num_rows
    return parts


def read_parquet_group(file: Path, group: int, first_line: int) -> Iterator[Record]:
    import pyarrow.parquet as pq

    table = pq.ParquetFile(file).read_row_group(group)
    for offset, row in enumerate(table.to_pylist()):
        data = clean(row)
        if any("." in key for key in data):
            data = unflatten(data)
        yield Record(file.name, first_line + offset, data)


def read_parquet(path: Path) -> Iterator[Record]:
    duplicates = _Duplicates()
    for file, group, line in parquet_partitions(path):
        for record in read_parquet_group(file, group, line):
            yield duplicates.check(record)


def count_parquet(path: Path) -> int:
    import pyarrow.parquet as pq

    return sum(pq.ParquetFile(f).metadata.num_rows for f in input_files(path, "parquet"))


# --- CSV folder ---------------------------------------------------------------------------


# Processes loading the CSV files into the index at once: the load runs before any enterprise
# is evaluated (about 18 s for a million on one core), and the files are independent.
INDEX_LOADERS = 2


def _load_table(file: Path, db_path: Path, encoding: str = "utf-8-sig") -> None:
    """One CSV file into its own SQLite file, indexed by (credit_code, line). Runs in a process."""
    table = file.stem
    db = sqlite3.connect(db_path)
    db.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA temp_store=FILE;")
    db.execute(f'CREATE TABLE "{table}" (code TEXT, line INTEGER, row BLOB)')
    with file.open(encoding=encoding, newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader, None) or []
        batch: list[tuple[str, int, bytes]] = []
        for row in reader:
            line = reader.line_num
            values = dict(zip(header, row, strict=False))
            if len(row) != len(header):
                values = {"__error__": f"列数为 {len(row)}，表头有 {len(header)} 列"}
            batch.append(((values.get(KEY) or "").strip().upper(), line, orjson.dumps(values)))
            if len(batch) >= 20_000:
                db.executemany(f'INSERT INTO "{table}" VALUES (?, ?, ?)', batch)
                batch.clear()
        db.executemany(f'INSERT INTO "{table}" VALUES (?, ?, ?)', batch)
    db.execute(f'CREATE INDEX "ix_{table}" ON "{table}" (code, line)')
    db.commit()
    db.close()


class CsvIndex:
    """The CSV folder loaded into temporary SQLite files (one per file, loaded in parallel),
    each sorted by (credit_code, line) for a merge."""

    def __init__(self, folder: Path, workdir: Path | None = None) -> None:
        self.folder = folder
        self._tmp = tempfile.TemporaryDirectory(prefix="huiqi-index-", dir=workdir)
        ordered = input_files(folder, "csv")  # the merge order
        detected = encodings(folder, "csv")
        files = sorted(ordered, key=lambda f: f.stat().st_size, reverse=True)  # loaded largest first
        paths = [Path(self._tmp.name) / f"{file.stem}.sqlite3" for file in files]
        codes = [detected[file] for file in files]
        if len(files) > 1 and INDEX_LOADERS > 1:
            with ProcessPoolExecutor(max_workers=INDEX_LOADERS, mp_context=clean_processes(),
                                     initializer=die_with_parent,
                                     initargs=(os.getpid(),)) as pool:
                list(pool.map(_load_table, files, paths, codes))
        else:
            for file, path, encoding in zip(files, paths, codes, strict=True):
                _load_table(file, path, encoding)
        self.dbs = {file.stem: sqlite3.connect(path) for file, path in zip(files, paths, strict=True)}
        self.tables = [file.stem for file in ordered]
        self.total = self.dbs[ENTERPRISES].execute(f"SELECT count(*) FROM {ENTERPRISES}").fetchone()[0]
        self.unknown_files = sorted(
            p.name for p in folder.glob("*.csv") if p.stem not in (ENTERPRISES, *list_fields())
        )

    def _sorted(self, table: str) -> Iterator[tuple[str, int, str]]:
        return self.dbs[table].execute(f'SELECT code, line, row FROM "{table}" ORDER BY code, line')

    def records(self) -> Iterator[Record]:
        children = {t: self._sorted(t) for t in self.tables if t != ENTERPRISES}
        heads: dict[str, tuple[str, int, str] | None] = {t: next(c, None) for t, c in children.items()}
        previous: tuple[str, int] | None = None
        pending_strays: list[Stray] = []
        source = f"{ENTERPRISES}.csv"
        for code, line, row in self._sorted(ENTERPRISES):
            data, error = _csv_row(orjson.loads(row))
            origins: dict[str, list[tuple[str, int]]] = {}
            items: dict[str, list[dict[str, Any]]] = {}
            for table in children:
                while heads[table] is not None and heads[table][0] < code:  # type: ignore[index]
                    c, ln, _ = heads[table]  # type: ignore[misc]
                    pending_strays.append(Stray(f"{table}.csv", ln, c or None, KEY, _orphan(c)))
                    heads[table] = next(children[table], None)
                while code and heads[table] is not None and heads[table][0] == code:  # type: ignore[index]
                    _, ln, child = heads[table]  # type: ignore[misc]
                    child_data, child_error = _csv_row(orjson.loads(child), f"{table}.")
                    child_data.pop(KEY, None)
                    if child_error and error is None:
                        error = (f"{table}[{len(items.get(table, []))}]", f"{table}.csv 第 {ln} 行：{child_error[1]}")
                    items.setdefault(table, []).append(child_data)
                    origins.setdefault(table, []).append((f"{table}.csv", ln))
                    heads[table] = next(children[table], None)
            if code and previous is not None and previous[0] == code:
                reason = f"统一社会信用代码重复（首次出现于第 {previous[1]} 行）"
                record = Record(source, line, {KEY: code}, (KEY, reason))
            else:
                data.update({table: items.get(table, []) for table in children})
                record = Record(source, line, data, error, origins)
                previous = (code, line)
            record.strays, pending_strays = pending_strays, []
            yield record
        for table in children:
            while heads[table] is not None:
                c, ln, _ = heads[table]  # type: ignore[misc]
                pending_strays.append(Stray(f"{table}.csv", ln, c or None, KEY, _orphan(c)))
                heads[table] = next(children[table], None)
        if pending_strays:
            yield Record(source, 0, None, None, None, pending_strays)

    def close(self) -> None:
        for db in self.dbs.values():
            db.close()
        self._tmp.cleanup()


def _orphan(code: str) -> str:
    if not code:
        return "缺少统一社会信用代码，无法归属企业"
    return f"{ENTERPRISES}.csv 中没有统一社会信用代码为 {code} 的企业"


def _csv_row(values: dict[str, Any], prefix: str = "") -> tuple[dict[str, Any], tuple[str, str] | None]:
    if "__error__" in values:
        return {}, ("", values["__error__"])
    return unflatten(values, prefix), None


def read_csv_folder(path: Path, workdir: Path | None = None) -> tuple[Iterator[Record], int, list[str]]:
    index = CsvIndex(path, workdir)

    def stream() -> Iterator[Record]:
        try:
            yield from index.records()
        finally:
            index.close()

    return stream(), index.total, index.unknown_files


# --- department sources (sources.yaml) ------------------------------------------------------


def _stray(notice: Notice, infos: list[SourceInfo]) -> Stray:
    info = infos[notice.source]
    field_name = notice.field.split("].")[-1] if "]." in notice.field else notice.field
    column = info.key if notice.field == KEY else info.columns.get(field_name)
    return Stray(info.file, notice.row, notice.credit_code, notice.field, notice.reason, notice.kind, info.name,
                 info.sheet, column)


def _record(merged: Merged, infos: list[SourceInfo]) -> Record:
    strays = [_stray(n, infos) for n in merged.notices]
    if merged.origin is None:
        return Record("", 0, None, strays=strays)
    info = infos[merged.origin[0]]
    rejects = [_stray(n, infos) for n in merged.rejects]
    error = (rejects[0].field, rejects[0].reason) if rejects else None
    provenance = Provenance(infos, merged.facts, merged.origin)
    return Record(info.file, merged.origin[1], merged.data, error, None, strays, provenance, rejects)


def read_sources(path: Path, workdir: Path | None = None) -> tuple[Iterator[Record], int, list[str]]:
    merger = Merger(load_sources(path), workdir)

    def stream() -> Iterator[Record]:
        try:
            for merged in merger.records():
                yield _record(merged, merger.infos)
        finally:
            merger.close()

    return stream(), merger.total, merger.warnings


def open_input(path: Path, fmt: str, workdir: Path | None = None) -> tuple[Iterator[Record], int, list[str]]:
    """(records, number of enterprise rows, warnings) for the input at ``path``."""
    if fmt == "sources":
        return read_sources(path, workdir)
    if fmt == "csv":
        records, total, unknown = read_csv_folder(path, workdir)
        return records, total, [f"忽略不认识的文件：{name}" for name in unknown]
    if fmt == "jsonl":
        return read_jsonl(path), count_jsonl(path), []
    if fmt == "parquet":
        return read_parquet(path), count_parquet(path), []
    raise ValueError(f"不支持的格式：{fmt}")


__all__ = ["FORMATS", "EncodingProblem", "Record", "Stray", "detect_format", "encodings", "fingerprint", "open_input"]

"""Registry readers: a CSV folder, JSON Lines or Parquet -> a stream of ``Record``.

Every reader yields records in a deterministic order, so the n-th chunk of a run is the same
chunk on resume. Memory stays bounded: the CSV folder is merged through an on-disk SQLite
index sorted by credit code, JSON Lines and Parquet are streamed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from batch.csv_index import CsvIndex, csv_files
from batch.records import Record, Stray
from batch.schema import ENTERPRISES, KEY, clean, unflatten
from sources.encoding import EncodingProblem, detect
from sources.mapping import load_sources
from sources.merge import Merged, Merger, Notice, SourceInfo
from sources.provenance import Provenance

FORMATS = ("csv", "jsonl", "parquet", "sources")
SOURCES_SUFFIXES = (".yaml", ".yml")


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
        return csv_files(path)
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

"""Several sources merged by credit code into one enterprise each, every fact with where it came from.

Each source is read through its mapping into its own temporary Arrow file (sources load in
parallel processes), sorted by (credit code, row); the files are then merged in credit-code order,
so the n-th enterprise is always the same one (a run's chunks are deterministic, hence resumable).

Per credit code:

* It is an enterprise when a ``role: registry`` source has a row for it; rows of other sources
  without one are reported (``not_in_registry``), never silently dropped. A registry row without a
  credit code, or repeating one in the same source, is an enterprise row of its own, rejected.
* A scalar fact comes from the source of highest ``priority`` (then the earlier in the sources file)
  that has it; every other source that says something different is reported as a ``conflict``
  (file, row, both values). A bad cell where the deciding value should be rejects the enterprise
  (its facts cannot be known); a bad cell in a source that does not decide is reported only.
* A list (hires, designations…) comes from the highest-priority source that has rows for the
  enterprise; a source listing other items is reported as a conflict. When sources provide the list
  but none has rows for the enterprise, the list is known to be empty.
"""

from __future__ import annotations

import heapq
import itertools
import tempfile
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
import pyarrow as pa

from batch.schema import KEY
from sources.columns import read_columns
from sources.mapping import Source
from sources.rows import Plan, parsed_rows, plan

LOADERS = 2  # processes reading sources at once (the machine has two cores)
CHUNK = 20_000  # rows of a loaded source turned into Python objects at a time while merging
Origin = tuple[int, int]  # (source index, row): where one fact came from


@dataclass(frozen=True)
class SourceInfo:
    """What a report or the console says about a source."""

    name: str
    department: str
    file: str
    sheet: str | None
    list: str | None
    role: str
    columns: dict[str, str]  # field (item-relative for lists) -> header
    key: str

    def where(self, row: int) -> str:
        sheet = f"[{self.sheet}]" if self.sheet else ""
        return f"{self.file}{sheet} 第 {row} 行"


@dataclass(frozen=True, slots=True)
class Notice:
    """One line of the report: a rejected cell, a conflict, a row without an enterprise…"""

    kind: str  # rejected | cell | conflict | duplicate | not_in_registry | no_code
    source: int
    row: int
    credit_code: str | None
    field: str
    reason: str


@dataclass
class Merged:
    """One credit code's merged facts (``data`` is contract JSON), or only notices when not an enterprise."""

    key: str
    data: dict[str, Any] | None
    origin: Origin | None  # the registry row
    facts: dict[str, Origin] = field(default_factory=dict)  # "employees", "hires[0]" -> origin
    rejects: list[Notice] = field(default_factory=list)  # why the enterprise cannot be evaluated
    notices: list[Notice] = field(default_factory=list)  # reported, the enterprise still evaluated

    @property
    def counted(self) -> bool:
        return self.origin is not None


@dataclass(frozen=True)
class Loaded:
    info: SourceInfo
    rows: int
    unmapped: list[str]
    encoding: str | None
    header_row: int


def _load(source: Source, path: Path) -> Loaded:
    """Read one source through its mapping into an Arrow file sorted by (credit code, row). Runs in a process.

    (An SQLite table indexed by code cost as much to fill as reading a mapped CSV, and more to read back.)"""
    p = plan(source)
    columns = read_columns(p)
    if columns is not None:
        table = pa.table({"code": columns.keys, "row": columns.numbers, "data": columns.data().cast(pa.binary())})
    else:
        stored = list(stored_rows(p))
        table = pa.table({"code": pa.array([r[0] for r in stored], pa.string()),
                          "row": pa.array([r[1] for r in stored], pa.int64()),
                          "data": pa.array([r[2] for r in stored], pa.binary())})
    table = table.sort_by([("code", "ascending"), ("row", "ascending")])  # byte order of UTF-8 = str order
    with pa.OSFile(str(path), "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
        writer.write_table(table, max_chunksize=CHUNK)
    count = table.num_rows
    mapping = source.mapping
    info = SourceInfo(mapping.name, mapping.department, p.table.file, p.table.sheet, mapping.list, mapping.role,
                      {c.field: c.header for c in source.columns}, mapping.key)
    return Loaded(info, count, p.unmapped, p.table.encoding, p.table.header_row)


def stored_rows(p: Plan) -> Iterator[tuple[str, int, bytes]]:
    """Row by row: (credit code, row, facts JSON) as ``Columns.stored`` gives them column by column."""
    dumps = orjson.dumps
    for parsed in parsed_rows(p):
        yield parsed.key, parsed.row, dumps((parsed.facts, parsed.errors) if parsed.errors else parsed.facts)


def _nest(flat: dict[str, Any]) -> dict[str, Any]:
    if not any("." in path for path in flat):
        return flat  # most rows: nothing to nest (``flat`` is the row's own dict, read from its JSON)
    out: dict[str, Any] = {}
    for path, value in flat.items():
        if "." not in path:
            out[path] = value
            continue
        *parents, leaf = path.split(".")
        target = out
        for part in parents:
            target = target.setdefault(part, {})
        target[leaf] = value
    return out


class Merger:
    """The sources of a sources file, loaded; ``records()`` streams the merged enterprises."""

    def __init__(self, sources: list[Source], workdir: Path | None = None) -> None:
        self.sources = sources
        self._tmp = tempfile.TemporaryDirectory(prefix="huiqi-sources-", dir=workdir)
        self.paths = [Path(self._tmp.name) / f"{index}.arrow" for index in range(len(sources))]
        paths = self.paths
        if len(sources) > 1 and LOADERS > 1:
            with ProcessPoolExecutor(max_workers=min(LOADERS, len(sources))) as pool:
                self.loaded = list(pool.map(_load, sources, paths))
        else:
            self.loaded = [_load(s, p) for s, p in zip(sources, paths, strict=True)]
        self.infos = [loaded.info for loaded in self.loaded]
        self.rank = sorted(range(len(sources)), key=lambda i: (-sources[i].mapping.priority, i))
        self.registry = [i for i in range(len(sources)) if sources[i].mapping.role == "registry"]
        self.lists = {info.list for info in self.infos if info.list}
        self.providers = {name: [i for i in self.rank if self.infos[i].list == name] for name in sorted(self.lists)}
        self.total = self._count_enterprises()

    @property
    def warnings(self) -> list[str]:
        return [f"{loaded.info.name}（{loaded.info.file}）：未映射的列 {'、'.join(loaded.unmapped)}，已忽略"
                for loaded in self.loaded if loaded.unmapped]

    def _count_enterprises(self) -> int:
        """Registry rows: one enterprise per distinct code, plus every code-less or repeated row."""
        if len(self.registry) == 1:
            return self.loaded[self.registry[0]].rows
        codes: set[str] = set()
        extra = 0
        for index in self.registry:
            seen: set[str] = set()
            for code in _read(self.paths[index]).column("code").to_pylist():
                if not code or code in seen:
                    extra += 1
                seen.add(code)
            codes |= {c for c in seen if c}
        return len(codes) + extra

    def _stream(self, index: int) -> Iterator[tuple[str, int, int, Any]]:
        with pa.OSFile(str(self.paths[index]), "rb") as source:
            reader = pa.ipc.open_file(source)
            for number in range(reader.num_record_batches):  # one chunk in memory at a time
                batch = reader.get_batch(number)
                codes, rows, data = (batch.column(name).to_pylist() for name in ("code", "row", "data"))
                yield from zip(codes, itertools.repeat(index), rows, data)

    def records(self) -> Iterator[Merged]:
        streams = [self._stream(i) for i in range(len(self.sources))]
        merged = heapq.merge(*streams, key=lambda r: (r[0], r[1], r[2]))
        for code, group in itertools.groupby(merged, key=lambda r: r[0]):
            rows = [(index, row, _facts(data)) for _, index, row, data in group]
            if not code:
                yield from self._without_code(rows)
            else:
                yield from self._enterprise(code, rows)

    def _without_code(self, rows: list[tuple[int, int, Any]]) -> Iterator[Merged]:
        notices = []
        for index, row, _ in rows:
            field_name = self.infos[index].key
            if index in self.registry:
                reject = Notice("rejected", index, row, None, KEY, f"缺少统一社会信用代码（列“{field_name}”为空）")
                yield Merged("", {}, (index, row), rejects=[reject])
            else:
                notices.append(Notice("no_code", index, row, None, KEY, "缺少统一社会信用代码，无法归属企业"))
        if notices:
            yield Merged("", None, None, notices=notices)

    def _enterprise(self, code: str, rows: list[tuple[int, int, Any]]) -> Iterator[Merged]:
        by_source: dict[int, list[tuple[int, Any]]] = {}
        for index, row, facts in rows:
            by_source.setdefault(index, []).append((row, facts))
        if not any(i in by_source for i in self.registry):
            yield Merged(code, None, None, notices=[
                Notice("not_in_registry", index, row, code, KEY, f"登记库中没有统一社会信用代码为 {code} 的企业")
                for index, row, _ in rows])
            return
        duplicates: list[Merged] = []
        single: dict[int, tuple[int, Any]] = {}
        notices: list[Notice] = []
        for index, found in by_source.items():
            if self.infos[index].list:
                continue
            single[index] = found[0]
            first = self.infos[index].where(found[0][0])
            for row, _ in found[1:]:
                reason = f"统一社会信用代码重复（首次出现于 {first}）"
                if index in self.registry:
                    duplicates.append(Merged(code, {KEY: code}, (index, row),
                                             rejects=[Notice("rejected", index, row, code, KEY, reason)]))
                else:
                    notices.append(Notice("duplicate", index, row, code, KEY, reason + "，本行未采用"))
        registry_index = next(i for i in self.rank if i in self.registry and i in single)
        record = Merged(code, {KEY: code}, (registry_index, single[registry_index][0]), notices=notices)
        self._scalars(record, single)
        self._lists(record, by_source)
        record.data = _nest(record.data or {})
        yield record
        yield from duplicates

    def _scalars(self, record: Merged, single: dict[int, tuple[int, Any]]) -> None:
        data = record.data
        assert data is not None
        winners: dict[str, tuple[int, int, Any, str | None]] = {}  # field -> (source, row, value, error)
        for index in self.rank:
            if index not in single:
                continue
            row, (facts, errors) = single[index]
            candidates = [(name, value, None) for name, value in facts.items()]
            candidates += [(name, None, reason) for _, name, reason in errors]
            for name, value, error in candidates:
                won = winners.get(name)
                if won is None:
                    winners[name] = (index, row, value, error)
                    if error is None:
                        data[name] = value
                        record.facts[name] = (index, row)
                    else:
                        record.rejects.append(Notice("rejected", index, row, record.key, name, error))
                elif error is not None:
                    record.notices.append(Notice("cell", index, row, record.key, name,
                                                 f"{error}（此列未采用：以 {self._label(won)} 为准）"))
                elif won[3] is None and won[2] != value:
                    record.notices.append(Notice(
                        "conflict", index, row, record.key, name,
                        f"与{self._label(won)}不一致：采用 {_shown(won[2])}，"
                        f"本行为 {_shown(value)}（优先级较低，未采用）"))

    def _label(self, won: tuple[int, int, Any, str | None]) -> str:
        info = self.infos[won[0]]
        return f" {info.name}（{info.where(won[1])}）"

    def _lists(self, record: Merged, by_source: dict[int, list[tuple[int, Any]]]) -> None:
        data = record.data
        assert data is not None
        for name, ranked in self.providers.items():
            providers = [i for i in ranked if i in by_source]
            data[name] = []
            if not providers:
                continue
            chosen = providers[0]
            items = []
            for position, (row, (facts, errors)) in enumerate(by_source[chosen]):
                items.append(_nest(facts))
                record.facts[f"{name}[{position}]"] = (chosen, row)
                record.rejects += [
                    Notice("rejected", chosen, row, record.key, f"{name}[{position}].{field_name}", reason)
                    for _, field_name, reason in errors]
            data[name] = items
            for other in providers[1:]:
                theirs = [_nest(facts) for _, (facts, _) in by_source[other]]
                if sorted(map(orjson.dumps, theirs)) != sorted(map(orjson.dumps, items)):
                    first_row = by_source[other][0][0]
                    winner = self.infos[chosen]
                    record.notices.append(Notice(
                        "conflict", other, first_row, record.key, name,
                        f"与 {winner.name}（{winner.file}）不一致：采用其 {len(items)} 项，本来源 {len(theirs)} 项"
                        "（优先级较低，未采用）"))

    def close(self) -> None:
        self._tmp.cleanup()


def _read(path: Path) -> pa.Table:
    with pa.OSFile(str(path), "rb") as source:  # read, not mapped: the table outlives the file handle
        return pa.ipc.open_file(source).read_all()


def _facts(data: bytes) -> tuple[dict[str, Any], list[Any]]:
    loaded = orjson.loads(data)
    return (loaded[0], loaded[1]) if isinstance(loaded, list) else (loaded, [])


def _shown(value: Any) -> str:
    if value is True:
        return "是"
    if value is False:
        return "否"
    return f"“{value}”"

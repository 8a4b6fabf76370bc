"""One source read through its mapping: each row as its credit code, its facts and its bad cells.

Facts are contract values (JSON text and numbers, money as exact yuan text, ISO dates) keyed by
field path (item-relative for a list source). A cell that cannot be read is kept as an error with
its column and a Chinese reason, never dropped; the merge decides whether it matters.
"""

from __future__ import annotations

import datetime as dt
import types
import typing
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from pydantic import BaseModel

from batch.schema import KEY, list_fields
from engine.profile import Profile
from sources import values
from sources.mapping import Column, MappingError, Source, date_parser
from sources.tables import Table, open_table
from sources.vocab import VALUES, folded

Converter = Callable[[Any], Any]
CACHE_LIMIT = 100_000  # distinct raw values remembered per column (dates, districts, flags repeat a lot)


@dataclass(slots=True)
class ParsedRow:
    row: int
    key: str  # the credit code as written, normalised ('' when the cell is empty)
    facts: dict[str, Any]
    errors: list[tuple[str, str, str]] = field(default_factory=list)  # (column, field, reason)


def _literal(annotation: Any) -> tuple[str, ...]:
    """The allowed values of a ``Literal[...] | None`` field, or ()."""
    if typing.get_origin(annotation) is typing.Literal:
        return tuple(str(a) for a in typing.get_args(annotation))
    if typing.get_origin(annotation) in (typing.Union, types.UnionType, typing.Annotated):
        for arg in typing.get_args(annotation):
            found = _literal(arg)
            if found:
                return found
    return ()


def allowed_values(list_name: str | None, path: str) -> tuple[str, ...]:
    model: type[BaseModel] = Profile if list_name is None else list_fields()[list_name]
    info = model.model_fields.get(path.split(".")[0])
    return _literal(info.annotation) if info is not None and "." not in path else ()


def _cached(parse: Converter) -> Converter:
    memo: dict[Any, Any] = {}

    def cached(raw: Any) -> Any:
        try:
            return memo[raw]
        except KeyError:
            pass
        except TypeError:  # unhashable: not from a file, but be safe
            return parse(raw)
        value = parse(raw)  # a CellError is not remembered: the next bad cell is reported in full
        if len(memo) < CACHE_LIMIT:
            memo[raw] = value
        return value

    return cached


def _words(column: Column, list_name: str | None, label: str) -> Converter:
    vocab_key = column.field if list_name is None else f"{list_name}.{column.field}"
    table = {folded(k): v for k, v in VALUES.get(vocab_key, {}).items()}
    table.update(column.values or {})
    allowed = allowed_values(list_name, column.field)
    plain = values.code if column.field in (KEY, "industry_code") else values.text

    def parse(raw: Any) -> str:
        word = folded(values.text(raw))
        if word in table:
            return table[word]
        if allowed:
            if word in allowed:
                return word
            shown = "、".join(a for a in allowed if not a.isascii()) or "、".join(allowed)
            raise values.CellError(f"“{raw}”不是可识别的{label}（可写：{shown}，或在映射文件的 values 中说明）")
        return plain(raw)

    return parse


def converter(column: Column, list_name: str | None) -> Converter:
    """How one column's cells become contract values."""
    if column.kind is Decimal:
        return values.money(column.unit)
    if column.kind is int:
        return _cached(values.integer)
    if column.kind is bool:
        return _cached(values.boolean)
    if column.kind is dt.date:
        return _cached(date_parser(column.date_format) if column.date_format else values.date)
    words = _words(column, list_name, column.header)
    return _cached(words) if column.values or allowed_values(list_name, column.field) or column.field in VALUES \
        else words


@dataclass
class Plan:
    """A source's table and how to read each mapped column of it."""

    source: Source
    table: Table
    key_index: int
    columns: list[tuple[int, str, str, Converter]]  # (cell index, header, field, converter)
    unmapped: list[str]  # headers in the file the mapping neither maps nor ignores


def plan(source: Source) -> Plan:
    mapping = source.mapping
    table = open_table(source.file, mapping.sheet, mapping.encoding, mapping.header_row, expect=[mapping.key])
    where = f"{table.file}[{table.sheet}]" if table.sheet else table.file
    index = {}
    for position, header in enumerate(table.header):
        index.setdefault(folded(header), position)
    missing = [h for h in [mapping.key, *mapping.columns] if folded(h) not in index]
    if missing:
        raise MappingError(f"映射 {source.path.name}：{where} 中没有这些列：{'、'.join(missing)}"
                           f"（表头在第 {table.header_row} 行：{'、'.join(h for h in table.header if h)}）")
    columns = [(index[folded(c.header)], c.header, c.field, converter(c, mapping.list))
               for c in source.columns if c.field != KEY]
    known = {folded(h) for h in [mapping.key, *mapping.columns, *mapping.ignore]}
    unmapped = [h for h in table.header if h and folded(h) not in known]
    return Plan(source, table, index[folded(mapping.key)], columns, unmapped)


def parsed_rows(p: Plan) -> Iterator[ParsedRow]:
    """Every data row of the source, read through its mapping."""
    blanks = values.BLANKS
    key_index = p.key_index
    for number, cells in p.table.rows:
        width = len(cells)
        raw_key = cells[key_index] if key_index < width else None
        key = "" if values.is_blank(raw_key) else values.code(raw_key)
        facts: dict[str, Any] = {}
        row = ParsedRow(number, key, facts)
        for position, header, name, convert in p.columns:
            raw = cells[position] if position < width else None
            if raw is None or (raw.__class__ is str and raw.strip() in blanks):
                continue
            try:
                facts[name] = convert(raw)
            except values.CellError as exc:
                row.errors.append((header, name, str(exc)))
        yield row

"""The fast way through a source: column by column, each distinct cell read once, rows as JSON.

Row by row in Python, mapping a CSV costs about 20 µs a row (a function call per cell). Here a CSV's
text, decoded once by ``sources.tables``, is split by pyarrow's CSV reader (C++, one thread), and a
sheet's cells come from calamine as before; each column's distinct cells are found (pyarrow's
dictionary encoding; for a sheet's mixed columns a dict keyed by type and value) and converted once:
the common shapes of dates, whole numbers and money in bulk (``sources.vectorised``), the rest one
by one through ``sources.values`` (so a rejected cell has the same Chinese reason as row by row).
Each row's facts are then joined as JSON text by pyarrow, which is what the merge stores: no Python
object per row. ``Columns.rows()`` gives the same ``ParsedRow`` stream as ``sources.rows.parsed_rows``
(tests/sources/test_columns.py compares them).

A CSV is read so only when row numbers stay exact: no blank lines and no cell spanning lines (the
file's line count must equal header + rows), and a header without repeated names. Otherwise
``None``: the caller reads row by row.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.compute as pc
from pyarrow import csv as arrow_csv

from sources import values
from sources.rows import ParsedRow, Plan
from sources.vectorised import Bulk, bulk
from sources.vocab import folded

Errors = dict[int, list[tuple[str, str, str]]]  # row position -> (column, field, reason)
_PLAIN_CODE = r"^ *[0-9A-Za-z]+ *$"  # a credit code values.code only upper-cases and trims


@dataclass
class Columns:
    """A source read column by column: arrow arrays, one item per row, as the merge stores them."""

    numbers: pa.Array  # each row's number in the file (csv line, sheet row)
    keys: pa.Array  # the credit code, normalised ('' when blank)
    facts: pa.Array  # the row's facts as a JSON object
    errors: Errors  # row position -> rejected cells

    def __len__(self) -> int:
        return len(self.keys)

    def data(self) -> pa.Array:
        """What the merge stores per row: the facts, or ``[facts, errors]`` where a cell was rejected."""
        if not self.errors:
            return self.facts
        positions = sorted(self.errors)
        mask = pc.is_in(pa.array(range(len(self)), pa.int64()), value_set=pa.array(positions, pa.int64()))
        facts = pc.take(self.facts, pa.array(positions, pa.int64())).to_pylist()
        with_errors = [orjson.dumps((orjson.loads(text), self.errors[position])).decode()
                       for position, text in zip(positions, facts, strict=True)]
        return pc.replace_with_mask(self.facts, mask, pa.array(with_errors, pa.string()))

    def stored(self) -> Iterator[tuple[str, int, str]]:
        """(credit code, row, what the merge stores) per row."""
        yield from zip(self.keys.to_pylist(), self.numbers.to_pylist(), self.data().to_pylist(), strict=True)

    def rows(self) -> Iterator[ParsedRow]:
        errors = self.errors
        for position, (key, number, facts) in enumerate(zip(self.keys.to_pylist(), self.numbers.to_pylist(),
                                                            self.facts.to_pylist(), strict=True)):
            yield ParsedRow(number, key, orjson.loads(facts), errors.get(position, []))


def _line_count(text: str) -> int:
    return text.count("\n") + (not text.endswith("\n") and text != "")


def _fragments(distinct: list[Any], as_text: pa.Array, indices: pa.Array, convert: Any, fast: Bulk | None,
               header: str, name: str, errors: Errors) -> pa.Array:
    """One column as ``"field":value`` JSON per row (null: blank or rejected); rejected cells into ``errors``.

    ``distinct``: the column's distinct cells; ``as_text``: the same as text where the bulk conversion
    may take them on (else null); ``indices``: each row's cell in ``distinct``."""
    done = fast(as_text).to_pylist() if fast is not None else [None] * len(distinct)
    bad: dict[int, str] = {}
    for index, raw in enumerate(distinct):
        if done[index] is not None or raw is None or (raw.__class__ is str and raw.strip() in values.BLANKS):
            continue
        try:
            done[index] = orjson.dumps(convert(raw)).decode()
        except values.CellError as exc:
            bad[index] = str(exc)
    if bad:
        hits = pc.indices_nonzero(pc.is_in(indices, value_set=pa.array(list(bad), type=indices.type)))
        for position, index in zip(hits.to_pylist(), pc.take(indices, hits).to_pylist(), strict=True):
            errors.setdefault(position, []).append((header, name, bad[index]))
    fragment = pc.binary_join_element_wise(orjson.dumps(name).decode() + ":", pa.array(done, pa.string()), "")
    return pc.take(fragment, indices)


def _keys(raw: pa.Array) -> pa.Array:
    """``values.code`` of every key cell ('' when blank): plain ones in bulk, the rest one by one."""
    trimmed = pc.utf8_trim(raw, " ")
    plain = pc.and_(pc.match_substring_regex(raw, _PLAIN_CODE),  # NULL, None…: blank, values.is_blank says
                    pc.invert(pc.is_in(trimmed, value_set=pa.array(sorted(values.BLANKS)))))
    others = pc.take(raw, pc.indices_nonzero(pc.invert(plain))).to_pylist()
    codes = ["" if values.is_blank(cell) else values.code(cell) for cell in others]
    return pc.replace_with_mask(pc.utf8_upper(trimmed), pc.invert(plain), pa.array(codes, pa.string()))


def _facts(p: Plan, cells: Callable[[str], tuple[list[Any], pa.Array, pa.Array]], size: int,
           errors: Errors) -> pa.Array:
    """Each row's facts as JSON text; ``cells(header)`` gives a column's distinct cells, as text, indices."""
    kinds = {c.field: c for c in p.source.columns}
    fragments = []
    for _, header, name, convert in p.columns:
        column = kinds[name]
        fragments.append(_fragments(*cells(header), convert, bulk(column.kind, column.unit, column.date_format),
                                    header, name, errors))
    joined = pc.binary_join_element_wise(*fragments, ",", null_handling="skip") if fragments else \
        pa.array([""] * size, pa.string())
    return pc.binary_join_element_wise("{", joined, "}", "")


def read_columns(p: Plan) -> Columns | None:
    """The plan's CSV or sheet read column by column, or ``None`` when row numbers would not stay exact."""
    if p.table.sheet is not None:
        return _sheet_columns(p)
    table = p.table
    text = table.text
    if text is None:
        return None
    header = table.header
    if len({folded(h) for h in header}) != len(header) or "" in header:
        return None
    try:
        read = arrow_csv.read_csv(
            pa.BufferReader(text.encode("utf-8")),
            read_options=arrow_csv.ReadOptions(skip_rows=table.header_row - 1, use_threads=False, block_size=1 << 22),
            parse_options=arrow_csv.ParseOptions(newlines_in_values=False),
            convert_options=arrow_csv.ConvertOptions(column_types=dict.fromkeys(header, pa.string()),
                                                     strings_can_be_null=False, quoted_strings_can_be_null=False),
        )
    except (pa.ArrowInvalid, pa.ArrowKeyError):
        return None  # ragged rows, odd quoting…: the row-by-row reader reports them cell by cell
    if read.column_names[:1] and read.column_names[0].startswith("\ufeff"):
        return None
    if _line_count(text) != table.header_row + read.num_rows:
        return None  # blank lines or cells spanning lines: row numbers need the row-by-row reader
    table.close()
    names = {folded(h): h for h in read.column_names}

    def cells(header: str) -> tuple[list[Any], pa.Array, pa.Array]:
        encoded = pc.dictionary_encode(read.column(names[folded(header)]).combine_chunks())
        return encoded.dictionary.to_pylist(), encoded.dictionary, encoded.indices

    keys = _keys(read.column(names[folded(p.source.mapping.key)]).combine_chunks())
    errors: Errors = {}
    facts = _facts(p, cells, read.num_rows, errors)
    first = table.header_row + 1
    return Columns(pa.array(range(first, first + read.num_rows), pa.int64()), keys, facts, errors)


def _text_of(raw: Any) -> str | None:
    """A sheet cell as the text the bulk conversions read: numbers as typed (a float's shortest repr is
    what ``sources.values`` reads too); None for flags, dates and the rest, which go one by one."""
    kind = raw.__class__
    return raw if kind is str else repr(raw) if kind is float or kind is int else None


def _sheet_columns(p: Plan) -> Columns:
    """A sheet: calamine's cells, each column's distinct cells (by type and value) converted once."""
    numbers: list[int] = []
    rows: list[list[Any]] = []
    for number, row in p.table.rows:
        numbers.append(number)
        rows.append(row)

    narrowest = min(map(len, rows), default=0)

    def column(position: int) -> list[Any]:
        if position < narrowest:
            return list(map(itemgetter(position), rows))
        return [row[position] if position < len(row) else None for row in rows]

    def cells(header: str) -> tuple[list[Any], pa.Array, pa.Array]:
        cells = column(positions[header])
        if set(map(type, cells)) == {str}:  # a text column: pyarrow finds the distinct cells
            encoded = pc.dictionary_encode(pa.array(cells, pa.string()))
            return encoded.dictionary.to_pylist(), encoded.dictionary, encoded.indices
        # Text by itself, other cells with their type: 1, 1.0 and True are equal keys, so are 0.0 and -0.0,
        # but they are read differently.
        seen: dict[Any, int] = {}
        indices = [seen.setdefault(raw if raw.__class__ is str else (raw.__class__, raw)
                                   if raw.__class__ is not float or raw else (repr(raw), raw), len(seen))
                   for raw in cells]
        distinct = [key if key.__class__ is str else key[1] for key in seen]
        return distinct, pa.array([_text_of(raw) for raw in distinct], pa.string()), pa.array(indices, pa.int32())

    positions = {header: position for position, header, _, _ in p.columns}
    raw_keys = column(p.key_index)
    if all(raw.__class__ is str for raw in raw_keys):
        keys = _keys(pa.array(raw_keys, pa.string()))
    else:
        keys = pa.array(["" if values.is_blank(raw) else values.code(raw) for raw in raw_keys], pa.string())
    errors: Errors = {}
    return Columns(pa.array(numbers, pa.int64()), keys, _facts(p, cells, len(rows), errors), errors)

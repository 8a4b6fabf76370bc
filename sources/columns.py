"""The fast way through a CSV source: column by column, each distinct value read once, rows as JSON.

Row by row in Python, mapping a CSV costs about 20 µs a row (a function call per cell). Here the text
decoded once by ``sources.tables`` is split by pyarrow's CSV reader (C++, one thread); each column is
dictionary-encoded, its distinct cells converted once, the common shapes of dates, whole numbers
and money in bulk (``sources.vectorised``), the rest one by one through ``sources.values`` (so every
rejected cell has the same Chinese reason as row by row); then each row's facts are joined as JSON
text by pyarrow too, which is what the merge stores. ``Columns.rows()`` gives the same ``ParsedRow``
stream as ``sources.rows.parsed_rows`` (a test compares them).

Used only when row numbers stay exact: no blank lines and no cell spanning lines (the file's line
count must equal header + rows), and a header without repeated names. Otherwise ``None``: the caller
reads row by row.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
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
    first_row: int  # the file line of the first data row
    keys: list[str]
    facts: list[str]  # per row, its facts as a JSON object (what the merge stores)
    errors: Errors

    def __len__(self) -> int:
        return len(self.keys)

    def stored(self) -> Iterator[tuple[str, int, str | bytes]]:
        """(credit code, row, facts JSON) per row; ``[facts, errors]`` where a cell was rejected."""
        errors, first = self.errors, self.first_row
        for position, (key, facts) in enumerate(zip(self.keys, self.facts, strict=True)):
            if position in errors:
                yield key, first + position, orjson.dumps((orjson.loads(facts), errors[position]))
            else:
                yield key, first + position, facts

    def rows(self) -> Iterator[ParsedRow]:
        errors = self.errors
        for position, (key, facts) in enumerate(zip(self.keys, self.facts, strict=True)):
            yield ParsedRow(self.first_row + position, key, orjson.loads(facts), errors.get(position, []))


def _line_count(text: str) -> int:
    return text.count("\n") + (not text.endswith("\n") and text != "")


def _fragments(array: pa.Array, convert: Any, fast: Bulk | None, header: str, name: str,
               errors: Errors) -> pa.Array:
    """One column as ``"field":value`` JSON per row (null: blank or rejected); rejected cells into ``errors``."""
    encoded = pc.dictionary_encode(array)
    distinct = encoded.dictionary
    done = fast(distinct).to_pylist() if fast is not None else [None] * len(distinct)
    bad: dict[int, str] = {}
    for index, raw in enumerate(distinct.to_pylist()):
        if done[index] is not None or raw is None or raw.strip() in values.BLANKS:
            continue
        try:
            done[index] = orjson.dumps(convert(raw)).decode()
        except values.CellError as exc:
            bad[index] = str(exc)
    indices = encoded.indices
    if bad:
        hits = pc.indices_nonzero(pc.is_in(indices, value_set=pa.array(list(bad), type=indices.type)))
        for position, index in zip(hits.to_pylist(), pc.take(indices, hits).to_pylist(), strict=True):
            errors.setdefault(position, []).append((header, name, bad[index]))
    fragment = pc.binary_join_element_wise(orjson.dumps(name).decode() + ":", pa.array(done, pa.string()), "")
    return pc.take(fragment, indices)


def _keys(raw: pa.Array) -> list[str]:
    """``values.code`` of every key cell ('' when blank): plain ones in bulk, the rest one by one."""
    trimmed = pc.utf8_trim(raw, " ")
    plain = pc.and_(pc.match_substring_regex(raw, _PLAIN_CODE),  # NULL, None…: blank, values.is_blank says
                    pc.invert(pc.is_in(trimmed, value_set=pa.array(sorted(values.BLANKS)))))
    fast = pc.utf8_upper(trimmed).to_pylist()
    out = []
    for key, is_plain, cell in zip(fast, plain.to_pylist(), raw.to_pylist(), strict=True):
        if is_plain:
            out.append(key)
        else:
            out.append("" if values.is_blank(cell) else values.code(cell))
    return out


def read_columns(p: Plan) -> Columns | None:
    """The plan's CSV read column by column, or ``None`` when row numbers would not stay exact."""
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
    keys = _keys(read.column(names[folded(p.source.mapping.key)]).combine_chunks())
    kinds = {c.field: c for c in p.source.columns}
    errors: Errors = {}
    fragments = []
    for _, header_name, name, convert in p.columns:
        column = kinds[name]
        fast = bulk(column.kind, column.unit, column.date_format)
        array = read.column(names[folded(header_name)]).combine_chunks()
        fragments.append(_fragments(array, convert, fast, header_name, name, errors))
    joined = pc.binary_join_element_wise(*fragments, ",", null_handling="skip") if fragments else \
        pa.array([""] * read.num_rows, pa.string())
    facts = pc.binary_join_element_wise("{", joined, "}", "").to_pylist()
    return Columns(table.header_row + 1, keys, facts, errors)

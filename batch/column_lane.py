"""The column lane: a CSV chunk's plain rows go from their cells to the columnar frames in Polars.

The usual batch path builds a dict record per enterprise, validates it into a ``Profile`` (pydantic),
reads the frames off the profiles and dumps each profile to JSON for the registry: about three quarters
of a worker's time. Most rows of a registry are written plainly: canonical digits, dates
``YYYY-MM-DD``, ``true``/``false`` or ``是``/``否``, allowed words, text without spaces at its ends or
characters JSON must escape. For those rows every check of the model can be made on whole columns, the
facts read straight off the cells and the profile's JSON written by concatenation.

A row takes the lane only when everything about it is plain (``PlainRules``): its own cells and every
child row's. Everything else (a repeated code, a row or child row that could not be read, a stray
reported on it, too many items, any cell the lane does not recognise as plain, a hire not hired after
birth) goes the usual way, record by record, so its rejection or its result is what it always was. What
the lane builds is what the usual path builds, byte for byte (tests/batch/test_column_lane.py compares
every chunk outcome both ways).
"""

from __future__ import annotations

import datetime as dt
import os
import typing
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Any

import polars as pl
from pydantic import BaseModel

from batch.csv_index import ENTERPRISES, Gathered, record_at
from batch.schema import KEY, cells_unflattener
from engine import credit_code
from engine.annotations import bare_type, scalar_fields
from engine.columnar.evaluate import item_dumps
from engine.columnar.frames import EMPTY, Frames, enterprise_schema, filled_items, industry_levels_of, item_schema
from engine.facts import INDUSTRY_LEVELS_NAMES, ITEM_LISTS, FactPlan, fact_field, is_money_field
from engine.limits import MAX_ITEMS_PER_LIST
from engine.profile import Headcount, Money, Months, Profile

# HUIQI_COLUMN_LANE=0: every row the usual way, to compare or debug (read once per process; tests switch it here)
ENABLED = os.environ.get("HUIQI_COLUMN_LANE", "1") != "0"

# Text the model keeps as written and JSON writes as is: no control character, quote or backslash
# (JSON escapes them), no white space at either end (the model strips it; this class holds every
# character Python's str.strip removes, and a few more).
_EDGE_SPACE = r"[\s\x1c-\x1f\x85\xa0\u1680\u180e\u2000-\u200f\u2028\u2029\u202f\u205f\u3000\ufeff]"
_PLAIN_TEXT = r'^[^\x00-\x1f\x7f-\x9f"\\]+$'
_COUNT = r"^(0|[1-9][0-9]{0,7})$"  # up to 8 digits: every bound below is within
_MONEY = r"^(0|[1-9][0-9]{0,14})(\.[0-9]{1,2})?$"  # what Decimal writes back the same (no leading zero)
_DATE = r"^(19|20)[0-9]{2}-[0-9]{2}-[0-9]{2}$"  # a narrower range than the model's: the rest goes the usual way
POSITION = "\x00position"  # internal columns: no CSV header names them
ITEM_E = "\x00e"
JSON = "\x00json"
NAME = "\x00name"
_TRUE = ("true", "是")
_BOOLEAN = ("true", "false", "是", "否")


@dataclass(frozen=True)
class Cell:
    """How one column of a CSV file is read in the lane: ``kind`` is one of text, words (an allowed set),
    count, money, date, boolean; ``code`` is the credit code."""

    path: str  # the field's dotted path inside its model
    kind: str
    words: tuple[str, ...] = ()
    max_length: int | None = None
    pattern: str | None = None
    upper: int | None = None  # counts: the largest allowed

    def plain(self, cell: pl.Expr) -> pl.Expr:
        """Whether a (non-empty) cell is written plainly enough for the lane."""
        if self.kind == "words":
            return cell.is_in(self.words)
        if self.kind == "boolean":
            return cell.is_in(_BOOLEAN)
        if self.kind == "count":
            return cell.str.contains(_COUNT) & (cell.cast(pl.Int64, strict=False) <= self.upper)
        if self.kind == "money":
            return cell.str.contains(_MONEY)
        if self.kind == "date":
            return cell.str.contains(_DATE) & cell.str.to_date("%Y-%m-%d", strict=False).is_not_null()
        ok = cell.str.contains(_PLAIN_TEXT) & ~cell.str.contains(f"^{_EDGE_SPACE}|{_EDGE_SPACE}$")
        if self.max_length is not None:
            ok &= cell.str.len_chars() <= self.max_length
        if self.pattern is not None:
            ok &= cell.str.contains(self.pattern)
        return ok

    def fact(self, cell: pl.Expr) -> pl.Expr:
        """The fact ``engine.facts`` makes of the field: dates YYYYMMDD, money integer fen."""
        if self.kind == "boolean":
            return pl.when(cell.is_null()).then(None).otherwise(cell.is_in(_TRUE))
        if self.kind == "count":
            return cell.cast(pl.Int64)
        if self.kind == "date":
            return cell.str.replace_all("-", "").cast(pl.Int64)
        if self.kind == "money":
            whole = cell.str.extract(r"^([0-9]+)", 1).cast(pl.Int64)
            cents = cell.str.extract(r"\.([0-9]+)$", 1).str.pad_end(2, "0").cast(pl.Int64).fill_null(0)
            return whole * 100 + cents if is_money_field(self.path) else whole
        return cell

    def json(self, cell: pl.Expr) -> pl.Expr:
        """The value as ``model_dump_json`` writes it (null: the field is left out)."""
        if self.kind == "boolean":
            return pl.when(cell.is_null()).then(None).when(cell.is_in(_TRUE)).then(pl.lit("true")).otherwise(
                pl.lit("false"))
        if self.kind == "count":
            return cell
        return pl.lit('"') + cell + pl.lit('"')


def _cell(path: str, annotation: Any, info: Any) -> Cell | None:
    """The lane's reading of a model field, or None where the lane does not read it (the cell must be empty)."""
    inner = [a for a in typing.get_args(annotation) if a is not type(None)]
    declared = inner[0] if len(inner) == 1 else annotation
    bare = bare_type(annotation)
    if declared is Months:
        return Cell(path, "count", upper=1200)
    if declared is Headcount:
        return Cell(path, "count", upper=10_000_000)
    if declared is Money:
        return Cell(path, "money")
    if typing.get_origin(bare) is typing.Literal and all(type(w) is str for w in typing.get_args(bare)):
        return Cell(path, "words", words=tuple(typing.get_args(bare)))
    if bare is bool and declared is bool:
        return Cell(path, "boolean")
    if bare is dt.date and declared is dt.date:
        return Cell(path, "date")
    if bare is str and declared is str:
        lengths = [m.max_length for m in info.metadata if type(m).__name__ == "MaxLen"]
        patterns = [m.pattern for m in info.metadata if getattr(m, "pattern", None)]
        if len(lengths) + len(patterns) == len(info.metadata):
            return Cell(path, "text", max_length=min(lengths, default=None),
                        pattern=patterns[0] if patterns else None)
    return None  # e.g. the credit code (checked on its own) or a type the lane does not know


@cache
def _model(table: str) -> type[BaseModel]:
    if table == ENTERPRISES:
        return Profile
    return bare_type(typing.get_args(bare_type(Profile.model_fields[table].annotation))[0])


# Validators written on the models that the lane checks in columns (``_plain_rows``); a field with any other
# validator, or a model with a model validator, is not read by the lane (its rows go the usual way).
CHECKED_VALIDATORS = frozenset({("Hire", "_hired_after_birth")})


@cache
def model_cells(table: str) -> dict[str, Cell | None]:
    """Every scalar field path of the table's model -> how the lane reads it."""
    unchecked = _unchecked(_model(table))
    return {path: None if path in unchecked else _cell(path, info.annotation, info)
            for path, info in scalar_fields(_model(table))}


def _unchecked(model: type[BaseModel], prefix: str = "") -> set[str]:
    """The field paths of ``model`` (nested models too) that carry a validator the lane does not check."""
    decorators = model.__pydantic_decorators__
    if decorators.model_validators:
        return {path for path, _ in scalar_fields(model, prefix)}
    out = {f"{prefix}{field}" for name, found in decorators.field_validators.items()
           if (model.__name__, name) not in CHECKED_VALIDATORS for field in found.info.fields}
    for name, info in model.model_fields.items():
        bare = bare_type(info.annotation)
        if isinstance(bare, type) and issubclass(bare, BaseModel):
            out |= _unchecked(bare, f"{prefix}{name}.")
    return out


# --- one file's rows as columns -----------------------------------------------------------

def _text_frame(keys: tuple[str, ...], rows: Sequence[Sequence[str]]) -> pl.DataFrame:
    """The cells as string columns named by their header key (empty cells null)."""
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in keys]
    return pl.DataFrame([pl.Series(key, values, dtype=pl.String) for key, values in zip(keys, columns, strict=True)]
                        ).with_columns(pl.all().replace("", None))


def _plain_rows(table: str, keys: tuple[str, ...], frame: pl.DataFrame) -> pl.Series:
    """Per row: whether every cell is plain (unknown columns empty, and in the enterprises file, a canonical
    credit code)."""
    cells = model_cells(table)
    checks: list[pl.Expr] = []
    for key in keys:
        column = pl.col(key)
        if key == KEY:
            if table == ENTERPRISES:
                checks.append(column.map_elements(credit_code.canonical, return_dtype=pl.Boolean,
                                                  skip_nulls=False).fill_null(False))
            continue  # a child row's code only says whose it is
        rule = cells.get(key)
        checks.append(column.is_null() | (rule.plain(column) if rule is not None else pl.lit(False)))
    if table == "hires" and {"birth_date", "hired_on"} <= set(keys):  # Hire._hired_after_birth
        checks.append(pl.col("birth_date").is_null() | pl.col("hired_on").is_null()
                      | (pl.col("hired_on").str.to_date("%Y-%m-%d", strict=False)
                         > pl.col("birth_date").str.to_date("%Y-%m-%d", strict=False)).fill_null(False))
    if not checks:
        return pl.Series("plain", [True] * frame.height, dtype=pl.Boolean)
    return frame.select(pl.all_horizontal(checks).fill_null(False).alias("plain")).to_series()


def _json_fields(model: type[BaseModel], cells: dict[str, Cell | None], keys: set[str],
                 prefix: str = "") -> pl.Expr:
    """The ``"name":value`` pairs ``model_dump_json(exclude_none=True)`` writes for the model's scalar
    fields, comma-separated, as a text column; null when there are none (lists left out)."""
    parts: list[pl.Expr] = []
    for name, info in model.model_fields.items():
        path = f"{prefix}{name}"
        bare = bare_type(info.annotation)
        if typing.get_origin(bare) is list:
            continue
        if isinstance(bare, type) and issubclass(bare, BaseModel):
            inner = _json_fields(bare, cells, keys, f"{path}.")
            parts.append(pl.lit(f'"{name}":{{') + inner + pl.lit("}"))  # null (left out) when inner is
            continue
        if path not in keys:
            continue
        rule = _CODE if path == KEY else cells[path]
        assert rule is not None
        parts.append(pl.lit(f'"{name}":') + rule.json(pl.col(path)))
    if not parts:
        return pl.lit(None, dtype=pl.String)
    joined = pl.concat_str(parts, separator=",", ignore_nulls=True)
    return pl.when(joined == "").then(None).otherwise(joined)


_CODE = Cell(KEY, "text")  # the credit code, checked on its own, is written as text


def _json_object(model: type[BaseModel], cells: dict[str, Cell | None], keys: set[str],
                 lists: Sequence[pl.Expr] = ()) -> pl.Expr:
    """``model_dump_json(exclude_none=True)`` of a model, its lists (``"name":[...]``, in field order) given."""
    inner = pl.concat_str([_json_fields(model, cells, keys), *lists], separator=",", ignore_nulls=True)
    return pl.lit("{") + inner + pl.lit("}")


def _facts(table: str, keys: tuple[str, ...], schema: dict[str, pl.DataType]) -> list[pl.Expr]:
    """The fact columns of ``schema`` that come from the file's cells (absent columns: null)."""
    cells = model_cells(table)
    by_attribute = {fact_field(path): (path, rule) for path, rule in cells.items() if rule is not None}
    out = []
    for attribute, kind in schema.items():
        found = by_attribute.get(attribute)
        if found is None or found[0] not in keys:
            out.append(pl.lit(None, dtype=kind).alias(attribute))
        else:
            out.append(found[1].fact(pl.col(found[0])).cast(kind).alias(attribute))
    return out


# --- a chunk --------------------------------------------------------------------------------

@dataclass
class Lane:
    """The enterprises of a chunk that the lane took: positions, frames pieces and what the lists need."""

    positions: list[int]  # chunk positions, in order
    ent: pl.DataFrame  # e (by lane order), the enterprise facts, name, district, zone, json
    items: dict[str, pl.DataFrame]  # per list present: e, i, item facts, EMPTY (lane order)
    counts: dict[str, list[int]]  # per list present: items per lane enterprise


def take(gathered: Gathered, as_of: dt.date, plan: FactPlan) -> Lane:
    """The plain enterprises of the chunk, in columns."""
    tables = [t for t in gathered.tables if t in ITEM_LISTS]  # every child file is a list's (batch.schema)
    candidates, rows_of = _candidates(gathered)
    ent_keys = gathered.keys[ENTERPRISES]
    ent_text = _text_frame(ent_keys, [gathered.cells[p] for p in candidates]).with_columns(
        pl.Series(POSITION, candidates, dtype=pl.Int64))
    plain = set(ent_text.filter(_plain_rows(ENTERPRISES, ent_keys, ent_text)).get_column(POSITION).to_list())
    child_text: dict[str, pl.DataFrame] = {}
    for table in tables:  # an enterprise is plain only with every child row plain
        found = [(p, cells) for p, cells in rows_of[table] if p in plain]
        frame = _text_frame(gathered.keys[table], [cells for _, cells in found]).with_columns(
            pl.Series(POSITION, [p for p, _ in found], dtype=pl.Int64))
        plain.difference_update(frame.filter(~_plain_rows(table, gathered.keys[table], frame))
                                .get_column(POSITION).to_list())
        child_text[table] = frame
    positions = [p for p in candidates if p in plain]
    today = as_of.year * 10_000 + as_of.month * 100 + as_of.day
    ent_text = ent_text.filter(pl.col(POSITION).is_in(positions))
    e_column = pl.Series("e", range(len(positions)), dtype=pl.Int64)
    lane_of = {p: e for e, p in enumerate(positions)}
    items: dict[str, pl.DataFrame] = {}
    counts: dict[str, list[int]] = {}
    item_json: dict[str, pl.DataFrame] = {}
    for table in tables:
        frame = _numbered(child_text[table].filter(pl.col(POSITION).is_in(positions)), lane_of, counts, table)
        items[table] = filled_items(_item_facts(frame, table, gathered.keys[table], today), plan.fills.get(table, ()))
        texts = frame.select(pl.col("e").alias(ITEM_E), _json_object(_model(table), model_cells(table),
                                                                      set(gathered.keys[table])).alias(_listed(table)))
        item_json[table] = texts.group_by(ITEM_E, maintain_order=True).agg(pl.col(_listed(table)).str.join(","))
    ent = _enterprise_frame(ent_text, ent_keys, e_column, today)
    return Lane(positions, pl.concat([ent, _registry_text(ent_text.with_columns(e_column.alias(ITEM_E)), ent_keys,
                                                          item_json)], how="horizontal"), items, counts)


def _candidates(gathered: Gathered) -> tuple[list[int], dict[str, list[tuple[int, list[str]]]]]:
    """The enterprises that may take the lane before their cells are looked at (readable, with a code, no
    stray reported on them, every child row readable, no list too long), and per child file the rows of
    those enterprises: (position, cells), in the order the usual way lists them."""
    tables = list(gathered.tables)
    rows_of: dict[str, list[tuple[int, list[str]]]] = {t: [] for t in tables}
    if any(t not in ITEM_LISTS for t in tables):
        return [], rows_of  # a child file the model does not know: the usual way reports it
    out: list[int] = []
    for p, cells in enumerate(gathered.cells):
        if type(cells) is not list or not gathered.enterprises[p][0] or p in gathered.strays:  # noqa: E721
            continue
        mine = gathered.children.get(p)
        if mine:
            if not _readable(mine):
                continue
            for table, rows in mine.items():
                found = rows_of[table]
                for _, child in rows:
                    found.append((p, child))
        out.append(p)
    return out, rows_of


def _numbered(frame: pl.DataFrame, lane_of: dict[int, int], counts: dict[str, list[int]],
              table: str) -> pl.DataFrame:
    """A child file's lane rows with their enterprise ``e`` and their place ``i`` in its list; the
    number of items of each lane enterprise goes to ``counts[table]``."""
    owners = [lane_of[p] for p in frame.get_column(POSITION).to_list()]
    tally = [0] * len(lane_of)
    index = []
    for e in owners:
        index.append(tally[e])
        tally[e] += 1
    counts[table] = tally
    return frame.with_columns(pl.Series("e", owners, dtype=pl.Int64), pl.Series("i", index, dtype=pl.Int64))


def _item_facts(frame: pl.DataFrame, table: str, keys: tuple[str, ...], today: int) -> pl.DataFrame:
    """The item frame of one list as ``frames_of`` builds it, before the worked-out fields."""
    schema = item_schema(table)
    known = [k for k in keys if k != KEY and model_cells(table).get(k) is not None]
    return frame.select(
        "e", "i", *_facts(table, keys, {a: k for a, k in schema.items() if a != "as_of"}),
        pl.lit(today, dtype=pl.Int64).alias("as_of"),
        (pl.all_horizontal([pl.col(k).is_null() for k in known]) if known else pl.lit(True)).alias(EMPTY),
    )


def _registry_text(ent_text: pl.DataFrame, keys: tuple[str, ...], item_json: dict[str, pl.DataFrame]) -> pl.DataFrame:
    """Per lane enterprise its name and ``Profile.model_dump_json(exclude_none=True)``: the scalar fields,
    then each list present as ``"name":[...]`` (``item_json``: per list the items' JSON joined, by ``ITEM_E``)."""
    for grouped in item_json.values():  # each list's items joined, per enterprise (none: null)
        ent_text = ent_text.join(grouped, on=ITEM_E, how="left", maintain_order="left")
    lists = [pl.lit(f'"{name}":[') + pl.col(_listed(name)).fill_null("") + pl.lit("]")
             for name in Profile.model_fields if name in item_json]
    return ent_text.with_columns(  # with_columns: literals as tall as the frame
        _json_object(Profile, model_cells(ENTERPRISES), set(keys), lists).alias(JSON),
        pl.col("name").alias(NAME) if "name" in keys else pl.lit(None, dtype=pl.String).alias(NAME),
    ).select(pl.col(JSON).alias("json"), pl.col(NAME).alias("name"))


def _listed(table: str) -> str:
    """The internal column of a list's items as JSON (no CSV header can name it)."""
    return f"\x00{table}"


def _readable(children: dict[str, list[tuple[int, Any]]]) -> bool:
    """Whether every child row could be read and no list is too long (else the usual way says so)."""
    for rows in children.values():
        if len(rows) > MAX_ITEMS_PER_LIST:
            return False
        for _, cells in rows:
            if type(cells) is str:  # noqa: E721 -- a reason, not cells
                return False
    return True


def _enterprise_frame(text: pl.DataFrame, keys: tuple[str, ...], e: pl.Series, today: int) -> pl.DataFrame:
    schema = enterprise_schema()
    plain = {a: k for a, k in schema.items() if a not in (*INDUSTRY_LEVELS_NAMES, "as_of")}
    frame = text.with_columns(*_facts(ENTERPRISES, keys, plain)).select(*plain)  # literals as tall as the frame
    codes = text.get_column("industry_code").to_list() if "industry_code" in keys else [None] * text.height
    levels = [industry_levels_of(code) for code in codes]
    return frame.with_columns(
        e,
        *(pl.Series(name, [found.get(name) for found in levels], dtype=schema[name]) for name in INDUSTRY_LEVELS_NAMES),
        pl.lit(today, dtype=pl.Int64).alias("as_of"),
    ).select("e", *schema)


# --- the lane and the usual way together ------------------------------------------------------

def combined(lane: Lane, lane_e: list[int], usual: Frames, usual_e: list[int], n: int) -> Frames:
    """One set of frames for the chunk's valid enterprises in chunk order: the lane's and the usual way's
    (``lane_e``, ``usual_e``: where each of their enterprises stands among all ``n``)."""
    lane_map = pl.Series("e", lane_e, dtype=pl.Int64)
    usual_map = pl.Series("e", usual_e, dtype=pl.Int64)
    schema = enterprise_schema()

    def placed(frame: pl.DataFrame, mapping: pl.Series) -> pl.DataFrame:
        return frame.with_columns(mapping.gather(frame.get_column("e")).alias("e"))

    ent = pl.concat([placed(lane.ent.select("e", *schema), lane_map), placed(usual.ent, usual_map)]).sort("e")
    items: dict[str, pl.DataFrame] = {}
    listed: dict[str, pl.Series] = {}
    for name in ITEM_LISTS:
        mine = lane.items.get(name)
        if mine is None:
            mine = usual.items[name].clear()
        items[name] = pl.concat([placed(mine, lane_map), placed(usual.items[name], usual_map)]).sort(
            ["e", "i"], maintain_order=True)
        counts: list[int | None] = [None] * n
        for e, value in zip(usual_e, usual.listed[name].to_list(), strict=True):
            counts[e] = value
        for e, value in zip(lane_e, lane.counts.get(name, [None] * len(lane_e)), strict=True):
            counts[e] = value
        listed[name] = pl.Series(name, counts, dtype=pl.Int64)
    return Frames(n, ent, items, listed)


class Profiles(Sequence[Any]):
    """The chunk's valid enterprises as profiles, for the rare reader that needs one (an amount that reads
    the items): the usual way's are at hand, the lane's are built on first use."""

    def __init__(self, gathered: Gathered, at: list[tuple[int, Profile | None]]) -> None:
        self._gathered = gathered
        self._at = at  # per enterprise: (chunk position, profile or None for the lane)
        self._made: dict[int, Profile] = {}

    def __len__(self) -> int:
        return len(self._at)

    def __getitem__(self, e: Any) -> Any:
        if isinstance(e, slice):
            return [self[i] for i in range(*e.indices(len(self)))]
        position, profile = self._at[e]
        if profile is not None:
            return profile
        made = self._made.get(e)
        if made is None:
            from engine import parse_profile

            made = self._made[e] = parse_profile(record_at(self._gathered, position).data)
        return made

    def __iter__(self) -> Iterator[Any]:
        return (self[e] for e in range(len(self)))

    def listed(self, e: int, list_name: str) -> list[dict[str, Any]] | None:
        """An enterprise's items as ``item.model_dump(exclude_none=True)`` gives them (the amounts read
        them): a lane enterprise's straight from its plain cells, without building its profile."""
        position, profile = self._at[e]
        if profile is not None:
            return item_dumps(profile, list_name)
        if list_name not in self._gathered.tables:
            return None  # no such file: the list is unknown
        rows = (self._gathered.children.get(position) or {}).get(list_name) or []
        unflatten = cells_unflattener(f"{list_name}.", self._gathered.keys[list_name])
        cells = model_cells(list_name)
        out = []
        for _, row in rows:
            item = unflatten(row)
            item.pop(KEY, None)
            out.append(_typed(item, cells, ""))
        return out


def _typed(values: dict[str, Any], cells: dict[str, Cell | None], prefix: str) -> dict[str, Any]:
    """Plain cell texts as the model's values (money ``Decimal``, dates, counts, booleans)."""
    out: dict[str, Any] = {}
    for key, value in values.items():
        if type(value) is dict:  # noqa: E721 -- a nested model
            out[key] = _typed(value, cells, f"{prefix}{key}.")
            continue
        rule = cells[f"{prefix}{key}"]
        assert rule is not None  # a plain row has nothing in the columns the lane does not read
        if rule.kind == "money":
            value = Decimal(value)
        elif rule.kind == "date":
            value = dt.date.fromisoformat(value)
        elif rule.kind == "count":
            value = int(value)
        elif rule.kind == "boolean" and type(value) is str:  # noqa: E721 -- 是/否 are already booleans
            value = value == "true"
        out[key] = value
    return out


@dataclass(frozen=True, slots=True)
class LaneEnterprise:
    """A lane enterprise as the lists and the registry read it: what they read of a ``Profile``."""

    credit_code: str
    name: str | None
    district: str | None
    zone: str | None
    json: str  # model_dump_json(exclude_none=True) of its profile

    def model_dump_json(self, exclude_none: bool = True) -> str:
        assert exclude_none  # the only dump the batch makes
        return self.json


def enterprises_of(lane: Lane, gathered: Gathered) -> list[LaneEnterprise]:
    """The lane's enterprises in lane order."""
    frame = lane.ent
    return [LaneEnterprise(gathered.enterprises[p][0], name, district, zone, json)
            for p, name, district, zone, json in zip(
                lane.positions, frame.get_column("name").to_list(), frame.get_column("district").to_list(),
                frame.get_column("zone").to_list(), frame.get_column("json").to_list(), strict=True)]

"""The facts of many enterprises as Polars frames: one row per enterprise, one frame per item list.

The columns are the fact attributes exactly as ``engine.facts`` builds them (dates YYYYMMDD, money
integer fen, nested fields joined with ``__``, the industry code split by level), typed from the
``Profile`` model. A null is an absent fact (unknown). ``e`` numbers the enterprises from 0 and
``i`` numbers the items of one list of one enterprise, in list order.
"""

from __future__ import annotations

import datetime as dt
import typing
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cache, lru_cache
from operator import itemgetter
from typing import Any

import polars as pl
from pydantic import BaseModel

from engine.annotations import bare_type, scalar_fields
from engine.facts import (
    ENTERPRISE_SKIP,
    INDUSTRY_LEVELS_NAMES,
    ITEM_LISTS,
    NO_PLAN,
    FactPlan,
    build_facts,
    fact_field,
    industry_levels,
    is_money_field,
)
from engine.profile import Profile


def _dtype(annotation: Any) -> pl.DataType:
    if typing.get_origin(annotation) is typing.Literal:
        annotation = type(typing.get_args(annotation)[0])
    if annotation is bool:
        return pl.Boolean()
    if annotation in (int, Decimal, dt.date):  # dates YYYYMMDD, money fen
        return pl.Int64()
    return pl.String()


def _attributes(model: type[BaseModel], prefix: str = "") -> dict[str, pl.DataType]:
    return {attribute: kind for attribute, (kind, _) in _paths(model, prefix).items()}


def _paths(model: type[BaseModel], prefix: str = "") -> dict[str, tuple[pl.DataType, str]]:
    """Fact attribute -> (column type, dotted profile path), for the scalar fields of ``model``."""
    return {fact_field(path): (_dtype(bare_type(info.annotation)), path) for path, info in scalar_fields(model, prefix)}


@cache
def enterprise_schema() -> dict[str, pl.DataType]:
    schema = {name: kind for name, kind in _attributes(Profile).items() if name not in ENTERPRISE_SKIP}
    schema.pop("industry_code")
    schema.update(dict.fromkeys(INDUSTRY_LEVELS_NAMES, pl.String()))
    schema["as_of"] = pl.Int64()
    return schema


@cache
def item_schema(list_name: str) -> dict[str, pl.DataType]:
    model = bare_type(typing.get_args(bare_type(Profile.model_fields[list_name].annotation))[0])
    return {**_attributes(model), "as_of": pl.Int64()}


EMPTY = "@empty"  # an item column: nothing at all is known of the item (it is asked for as a whole)


@dataclass(frozen=True)
class Frames:
    """The facts of ``n`` enterprises: ``ent`` (columns ``e`` and the attributes) and per list
    ``items[list]`` (``e``, ``i``, the item attributes, ``EMPTY``), plus ``listed[list]``: per
    enterprise the number of items, null when the list is unknown."""

    n: int
    ent: pl.DataFrame
    items: dict[str, pl.DataFrame]
    listed: dict[str, pl.Series]


def _column(rows: Sequence[dict[str, Any]], name: str, kind: pl.DataType) -> pl.Series:
    return pl.Series(name, [row.get(name) for row in rows], dtype=kind)


def _converter(path: str, kind: Any) -> Callable[[Any], Any] | None:
    """How a model value of the field at ``path`` becomes a fact (``engine.facts``): dates YYYYMMDD,
    money integer fen, other decimals integers; ``None``: the value is the fact."""
    if kind is dt.date:
        return lambda day: day.year * 10_000 + day.month * 100 + day.day
    if kind is Decimal:
        return (lambda money: int(money * 100)) if is_money_field(path) else int
    return None


@dataclass(frozen=True)
class _Reader:
    """One fact column read off model objects: its attribute, type, field path and conversion."""

    attribute: str
    kind: pl.DataType
    parts: tuple[str, ...]
    convert: Callable[[Any], Any] | None

    def values(self, fields: Sequence[dict[str, Any]]) -> list[Any]:
        """The column's values from each object's ``__dict__`` (None where absent)."""
        *parents, leaf = self.parts
        for parent in parents:  # nested models: one dict lookup per level, absent parents stay None
            fields = [None if f is None else (f[parent].__dict__ if f[parent] is not None else None)
                      for f in fields]  # type: ignore[assignment]
        # most fields have no parent: one C-level lookup per object
        values = [None if f is None else f[leaf] for f in fields] if parents else list(map(itemgetter(leaf), fields))
        convert = self.convert
        if convert is None:
            return values
        return [None if value is None else convert(value) for value in values]


def _readers_of(model: type[BaseModel]) -> list[_Reader]:
    out: list[_Reader] = []
    for path, info in scalar_fields(model):
        annotation = bare_type(info.annotation)
        leaf = type(typing.get_args(annotation)[0]) if typing.get_origin(annotation) is typing.Literal else annotation
        out.append(_Reader(fact_field(path), _dtype(annotation), tuple(path.split(".")), _converter(path, leaf)))
    return out


@lru_cache(maxsize=4096)
def industry_levels_of(code: str | None) -> dict[str, str]:
    """The GB/T 4754 levels of a code (a registry repeats a few hundred codes)."""
    return industry_levels(code) if code is not None else {}


@cache
def _readers(list_name: str | None) -> tuple[_Reader, ...]:
    """The fact columns of the enterprise (``None``) or of one list's items, in schema order."""
    if list_name is None:
        schema = enterprise_schema()
        found = {r.attribute: r for r in _readers_of(Profile)}
    else:
        schema = item_schema(list_name)
        model = bare_type(typing.get_args(bare_type(Profile.model_fields[list_name].annotation))[0])
        found = {r.attribute: r for r in _readers_of(model)}
    return tuple(found[a] for a in schema if a in found)


def filled_items(frame: pl.DataFrame, fills: Sequence[tuple[str, tuple[str, ...]]]) -> pl.DataFrame:
    """Item fields worked out from others where the item does not give them: the smallest input,
    once every input is known (``engine.facts._filled``, rules/derived/item_fields.yaml)."""
    for attribute, inputs in fills:
        known = pl.all_horizontal([pl.col(name).is_not_null() for name in inputs])
        frame = frame.with_columns(
            pl.when(pl.col(attribute).is_null() & known).then(pl.min_horizontal(*inputs))
            .otherwise(pl.col(attribute)).alias(attribute))
    return frame


def frames_of(profiles: Sequence[Profile], as_of: dt.date, plan: FactPlan = NO_PLAN) -> Frames:
    """The same frames as ``build_frames``, read straight off validated profiles (no dump, no
    fact dicts: a batch builds them for every enterprise). ``plan``: ``RuleBook.fact_plan``."""
    today = as_of.year * 10_000 + as_of.month * 100 + as_of.day
    n = len(profiles)
    fields = [profile.__dict__ for profile in profiles]  # pydantic keeps a model's fields in __dict__
    columns = {"e": pl.Series("e", range(n), dtype=pl.Int64)}
    schema = enterprise_schema()
    for reader in _readers(None):
        columns[reader.attribute] = pl.Series(reader.attribute, reader.values(fields), dtype=reader.kind)
    levels = [industry_levels_of(code) for code in map(itemgetter("industry_code"), fields)]
    for name in INDUSTRY_LEVELS_NAMES:
        columns[name] = pl.Series(name, [found.get(name) for found in levels], dtype=schema[name])
    columns["as_of"] = pl.Series("as_of", [today] * n, dtype=pl.Int64)
    items: dict[str, pl.DataFrame] = {}
    listed: dict[str, pl.Series] = {}
    for list_name in ITEM_LISTS:
        lists = list(map(itemgetter(list_name), fields))
        owners: list[int] = []
        indexes: list[int] = []
        objects: list[Any] = []
        for e, found_items in enumerate(lists):
            if found_items:
                owners += [e] * len(found_items)
                indexes += range(len(found_items))
                objects += found_items
        item_fields = [item.__dict__ for item in objects]
        item_columns = {"e": pl.Series("e", owners, dtype=pl.Int64), "i": pl.Series("i", indexes, dtype=pl.Int64)}
        for reader in _readers(list_name):
            item_columns[reader.attribute] = pl.Series(reader.attribute, reader.values(item_fields), dtype=reader.kind)
        item_columns["as_of"] = pl.Series("as_of", [today] * len(objects), dtype=pl.Int64)
        ordered = [item_columns[name] for name in ("e", "i", *item_schema(list_name))]
        empty = [not any(value is not None for value in f.values()) for f in item_fields]
        ordered.append(pl.Series(EMPTY, empty, dtype=pl.Boolean))
        items[list_name] = filled_items(pl.DataFrame(ordered), plan.fills.get(list_name, ()))
        listed[list_name] = pl.Series(list_name, [None if found is None else len(found) for found in lists],
                                      dtype=pl.Int64)
    return Frames(n, pl.DataFrame([columns[name] for name in ("e", *schema)]), items, listed)


def build_frames(dumps: Sequence[dict[str, Any]], as_of: dt.date, plan: FactPlan = NO_PLAN) -> Frames:
    """Frames from ``Profile.model_dump(exclude_none=True)`` dumps, through ``engine.facts`` (the
    reference ``frames_of`` is tested against)."""
    ents: list[dict[str, Any]] = []
    items: dict[str, list[dict[str, Any]]] = {name: [] for name in ITEM_LISTS}
    for key, dump in enumerate(dumps):
        facts = build_facts(dump, as_of, key, plan)
        ents.append(facts[0])
        for fact in facts[1:]:
            fact[EMPTY] = not dump[fact["t"]][fact["i"]]
            items[fact["t"]].append(fact)
    ent = pl.DataFrame([pl.Series("e", range(len(dumps)), dtype=pl.Int64),
                        *(_column(ents, name, kind) for name, kind in enterprise_schema().items())])
    item_frames = {
        name: pl.DataFrame([_column(rows, "e", pl.Int64()), _column(rows, "i", pl.Int64()),
                            *(_column(rows, a, kind) for a, kind in item_schema(name).items()),
                            _column(rows, EMPTY, pl.Boolean())])
        for name, rows in items.items()
    }
    listed = {name: pl.Series(name, [None if dump.get(name) is None else len(dump[name]) for dump in dumps],
                              dtype=pl.Int64) for name in ITEM_LISTS}
    return Frames(len(dumps), ent, item_frames, listed)

"""The facts of many enterprises as Polars frames: one row per enterprise, one frame per item list.

The columns are the fact attributes exactly as ``engine.facts`` builds them (dates YYYYMMDD, money
integer fen, nested fields joined with ``__``, the industry code split by level), typed from the
``Profile`` model. A null is an absent fact (unknown). ``e`` numbers the enterprises from 0 and
``i`` numbers the items of one list of one enterprise, in list order.
"""

from __future__ import annotations

import datetime as dt
import typing
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cache, lru_cache
from typing import Any

import polars as pl
from pydantic import BaseModel

from engine.annotations import bare_type
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
    out: dict[str, tuple[pl.DataType, str]] = {}
    for name, info in model.model_fields.items():
        annotation = bare_type(info.annotation)
        if typing.get_origin(annotation) is list:
            continue
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            out.update(_paths(annotation, f"{prefix}{name}."))
        else:
            out[fact_field(f"{prefix}{name}")] = (_dtype(annotation), f"{prefix}{name}")
    return out


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


def _fact_value(path: str, value: Any) -> Any:
    """A model value as ``engine.facts`` types it (dates YYYYMMDD, money fen)."""
    kind = type(value)
    if kind is dt.date:
        return value.year * 10_000 + value.month * 100 + value.day
    if kind is Decimal:
        return int(value * 100) if is_money_field(path) else int(value)
    return value


def _values(objects: Sequence[Any], path: str) -> list[Any]:
    """The value at a dotted path of each model object (None where absent), typed as a fact."""
    parts = path.split(".")
    if len(parts) == 1:  # most fields: one dict lookup per object (models keep their fields in __dict__)
        values = [obj.__dict__[path] for obj in objects]
    else:
        values = []
        for obj in objects:
            for part in parts:
                obj = obj.__dict__[part]
                if obj is None:
                    break
            values.append(obj)
    kinds = {type(value) for value in values} - {type(None)}
    if not kinds & {dt.date, Decimal}:
        return values  # str, int, bool: already as the facts carry them
    return [None if value is None else _fact_value(path, value) for value in values]


@lru_cache(maxsize=4096)
def _levels(code: str | None) -> dict[str, str]:
    """The GB/T 4754 levels of a code (a registry repeats a few hundred codes)."""
    return industry_levels(code) if code is not None else {}


@cache
def _model_paths(list_name: str | None) -> dict[str, tuple[pl.DataType, str]]:
    if list_name is None:
        return {a: v for a, v in _paths(Profile).items() if a not in ENTERPRISE_SKIP and a != "industry_code"}
    model = bare_type(typing.get_args(bare_type(Profile.model_fields[list_name].annotation))[0])
    return _paths(model)


def _filled(frame: pl.DataFrame, fills: Sequence[tuple[str, tuple[str, ...]]]) -> pl.DataFrame:
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
    columns = [pl.Series("e", range(n), dtype=pl.Int64)]
    schema = enterprise_schema()
    paths = _model_paths(None)
    codes = [profile.__dict__["industry_code"] for profile in profiles]
    levels = {name: [_levels(code).get(name) for code in codes] for name in INDUSTRY_LEVELS_NAMES}
    for attribute, kind in schema.items():
        if attribute in levels:
            values: list[Any] = levels[attribute]
        elif attribute == "as_of":
            values = [today] * n
        else:
            values = _values(profiles, paths[attribute][1])
        columns.append(pl.Series(attribute, values, dtype=kind))
    items: dict[str, pl.DataFrame] = {}
    listed: dict[str, pl.Series] = {}
    for list_name in ITEM_LISTS:
        owners: list[int] = []
        indexes: list[int] = []
        objects: list[Any] = []
        counts: list[int | None] = []
        for e, profile in enumerate(profiles):
            found_items = profile.__dict__[list_name]
            counts.append(None if found_items is None else len(found_items))
            for i, item in enumerate(found_items or ()):
                owners.append(e)
                indexes.append(i)
                objects.append(item)
        item_paths = _model_paths(list_name)
        item_columns = [pl.Series("e", owners, dtype=pl.Int64), pl.Series("i", indexes, dtype=pl.Int64)]
        for attribute, kind in item_schema(list_name).items():
            values = [today] * len(objects) if attribute == "as_of" else _values(objects, item_paths[attribute][1])
            item_columns.append(pl.Series(attribute, values, dtype=kind))
        empty = [all(value is None for value in obj.__dict__.values()) for obj in objects]
        item_columns.append(pl.Series(EMPTY, empty, dtype=pl.Boolean))
        items[list_name] = _filled(pl.DataFrame(item_columns), plan.fills.get(list_name, ()))
        listed[list_name] = pl.Series(list_name, counts, dtype=pl.Int64)
    return Frames(n, pl.DataFrame(columns), items, listed)


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

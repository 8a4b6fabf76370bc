"""The facts of many enterprises as Polars frames: one row per enterprise, one frame per item list.

The columns are the fact attributes exactly as ``engine.facts`` builds them (dates YYYYMMDD, money
integer fen, nested fields joined with ``__``, the industry code split by level), typed from the
``Profile`` model. A null is an absent fact (unknown). ``e`` numbers the enterprises from 0 and
``i`` numbers the items of one list of one enterprise, in list order.
"""

from __future__ import annotations

import datetime as dt
import types
import typing
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Any

import polars as pl
from pydantic import BaseModel

from engine.facts import ENTERPRISE_SKIP, INDUSTRY_LEVELS_NAMES, ITEM_LISTS, build_facts, fact_field
from engine.profile import Profile


def _strip(annotation: Any) -> Any:
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(args) != 1:
                return annotation
            annotation = args[0]
        else:
            return annotation


def _dtype(annotation: Any) -> pl.DataType:
    if typing.get_origin(annotation) is typing.Literal:
        annotation = type(typing.get_args(annotation)[0])
    if annotation is bool:
        return pl.Boolean()
    if annotation in (int, Decimal, dt.date):  # dates YYYYMMDD, money fen
        return pl.Int64()
    return pl.String()


def _attributes(model: type[BaseModel], prefix: str = "") -> dict[str, pl.DataType]:
    out: dict[str, pl.DataType] = {}
    for name, info in model.model_fields.items():
        annotation = _strip(info.annotation)
        if typing.get_origin(annotation) is list:
            continue
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            out.update(_attributes(annotation, f"{prefix}{name}."))
        else:
            out[fact_field(f"{prefix}{name}")] = _dtype(annotation)
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
    model = _strip(typing.get_args(_strip(Profile.model_fields[list_name].annotation))[0])
    return {**_attributes(model), "as_of": pl.Int64()}


@dataclass(frozen=True)
class Frames:
    """The facts of ``n`` enterprises: ``ent`` (columns ``e`` and the attributes) and per list
    ``items[list]`` (``e``, ``i`` and the item attributes), plus ``listed[list]``: per enterprise
    the number of items, null when the list is unknown."""

    n: int
    ent: pl.DataFrame
    items: dict[str, pl.DataFrame]
    listed: dict[str, pl.Series]


def _column(rows: Sequence[dict[str, Any]], name: str, kind: pl.DataType) -> pl.Series:
    return pl.Series(name, [row.get(name) for row in rows], dtype=kind)


def build_frames(dumps: Sequence[dict[str, Any]], as_of: dt.date) -> Frames:
    """Frames from ``Profile.model_dump(exclude_none=True)`` dumps, through ``engine.facts``."""
    ents: list[dict[str, Any]] = []
    items: dict[str, list[dict[str, Any]]] = {name: [] for name in ITEM_LISTS}
    for key, dump in enumerate(dumps):
        facts = build_facts(dump, as_of, key)
        ents.append(facts[0])
        for fact in facts[1:]:
            items[fact["t"]].append(fact)
    ent = pl.DataFrame([pl.Series("e", range(len(dumps)), dtype=pl.Int64),
                        *(_column(ents, name, kind) for name, kind in enterprise_schema().items())])
    item_frames = {
        name: pl.DataFrame([_column(rows, "e", pl.Int64()), _column(rows, "i", pl.Int64()),
                            *(_column(rows, a, kind) for a, kind in item_schema(name).items())])
        for name, rows in items.items()
    }
    listed = {name: pl.Series(name, [None if dump.get(name) is None else len(dump[name]) for dump in dumps],
                              dtype=pl.Int64) for name in ITEM_LISTS}
    return Frames(len(dumps), ent, item_frames, listed)

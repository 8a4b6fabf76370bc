"""The registry's file layout, read off the Profile model so new fields flow through.

Scalar fields of ``Profile`` are columns of ``enterprises.csv``; nested objects become dotted
columns (``insurance_months.pension``); each ``list[Model]`` field is a child file
``<field>.csv`` keyed by ``credit_code``.
"""

from __future__ import annotations

import datetime as dt
import typing
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cache, lru_cache
from itertools import compress
from typing import Any

from pydantic import BaseModel

from engine.annotations import bare_type
from engine.profile import Profile

KEY = "credit_code"
ENTERPRISES = "enterprises"


@dataclass(frozen=True)
class Column:
    path: str  # dotted
    kind: type  # str, int, Decimal, dt.date, bool
    description: str


def _scalar(annotation: Any) -> type:
    if typing.get_origin(annotation) is typing.Literal:
        return type(typing.get_args(annotation)[0])
    return annotation if annotation in (str, int, bool, Decimal, dt.date, float) else str


def _list_item(annotation: Any) -> type[BaseModel] | None:
    if typing.get_origin(annotation) is list:
        item = bare_type(typing.get_args(annotation)[0])
        if isinstance(item, type) and issubclass(item, BaseModel):
            return item
    return None


def columns(model: type[BaseModel], prefix: str = "") -> list[Column]:
    """Flat (dotted) columns of ``model``, excluding list fields."""
    out: list[Column] = []
    for name, info in model.model_fields.items():
        annotation = bare_type(info.annotation)
        if _list_item(annotation) is not None:
            continue
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            out.extend(columns(annotation, f"{prefix}{name}."))
        else:
            out.append(Column(f"{prefix}{name}", _scalar(annotation), info.description or ""))
    return out


@cache
def list_fields() -> dict[str, type[BaseModel]]:
    """Profile list fields -> item model: one child file each."""
    out = {}
    for name, info in Profile.model_fields.items():
        item = _list_item(bare_type(info.annotation))
        if item is not None:
            out[name] = item
    return out


@cache
def enterprise_columns() -> tuple[Column, ...]:
    return tuple(columns(Profile))


@cache
def child_columns(field: str) -> tuple[Column, ...]:
    return (Column(KEY, str, "所属企业的统一社会信用代码"), *columns(list_fields()[field]))


@cache
def bool_paths() -> frozenset[str]:
    paths = {c.path for c in enterprise_columns() if c.kind is bool}
    for field in list_fields():
        paths |= {f"{field}.{c.path}" for c in child_columns(field) if c.kind is bool}
    return frozenset(paths)


BOOL_WORDS = {"是": True, "否": False}


@cache
def _key_plan(prefix: str, key: str) -> tuple[tuple[str, ...], bool]:
    return tuple(key.split(".")), f"{prefix}{key}" in bool_paths()


def unflatten(row: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """{'a.b': 1, 'c': ''} -> {'a': {'b': 1}}: empty cells and None mean "unknown" and are dropped.

    ``是``/``否`` in a boolean column become true/false; everything else is left to the model.
    """
    return unflattener(prefix, tuple(row))(row)


Unflatten = Callable[[dict[str, Any]], dict[str, Any]]


@lru_cache(maxsize=128)  # bounded: Parquet rows without their unknown columns each have their own keys
def unflattener(prefix: str, keys: tuple[str, ...]) -> Unflatten:
    """``unflatten`` for rows with exactly these keys, in this order (a CSV file's header): the key
    plans are looked up once per header, not once per cell. The same dict in the same key order as
    key-by-key nesting (tests/batch/test_unflatten.py)."""
    plans = [(key, *_key_plan(prefix, key)) for key in keys]
    if all(len(parts) == 1 for _, parts, _ in plans):  # no nesting: keep the cells, then fix the booleans
        bools = frozenset(key for key, _, is_bool in plans if is_bool)

        def flat(row: dict[str, Any]) -> dict[str, Any]:
            return _yes_no({key: value for key, value in row.items() if value is not None and value != ""}, bools)
        return flat

    nest = _nester(plans)

    def nested(row: dict[str, Any]) -> dict[str, Any]:
        return nest(row.values())
    return nested


def _yes_no(out: dict[str, Any], bools: frozenset[str]) -> dict[str, Any]:
    """是/否 in the boolean columns of ``out`` made true/false, in place."""
    for key in bools.intersection(out):
        value = out[key]
        if value in BOOL_WORDS:
            out[key] = BOOL_WORDS[value]
    return out


def _nester(plans: list[tuple[str, tuple[str, ...], bool]]) -> Callable[[Iterable[Any]], dict[str, Any]]:
    """Cell values in the order of ``plans`` (key, its dotted parts, whether boolean) nested into a dict:
    empty cells and None dropped, 是/否 of a boolean column made true/false."""
    def nest(values: Iterable[Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for (key, parts, is_bool), value in zip(plans, values):  # noqa: B905 -- as wide as the header
            if value is None or value == "":
                continue
            if is_bool and value in BOOL_WORDS:
                value = BOOL_WORDS[value]
            if len(parts) == 1:
                out[key] = value
                continue
            target = out
            for part in parts[:-1]:
                nested = target.setdefault(part, {})
                if not isinstance(nested, dict):
                    break
                target = nested
            else:
                target[parts[-1]] = value
        return out
    return nest


Cells = Callable[[Sequence[str]], dict[str, Any]]


@lru_cache(maxsize=64)
def cells_unflattener(prefix: str, keys: tuple[str, ...]) -> Cells:
    """``unflattener`` for a CSV file's rows kept as lists of text cells in the order of ``keys`` (its
    header, each key once, as wide as every row): the same dict as ``unflattener(prefix, keys)`` of
    ``dict(zip(keys, cells))`` (tests/batch/test_unflatten.py), without making that dict. Cells are
    text, so an empty one is falsy."""
    plans = [(key, *_key_plan(prefix, key)) for key in keys]
    if all(len(parts) == 1 for _, parts, _ in plans):
        bools = frozenset(key for key, _, is_bool in plans if is_bool)

        def flat(cells: Sequence[str]) -> dict[str, Any]:
            return _yes_no(dict(zip(compress(keys, cells), filter(None, cells))), bools)  # noqa: B905 -- non-empty cells, in C
        return flat

    return _nester(plans)


def clean(value: Any) -> Any:
    """Drop None-valued keys recursively (None = unknown); lists keep their items."""
    if isinstance(value, dict):
        return {k: clean(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [clean(v) for v in value]
    return value


def markdown() -> str:
    """Every batch input file's columns, types and meanings, from the model: ``python -m batch.schema``."""
    kinds = {str: "文字", int: "整数", Decimal: "金额（元，最多两位小数）", dt.date: "日期 YYYY-MM-DD",
             bool: "true/false（或 是/否）"}
    lines = [f"#### `{ENTERPRISES}.csv`（每户企业一行）", "", "| 列 | 类型 | 含义 |", "|---|---|---|"]
    lines += [f"| `{c.path}` | {kinds.get(c.kind, '文字')} | {c.description} |" for c in enterprise_columns()]
    for name in list_fields():
        lines += ["", f"#### `{name}.csv`（每项一行）", "", "| 列 | 类型 | 含义 |", "|---|---|---|"]
        lines += [f"| `{c.path}` | {kinds.get(c.kind, '文字')} | {c.description} |" for c in child_columns(name)]
    return "\n".join(lines)


if __name__ == "__main__":
    print(markdown())

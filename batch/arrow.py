"""An Arrow schema for the Profile, read off the model: nested objects as structs, lists as list<struct>."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import cache
from typing import Any

import pyarrow as pa
from pydantic import BaseModel

from batch.schema import _list_item, _scalar
from engine.annotations import bare_type
from engine.profile import Profile

SCALARS = {str: pa.string(), int: pa.int64(), bool: pa.bool_(), Decimal: pa.decimal128(19, 2),
           dt.date: pa.date32(), float: pa.float64()}


def _type(annotation: Any) -> pa.DataType:
    annotation = bare_type(annotation)
    item = _list_item(annotation)
    if item is not None:
        return pa.list_(_struct(item))
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return _struct(annotation)
    return SCALARS.get(_scalar(annotation), pa.string())


def _struct(model: type[BaseModel]) -> pa.StructType:
    return pa.struct([pa.field(name, _type(info.annotation)) for name, info in model.model_fields.items()])


@cache
def profile_schema() -> pa.Schema:
    return pa.schema([pa.field(name, _type(info.annotation)) for name, info in Profile.model_fields.items()])


def _convert(value: Any, kind: pa.DataType) -> Any:
    if value is None:
        return None
    if pa.types.is_struct(kind):
        if not isinstance(value, dict):
            return None
        return {f.name: _convert(value.get(f.name), f.type) for f in kind}
    if pa.types.is_list(kind):
        return [_convert(v, kind.value_type) for v in value]
    if pa.types.is_decimal(kind):
        return Decimal(str(value))
    if pa.types.is_date(kind) and isinstance(value, str):
        return dt.date.fromisoformat(value)
    return value


def to_arrow_row(data: dict[str, Any]) -> dict[str, Any]:
    return {f.name: _convert(data.get(f.name), f.type) for f in profile_schema()}

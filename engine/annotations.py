"""Reading the Profile model's field annotations (for the batch's column layout and the columnar frames)."""

from __future__ import annotations

import types
import typing
from collections.abc import Iterator
from typing import Any


def bare_type(annotation: Any) -> Any:
    """The type inside ``Annotated[...]`` and ``X | None``; a union of several types is returned as is."""
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


def scalar_fields(model: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    """(dotted path, field info) of every scalar field of a pydantic model, nested models walked into and
    list fields left out, in field order."""
    from pydantic import BaseModel

    for name, info in model.model_fields.items():
        bare = bare_type(info.annotation)
        if typing.get_origin(bare) is list:
            continue
        if isinstance(bare, type) and issubclass(bare, BaseModel):
            yield from scalar_fields(bare, f"{prefix}{name}.")
        else:
            yield f"{prefix}{name}", info

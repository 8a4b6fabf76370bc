"""The Profile's fields as (path, description) rows: the README table and its check."""

from __future__ import annotations

import typing

from pydantic import BaseModel

from engine.profile import Profile


def _model_of(annotation: object) -> type[BaseModel] | None:
    for arg in typing.get_args(annotation) or (annotation,):
        for candidate in (arg, *typing.get_args(arg)):
            if isinstance(candidate, type) and issubclass(candidate, BaseModel):
                return candidate
    return None


def field_rows(model: type[BaseModel] = Profile, prefix: str = "") -> list[tuple[str, str]]:
    """``[("hires[].birth_date", "出生日期"), …]`` in declaration order."""
    rows: list[tuple[str, str]] = []
    for name, info in model.model_fields.items():
        rows.append((f"{prefix}{name}", info.description or ""))
        inner = _model_of(info.annotation)
        if inner is not None:
            is_list = "list[" in str(info.annotation)
            rows += field_rows(inner, f"{prefix}{name}{'[].' if is_list else '.'}")
    return rows


def markdown_table() -> str:
    lines = ["| 字段 | 含义 |", "|---|---|"]
    lines += [f"| `{path}` | {text} |" for path, text in field_rows()]
    return "\n".join(lines)


if __name__ == "__main__":
    print(markdown_table())

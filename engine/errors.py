"""Input errors, named by field path, in Chinese and English (contract.md, "Errors")."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any

from pydantic import ValidationError

# pydantic error type -> (Chinese, English); {x} placeholders come from the error's ctx
MESSAGES: dict[str, tuple[str, str]] = {
    "missing": ("必须填写", "field required"),
    "extra_forbidden": ("不认识的字段", "unknown field"),
    "int_parsing": ("应为整数", "must be a whole number"),
    "int_type": ("应为整数", "must be a whole number"),
    "int_from_float": ("应为整数", "must be a whole number"),
    "decimal_parsing": ("应为数字", "must be a number"),
    "decimal_type": ("应为数字", "must be a number"),
    "decimal_max_places": ("最多两位小数", "at most 2 decimal places"),
    "decimal_max_digits": ("数值过大", "number too large"),
    "decimal_whole_digits": ("数值过大", "number too large"),
    "greater_than_equal": ("不能小于 {ge}", "must be at least {ge}"),
    "less_than_equal": ("不能大于 {le}", "must be at most {le}"),
    "greater_than": ("必须大于 {gt}", "must be greater than {gt}"),
    "date_from_datetime_parsing": ("日期格式应为 YYYY-MM-DD", "date must be YYYY-MM-DD"),
    "date_parsing": ("日期格式应为 YYYY-MM-DD", "date must be YYYY-MM-DD"),
    "date_type": ("日期格式应为 YYYY-MM-DD", "date must be YYYY-MM-DD"),
    "bool_parsing": ("应为 是/否（true/false）", "must be true or false"),
    "bool_type": ("应为 是/否（true/false）", "must be true or false"),
    "string_type": ("应为文字", "must be a string"),
    "string_too_long": ("过长（最多 {max_length} 字）", "too long (max {max_length})"),
    "string_too_short": ("不能为空（至少 {min_length} 字）", "too short (min {min_length})"),
    "string_pattern_mismatch": ("格式不正确", "has the wrong format"),
    "literal_error": ("取值应为 {expected} 之一", "must be one of {expected}"),
    "list_type": ("应为列表", "must be a list"),
    "too_long": ("清单过长：最多 {max_length} 项，现有 {actual_length} 项",
                 "too many items: at most {max_length}, got {actual_length}"),
    "model_type": ("应为对象", "must be an object"),
    "dict_type": ("应为对象", "must be an object"),
    "json_invalid": ("不是有效的 JSON", "is not valid JSON"),
}


@dataclass(frozen=True)
class FieldError:
    field: str
    message_zh: str
    message_en: str

    def __str__(self) -> str:
        return f"{self.field or '(整体)'}：{self.message_zh}（{self.message_en}）"


class ProfileError(ValueError):
    """The input is invalid; ``errors`` names each bad field."""

    def __init__(self, errors: list[FieldError]) -> None:
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))

    def as_json(self) -> list[dict[str, str]]:
        return [asdict(e) for e in self.errors]


def field_path(location: tuple[Any, ...]) -> str:
    """('hires', 0, 'birth_date') -> 'hires[0].birth_date'."""
    path = ""
    for part in location:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path


def _plain(value: Any) -> str:
    """A bound or choice as the user wrote it: numbers bare (a money bound is a Decimal), others as JSON."""
    if isinstance(value, str):
        return value
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return str(value)
    return json.dumps(value, ensure_ascii=False, default=str)


def _message(error: dict[str, Any]) -> tuple[str, str]:
    if error["type"] == "value_error":
        text = str(error.get("ctx", {}).get("error", error["msg"]))
        zh, _, en = text.partition(" / ")
        return zh, en or zh
    zh, en = MESSAGES.get(error["type"], ("取值无效", error["msg"]))
    ctx = {k: _plain(v) for k, v in (error.get("ctx") or {}).items()}
    try:
        return zh.format(**ctx), en.format(**ctx)
    except (KeyError, IndexError):
        return zh, en


def field_errors(errors: Iterable[dict[str, Any]], prefix: tuple[Any, ...] = ()) -> list[FieldError]:
    """pydantic-style error dicts (``loc``, ``type``, ``msg``, ``ctx``) -> FieldErrors.

    Also used by the API for request bodies, whose errors come from FastAPI in this shape."""
    result = []
    for error in errors:
        zh, en = _message(error)
        result.append(FieldError(field_path(prefix + tuple(error["loc"])), zh, en))
    return result


def from_validation_error(exc: ValidationError, prefix: tuple[Any, ...] = ()) -> ProfileError:
    return ProfileError(field_errors(exc.errors(), prefix))

"""Mapping files: which file or sheet, which column feeds which Profile field, in which unit and words.

One YAML file per source (see README, 部门数据), e.g.::

    name: 登记库                 # short name, shown in 数据来源
    department: 市市场监管局      # the department, shown in the console beside each fact
    file: 登记库.xlsx            # relative to this mapping file
    sheet: 企业登记信息           # xlsx: default the first sheet
    role: registry              # registry: its rows are the enterprises; supplement (default): facts about them
    priority: 100               # higher wins when two sources disagree on a fact
    list: hires                 # absent: one row per enterprise; a list field: one row per item
    key: 统一社会信用代码          # the column holding the credit code
    columns:
      企业名称: name
      营业收入（万元）: {field: revenue_yuan, unit: 万元}
      成立日期: {field: founded_on, date_format: "%Y年%m月%d日"}   # default: any of the usual forms
      所属区: {field: district, values: {鼓浪屿: 思明区}}
    ignore: [序号, 备注]

A sources file lists mapping files: ``sources: [登记库.yaml, 人社_招用人员.yaml]``.
"""

from __future__ import annotations

import builtins
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from batch.schema import KEY, child_columns, enterprise_columns, list_fields
from sources.vocab import folded


class MappingError(ValueError):
    """A mapping or sources file that cannot be used; the message names the file and field, in Chinese."""


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ColumnSpec(Strict):
    field: str = Field(description="Profile 字段（列表来源为列表项字段），如 revenue_yuan、insurance_months.pension")
    unit: Literal["元", "万元"] | None = Field(None, description="金额单位（仅金额字段），默认 元")
    values: dict[str, str] | None = Field(None, description="取值翻译：表中的写法 → 字段取值")
    date_format: str | None = Field(None, description="日期格式（strptime），默认接受常见写法和 Excel 日期")


class SourceMapping(Strict):
    name: str = Field(min_length=1, max_length=40)
    department: str = Field(min_length=1, max_length=40)
    file: str
    sheet: str | None = None
    header_row: int | None = Field(None, ge=1, description="表头所在行（从 1 起），默认自动识别")
    encoding: Literal["auto", "utf-8", "gb18030"] = "auto"
    role: Literal["registry", "supplement"] = "supplement"
    priority: int = 0
    list: str | None = None
    key: str = Field(min_length=1)
    columns: dict[str, str | ColumnSpec]
    ignore: builtins.list[str] = Field(default_factory=builtins.list)  # builtins: `list` is a field here

    @model_validator(mode="after")
    def _fields_exist(self) -> SourceMapping:
        if self.list is not None and self.list not in list_fields():
            raise ValueError(f"list: 没有列表字段“{self.list}”（可用：{'、'.join(list_fields())}）")
        if self.list is not None and self.role == "registry":
            raise ValueError("role: registry 的来源每行是一户企业，不能同时是列表来源（list）")
        known = kinds_of(self.list)
        for header, spec in self.columns.items():
            field = spec if isinstance(spec, str) else spec.field
            if field not in known:
                raise ValueError(f"columns.{header}: 没有字段“{field}”")
            if isinstance(spec, ColumnSpec) and spec.unit and known[field] is not Decimal:
                raise ValueError(f"columns.{header}: 只有金额字段可以写 unit")
        return self


def kinds_of(list_name: str | None) -> dict[str, type]:
    """Field path -> value kind (str, int, Decimal, date, bool) of an enterprise row or a list item."""
    if list_name is None:
        return {c.path: c.kind for c in enterprise_columns()}
    return {c.path: c.kind for c in child_columns(list_name) if c.path != KEY}


@dataclass(frozen=True)
class Column:
    header: str
    field: str
    kind: type
    unit: str
    values: dict[str, str] | None
    date_format: str | None


@dataclass(frozen=True)
class Source:
    """A loaded mapping: where its file is and how each column is read."""

    mapping: SourceMapping
    path: Path  # the mapping file
    order: int  # position in the sources file: breaks priority ties, orders provenance

    @property
    def name(self) -> str:
        return self.mapping.name

    @property
    def file(self) -> Path:
        return (self.path.parent / self.mapping.file).resolve()

    @property
    def columns(self) -> list[Column]:
        kinds = kinds_of(self.mapping.list)
        out = []
        for header, spec in self.mapping.columns.items():
            spec = ColumnSpec(field=spec) if isinstance(spec, str) else spec
            out.append(Column(header, spec.field, kinds[spec.field], spec.unit or "元",
                              {folded(k): v for k, v in spec.values.items()} if spec.values else None,
                              spec.date_format))
        return out

    def column_of(self, field: str) -> str | None:
        """The header feeding ``field`` (item-relative for a list source)."""
        if field == KEY:
            return self.mapping.key
        return next((c.header for c in self.columns if c.field == field), None)


def _yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise MappingError(f"找不到文件：{path}") from None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise MappingError(f"{path.name}：不是有效的 YAML（{exc}）") from None


def _where(error: dict[str, Any]) -> str:
    return ".".join(str(p) for p in error["loc"]) or "整体"


def _message(error: dict[str, Any]) -> str:
    text = str(error.get("msg", ""))
    if error.get("type") == "extra_forbidden":
        return "不认识的设置项"
    if error.get("type") == "missing":
        return "必须填写"
    return text.removeprefix("Value error, ")


def load_mapping(path: Path, order: int = 0) -> Source:
    data = _yaml(path)
    if not isinstance(data, dict):
        raise MappingError(f"{path.name}：映射文件应为 YAML 映射（键: 值）")
    try:
        mapping = SourceMapping.model_validate(data)
    except ValidationError as exc:
        problems = "；".join(f"{_where(e)}：{_message(e)}" for e in exc.errors())
        raise MappingError(f"映射文件 {path.name}：{problems}") from None
    return Source(mapping, path.resolve(), order)


def load_sources(path: Path) -> list[Source]:
    """The sources a sources file lists, in its order; a single mapping file is one source."""
    data = _yaml(path)
    if isinstance(data, dict) and "sources" not in data:
        return [load_mapping(path)]
    if not isinstance(data, dict) or not isinstance(data.get("sources"), list) or not data["sources"]:
        raise MappingError(f"{path.name}：应为 sources: [映射文件, …]")
    found = [load_mapping((path.parent / str(item)).resolve(), order) for order, item in enumerate(data["sources"])]
    names = [s.name for s in found]
    if len(set(names)) != len(names):
        raise MappingError(f"{path.name}：来源名称重复：{'、'.join(n for n in names if names.count(n) > 1)}")
    if not any(s.mapping.role == "registry" for s in found):
        raise MappingError(f"{path.name}：至少要有一个 role: registry 的来源（每行一户企业的登记库）")
    return found


def mapping_files(path: Path) -> list[Path]:
    """The sources file and every mapping file it lists (for the run's fingerprint)."""
    sources = load_sources(path)
    return [path.resolve(), *(s.path for s in sources if s.path != path.resolve())]


def date_parser(date_format: str) -> Any:
    def parse(raw: Any) -> str:
        if isinstance(raw, dt.datetime | dt.date):
            return (raw.date() if isinstance(raw, dt.datetime) else raw).isoformat()
        try:
            return dt.datetime.strptime(str(raw).strip(), date_format).date().isoformat()
        except ValueError:
            from sources.values import CellError

            raise CellError(f"日期“{raw}”不符合格式 {date_format}") from None

    return parse

"""``huiqi mapping check MAPPING``: read every source and say, per column, how its cells fared.

For each mapped column: cells filled, parsed (read and valid for its Profile field) and rejected,
with the first rejected examples (row and Chinese reason). A cell is rejected when it cannot be
read (``sources.values``) or when the value read is not valid for its field (the Profile's own
validation: a negative head count, a wrong credit-code check character).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from batch.schema import KEY, list_fields
from engine.errors import from_validation_error
from engine.profile import Profile
from sources.mapping import Source, load_sources
from sources.rows import parsed_rows, plan

EXAMPLES = 3


@dataclass
class ColumnReport:
    header: str
    field: str
    filled: int = 0
    parsed: int = 0
    rejected: int = 0
    examples: list[tuple[int, str]] = field(default_factory=list)  # (row, reason)

    def reject(self, row: int, reason: str) -> None:
        self.rejected += 1
        if len(self.examples) < EXAMPLES:
            self.examples.append((row, reason))


@dataclass
class SourceReport:
    name: str
    where: str  # file[sheet]
    encoding: str | None
    header_row: int
    rows: int = 0
    without_key: int = 0
    repeated_keys: int = 0
    columns: list[ColumnReport] = field(default_factory=list)
    unmapped: list[str] = field(default_factory=list)


def _valid(model: type[BaseModel], path: str, value: Any) -> str | None:
    """None if ``value`` is valid for the field at ``path`` of ``model``, else the Chinese reason."""
    data: dict[str, Any] = {}
    target = data
    *parents, leaf = path.split(".")
    for part in parents:
        target = target.setdefault(part, {})
    target[leaf] = value
    try:
        model.model_validate(data)
    except ValidationError as exc:
        return from_validation_error(exc).errors[0].message_zh
    return None


def check_source(source: Source) -> SourceReport:
    p = plan(source)
    where = f"{p.table.file}[{p.table.sheet}]" if p.table.sheet else p.table.file
    report = SourceReport(source.name, where, p.table.encoding, p.table.header_row, unmapped=p.unmapped)
    model: type[BaseModel] = Profile if source.mapping.list is None else list_fields()[source.mapping.list]
    key_column = ColumnReport(source.mapping.key, KEY)
    columns = {name: ColumnReport(header, name) for _, header, name, _ in p.columns}
    report.columns = [key_column, *columns.values()]
    filled = {name: 0 for name in columns}
    seen: set[str] = set()
    for row in parsed_rows(p):
        report.rows += 1
        for name in columns:
            filled[name] += name in row.facts
        if not row.key:
            report.without_key += 1
        else:
            key_column.filled += 1
            reason = _valid(Profile, KEY, row.key)
            if reason:
                key_column.reject(row.row, reason)
            else:
                key_column.parsed += 1
            if source.mapping.list is None:
                report.repeated_keys += row.key in seen
                seen.add(row.key)
        for _header, name, reason in row.errors:
            columns[name].filled += 1
            columns[name].reject(row.row, reason)
        for name, value in row.facts.items():
            reason = _valid(model, name, value)
            if reason:
                columns[name].reject(row.row, f"“{value}”：{reason}")
            else:
                columns[name].parsed += 1
    for name, count in filled.items():
        columns[name].filled += count
    return report


def check(path: Path) -> list[SourceReport]:
    return [check_source(source) for source in load_sources(path)]


def render(reports: list[SourceReport]) -> str:
    lines = []
    for r in reports:
        encoding = f"，编码 {r.encoding}" if r.encoding else ""
        lines.append(f"{r.name}：{r.where}，表头第 {r.header_row} 行{encoding}，数据 {r.rows} 行")
        if r.without_key:
            lines.append(f"  缺少统一社会信用代码的行：{r.without_key}")
        if r.repeated_keys:
            lines.append(f"  统一社会信用代码重复的行：{r.repeated_keys}")
        width = max(len(c.header) for c in r.columns)
        lines.append(f"  {'列'.ljust(width)}  字段  有值  可用  有误")
        for c in r.columns:
            lines.append(f"  {c.header.ljust(width)}  {c.field}  {c.filled}  {c.parsed}  {c.rejected}")
            lines += [f"      第 {row} 行：{reason}" for row, reason in c.examples]
        if r.unmapped:
            lines.append(f"  未映射的列（批量匹配时忽略）：{'、'.join(r.unmapped)}")
    return "\n".join(lines)


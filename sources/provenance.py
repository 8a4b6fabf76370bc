"""Where each fact of a merged enterprise came from: source, department, file, sheet, row, column.

Kept small so it travels with an enterprise to a worker process: the per-fact part is a dict of
``path -> (source index, row)`` ("employees", "hires[0]"), the sources' descriptions are shared.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sources.merge import Origin, SourceInfo

_ITEM = re.compile(r"^(\w+)\[(\d+)\](?:\.(.+))?$")
ROWS_SHOWN = 3  # row numbers named per source in a 数据来源 cell before "等 N 行"


@dataclass(frozen=True, slots=True)
class Location:
    source: str  # the source's name
    file: str
    sheet: str | None
    row: int
    column: str | None


@dataclass
class Provenance:
    infos: list[SourceInfo]
    facts: dict[str, Origin]
    origin: Origin  # the registry row of the enterprise

    def _at(self, origin: Origin, field: str | None) -> Location:
        info = self.infos[origin[0]]
        column = info.key if field == "credit_code" else info.columns.get(field) if field else None
        return Location(info.name, info.file, info.sheet, origin[1], column)

    def locate(self, path: str) -> Location:
        """The cell a field path (``employees``, ``hires[2].birth_date``) was read from; the registry row otherwise."""
        match = _ITEM.match(path)
        if match:
            origin = self.facts.get(f"{match.group(1)}[{match.group(2)}]")
            if origin is not None:
                return self._at(origin, match.group(3))
        top = path.split(".")[0]
        origin = self.facts.get(path) or self.facts.get(top)
        if origin is not None:
            return self._at(origin, path if path in self.facts else top)
        return self._at(self.origin, path or None)

    def text(self, fields: Iterable[str] | None = None) -> str:
        """数据来源 for a list line: each source that gave one of ``fields`` (all facts when None) and its rows."""
        wanted = None if fields is None else set(fields)
        rows: dict[int, list[int]] = {self.origin[0]: [self.origin[1]]}
        for path, (index, row) in self.facts.items():
            if wanted is None or path.split("[")[0].split(".")[0] in wanted:
                found = rows.setdefault(index, [])
                if row not in found:
                    found.append(row)
        parts = []
        for index in sorted(rows):
            info, numbers = self.infos[index], sorted(rows[index])
            shown = "、".join(str(n) for n in numbers[:ROWS_SHOWN])
            more = f" 行等 {len(numbers)} 行" if len(numbers) > ROWS_SHOWN else " 行"
            parts.append(f"{info.name}（{info.department}，{info.file} 第 {shown}{more}）")
        return "；".join(parts)

    def as_json(self) -> dict[str, dict[str, Any]]:
        """``{path: {source, department, file, sheet, row}}`` as stored with the console's registry."""
        out = {}
        for path, (index, row) in sorted(self.facts.items()):
            info = self.infos[index]
            out[path] = {"source": info.name, "department": info.department, "file": info.file,
                         "sheet": info.sheet, "row": row}
        return out

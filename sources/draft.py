"""``huiqi mapping init FILE``: a first mapping drafted from a file's headers, and what could not be placed.

Headers are matched (after NFKC and without spaces) against the common Chinese column names of
``sources.vocab.HEADERS``. A file whose recognised headers are mostly items of one list (出生日期,
入职日期…) is drafted as a list source of that list. 万元 in a header sets the unit; a money header
without a unit is drafted in 元 and flagged for checking.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from batch.schema import KEY
from sources.tables import open_table
from sources.vocab import HEADERS, LIST_HINTS, folded

MONEY_SUFFIX = "_yuan"


@dataclass
class Draft:
    file: Path
    sheet: str | None
    header_row: int
    list: str | None
    key: str | None
    columns: dict[str, tuple[str, str | None]] = field(default_factory=dict)  # header -> (field, unit)
    unplaced: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _synonyms() -> dict[str, list[str]]:
    """Folded header -> the field paths it may mean (list items as ``hires.birth_date``)."""
    out: dict[str, list[str]] = {}
    for path, names in HEADERS.items():
        for name in names:
            out.setdefault(folded(name), []).append(path)
    return out


def _unit(header: str) -> str | None:
    text = folded(header)
    return "万元" if "万元" in text else "元" if "元" in text else None


def _match(header: str, synonyms: dict[str, list[str]]) -> list[str]:
    text = folded(header)
    if text in synonyms:
        return synonyms[text]
    bare = text.split("(")[0]  # 营业收入(万元) -> 营业收入
    return synonyms.get(bare, [])


def _which_list(headers: list[str], synonyms: dict[str, list[str]]) -> str | None:
    scores: dict[str | None, int] = {None: 0}
    for header in headers:
        for path in _match(header, synonyms):
            owner = path.split(".")[0] if "." in path and path.split(".")[0] in LIST_HINTS else None
            if path in (KEY, "name"):
                continue
            scores[owner] = scores.get(owner, 0) + 1
        for name, hints in LIST_HINTS.items():
            if any(h in header for h in hints):
                scores[name] = scores.get(name, 0) + 1
    best = max(scores, key=lambda k: (scores[k], k is None))
    return best if scores[best] > scores[None] else None


def draft(path: Path, sheet: str | None = None) -> Draft:
    table = open_table(path, sheet)
    table.close()
    synonyms = _synonyms()
    headers = [h for h in table.header if h]
    chosen = _which_list(headers, synonyms)
    result = Draft(path, table.sheet, table.header_row, chosen, None)
    taken: set[str] = set()
    for header in headers:
        fields = _match(header, synonyms)
        if KEY in fields and result.key is None:
            result.key = header
            continue
        if chosen is None:
            wanted = [f for f in fields if f.split(".")[0] not in LIST_HINTS]
        else:
            wanted = [f.split(".", 1)[1] for f in fields if f.startswith(f"{chosen}.")]
        wanted = [f for f in wanted if f not in taken]
        if not wanted:
            result.unplaced.append(header)
            continue
        name = wanted[0]
        taken.add(name)
        unit = None
        if name.endswith(MONEY_SUFFIX):
            unit = _unit(header)
            if unit is None:
                unit = "元"
                result.notes.append(f"列“{header}”未写金额单位，按元起草，请核对")
        result.columns[header] = (name, unit)
    if result.key is None:
        result.notes.append("没有找到统一社会信用代码列：请在 key 中填写它的列名")
    return result


def render(d: Draft) -> str:
    """The draft as mapping YAML, with what needs a person's attention as comments."""
    registry = d.list is None
    lines = [
        f"# 由 huiqi mapping init 根据 {d.file.name} 的表头起草（表头在第 {d.header_row} 行）；请核对后使用",
        *[f"# 注意：{note}" for note in d.notes],
        "name: " + d.file.stem,
        "department: 请填写部门名称",
        f"file: {d.file.name}",
    ]
    if d.sheet:
        lines.append(f"sheet: {d.sheet}")
    lines += [f"role: {'registry' if registry else 'supplement'}", f"priority: {100 if registry else 50}"]
    if d.list:
        lines.append(f"list: {d.list}")
    lines += [f"key: {d.key or '请填写统一社会信用代码所在的列名'}", "columns:"]
    for header, (name, unit) in d.columns.items():
        lines.append(f"  {header}: {{field: {name}, unit: {unit}}}" if unit else f"  {header}: {name}")
    if d.unplaced:
        lines.append("# 未能对应到字段的列（需要时在 columns 中补上，否则留在 ignore 中）：")
        lines.append("ignore: [" + ", ".join(d.unplaced) + "]")
    return "\n".join(lines) + "\n"

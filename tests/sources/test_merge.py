"""Several sources merged by credit code: priority decides, disagreements and strangers are reported."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook

from sources.mapping import MappingError, load_sources
from sources.merge import Merged, Merger
from sources.provenance import Provenance

A, B, C = "91350200MA2Y0DQ93C", "913502030BMYLM073B", "913502033T3FENA699"
STRANGER = "913502034K21X0JC6B"


def _xlsx(path: Path, rows: list[list[object]]) -> None:
    book = Workbook()
    sheet = book.active
    sheet.title = "登记"
    sheet.append(["某某局企业信息导出"])
    sheet.merge_cells("A1:E1")
    for row in rows:
        sheet.append(row)
    book.save(path)


def _mapping(folder: Path, name: str, text: str) -> None:
    (folder / f"{name}.yaml").write_text(text, encoding="utf-8")


@pytest.fixture
def sources(tmp_path: Path) -> Path:
    _xlsx(tmp_path / "reg.xlsx", [
        ["统一社会信用代码", "企业名称", "从业人数", "营业收入（万元）", "所属区"],
        [A, "甲公司", 35, 1200.5, "湖里"],
        [B, "乙公司", 10, "12,00x", "思明区"],  # revenue unreadable where it decides
        [C, "丙公司", 20, 300, "集美区"],
        [C, "丙公司（重复）", 20, 300, "集美区"],
        [None, "无代码公司", 1, 1, "集美区"],
    ])
    (tmp_path / "stats.csv").write_bytes("\n".join([
        "信用代码,从业人员,营业收入",
        f"{A},40,12005000",     # employees disagree (lower priority), revenue agrees in 元
        f"{B},10,abc",          # a bad cell that does not decide: the registry has revenue... unreadable too
        f"{STRANGER},5,100",     # no such enterprise in the registry
    ]).encode("gbk") + b"\n")
    (tmp_path / "hires_a.csv").write_text(
        f"统一社会信用代码,出生日期\n{A},2003-05-01\n{A},2004/6/1\n{C},2003年5月1日\n", encoding="utf-8")
    (tmp_path / "hires_b.csv").write_text(f"统一社会信用代码,出生日期\n{A},2003-05-01\n", encoding="utf-8-sig")
    _mapping(tmp_path, "reg", "name: 登记库\ndepartment: 市市场监管局\nfile: reg.xlsx\nrole: registry\npriority: 100\n"
             "key: 统一社会信用代码\ncolumns:\n  企业名称: name\n  从业人数: employees\n"
             "  营业收入（万元）: {field: revenue_yuan, unit: 万元}\n  所属区: district\n")
    _mapping(tmp_path, "stats", "name: 统计\ndepartment: 市统计局\nfile: stats.csv\npriority: 10\nkey: 信用代码\n"
             "columns:\n  从业人员: employees\n  营业收入: revenue_yuan\n")
    _mapping(tmp_path, "hires_a", "name: 人社\ndepartment: 市人社局\nfile: hires_a.csv\nlist: hires\npriority: 50\n"
             "key: 统一社会信用代码\ncolumns: {出生日期: birth_date}\n")
    _mapping(tmp_path, "hires_b", "name: 医保\ndepartment: 市医保局\nfile: hires_b.csv\nlist: hires\npriority: 5\n"
             "key: 统一社会信用代码\ncolumns: {出生日期: birth_date}\n")
    (tmp_path / "sources.yaml").write_text("sources: [reg.yaml, stats.yaml, hires_a.yaml, hires_b.yaml]\n",
                                           encoding="utf-8")
    return tmp_path / "sources.yaml"


def _merged(path: Path) -> tuple[Merger, list[Merged]]:
    merger = Merger(load_sources(path))
    try:
        return merger, list(merger.records())
    finally:
        merger.close()


def test_priority_decides_and_every_disagreement_is_reported(sources: Path) -> None:
    merger, records = _merged(sources)
    a = next(r for r in records if r.key == A and r.counted)
    assert a.data == {"credit_code": A, "name": "甲公司", "employees": 35, "revenue_yuan": "12005000",
                      "district": "湖里区", "hires": [{"birth_date": "2003-05-01"}, {"birth_date": "2004-06-01"}]}
    assert not a.rejects
    (employees,) = [n for n in a.notices if n.kind == "conflict" and n.field == "employees"]
    assert merger.infos[employees.source].file == "stats.csv" and employees.row == 2
    assert "登记库（reg.xlsx[登记] 第 3 行）" in employees.reason
    assert "采用 “35”" in employees.reason and "本行为 “40”" in employees.reason
    (hires,) = [n for n in a.notices if n.field == "hires"]
    assert hires.kind == "conflict" and merger.infos[hires.source].name == "医保" and "2 项" in hires.reason
    where = Provenance(merger.infos, a.facts, a.origin).locate("hires[1].birth_date")  # type: ignore[arg-type]
    assert (where.source, where.file, where.row, where.column) == ("人社", "hires_a.csv", 3, "出生日期")
    assert Provenance(merger.infos, a.facts, a.origin).locate("employees").sheet == "登记"  # type: ignore[arg-type]


def test_bad_cells_reject_only_where_they_decide(sources: Path) -> None:
    _, records = _merged(sources)
    b = next(r for r in records if r.key == B and r.counted)
    assert [(n.field, n.row) for n in b.rejects] == [("revenue_yuan", 4)]  # the registry's unreadable 万元
    assert [(n.kind, n.field) for n in b.notices] == [("cell", "revenue_yuan")]  # the lower source's, noted only


def test_duplicates_strangers_and_codeless_rows_are_all_accounted_for(sources: Path) -> None:
    merger, records = _merged(sources)
    counted = [r for r in records if r.counted]
    assert merger.total == len(counted) == 5  # 5 registry rows: A, B, C, C again, no code
    duplicate = [r for r in counted if r.key == C and r.rejects]
    assert len(duplicate) == 1 and "重复" in duplicate[0].rejects[0].reason and duplicate[0].origin == (0, 6)
    assert any(r.key == "" and r.rejects and "缺少统一社会信用代码" in r.rejects[0].reason for r in counted)
    (stranger,) = [r for r in records if r.key == STRANGER]
    assert not stranger.counted and [n.kind for n in stranger.notices] == ["not_in_registry"]
    c = next(r for r in counted if r.key == C and not r.rejects)
    assert c.data is not None and c.data["hires"] == [{"birth_date": "2003-05-01"}]
    assert next(r for r in counted if r.key == B).data["hires"] == []  # type: ignore[index]  # known: none


def test_mapping_errors_name_the_file_and_the_setting(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\ndepartment: y\nfile: a.csv\nkey: k\nunit: 万元\ncolumns: {甲: revenue_yuan}\n",
                   encoding="utf-8")
    with pytest.raises(MappingError, match="映射文件 bad.yaml：unit：不认识的设置项"):
        load_sources(bad)
    bad.write_text("name: x\ndepartment: y\nfile: a.csv\nkey: k\ncolumns: {甲: {field: name, unit: 万元}}\n",
                   encoding="utf-8")
    with pytest.raises(MappingError, match="只有金额字段可以写 unit"):
        load_sources(bad)
    listing = tmp_path / "sources.yaml"
    bad.write_text("name: x\ndepartment: y\nfile: a.csv\nkey: k\nlist: hires\ncolumns: {甲: birth_date}\n",
                   encoding="utf-8")
    listing.write_text("sources: [bad.yaml]\n", encoding="utf-8")
    with pytest.raises(MappingError, match="至少要有一个 role: registry"):
        load_sources(listing)

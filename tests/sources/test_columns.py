"""The column-by-column CSV reader gives exactly the rows of the row-by-row reader, or steps aside."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from sources.columns import read_columns
from sources.mapping import load_mapping
from sources.rows import parsed_rows, plan

MAPPING = ("name: 人社\ndepartment: 市人社局\nfile: h.csv\nlist: hires\nkey: 统一社会信用代码\n"
           "columns: {出生日期: birth_date, 是否登记失业人员: registered_unemployed,"
           " 合同期限（月）: contract_months}\n")
HEADER = "统一社会信用代码,出生日期,是否登记失业人员,合同期限（月）"
ROWS = [
    "91350200MA2Y0DQ93C,2003-05-01,是,12",
    "９１３５０２００ＭＡ２Ｙ０ＤＱ９３Ｃ,2003年5月1日,否,１２",  # full-width code and digits
    " 913502030bmylm073b ,2003/5/1,也许,十二",  # a flag and a number that cannot be read
    "-,45678,,",  # a blank key, an Excel serial
    "913502033T3FENA699,2025-02-30,是,12",  # an impossible date
]


def _both(tmp_path: Path, text: str, encoding: str) -> tuple[list[object], list[object] | None]:
    (tmp_path / "h.csv").write_bytes(text.encode(encoding))
    (tmp_path / "m.yaml").write_text(MAPPING, encoding="utf-8")
    source = load_mapping(tmp_path / "m.yaml")
    by_row = list(parsed_rows(plan(source)))
    columns = read_columns(plan(source))
    return by_row, None if columns is None else list(columns.rows())


@pytest.mark.parametrize("encoding", ["gbk", "utf-8", "utf-8-sig"])
def test_same_rows_row_numbers_and_errors(tmp_path: Path, encoding: str) -> None:
    by_row, by_column = _both(tmp_path, "\n".join([HEADER, *ROWS]) + "\n", encoding)
    assert by_column == by_row
    assert [r.row for r in by_row] == [2, 3, 4, 5, 6]  # type: ignore[attr-defined]
    assert by_row[1].key == "91350200MA2Y0DQ93C" and by_row[3].key == ""  # type: ignore[attr-defined]
    assert [e[1] for e in by_row[2].errors] == ["registered_unemployed", "contract_months"]  # type: ignore[attr-defined]


@pytest.mark.parametrize("body", [
    "\n".join([HEADER, ROWS[0], "", ROWS[1]]),  # a blank line: pyarrow would renumber the rows
    "\n".join([HEADER, ROWS[0], '91350200MA2Y0DQ93C,"2003-05-01\n",是,12']),  # a cell spanning lines
    "\n".join([HEADER, ROWS[0], "91350200MA2Y0DQ93C,2003-05-01"]),  # a short row
    "标题：招用人员\n" + "\n".join([HEADER, *ROWS]),  # a title line above the header is fine
])
def test_irregular_files_fall_back_to_the_row_reader_or_agree(tmp_path: Path, body: str) -> None:
    by_row, by_column = _both(tmp_path, body + "\n", "gbk")
    assert by_column is None or by_column == by_row
    if "标题" in body:
        assert by_column == by_row and by_row[0].row == 3  # type: ignore[attr-defined]
    else:
        assert by_column is None


SHEET_MAPPING = ("name: 登记\ndepartment: 市场监管\nfile: r.xlsx\nrole: registry\nkey: 统一社会信用代码\n"
                 "columns: {营业收入（万元）: {field: revenue_yuan, unit: 万元}, 从业人数: employees,"
                 " 成立日期: founded_on, 企业名称: name}\n")


def test_a_sheet_column_by_column_gives_the_rows_of_the_row_reader(tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["某区企业登记信息"])  # a title row above the header
    sheet.append(["统一社会信用代码", "企业名称", "从业人数", "营业收入（万元）", "成立日期"])
    rows = [
        ["91350200MA2Y0DQ93C", "甲", 35, 1200.5, dt.date(2020, 5, 1)],
        ["91350200MA2Y0DQ93D", "乙", 35.0, "1,200.5", "2020年5月1日"],
        [None, None, None, None, None],  # a blank row: skipped, the next keeps its sheet row number
        ["９１３５０２００ＭＡ２Ｙ０ＤＱ９３Ｅ", 12345, True, -0.0, 45672],  # a flag as a number: rejected
        ["NULL", "丁", "３５人", 0.0, 45672.5],  # a blank key, a serial with a time
        ["91350200MA2Y0DQ93F", "戊", 3.5, 0.0000001, dt.datetime(2025, 1, 15, 10, 30)],  # below a fen
        ["91350200MA2Y0DQ93G", " 己 ", 1, 1e16, "2025-02-30"],
    ]
    for row in rows:
        sheet.append(row)
    book.save(tmp_path / "r.xlsx")
    (tmp_path / "m.yaml").write_text(SHEET_MAPPING, encoding="utf-8")
    source = load_mapping(tmp_path / "m.yaml")
    by_row = list(parsed_rows(plan(source)))
    columns = read_columns(plan(source))
    assert columns is not None and list(columns.rows()) == by_row
    assert [r.row for r in by_row] == [3, 4, 6, 7, 8, 9]
    assert sum(len(r.errors) for r in by_row) >= 4 and by_row[2].facts["revenue_yuan"] == "-0"

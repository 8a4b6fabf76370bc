"""batch/xlsx_stream.py: every workbook it writes opens with openpyxl and gives back exactly what was written."""

from __future__ import annotations

import math
import tracemalloc
import zipfile
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from batch import xlsx_stream
from batch.xlsx_stream import XlsxStream, column
from tests.batch import xlsx_before

HEADER = ["企业名称", "金额（元）", "依据（符合的条件）"]


def xml_char(c: str) -> bool:
    """The XML 1.0 Char production: what may appear in a document at all."""
    n = ord(c)
    return n in (0x9, 0xA, 0xD) or 0x20 <= n <= 0xD7FF or 0xE000 <= n <= 0xFFFD or 0x10000 <= n <= 0x10FFFF


def stored(value: Any) -> Any:
    """What a cell should read back as: text cut at Excel's 32,767 characters, forbidden characters dropped."""
    if isinstance(value, str):
        return "".join(c for c in value[:32_767] if xml_char(c))
    return value


def trimmed(row: Any) -> list[Any]:
    row = list(row)
    while row and row[-1] is None:
        row.pop()
    return row


def read_back(path: Path, read_only: bool) -> dict[str, list[list[Any]]]:
    book = load_workbook(path, read_only=read_only)
    sheets = {sheet.title: [trimmed(r) for r in sheet.iter_rows(values_only=True)] for sheet in book.worksheets}
    book.close()
    return sheets


def write(path: Path, rows: list[list[Any]], **options: Any) -> XlsxStream:
    with XlsxStream(path, "名单", HEADER, **options) as out:
        for row in rows:
            out.add(row)
    return out


TRICKY = [
    ["厦门鹭嘉餐饮有限公司", 650000, "1 份有预付安排的政府采购合同符合条件；企业划型为中小微企业"],
    ["A&B <有限> \"公司\" 'x'", 1234.5, "a > b && c < d ]]> e"],
    [None, None, "只有第三列"],
    ["", 0, ""],
    ["  前导空格", -42, "尾随空格  "],
    ["\t制表符\t", 0.1, "换行\n与回车\r\n和单独的回车\r"],
    ["控制字符\x00\x01\x08\x0b\x0c\x0e\x1f被去掉", 10**15, "非字符\ufffe\uffff与孤立代理\ud800\udfff被去掉"],
    ["全角￥１００，ｈａｌｆ\uffe5", 2**53 + 1, "补充平面𠮷𝄞"],
    ["_x000D_ 字面量", True, False],
    ["长" * 30_000, 1e-7, "x" * 32_767],
    ["超长" * 20_000, float("nan"), float("-inf")],
    ["超长" * 20_000, 1, "其余都干净"],
    ["1.5e308", 1.5e308, "=SUM(A1:A2)"],
]


def expected_of(rows: list[list[Any]]) -> list[list[Any]]:
    out = []
    for row in rows:
        values = [repr(v) if isinstance(v, float) and not math.isfinite(v) else stored(v) for v in row]
        out.append(trimmed(values))
    return out


@pytest.mark.parametrize("read_only", [False, True])
def test_tricky_values_come_back_exactly(tmp_path: Path, read_only: bool) -> None:
    path = tmp_path / "t.xlsx"
    write(path, TRICKY)
    sheets = read_back(path, read_only)
    assert list(sheets) == ["名单"]
    assert sheets["名单"] == [HEADER, *expected_of(TRICKY)]
    assert sheets["名单"][11][0] == ("超长" * 20_000)[:32_767] and sheets["名单"][11][1:] == ["nan", "-inf"]
    assert sheets["名单"][7][0] == "控制字符被去掉" and sheets["名单"][6][2] == "换行\n与回车\r\n和单独的回车\r"
    types = [type(v) for v in sheets["名单"][1]]
    assert types == [str, int, str] and isinstance(sheets["名单"][2][1], float)


def test_a_few_dirty_rows_among_many_clean_ones(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Rows needing escaping are found inside buffers that otherwise take the fast path."""
    monkeypatch.setattr(xlsx_stream, "BLOCK_ROWS", 40)
    rows: list[list[Any]] = []
    for i in range(3_000):
        text = f"企业{i}" + ("&<>\x07\r" if i % 97 == 0 else "") + (" " if i % 89 == 0 else "")
        rows.append([text, i if i % 3 else i / 8, None if i % 5 == 0 else f"依据{i}"])
    path = tmp_path / "many.xlsx"
    write(path, rows)
    assert read_back(path, read_only=True)["名单"] == [HEADER, *expected_of(rows)]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.lists(st.one_of(st.none(), st.text(max_size=40), st.integers(-2**53, 2**53),
                                   st.floats(allow_nan=False, allow_infinity=False), st.booleans()),
                         max_size=6), max_size=30))
def test_any_values_round_trip(tmp_path: Path, rows: list[list[Any]]) -> None:
    path = tmp_path / "h.xlsx"
    write(path, rows)
    assert read_back(path, read_only=True)["名单"] == [HEADER, *expected_of(rows)]


def test_sheets_split_at_the_row_limit_each_with_the_header(tmp_path: Path) -> None:
    rows = [[f"第{i}户", i, None] for i in range(8)]
    path = tmp_path / "split.xlsx"
    out = write(path, rows, rows_per_sheet=3)
    assert out.sheets == 3 and out.rows == 8
    for read_only in (False, True):
        sheets = read_back(path, read_only)
        assert list(sheets) == ["名单", "名单2", "名单3"]
        assert sheets["名单"] == [HEADER, *(trimmed(r) for r in rows[:3])]
        assert sheets["名单2"] == [HEADER, *(trimmed(r) for r in rows[3:6])]
        assert sheets["名单3"] == [HEADER, *(trimmed(r) for r in rows[6:])]
    exact = tmp_path / "exact.xlsx"
    write(exact, rows[:6], rows_per_sheet=3)
    assert list(read_back(exact, read_only=True)) == ["名单", "名单2"]  # no empty third sheet


def test_excel_row_limit_is_respected() -> None:
    assert xlsx_stream.SHEET_ROWS == 1_048_576
    with pytest.raises(ValueError, match="1048575"):
        XlsxStream(Path("/nonexistent/never.xlsx"), "名单", HEADER, rows_per_sheet=1_048_576)


def test_an_empty_list_is_a_workbook_with_the_header_only(tmp_path: Path) -> None:
    path = tmp_path / "empty.xlsx"
    write(path, [])
    assert read_back(path, read_only=False) == {"名单": [HEADER]}


def test_package_parts_are_well_formed_and_deflated(tmp_path: Path) -> None:
    path = tmp_path / "parts.xlsx"
    write(path, TRICKY, rows_per_sheet=5)
    with zipfile.ZipFile(path) as package:
        names = package.namelist()
        assert {"[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels",
                "xl/styles.xml", *(f"xl/worksheets/sheet{k}.xml" for k in (1, 2, 3))} == set(names)
        for name in names:
            ElementTree.fromstring(package.read(name))  # raises on malformed XML
            assert package.getinfo(name).compress_type == zipfile.ZIP_DEFLATED
        types = package.read("[Content_Types].xml").decode()
        assert types.count("worksheet+xml") == 3
        texts = [t for k in (1, 2, 3) for t in ElementTree.fromstring(package.read(f"xl/worksheets/sheet{k}.xml"))
                 .iter(f"{{{xlsx_stream.MAIN}}}t")]
    # Excel trims text without xml:space="preserve": every value with outer blanks must carry it
    padded = [t for t in texts if t.text and t.text != t.text.strip(" \t\r\n")]
    assert len(padded) >= 4
    assert all(t.get("{http://www.w3.org/XML/1998/namespace}space") == "preserve" for t in padded)


def test_same_rows_give_identical_bytes(tmp_path: Path) -> None:
    write(tmp_path / "a.xlsx", TRICKY)
    write(tmp_path / "b.xlsx", TRICKY)
    assert (tmp_path / "a.xlsx").read_bytes() == (tmp_path / "b.xlsx").read_bytes()


def test_memory_does_not_grow_with_the_rows(tmp_path: Path) -> None:
    row = ["厦门某某科技有限公司", "91350203MA2XXXXXXX", "思明区", None, "确定金额", 1500, "1 人 × 1,500 元",
           "企业划型为中小微企业"]
    tracemalloc.start()
    try:
        with XlsxStream(tmp_path / "big.xlsx", "名单") as out:
            for _ in range(40_000):  # about 24 MB of sheet XML
                out.add(row)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 4 * 2**20
    assert (tmp_path / "big.xlsx").stat().st_size < 3 * 2**20  # and it was compressed


def test_bad_sheet_names_and_cell_types_are_refused(tmp_path: Path) -> None:
    for name in ("", "a/b", "[名单]", "'名单", "x" * 32):
        with pytest.raises(ValueError, match="工作表名称"):
            XlsxStream(tmp_path / "n.xlsx", name)
    with XlsxStream(tmp_path / "t.xlsx", "名单") as out, pytest.raises(TypeError, match="不支持的类型"):
        out.add([object()])


def test_column_letters() -> None:
    assert [column(i) for i in (0, 7, 25, 26, 701, 702, 16_383)] == ["A", "H", "Z", "AA", "ZZ", "AAA", "XFD"]


def old_bytes(path: Path, rows: list[list[Any]], **options: Any) -> bytes:
    """What the writer before the shared markup (tests/batch/xlsx_before.py) wrote for these rows."""
    with xlsx_before.XlsxStream(path, "名单", HEADER, **options) as out:
        for row in rows:
            out.add(row)
    return path.read_bytes()


def test_markup_made_once_is_numbered_right_in_every_workbook(tmp_path: Path) -> None:
    """Rows encoded once and added to two workbooks at different row numbers, across sheets, among rows
    added one by one: byte for byte what the old writer wrote adding each row."""
    clean = [[f"企业{i}", i, None if i % 3 else f"依据{i}"] for i in range(40)]
    rows = [*clean[:20], *TRICKY, *clean[20:]]
    encoded = xlsx_stream.Markup().encode(rows)
    assert encoded.count(None) >= 6 and all(b is None or b.count(b"\x00") >= 2 for b in encoded)
    for k, before in enumerate(([], clean[:7], clean[:13])):
        with XlsxStream(tmp_path / f"new{k}.xlsx", "名单", HEADER, rows_per_sheet=11) as out:
            for row in before:
                out.add(row)
            out.add_encoded(rows[:30], encoded[:30])
            out.add(clean[0])
            out.add_encoded(rows[30:], encoded[30:])
        expected = old_bytes(tmp_path / f"old{k}.xlsx", [*before, *rows[:30], clean[0], *rows[30:]], rows_per_sheet=11)
        assert (tmp_path / f"new{k}.xlsx").read_bytes() == expected


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.lists(st.one_of(st.none(), st.text(max_size=30), st.integers(-2**60, 2**60), st.floats(),
                                   st.booleans()), max_size=5), max_size=25))
def test_the_same_bytes_as_the_old_writer(tmp_path: Path, rows: list[list[Any]]) -> None:
    write(tmp_path / "new.xlsx", rows, rows_per_sheet=4)
    assert (tmp_path / "new.xlsx").read_bytes() == old_bytes(tmp_path / "old.xlsx", rows, rows_per_sheet=4)


@pytest.mark.parametrize("writer", [XlsxStream, xlsx_before.XlsxStream], ids=["now", "before"])
def test_rows_and_sheets_count_as_rows_are_added(tmp_path: Path, writer: type[XlsxStream]) -> None:
    with writer(tmp_path / "c.xlsx", "名单", HEADER, rows_per_sheet=3) as out:
        counts = []
        for i in range(7):
            out.add([f"第{i}户", i, None])
            counts.append((out.rows, out.sheets))
    assert counts == [(1, 1), (2, 1), (3, 1), (4, 2), (5, 2), (6, 2), (7, 3)]
    with pytest.raises(ValueError, match="工作表名称"), writer(tmp_path / "t.xlsx", "名" * 31, rows_per_sheet=1) as out:
        out.add(["第一行"])
        assert out.sheets == 1
        out.add(["第二行要第二个工作表，名称超长"])  # refused when added

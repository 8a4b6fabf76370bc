"""Decoding a department CSV once (sources.tables) finds the encoding and the problems ``detect`` finds."""

from __future__ import annotations

from pathlib import Path

import pytest

from sources.encoding import EncodingProblem, decode, detect

TEXT = "统一社会信用代码,单位名称\r\n91350200MA2Y0DQ93C,厦门鹭岛电子有限公司\n" * 40


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_the_encoding_and_the_text_as_written(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes(TEXT.encode(encoding))
    assert decode(path) == (detect(path), TEXT)  # no BOM, line ends untouched


@pytest.mark.parametrize(("data", "line"), [
    ("a,b\n名称,甲\n".encode("gbk") + b"x,\xff\xfe\x80\n", 3),  # neither UTF-8 nor GB18030
    (b"\xef\xbb\xbfa,b\n\n\xff\n", 3),  # a BOM, then a byte that is not UTF-8
    ("a,b\n".encode("utf-16"), 1),
    ("統一社會信用代碼,單位名稱\n廈門鷺島電子有限公司,臺灣\n".encode("big5") * 40, 0),  # as GB18030: nonsense
])
def test_the_same_problem_with_the_same_line_and_reason(tmp_path: Path, data: bytes, line: int) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(data)
    with pytest.raises(EncodingProblem) as streamed:
        detect(path)
    with pytest.raises(EncodingProblem) as whole:
        decode(path)
    assert (whole.value.file, whole.value.line, whole.value.reason) == \
        (streamed.value.file, line, streamed.value.reason)
    assert streamed.value.line == line

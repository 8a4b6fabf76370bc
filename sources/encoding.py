"""Which encoding a department's CSV file is in: UTF-8 (with or without BOM) or GB18030, detected.

Departments export CSV from Excel or older systems in UTF-8, UTF-8 with a BOM, or GBK (GB18030 is
its superset, so GBK files are read as GB18030). The whole file is decoded strictly once (while its
bytes are read anyway, e.g. for the run's fingerprint), so a bad byte is found before any work
starts and reported with its line. A file that is valid UTF-8 is UTF-8: Chinese text in another
encoding practically never is. A file that is only valid as GB18030 is confirmed by
charset-normalizer: when it finds another encoding that reads the text clearly better (Big5,
Shift-JIS…), the file is reported as ambiguous rather than read as GB18030 silently.
"""

from __future__ import annotations

import codecs
from pathlib import Path

UTF8, UTF8_SIG, GB18030 = "utf-8", "utf-8-sig", "gb18030"
LABELS = {UTF8: "UTF-8", UTF8_SIG: "UTF-8（带 BOM）", GB18030: "GB18030/GBK"}
BLOCK = 1 << 20
SAMPLE = 1 << 16  # bytes charset-normalizer looks at
GB_FAMILY = {"gb18030", "gbk", "gb2312", "hz", "iso2022_cn"}


class EncodingProblem(Exception):
    """A file that is neither UTF-8 nor GB18030, or whose encoding cannot be told: file, line, reason."""

    def __init__(self, file: str, line: int, reason: str) -> None:
        super().__init__(file, line, reason)
        self.file, self.line, self.reason = file, line, reason

    def __str__(self) -> str:
        where = f"第 {self.line} 行" if self.line else ""
        return f"{self.file} {where}：{self.reason}".replace(" ：", "：")


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def _decodes(path: Path, encoding: str, skip: int = 0) -> tuple[bool, int]:
    """(decodes strictly, 1-based line of the first bad byte or 0) reading block by block after ``skip`` bytes."""
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    lines = 0
    with path.open("rb") as handle:
        handle.seek(skip)
        while True:
            block = handle.read(BLOCK)
            try:
                decoder.decode(block, final=not block)
            except UnicodeDecodeError as exc:
                return False, lines + _line_of(block, max(exc.start, 0))
            if not block:
                return True, 0
            lines += block.count(b"\n")


def _sample(path: Path) -> bytes:
    """The first ``SAMPLE`` bytes of non-ASCII-bearing text, cut at a line end so no character is split."""
    with path.open("rb") as handle:
        data = handle.read(SAMPLE * 4)
    start = next((i for i, b in enumerate(data) if b >= 0x80), len(data))
    start = data.rfind(b"\n", 0, start) + 1
    piece = data[start:start + SAMPLE]
    end = piece.rfind(b"\n")
    return piece[:end] if end > 0 and len(data) > start + SAMPLE else piece


def _confirm_gb18030(path: Path) -> None:
    from charset_normalizer import from_bytes

    matches = list(from_bytes(_sample(path)))
    if not matches:
        raise EncodingProblem(path.name, 0, "无法确定文件编码（不是 UTF-8，按 GB18030 读也不像中文文本）；"
                                            "请用 Excel 另存为“CSV UTF-8”后重试")
    best = min(m.chaos for m in matches)
    if any(m.encoding in GB_FAMILY and m.chaos <= best for m in matches):
        return
    other = matches[0].encoding
    raise EncodingProblem(path.name, 0, f"无法确定文件编码：不是 UTF-8，可能是 {other} 也可能是 GB18030；"
                                        "请用 Excel 另存为“CSV UTF-8”后重试")


def _neither(path: Path, utf8_line: int, gb_line: int) -> EncodingProblem:
    return EncodingProblem(path.name, max(utf8_line, gb_line),
                           f"文件既不是 UTF-8（第 {utf8_line} 行出现无效字节）也不是 GB18030/GBK，无法读取")


def decode(path: Path) -> tuple[str, str]:
    """(encoding, text) of ``path``, decoded once, with the same checks and reasons as ``detect``.

    For readers that need the whole text anyway (``sources.tables``): detecting by streaming and then
    decoding again costs a second pass over the file, about a fifth of reading a mapped GBK CSV."""
    data = path.read_bytes()
    if data.startswith(codecs.BOM_UTF8):
        try:
            return UTF8_SIG, data[len(codecs.BOM_UTF8):].decode(UTF8)
        except UnicodeDecodeError as exc:
            raise EncodingProblem(path.name, _line_of(data, exc.start + len(codecs.BOM_UTF8)),
                                  "文件以 UTF-8 BOM 开头，但此行含有不是 UTF-8 的字节") from None
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise EncodingProblem(path.name, 1, "文件是 UTF-16 编码，不支持；请用 Excel 另存为“CSV UTF-8”")
    try:
        return UTF8, data.decode(UTF8)
    except UnicodeDecodeError as exc:
        utf8_line = _line_of(data, exc.start)
    try:
        text = data.decode(GB18030)
    except UnicodeDecodeError as exc:
        gb_line = _line_of(data, exc.start)
        raise _neither(path, utf8_line, gb_line) from None
    _confirm_gb18030(path)
    return GB18030, text


def detect(path: Path) -> str:
    """``utf-8-sig``, ``utf-8`` or ``gb18030`` for ``path``; ``EncodingProblem`` otherwise."""
    with path.open("rb") as handle:
        head = handle.read(4)
    if head.startswith(codecs.BOM_UTF8):
        ok, line = _decodes(path, UTF8, skip=len(codecs.BOM_UTF8))  # utf-8-sig's errors are 3 bytes off
        if not ok:
            raise EncodingProblem(path.name, line, "文件以 UTF-8 BOM 开头，但此行含有不是 UTF-8 的字节")
        return UTF8_SIG
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise EncodingProblem(path.name, 1, "文件是 UTF-16 编码，不支持；请用 Excel 另存为“CSV UTF-8”")
    ok, utf8_line = _decodes(path, UTF8)
    if ok:
        return UTF8
    ok, gb_line = _decodes(path, GB18030)
    if not ok:
        raise _neither(path, utf8_line, gb_line)
    _confirm_gb18030(path)
    return GB18030

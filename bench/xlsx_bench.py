"""Cost per list row of writing .xlsx: batch/xlsx_stream.py against openpyxl write-only, same process.

    python bench/xlsx_bench.py [--rows 50000] [--repeats 5]

Rows look like the batch lists' (8 cells: Chinese name, credit code, district, zone or empty, amount
kind, int / float / empty amount, formula or empty, reasons; about 80 characters of text). Each writer
writes the same rows to a fresh file ``--repeats`` times; the medians and the ratio are printed.
xlsxwriter (constant_memory) is measured too when it happens to be installed; it is not a
dependency of the project.
"""

from __future__ import annotations

import argparse
import importlib.util
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from batch.lists import HEADER
from batch.xlsx_stream import XlsxStream

DISTRICTS = ["思明区", "湖里区", "集美区", "海沧区", "同安区", "翔安区"]
WORDS = ["东恒", "高凤", "渡浪", "顶丰", "浪凤", "金缘", "瑞同", "崎东", "凰鼓", "口浪", "嘉东", "银崎"]
TRADES = ["咨询", "机械", "服装", "贸易", "餐饮", "软件", "科技", "物流", "电子", "建设"]
REASONS = ["企业划型为中小微企业", "1 名新招用人员符合条件（16-24岁、登记失业人员、签订1年以上劳动合同）",
           "1 份有预付安排的政府采购合同符合条件（有预付安排的政府采购合同、合同金额）",
           "hires[1]：招用时不是登记失业人员", "预付款比例可提高至50%以上"]


def sample_rows(n: int, seed: int = 1) -> list[list[Any]]:
    """Rows shaped like a 10,000-enterprise run's lists (≈ 75 characters per CSV line there; ≈ 80 here)."""
    rng = random.Random(seed)
    rows = []
    for _ in range(n):
        code = "9135020" + "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(11))
        amount: int | float | None = None
        kind, formula, reasons = "无金额", None, REASONS[0]
        if rng.random() < .4:  # about 60 % of list rows are amount-less, like M33's
            kind = rng.choice(["确定金额", "比例（预付款等）", "最高金额"])
            amount = rng.randrange(1, 5000) * 500 if rng.random() < .8 else rng.randrange(1, 10**8) / 100
            formula = f"合同金额 {amount * 2:,} 元 × 50% = {amount:,} 元"
            reasons = "；".join(rng.sample(REASONS, rng.randrange(1, 4)))
        rows.append([f"厦门{rng.choice(WORDS)}{rng.choice(TRADES)}有限公司", code, rng.choice(DISTRICTS),
                     rng.choice([None, None, None, "自贸区", "火炬高新区"]), kind, amount, formula, reasons])
    return rows


def with_openpyxl(path: Path, rows: list[list[Any]]) -> None:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("名单")
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    book.save(path)


def with_stream(path: Path, rows: list[list[Any]]) -> None:
    with XlsxStream(path, "名单", HEADER) as out:
        for row in rows:
            out.add(row)


def with_xlsxwriter(path: Path, rows: list[list[Any]]) -> None:
    import xlsxwriter  # type: ignore[import-not-found]

    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet("名单")
    sheet.write_row(0, 0, HEADER)
    for number, row in enumerate(rows, 1):
        sheet.write_row(number, 0, row)
    book.close()


def measure(write: Callable[[Path, list[list[Any]]], None], rows: list[list[Any]], repeats: int,
            folder: Path) -> tuple[float, int]:
    """Median µs per row over ``repeats`` runs, and the file size."""
    times = []
    path = folder / f"{write.__name__}.xlsx"
    for _ in range(repeats):
        path.unlink(missing_ok=True)
        started = time.perf_counter()
        write(path, rows)
        times.append(time.perf_counter() - started)
    return statistics.median(times) / len(rows) * 1e6, path.stat().st_size


def main() -> None:
    parser = argparse.ArgumentParser(description="xlsx 写出压测：每行微秒数")
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    rows = sample_rows(args.rows)
    writers = [with_openpyxl, with_stream]
    if importlib.util.find_spec("xlsxwriter"):
        writers.insert(1, with_xlsxwriter)
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for write in writers:
            results[write.__name__] = measure(write, rows, args.repeats, Path(tmp))
    print(f"{args.rows:,} rows × 8 cells, median of {args.repeats}")
    print("| writer | µs/row | file KiB |")
    print("|---|---|---|")
    for name, (per_row, size) in results.items():
        print(f"| {name} | {per_row:.1f} | {size // 1024:,} |")
    ratio = results["with_openpyxl"][0] / results["with_stream"][0]
    print(f"xlsx_stream is {ratio:.1f}× faster than openpyxl write-only")


if __name__ == "__main__":
    main()

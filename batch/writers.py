"""Lists for the handling units: per measure and per unit an Excel workbook and a CSV, plus a summary.

Layout under ``OUT/RUN_ID/``::

    summary.xlsx / summary.csv    counts and totals per measure and unit
    run.json                      the run record (id, rules version, fingerprint, as_of, counts, times)
    rejections.csv                the error report: file, line, credit code, field, reason
    M30_中小微企业扩岗补助/市人社局.xlsx, .csv   one list per measure and handling unit
"""

from __future__ import annotations

import csv
import json
import re
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from sqlalchemy import Engine

from engine import default_rules
from store import runs

HEADER = ["企业名称", "统一社会信用代码", "所在区", "功能区", "金额类型", "金额（元）", "算式", "依据（符合的条件）"]
SUMMARY_HEADER = ["措施", "名称", "经办单位", "企业数", "金额合计（元）", "金额类型"]
KIND_LABEL = {"exact": "确定金额", "up_to": "最高金额", "share": "比例（预付款等）", "none": "无金额"}
EXCEL_MAX_ROWS = 1_048_575  # one row for the header


def _number(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def _safe(name: str) -> str:
    return re.sub(r'[\\/:*?"<>|\s]+', "_", name).strip("_") or "_"


class _UnitList:
    """One measure × unit list, written as rows arrive (write-only workbook, CSV alongside)."""

    def __init__(self, folder: Path, unit: str) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.path = folder / f"{_safe(unit)}.xlsx"
        self.book = Workbook(write_only=True)
        self.sheet = self._new_sheet()
        self.rows = 0
        self.csv_handle = (folder / f"{_safe(unit)}.csv").open("w", encoding="utf-8-sig", newline="")
        self.csv = csv.writer(self.csv_handle)
        self.csv.writerow(HEADER)

    def _new_sheet(self) -> Any:
        count = len(self.book.worksheets)
        sheet = self.book.create_sheet(title="名单" if not count else f"名单{count + 1}")
        sheet.append(HEADER)
        return sheet

    def add(self, row: list[Any]) -> None:
        if self.rows and self.rows % EXCEL_MAX_ROWS == 0:
            self.sheet = self._new_sheet()
        self.sheet.append(row)
        self.csv.writerow(row)
        self.rows += 1

    def close(self) -> None:
        self.book.save(self.path)
        self.csv_handle.close()


def write_outputs(engine: Engine, run_id: str, out: Path) -> Path:
    """Write every list, the summary and the error report of ``run_id`` under ``out/run_id``."""
    folder = out / run_id
    folder.mkdir(parents=True, exist_ok=True)
    titles = {m.id: m.title for m in default_rules().measures}
    totals: dict[tuple[str, str], list[Any]] = defaultdict(lambda: [0, Decimal(0), set()])
    with engine.connect() as conn:
        open_lists: dict[str, _UnitList] = {}
        current = None
        for row in runs.results_of(conn, run_id):
            if row.measure != current:
                for unit_list in open_lists.values():
                    unit_list.close()
                open_lists, current = {}, row.measure
            line = [row.name, row.credit_code, row.district, row.zone, KIND_LABEL.get(row.amount_kind, row.amount_kind),
                    _number(row.amount_yuan), row.formula, "；".join(row.reasons)]
            for unit in row.units:
                if unit not in open_lists:
                    open_lists[unit] = _UnitList(folder / _safe(f"{row.measure}_{titles.get(row.measure, '')}"), unit)
                open_lists[unit].add(line)
                entry = totals[(row.measure, unit)]
                entry[0] += 1
                entry[1] += row.amount_yuan or 0
                entry[2].add(row.amount_kind)
        for unit_list in open_lists.values():
            unit_list.close()
        _write_rejections(conn, run_id, folder / "rejections.csv")
    _write_summary(folder, totals, titles)
    run = runs.load_run(engine, run_id)
    if run is not None:
        (folder / "run.json").write_text(json.dumps(run_record(run), ensure_ascii=False, indent=2), encoding="utf-8")
    return folder


def run_record(run: Any) -> dict[str, Any]:
    return {
        "id": run.id, "status": run.status, "engine": run.engine, "rules_version": run.rules_version,
        "input": run.input_path, "format": run.input_format, "input_fingerprint": run.input_fingerprint,
        "as_of": run.as_of.isoformat(), "measures": run.measures, "only_auto": run.only_auto,
        "counts": {"total": run.total, "matched": run.matched, "unmatched": run.unmatched, "rejected": run.rejected},
        "started_at": run.started_at.isoformat() if run.started_at else None,
        "finished_at": run.finished_at.isoformat() if run.finished_at else None,
    }


def _write_summary(folder: Path, totals: dict[tuple[str, str], list[Any]], titles: dict[str, str]) -> None:
    order = {m: i for i, m in enumerate(titles)}
    ordered = sorted(totals.items(), key=lambda kv: (order.get(kv[0][0], 0), kv[0][1]))
    rows = [
        [measure, titles.get(measure, ""), unit, count, _number(total), "、".join(KIND_LABEL[k] for k in sorted(kinds))]
        for (measure, unit), (count, total, kinds) in ordered
    ]
    book = Workbook(write_only=True)
    sheet = book.create_sheet("汇总")
    sheet.append(SUMMARY_HEADER)
    for row in rows:
        sheet.append(row)
    book.save(folder / "summary.xlsx")
    with (folder / "summary.csv").open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(SUMMARY_HEADER)
        writer.writerows(rows)


def _write_rejections(conn: Any, run_id: str, path: Path) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["文件", "行号", "统一社会信用代码", "字段", "原因"])
        for row in runs.rejections_of(conn, run_id):
            writer.writerow([row.source, row.line, row.credit_code or "", row.field, row.reason])

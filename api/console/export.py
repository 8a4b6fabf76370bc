"""The consultation log as rows, and those rows as Excel (openpyxl) or CSV."""

from __future__ import annotations

import csv
import io
from typing import Any

from openpyxl import Workbook

from batch.cells import safe_row
from store.console import VersionRow

HEADERS = ["编号", "版本", "版本数", "保存时间（北京时间）", "咨询人员", "统一社会信用代码", "企业名称", "方案",
           "可享受措施", "确定金额合计（元）", "“最高”金额合计（元）", "规则版本", "评估日", "备注",
           "规则发布版本"]


def rows(items: list[VersionRow]) -> list[list[Any]]:
    out = []
    for r in items:
        totals = r.result.get("totals", {})
        out.append([r.consultation_id, r.version, r.versions, r.saved_local.strftime("%Y-%m-%d %H:%M:%S"), r.adviser,
                     r.credit_code or "", r.enterprise_name or "", r.label or "", "、".join(r.eligible),
                     totals.get("exact_yuan", ""), totals.get("up_to_yuan", ""), r.rules_version,
                     r.result.get("as_of", ""), r.note, _release(r)])
    return out


def _release(row: VersionRow) -> str:
    if not row.rules_release:
        return ""
    return f"{row.rules_release}（{row.rules_release_date}）" if row.rules_release_date else row.rules_release


def to_xlsx(items: list[VersionRow]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "咨询记录"
    sheet.append(HEADERS)
    for row in rows(items):
        sheet.append(safe_row(row))
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def to_csv(items: list[VersionRow]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADERS)
    for row in rows(items):
        writer.writerow(safe_row(row))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")  # BOM: Excel opens UTF-8 CSV correctly

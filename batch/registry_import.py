"""``huiqi registry import --sources SOURCES.yaml``: fill the console's registry from department sources.

The same readers, mappings and merge as ``huiqi batch --sources``, and the same validation, without
evaluating: each valid enterprise's profile is stored with the provenance of every fact, so the
console shows beside a pre-filled fact which department it came from. Rows that cannot be imported
and the merge's notices are written to a report (source, file, sheet, row, column, reason).
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine

from batch.readers import read_sources
from batch.worker import ChunkOutcome, _validated
from batch.writers import NOTICE_KINDS
from store import runs

CHUNK = 1000


@dataclass
class ImportSummary:
    import_id: str
    total: int
    imported: int
    rejected: int
    notices: int
    report: Path


def import_registry(engine: Engine, sources: Path, report_dir: Path) -> ImportSummary:
    import_id = "import-" + dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
    report_dir.mkdir(parents=True, exist_ok=True)
    report = report_dir / f"{import_id}.csv"
    records, _, warnings = read_sources(sources, report_dir)
    totals = ChunkOutcome(0)
    with report.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["类别", "数据来源", "文件", "工作表", "行号", "列", "统一社会信用代码", "字段", "原因"])
        for warning in warnings:
            writer.writerow(["提示", "", "", "", "", "", "", "", warning])
        out = ChunkOutcome(0)
        for record in records:
            profile = _validated(record, out)
            if profile is not None:
                out.registry.append(runs.registry_row(
                    profile.credit_code, profile.name, profile.district,  # type: ignore[arg-type]
                    profile.model_dump_json(exclude_none=True),
                    f"{record.source}:{record.line}" if record.provenance is None else
                    f"{record.provenance.locate('').source} {record.source}:{record.line}",
                    None if record.provenance is None else record.provenance.as_json(),
                ))
            if len(out.registry) >= CHUNK or len(out.rejections) >= CHUNK:
                _flush(engine, import_id, out, writer, totals)
                out = ChunkOutcome(0)
        _flush(engine, import_id, out, writer, totals)
    return ImportSummary(import_id, totals.rows, totals.matched, totals.rejected, totals.unmatched, report)


def _flush(engine: Engine, import_id: str, out: ChunkOutcome, writer: csv.Writer, totals: ChunkOutcome) -> None:
    """Store the valid enterprises (one transaction) and write the report lines of this part."""
    runs.upsert_registry(engine, out.registry, import_id)
    notices = 0
    for file, line, code, field, reason, kind, source, sheet, column in out.rejections:
        label = "数据有误（未导入）" if kind == "rejected" else NOTICE_KINDS.get(kind, kind)
        notices += kind != "rejected"
        writer.writerow([label, source or "", file, sheet or "", line, column or "", code or "", field, reason])
    totals.rows += out.rows
    totals.matched += len(out.registry)  # imported
    totals.rejected += out.rejected
    totals.unmatched += notices  # notices

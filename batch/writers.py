"""Lists for the handling units: per measure and per unit an Excel workbook and a CSV, plus a summary.

Layout under ``OUT/RUN_ID/``::

    summary.xlsx / summary.csv    counts and totals per measure and unit
    run.json                      the run record (id, rules version, fingerprint, as_of, counts, times)
    rejections.csv                the error report: file, line, credit code, field, reason
    M30_中小微企业扩岗补助/市人社局.xlsx, .csv   one list per measure and handling unit

How one measure's lists are written (the city list once, then copied) is in batch/lists.py. With
``workers`` > 1 the measures are shared out to that many processes, largest first.
"""

from __future__ import annotations

import csv
import json
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from batch.cells import safe_row
from batch.lists import KIND_LABEL, Total, number, safe_name, write_measure
from batch.pools import shared_or_own
from batch.xlsx_stream import XlsxStream
from engine import default_rules
from store import runs
from store.db import make_engine

SUMMARY_HEADER = ["措施", "名称", "经办单位", "企业数", "金额合计（元）", "金额类型"]


def write_outputs(engine: Engine, run_id: str, out: Path, workers: int = 1,
                  pool: ProcessPoolExecutor | None = None) -> Path:
    """Write every list, the summary and the error report of ``run_id`` under ``out/run_id``
    (``pool``: the batch's worker processes, else ``workers`` processes started for the lists)."""
    folder = out / run_id
    folder.mkdir(parents=True, exist_ok=True)
    book = default_rules()
    titles = {m.id: m.title for m in book.measures}
    local_units = frozenset(book.local_units.all_local_units())
    with engine.connect() as conn:
        sizes = runs.measure_sizes(conn, run_id)
    jobs = [(measure, folder / safe_name(f"{measure}_{titles.get(measure, '')}"))
            for measure in sorted(sizes, key=lambda m: -sizes[m])]  # largest first, so the pool ends together
    in_memory = engine.url.get_backend_name() == "sqlite" and engine.url.database in (None, "", ":memory:")
    if (workers > 1 or pool is not None) and len(jobs) > 1 and not in_memory:
        url = engine.url.render_as_string(hide_password=False)
        engine.dispose()  # forked workers must not inherit pooled connections
        with shared_or_own(pool, min(workers, len(jobs))) as writers:
            futures = [writers.submit(_write_measure_job, url, run_id, m, f, local_units) for m, f in jobs]
            lists = [future.result() for future in futures]
    else:
        with engine.connect() as conn:
            lists = [write_measure(conn, run_id, m, f, local_units) for m, f in jobs]
    totals = {(measure, unit): total for (measure, _), found in zip(jobs, lists, strict=True)
              for unit, total in found.items()}
    run = runs.load_run(engine, run_id)
    with engine.connect() as conn:
        if run is not None and run.input_format == "sources":
            _write_source_reports(conn, run_id, folder)
        else:
            _write_rejections(conn, run_id, folder / "rejections.csv")
    _write_summary(folder, totals, titles)
    if run is not None:
        (folder / "run.json").write_text(json.dumps(run_record(run), ensure_ascii=False, indent=2), encoding="utf-8")
    return folder


def _write_measure_job(url: str, run_id: str, measure: str, folder: Path,
                       local_units: frozenset[str]) -> dict[str, Total]:
    """One measure's lists in a pool worker, on the worker's own connection."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return write_measure(conn, run_id, measure, folder, local_units)
    finally:
        engine.dispose()


def run_record(run: Any) -> dict[str, Any]:
    return {
        "id": run.id, "status": run.status, "engine": run.engine, "rules_version": run.rules_version,
        "rules_release": run.rules_release,
        "rules_release_date": run.rules_release_date.isoformat() if run.rules_release_date else None,
        "input": run.input_path, "format": run.input_format, "input_fingerprint": run.input_fingerprint,
        "as_of": run.as_of.isoformat(), "measures": run.measures, "only_auto": run.only_auto,
        "counts": {"total": run.total, "matched": run.matched, "unmatched": run.unmatched, "rejected": run.rejected},
        "started_at": run.started_at.isoformat() if run.started_at else None,
        "finished_at": run.finished_at.isoformat() if run.finished_at else None,
    }


def _write_summary(folder: Path, totals: dict[tuple[str, str], Total], titles: dict[str, str]) -> None:
    order = {m: i for i, m in enumerate(titles)}
    ordered = sorted(totals.items(), key=lambda kv: (order.get(kv[0][0], 0), kv[0][1]))
    rows = [
        [measure, titles.get(measure, ""), unit, total.count, number(total.amount),
         "、".join(KIND_LABEL[k] for k in sorted(total.kinds))]
        for (measure, unit), total in ordered
    ]
    with XlsxStream(folder / "summary.xlsx", "汇总", SUMMARY_HEADER) as book:
        book.add_rows(rows)
    with (folder / "summary.csv").open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(SUMMARY_HEADER)
        writer.writerows(rows)


NOTICE_KINDS = {
    "conflict": "来源不一致（按优先级采用）", "not_in_registry": "不在登记库（未评估）",
    "cell": "未采用来源中的错误单元格", "duplicate": "重复行（未采用）", "no_code": "缺少统一社会信用代码（未采用）",
}
SOURCE_COLUMNS = ["数据来源", "文件", "工作表", "行号", "列", "统一社会信用代码", "字段"]


def _write_source_reports(conn: Any, run_id: str, folder: Path) -> None:
    """Department sources: rejections.csv (cells that reject an enterprise) and notices.csv (the rest)."""
    def located(row: Any) -> list[Any]:
        return [row.source_name or "", row.source, row.sheet or "", row.line, row.column_name or "",
                row.credit_code or "", row.field]

    with (folder / "rejections.csv").open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([*SOURCE_COLUMNS, "原因"])
        for row in runs.rejections_of(conn, run_id, ("rejected",)):
            writer.writerow([*located(row), row.reason])
    with (folder / "notices.csv").open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["类别", *SOURCE_COLUMNS, "说明"])
        for row in runs.rejections_of(conn, run_id, ("rejected",), exclude=True):
            writer.writerow([NOTICE_KINDS.get(row.kind, row.kind), *located(row), row.reason])


def notice_counts(engine: Engine, run_id: str) -> dict[str, int]:
    """How many report lines of each notice kind a run has (department sources)."""
    from sqlalchemy import func, select

    from store.models import BatchRejection

    with engine.connect() as conn:
        rows = conn.execute(select(BatchRejection.kind, func.count()).where(BatchRejection.run_id == run_id)
                            .where(BatchRejection.kind != "rejected").group_by(BatchRejection.kind)).all()
    return {kind: int(count) for kind, count in rows}


def _write_rejections(conn: Any, run_id: str, path: Path) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["文件", "行号", "统一社会信用代码", "字段", "原因"])
        for row in runs.rejections_of(conn, run_id):
            writer.writerow(safe_row([row.source, row.line, row.credit_code or "", row.field, row.reason]))

"""``huiqi batch what-if RUN_ID --rules NEW_DIR``: before a new release of the rules is published, who
of a run's enterprises would gain, lose or see another amount, per measure and per handling unit.

The run's enterprises come from the database, exactly as the run evaluated them (``batch_members``
and ``profile_snapshots``; see store/migrations/versions/0004_rules_release.py), never from the
input files again; the baseline is the run's stored results. Chunks of enterprises go to the batch's
kind of process pool (one engine per worker, built once), are compared there
(batch/whatif_compare.py) and come back in order; the changed lines wait in a scratch SQLite file in
the output folder until every chunk is in, then become one list per measure and unit.

Output, under ``OUT/RUN_ID-what-if-VERSION/``::

    summary.xlsx / summary.csv     per measure (all units, then each unit): before, after, gained,
                                   lost, amount changed, money before, after and the difference
    changes.csv                    one line per enterprise and measure that changes (as ``batch diff``)
    M30_中小微企业扩岗补助/市人社局.xlsx, .csv   each unit's changed lines of each measure
    what-if.json                   both rule releases, the counts, the money, how long it took
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import shutil
import sqlite3
import sys
import time
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import islice
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from tqdm import tqdm

from batch.diff import CHANGES, Change, write_changes
from batch.lists import KIND_LABEL, ListFiles, number, safe_name
from batch.pools import clean_processes
from batch.runner import CHUNK_SIZES
from batch.whatif_compare import (
    ALL_UNITS,
    ENGINES,
    Eligible,
    EvaluateMany,
    Member,
    Tally,
    WhatIfJob,
    WhatIfOutcome,
    compare_chunk,
    evaluate_in_columns,
    remember,
    warm_up,
)
from batch.xlsx_stream import XlsxStream
from engine import RuleBook, RuleFileError, load_rules
from engine.catalogue import release_label
from store import runs

LIST_HEADER = ["企业名称", "统一社会信用代码", "所在区", "功能区", "变化", "原金额（元）", "新金额（元）", "差额（元）",
               "金额类型", "新算式", "说明（新规则下符合的条件或不再符合的原因）"]
SUMMARY_HEADER = ["措施", "名称", "经办单位", "原名单（户）", "新名单（户）", "新增符合（户）", "不再符合（户）",
                  "金额变化（户）", "原金额合计（元）", "新金额合计（元）", "差额（元）", "金额类型"]
ALL_UNITS_LABEL = "全部经办单位（按企业计）"
SCRATCH = "changes.sqlite3"


class WhatIfError(Exception):
    """The what-if cannot run; the message is for the user."""


@dataclass
class WhatIfReport:
    run_id: str
    as_of: dt.date
    base: str  # the run's rules, as people name them
    new: str
    new_book: RuleBook
    measures: list[str]  # compared: the run's measures
    not_in_run: list[str]  # measures of the new rules the run did not match (not compared)
    folder: Path
    evaluated: int = 0
    invalid: list[tuple[str, str]] = field(default_factory=list)
    tallies: dict[tuple[str, str], Tally] = field(default_factory=dict)
    seconds: float = 0.0
    engine: str = "columnar"  # which engine evaluated the new rules (ENGINES), or the function's name

    def measure_tallies(self) -> list[tuple[str, Tally]]:
        """Each compared measure's tally over all its enterprises, in measure order (changed ones only)."""
        return [(m, t) for m in self.measures if (t := self.tallies.get((m, ALL_UNITS))) is not None
                and (t.gained or t.lost or t.changed)]

    def totals(self) -> Tally:
        total = Tally()
        for _, tally in self.measure_tallies():
            total.merge(tally)
        return total

    def as_json(self) -> dict[str, Any]:
        total = self.totals()
        return {
            "run_id": self.run_id, "as_of": self.as_of.isoformat(), "base_rules": self.base,
            "new_rules": self.new, "rules_version": self.new_book.version,
            "rules_release": self.new_book.release_name, "evaluated": self.evaluated, "invalid": len(self.invalid),
            "gained": total.gained, "lost": total.lost, "changed": total.changed,
            "difference_yuan": {kind: exact_text(total.difference(kind)) for kind in total.kinds},
            "measures_changed": [m for m, _ in self.measure_tallies()], "not_in_run": self.not_in_run,
            "out": str(self.folder), "seconds": round(self.seconds, 1), "engine": self.engine,
        }


def exact_text(value: Decimal) -> str:
    """Money as exact JSON text: '108500', '-2000', '1234.50'."""
    value = value.quantize(Decimal("0.01"))
    return str(value.to_integral_value()) if value == value.to_integral_value() else str(value)


def what_if(engine: Engine, run_id: str, rules: Path | str, out: Path, workers: int = 2,
            progress: bool = True, evaluate: EvaluateMany = evaluate_in_columns) -> WhatIfReport:
    """Evaluate the enterprises of ``run_id`` under the rules in ``rules``; write the lists; report.

    ``evaluate`` evaluates many profiles under a rule book: the columnar engine by default (the
    fastest path, same answers as durable-rules), ``ENGINES["rete"]`` for durable-rules, or any
    function with that signature; nothing else changes."""
    started = time.perf_counter()
    run = runs.load_run(engine, run_id)
    if run is None:
        raise WhatIfError(f"没有编号为 {run_id} 的批次")
    if run.status != "done":
        raise WhatIfError(f"批次 {run_id} 尚未完成，请先续跑：huiqi batch --resume {run_id}")
    try:
        book = load_rules(rules)
    except RuleFileError as exc:
        raise WhatIfError(f"新规则有误：\n{exc}") from None
    report = WhatIfReport(
        run_id, run.as_of, release_label(run.rules_release, run.rules_release_date, run.rules_version),
        release_label(book.release_name, book.release_date, book.version), book, list(run.measures),
        [m.id for m in book.measures if m.id not in run.measures], out / f"{run_id}-what-if-{book.version}",
        engine=next((name for name, function in ENGINES.items() if function is evaluate), evaluate.__name__),
    )
    job = WhatIfJob(str(Path(rules).resolve()), run.as_of, frozenset(run.measures), evaluate)
    remember(job.rules, book)
    shutil.rmtree(report.folder, ignore_errors=True)  # this what-if's own folder, from an earlier try
    report.folder.mkdir(parents=True)
    scratch = _Scratch(report.folder / SCRATCH)
    try:
        with engine.connect() as profiles_conn, engine.connect() as results_conn:
            total, profiles = _profiles(profiles_conn, run)
            members = _members(profiles, runs.eligible_by_code(results_conn, run_id))
            bar = tqdm(total=total, unit="户", desc=f"影响测算 {run_id}", file=sys.stderr, disable=not progress,
                       dynamic_ncols=True, mininterval=0.5)
            try:
                for outcome in _outcomes(members, CHUNK_SIZES.get(report.engine, run.chunk_size), job, workers):
                    report.evaluated += outcome.evaluated
                    report.invalid += outcome.invalid
                    for key, tally in outcome.tallies.items():
                        report.tallies.setdefault(key, Tally()).merge(tally)
                    scratch.add(outcome)
                    bar.update(outcome.evaluated + len(outcome.invalid))
            finally:
                bar.close()
        titles = {m.id: m.title for m in book.measures}
        _write_lists(scratch, report.folder, titles)
        _write_changes(scratch, report.folder / "changes.csv")
        _write_summary(report, titles)
        _write_invalid(report)
    finally:
        scratch.close()
    report.seconds = time.perf_counter() - started
    (report.folder / "what-if.json").write_text(json.dumps(report.as_json(), ensure_ascii=False, indent=2),
                                                encoding="utf-8")
    return report


def _profiles(conn: Any, run: Any) -> tuple[int, Iterable[Any]]:
    """(how many, the rows) of the run's enterprises with the profiles the run evaluated."""
    members, registry = runs.count_members(conn, run.id)
    expected = (run.matched or 0) + (run.unmatched or 0)
    if members:
        return members, runs.evaluated_profiles(conn, run.id)
    if registry == expected:
        # a run stored before batch_members: its registry rows are still exactly its enterprises,
        # since a later run re-importing any of them would have taken them over (their run_id)
        return registry, runs.registry_profiles(conn, run.id)
    raise WhatIfError(
        f"批次 {run.id} 早于企业名单的记录（batch_members），登记库中仍由该批次导入的企业只有 {registry} 户"
        f"（该批次评估了 {expected} 户），其余已被之后的批次更新，无法按该批次的原样重算；请重新运行一次批次后再测算"
    )


def _members(profiles: Iterable[Any], baseline: Iterable[Any]) -> Iterator[Member]:
    """Each enterprise with what the run found it eligible for; both streams are ordered by credit code."""
    stored = iter(baseline)
    pending = next(stored, None)
    for code, profile in profiles:
        before: dict[str, Eligible] = {}
        while pending is not None and pending.credit_code == code:
            before[pending.measure] = Eligible(pending.amount_kind, pending.amount_yuan, tuple(pending.units))
            pending = next(stored, None)
        if pending is not None and pending.credit_code < code:
            raise WhatIfError(f"批次结果中的企业 {pending.credit_code} 不在该批次的企业名单中，数据不一致")
        yield code, profile, before
    if pending is not None:
        raise WhatIfError(f"批次结果中的企业 {pending.credit_code} 不在该批次的企业名单中，数据不一致")


def _outcomes(members: Iterator[Member], size: int, job: WhatIfJob, workers: int) -> Iterator[WhatIfOutcome]:
    """Chunks compared in a pool of ``workers`` processes (in this one when 0), returned in order."""
    chunks = enumerate(iter(lambda: list(islice(members, size)), []))
    if workers <= 0:
        for number, chunk in chunks:
            yield compare_chunk(number, chunk, job)
        return
    # spawned, not forked: this process may have run Polars already (batch/pools.py)
    with ProcessPoolExecutor(max_workers=workers, initializer=warm_up, initargs=(job, os.getpid()),
                             mp_context=clean_processes()) as pool:
        pending: deque[Future[WhatIfOutcome]] = deque()
        for number, chunk in chunks:
            if len(pending) >= 3 * workers:  # bounded: memory does not grow with the registry
                yield pending.popleft().result()
            pending.append(pool.submit(compare_chunk, number, chunk, job))
        while pending:
            yield pending.popleft().result()


class _Scratch:
    """The changed lines, on disk until every chunk is in, then read back per measure and unit."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.db = sqlite3.connect(path)
        self.db.execute("PRAGMA journal_mode=OFF")
        self.db.execute("PRAGMA synchronous=OFF")
        self.db.execute("CREATE TABLE rows (measure_no INTEGER, measure TEXT, unit TEXT, code TEXT, change TEXT,"
                        " name TEXT, district TEXT, zone TEXT, kind TEXT, old TEXT, new TEXT, formula TEXT, note TEXT)")

    def add(self, outcome: WhatIfOutcome) -> None:
        if outcome.rows:
            self.db.executemany("INSERT INTO rows VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                [(int(r[0][1:]), *r) for r in outcome.rows])

    def lines(self, per_unit: bool) -> Iterator[tuple[Any, ...]]:
        """Per unit (each unit's lines), or per enterprise (unit "*"), by measure, unit and credit code."""
        where = "unit != ?" if per_unit else "unit = ?"
        yield from self.db.execute(
            f"SELECT measure, unit, code, change, name, district, zone, kind, old, new, formula, note FROM rows"
            f" WHERE {where} ORDER BY measure_no, unit, code", (ALL_UNITS,))

    def close(self) -> None:
        self.db.close()
        self.path.unlink(missing_ok=True)


def _decimal(value: str | None) -> Decimal | None:
    """Stored money text as a Decimal, whole yuan without decimals ("1500.00" from the database: 1500)."""
    if value is None:
        return None
    amount = Decimal(value)
    return amount.to_integral_value() if amount == amount.to_integral_value() else amount.quantize(Decimal("0.01"))


def _write_lists(scratch: _Scratch, folder: Path, titles: dict[str, str]) -> None:
    """One list per measure and unit of the lines that change there, in credit-code order."""
    current: tuple[str, str] | None = None
    files: ListFiles | None = None
    try:
        for line in scratch.lines(per_unit=True):
            measure, unit, code, change, name, district, zone, kind, old, new, formula, note = line
            if (measure, unit) != current:
                if files is not None:
                    files.close()
                current = (measure, unit)
                files = ListFiles(folder / safe_name(f"{measure}_{titles.get(measure, '')}"), unit, LIST_HEADER)
            assert files is not None
            before, after = _decimal(old), _decimal(new)
            difference = (after or Decimal(0)) - (before or Decimal(0))
            files.write([name, code, district, zone, CHANGES[change], number(before), number(after),
                         number(difference), KIND_LABEL.get(kind, kind), formula, note])
    finally:
        if files is not None:
            files.close()


def _write_changes(scratch: _Scratch, path: Path) -> None:
    """Every enterprise and measure that changes, as ``huiqi batch diff`` writes them."""
    changes = (Change(measure, code, change, name, _decimal(old), _decimal(new))
               for measure, _, code, change, name, *_, old, new, _, _ in scratch.lines(per_unit=False))
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        write_changes(changes, handle)


def _write_summary(report: WhatIfReport, titles: dict[str, str]) -> None:
    rows = []
    for measure, _ in report.measure_tallies():
        units = sorted(unit for m, unit in report.tallies if m == measure and unit != ALL_UNITS)
        for unit in [ALL_UNITS, *units]:
            tally = report.tallies[(measure, unit)]
            if unit != ALL_UNITS and not (tally.gained or tally.lost or tally.changed):
                continue
            rows.append([measure, titles.get(measure, ""), ALL_UNITS_LABEL if unit == ALL_UNITS else unit,
                         tally.before, tally.after, tally.gained, tally.lost, tally.changed,
                         number(sum(tally.before_yuan.values(), Decimal(0))),
                         number(sum(tally.after_yuan.values(), Decimal(0))), number(tally.difference()),
                         "、".join(KIND_LABEL.get(k, k) for k in tally.kinds)])
    with XlsxStream(report.folder / "summary.xlsx", "影响测算", SUMMARY_HEADER) as book:
        book.add_rows(rows)
    with (report.folder / "summary.csv").open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(SUMMARY_HEADER)
        writer.writerows(rows)


def _write_invalid(report: WhatIfReport) -> None:
    if not report.invalid:
        return
    with (report.folder / "invalid.csv").open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["统一社会信用代码", "原因（该批次保存的企业资料按现行格式校验不通过）"])
        writer.writerows(sorted(report.invalid))

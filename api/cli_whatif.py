"""``huiqi batch what-if RUN_ID --rules NEW_DIR``: the impact of new rules on a run's enterprises.

Argument checks and the printed report; the work is batch/whatif.py's.
"""

from __future__ import annotations

import argparse
import json
import sys
from decimal import Decimal
from pathlib import Path

from batch.lists import KIND_LABEL
from batch.runner import engine_name
from batch.whatif import WhatIfError, WhatIfReport, what_if
from batch.whatif_compare import ENGINES, EvaluateMany, Tally
from engine.amounts import yuan
from store.db import open_database

USAGE = ("用法：huiqi batch what-if RUN_ID --rules 新规则目录 [--db URL] [--out DIR] [--workers N] "
         "[--engine columnar|rete]")


def run(args: argparse.Namespace, out: Path) -> int:
    if len(args.target) != 2 or args.rules is None:
        print(USAGE, file=sys.stderr)
        return 2
    try:
        report = what_if(open_database(args.db), args.target[1], args.rules, out, workers=args.workers,
                         progress=not args.no_progress, evaluate=evaluator(args.engine))
    except WhatIfError as exc:
        print(f"无法测算：{exc}", file=sys.stderr)
        return 2
    print(render(report), file=sys.stderr)
    print(json.dumps(report.as_json(), ensure_ascii=False))
    return 0


ENGINE_LABEL = {"columnar": "列式引擎", "rete": "durable-rules 逐户评估"}


def evaluator(engine: str) -> EvaluateMany:
    """The batch's --engine for a what-if: rete, or columnar (dask partitions run columnar too)."""
    return ENGINES.get(engine_name(engine), ENGINES["columnar"])


def signed(value: Decimal) -> str:
    """+2,500 / -2,000 / 0 (yuan)."""
    return f"+{yuan(value)}" if value > 0 else f"-{yuan(-value)}" if value < 0 else "0"


def _money(tally: Tally) -> str:
    """The money difference of each amount kind (exact sums and "最高" ceilings are never added up)."""
    parts = [f"{KIND_LABEL.get(kind, kind)} {signed(tally.difference(kind))} 元" for kind in tally.kinds]
    return "，".join(parts) or "金额不变"


def render(report: WhatIfReport) -> str:
    """Per changed measure one line, then the summary line."""
    lines = [f"原批次 {report.run_id}（评估日 {report.as_of.isoformat()}，规则 {report.base}）",
             f"新规则 {report.new}"]
    for measure, tally in report.measure_tallies():
        title = report.new_book.by_id[measure].title if measure in report.new_book.by_id else ""
        lines.append(f"  {measure} {title}：新增符合 {tally.gained:,} 户，不再符合 {tally.lost:,} 户，"
                     f"金额变化 {tally.changed:,} 户；{_money(tally)}")
    if report.invalid:
        lines.append(f"  另有 {len(report.invalid)} 户保存的企业资料按现行格式校验不通过，未计入（见 invalid.csv）")
    if report.not_in_run:
        lines.append(f"  原批次未匹配的措施未计入：{'、'.join(report.not_in_run)}")
    total = report.totals()
    changed = len(report.measure_tallies())
    lines.append(
        f"影响测算：{report.evaluated:,} 户企业，{changed} 项措施有变化；新增符合 {total.gained:,} 户次，"
        f"不再符合 {total.lost:,} 户次，金额变化 {total.changed:,} 户次；{_money(total)}；"
        f"用时 {report.seconds:.1f} 秒（{ENGINE_LABEL.get(report.engine, report.engine)}）。名单见 {report.folder}"
    )
    return "\n".join(lines)

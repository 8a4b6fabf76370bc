"""``huiqi registry import --sources SOURCES.yaml``: the console's registry from department data."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from store.db import DEFAULT_URL


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "registry", help="工作人员控制台的登记库：import --sources 从部门数据导入（每项信息注明来源部门）",
        description="按数据来源文件（sources.yaml）读取各部门数据，按统一社会信用代码合并、校验后写入登记库，"
                    "控制台预填的每项信息旁显示其来源部门。",
    )
    parser.add_argument("action", choices=("import",), help="import")
    parser.add_argument("--sources", type=Path, required=True, metavar="SOURCES.yaml", help="数据来源文件")
    parser.add_argument("--db", default=os.environ.get("HUIQI_DB", DEFAULT_URL),
                        help=f"数据库 URL（默认 {DEFAULT_URL}）")
    parser.add_argument("--report-dir", type=Path, default=Path("var/registry-imports"),
                        help="导入报告目录（默认 var/registry-imports）")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from batch.registry_import import import_registry
    from batch.runner import BatchError, readable
    from store.db import open_database

    try:
        readable(args.sources, "sources")
    except BatchError as exc:
        print(f"无法执行：{exc}", file=sys.stderr)
        return 2
    summary = import_registry(open_database(args.db), args.sources, args.report_dir)
    print(json.dumps({"import_id": summary.import_id, "total": summary.total, "imported": summary.imported,
                      "rejected": summary.rejected, "notices": summary.notices, "report": str(summary.report)},
                     ensure_ascii=False))
    print(f"登记库导入完成：共 {summary.total} 户，导入 {summary.imported}，数据有误未导入 {summary.rejected}，"
          f"核对提示 {summary.notices} 条（见 {summary.report}）", file=sys.stderr)
    return 0

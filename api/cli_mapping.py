"""``huiqi mapping init FILE`` (draft a mapping from the headers) and ``huiqi mapping check MAPPING``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "mapping", help="部门数据的映射文件：init 根据表头起草，check 逐列检查能否读取",
        description="init FILE：根据 Excel/CSV 的表头起草映射文件，并说明哪些列未能对应；"
                    "check MAPPING：按映射文件（或 sources.yaml）读取数据，逐列统计有值、可用、有误的单元格。",
    )
    parser.add_argument("action", choices=("init", "check"), help="init 或 check")
    parser.add_argument("path", type=Path, help="init：数据文件（.xlsx/.csv）；check：映射文件或 sources.yaml")
    parser.add_argument("--sheet", help="init：读取的工作表（默认第一个）")
    parser.add_argument("--out", type=Path, help="init：写入此映射文件（默认输出到屏幕）")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from sources.encoding import EncodingProblem
    from sources.mapping import MappingError
    from sources.tables import TableError

    try:
        return _init(args) if args.action == "init" else _check(args)
    except (MappingError, TableError, EncodingProblem) as exc:
        print(f"无法执行：{exc}", file=sys.stderr)
        return 2


def _init(args: argparse.Namespace) -> int:
    from sources.draft import draft, render

    d = draft(args.path, args.sheet)
    text = render(d)
    if args.out:
        if args.out.exists():
            print(f"无法执行：{args.out} 已存在，不覆盖", file=sys.stderr)
            return 2
        args.out.write_text(text, encoding="utf-8")
        print(f"已起草：{args.out}（{len(d.columns)} 列已对应）", file=sys.stderr)
    else:
        sys.stdout.write(text)
    if d.unplaced:
        print(f"未能对应到字段的列：{'、'.join(d.unplaced)}（已列入 ignore，需要时请手工补上）", file=sys.stderr)
    for note in d.notes:
        print(f"请核对：{note}", file=sys.stderr)
    return 0


def _check(args: argparse.Namespace) -> int:
    from sources.check import check, render

    reports = check(args.path)
    print(render(reports))
    bad = sum(c.rejected for r in reports for c in r.columns)
    print(f"共 {len(reports)} 个来源，有误的单元格 {bad} 个", file=sys.stderr)
    return 0

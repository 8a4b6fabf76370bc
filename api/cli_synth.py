"""``huiqi synth --n N --seed S --out DIR [--format csv|jsonl|parquet] [--style departments]``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("synth", help="生成合成的企业登记库（测试与压测用，同一种子结果相同）")
    parser.add_argument("--n", type=int, required=True, help="企业数")
    parser.add_argument("--seed", type=int, default=1, help="随机种子（默认 1）")
    parser.add_argument("--out", type=Path, required=True, help="输出目录")
    parser.add_argument("--format", choices=("csv", "jsonl", "parquet"), default="csv", help="格式（默认 csv）")
    parser.add_argument("--style", choices=("registry", "departments"), default="registry",
                        help="registry：按 Profile 字段的登记库（默认）；departments：同样的企业写成各部门的导出文件"
                             "（Excel、GBK CSV、中文表头、万元）及其映射文件和 sources.yaml")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from batch.synth import synthesize

    if args.n < 0:
        print("--n 不能为负数", file=sys.stderr)
        return 2
    if args.style == "departments":
        from batch.synth_departments import synthesize_departments

        folder = synthesize_departments(args.n, args.seed, args.out)
        print(f"已生成 {args.n} 户企业的部门数据（种子 {args.seed}）：{folder}；"
              f"批量匹配：huiqi batch --sources {folder / 'sources.yaml'} --as-of YYYY-MM-DD", file=sys.stderr)
        return 0
    folder = synthesize(args.n, args.seed, args.out, args.format)
    print(f"已生成 {args.n} 户企业（种子 {args.seed}，{args.format}）：{folder}", file=sys.stderr)
    return 0

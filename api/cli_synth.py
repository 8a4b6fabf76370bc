"""``huiqi synth --n N --seed S --out DIR [--format csv|jsonl|parquet]``."""

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
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from batch.synth import synthesize

    if args.n < 0:
        print("--n 不能为负数", file=sys.stderr)
        return 2
    folder = synthesize(args.n, args.seed, args.out, args.format)
    print(f"已生成 {args.n} 户企业（种子 {args.seed}，{args.format}）：{folder}", file=sys.stderr)
    return 0

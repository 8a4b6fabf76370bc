"""``huiqi check PROFILE.json [--as-of DATE] [--json]``."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

from api.text_report import render_text
from engine import ProfileError, evaluate, parse_profile
from engine.as_of import parse_as_of
from engine.errors import FieldError


def iso_date(text: str) -> dt.date:
    try:
        return parse_as_of(text)
    except ProfileError as exc:
        raise argparse.ArgumentTypeError(exc.errors[0].message_zh) from None


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("check", help="评估一个企业画像（JSON 文件，- 为标准输入）")
    parser.add_argument("profile", help="企业画像 JSON 文件路径，或 - 读标准输入")
    parser.add_argument("--as-of", type=iso_date, default=None, help="评估日 YYYY-MM-DD（默认今天）")
    parser.add_argument("--json", action="store_true", help="输出 contract.md 规定的 JSON 结果")
    parser.set_defaults(handler=run)


def _read(source: str) -> Any:
    raw = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
    return json.loads(raw)


def print_errors(errors: list[FieldError]) -> None:
    print("输入有误 / invalid input:", file=sys.stderr)
    for error in errors:
        print(f"  {error}", file=sys.stderr)


def run(args: argparse.Namespace) -> int:
    try:
        data = _read(args.profile)
    except FileNotFoundError:
        print_errors([FieldError("profile", f"找不到文件 {args.profile}", "file not found")])
        return 2
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        print_errors([FieldError("profile", f"不是有效的 JSON：{exc}", "not valid JSON")])
        return 2
    try:
        result = evaluate(parse_profile(data), args.as_of)
    except ProfileError as exc:
        print_errors(exc.errors)
        return 2
    if args.json:
        print(result.model_dump_json(indent=2, exclude_none=True))
    else:
        print(render_text(result))
    return 0

"""``huiqi ask PROFILE.json [--as-of DATE]``: the guided interview in the terminal.

One question at a time, the one that can settle the most money first (``engine.questions``);
每题都可以答“不清楚”或“跳过”；q、退出 or Ctrl-D stops. Each answer is written back into the profile
file at once, atomically (a temporary file beside it, then a rename), so the file is never
lost or half-written; the result is printed at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from api.cli_check import iso_date, print_errors
from api.text_report import render_text
from engine import ProfileError, evaluate, parse_profile
from engine.amounts import yuan
from engine.errors import FieldError
from engine.interview import AnswerError, is_skip, is_unknown, parse_answer, step, with_answer
from engine.questions import Ask

STOP_WORDS = {"q", "quit", "退出", "结束"}


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("ask", help="引导式问答：先问最值得问的问题，答案逐条写回画像文件")
    parser.add_argument("profile", help="企业画像 JSON 文件（不存在则新建）")
    parser.add_argument("--as-of", type=iso_date, default=None, help="评估日 YYYY-MM-DD（默认今天）")
    parser.set_defaults(handler=run)


def _load(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError("画像文件应为一个 JSON 对象")
    return data


def save(path: Path, data: dict[str, Any]) -> None:
    """Write the profile atomically: a temporary file in the same folder, flushed, then renamed."""
    text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    handle, temporary = tempfile.mkstemp(dir=path.parent or Path("."), prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        if path.exists():
            shutil.copymode(path, temporary)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _show(number: int, ask: Ask) -> None:
    stake = f"可能涉及 {yuan(ask.yuan_at_stake)} 元" if ask.yuan_at_stake else "影响"
    print(f"\n第 {number} 问（{stake}：{'、'.join(ask.measures)}）")
    print(f"  {ask.text_zh}" + (f"（单位：{ask.unit}）" if ask.unit and ask.kind != "count" else ""))
    if ask.hint:
        print(f"  提示：{ask.hint}")
    if ask.kind == "industry":
        print("  输入行业代码（如 C3911），或以下序号：")
    numbered = [f"{i}. {label}" for i, (_, label) in enumerate(ask.choices, start=1)]
    for start in range(0, len(numbered), 3):  # three a line: the industry list is long
        print("  " + "   ".join(numbered[start:start + 3]))
    print("  也可答：不清楚 / 跳过；输入 q 结束")


def _read() -> str | None:
    try:
        return input("> ")
    except EOFError:
        return None


def run(args: argparse.Namespace) -> int:
    path = Path(args.profile)
    try:
        data = _load(path)
        parse_profile(data)
    except (json.JSONDecodeError, UnicodeDecodeError, ValueError) as exc:
        print_errors([FieldError("profile", f"画像文件无法读取：{exc}", "the profile file cannot be read")])
        return 2
    except ProfileError as exc:
        print_errors(exc.errors)
        return 2
    print("引导式问答：每次一问，先问涉及资金最多的。答案会立即写回 " + str(path))
    unknown: list[str] = []
    skipped: list[str] = []
    asked = 0
    while True:
        current = step(data, args.as_of, {*unknown, *skipped})
        if current.done:
            print("\n已没有能改变结果的问题。")
            break
        ask = current.questions[0]
        asked += 1
        _show(asked, ask)
        answered = _answer(ask, data)
        if answered is None:
            print("\n已结束问答（已答的内容都已保存）。")
            break
        kind, data = answered
        if kind == "unknown":
            unknown.append(ask.field)
        elif kind == "skip":
            skipped.append(ask.field)
        else:
            save(path, data)
    if unknown or skipped:
        print("不清楚：" + ("、".join(unknown) or "无") + "；跳过：" + ("、".join(skipped) or "无"))
    print()
    print(render_text(evaluate(parse_profile(data), args.as_of)))
    return 0


def _answer(ask: Ask, data: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
    """Read until the answer fits: ("unknown" | "skip" | "answer", the profile data), None to stop."""
    while True:
        line = _read()
        if line is None or line.strip().lower() in STOP_WORDS:
            return None
        if is_unknown(line):
            return "unknown", data
        if is_skip(line):
            return "skip", data
        try:
            updated = with_answer(data, ask.field, parse_answer(ask, line))
            parse_profile(updated)
        except AnswerError as exc:
            print(f"  {exc.error.message_zh}，请重新回答", file=sys.stderr)
            continue
        except ProfileError as exc:
            for error in exc.errors:
                print(f"  {error.message_zh}，请重新回答", file=sys.stderr)
            continue
        return "answer", updated

"""``huiqi rules validate [DIR]``, ``huiqi rules list [--as-of DATE]``, ``huiqi rules show M30``,
``huiqi rules diff OLD NEW`` (see api/cli_rules_diff.py)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from api import cli_rules_diff
from api.cli_check import iso_date
from engine.catalogue import KIND_LABELS, describe_amount, describe_test, find, release_label, sections
from engine.loader import RuleFileError, default_rules, load_rules
from engine.validity import describe_window, not_in_force


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("rules", help="规则：校验、目录、详情")
    actions = parser.add_subparsers(dest="rules_command", required=True, metavar="子命令")
    validate = actions.add_parser("validate", help="校验一个规则目录（默认 rules/）")
    validate.add_argument("directory", nargs="?", default=None)
    validate.set_defaults(handler=run_validate)
    listing = actions.add_parser("list", help="按章节列出全部措施（--as-of：只列该日在执行期内的措施）")
    listing.add_argument("--as-of", type=iso_date,
                         help="日期 YYYY-MM-DD：只列出该日在执行期内的措施，并注明哪些不在执行期")
    listing.add_argument("--rules", metavar="DIR", help="规则目录（默认 rules/，或环境变量 HUIQI_RULES）")
    listing.set_defaults(handler=run_list)
    show = actions.add_parser("show", help="显示一项措施的原文、单位、条件和金额")
    show.add_argument("measure", help="措施编号，如 M30")
    show.set_defaults(handler=run_show)
    cli_rules_diff.register(actions)


def run_validate(args: argparse.Namespace) -> int:
    try:
        book = load_rules(args.directory)
    except RuleFileError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(f"规则有效：{release_label(book.release_name, book.release_date, book.version)}，"
          f"{len(book.measures)} 项措施，{len(book.derived)} 个派生事实")
    return 0


def run_list(args: argparse.Namespace) -> int:
    try:
        book = load_rules(args.rules) if args.rules else default_rules()
    except RuleFileError as exc:
        print(exc, file=sys.stderr)
        return 1
    on = args.as_of
    print(f"规则版本：{release_label(book.release_name, book.release_date, book.version)}")
    ended = {m.id: why for m in book.measures if on is not None and (why := not_in_force(m.validity, on))}
    for section in sections(book):
        shown = [m for m in section.measures if m.id not in ended]
        if not shown:
            continue
        print(section.chapter if section.section is None else f"{section.chapter} / {section.section}")
        for measure in shown:
            units = "、".join(measure.units)
            print(f"  {measure.id:>4} [{KIND_LABELS[measure.kind]}] {measure.title}  —  {units}")
    if on is not None:
        print(f"\n{on.isoformat()} 在执行期内的措施 {len(book.measures) - len(ended)} 项，"
              f"不在执行期内的 {len(ended)} 项{'：' if ended else '。'}")
        for measure_id, why in ended.items():
            print(f"  {measure_id:>4} {book.measure(measure_id).title}：{why}")
    return 0


def run_show(args: argparse.Namespace) -> int:
    measure = find(args.measure)
    if measure is None:
        print(f"没有措施 {args.measure}（编号为 M1 到 M50）", file=sys.stderr)
        return 2
    lines = [
        f"{measure.id} {measure.title}（{KIND_LABELS[measure.kind]}）",
        f"{measure.chapter}" + (f" / {measure.section}" if measure.section else ""),
        "", "原文：", f"  {measure.text}",
        "", f"责任单位（原文）：{measure.units_text}",
        f"市级单位：{'、'.join(measure.units)}；另由企业所在区人民政府或自贸委、火炬管委会属地负责",
        "", f"对象：{measure.audience}", f"白话：{measure.summary}",
    ]
    if measure.conditions or measure.items:
        lines += ["", "条件："]
        for condition in measure.conditions:
            role = "" if condition.gate else "（决定档次）"
            lines.append(f"  - “{condition.phrase}”{role}：{describe_test(condition.test)}")
        if measure.items:
            lines.append(f"  每一{measure.items.noun.lstrip('名份笔场项个')}须同时满足：")
            for condition in measure.items.conditions:
                role = "" if condition.gate else "（逐项决定档次，不决定是否适用）"
                lines.append(f"    - “{condition.phrase}”{role}：{describe_test(condition.test)}")
    lines += ["", f"金额：{describe_amount(measure.amount, measure)}", f"执行期限：{describe_window(measure.validity)}"]
    if measure.reading:
        lines += ["", "理解说明：", f"  {measure.reading}"]
    for p in measure.parameters.values():
        lines += ["", f"本工具选定的参数：{p.label} = {p.value}（{p.decided_on.isoformat()} 确定）", f"  {p.reading}"]
    print("\n".join(lines))
    return 0

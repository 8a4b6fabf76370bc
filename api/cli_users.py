"""``huiqi users add NAME [--admin] [--db URL]`` and ``huiqi users unlock NAME``: staff accounts of the console.

The password is prompted for twice on a terminal, or read from the first line of stdin
(``echo "$PW" | huiqi users add wang``); it never appears on the command line.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any

from api.settings import default_db


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("users", help="服务中心工作台的工作人员账号")
    actions = parser.add_subparsers(dest="action", required=True, metavar="操作")
    add = actions.add_parser("add", help="新增工作人员账号（密码从终端输入或标准输入读取）")
    add.add_argument("name", help="用户名")
    add.add_argument("--admin", action="store_true", help="管理员（可查看工作人员、解锁账号）")
    add.add_argument("--db", default=default_db(), help="数据库 URL（默认 HUIQI_DB 或 sqlite:///var/huiqi.sqlite3）")
    add.set_defaults(handler=run_add)
    unlock = actions.add_parser("unlock", help="解除因多次密码错误造成的锁定")
    unlock.add_argument("name", help="用户名")
    unlock.add_argument("--db", default=default_db(), help="数据库 URL（默认 HUIQI_DB 或 sqlite:///var/huiqi.sqlite3）")
    unlock.set_defaults(handler=run_unlock)


def _password() -> str | None:
    if sys.stdin.isatty():
        first = getpass.getpass("密码（至少 8 个字符）：")
        if getpass.getpass("再输入一次：") != first:
            print("两次输入的密码不一致", file=sys.stderr)
            return None
        return first
    return sys.stdin.readline().rstrip("\r\n")


def run_add(args: argparse.Namespace) -> int:
    from store import console
    from store.db import open_database

    password = _password()
    if password is None:
        return 2
    engine = open_database(args.db)
    try:
        console.add_staff(engine, args.name, password, admin=args.admin)
    except console.StaffExists:
        print(f"用户 {args.name} 已存在", file=sys.stderr)
        return 1
    except ValueError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    print(f"已创建{'管理员' if args.admin else '工作人员'}账号：{args.name}")
    return 0


def run_unlock(args: argparse.Namespace) -> int:
    from store import console
    from store.db import open_database

    if not console.unlock(open_database(args.db), args.name):
        print(f"没有用户 {args.name}", file=sys.stderr)
        return 1
    print(f"已解锁：{args.name}")
    return 0

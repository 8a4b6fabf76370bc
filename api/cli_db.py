"""``huiqi db migrate | backup PATH | restore PATH [--force]``: database operations (store/backup.py)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from api.settings import default_db

DB_HELP = "数据库 URL（默认 HUIQI_DB 或 sqlite:///var/huiqi.sqlite3）"


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("db", help="数据库：迁移、备份、恢复")
    actions = parser.add_subparsers(dest="action", required=True, metavar="操作")
    migrate = actions.add_parser("migrate", help="升级到最新迁移（huiqi serve 启动时也会自动执行）")
    migrate.add_argument("--db", default=default_db(), help=DB_HELP)
    migrate.set_defaults(handler=run_migrate)
    backup = actions.add_parser("backup", help="在线备份到文件（SQLite 备份 API；PostgreSQL 用 pg_dump）")
    backup.add_argument("path", type=Path, help="备份文件路径")
    backup.add_argument("--db", default=default_db(), help=DB_HELP)
    backup.set_defaults(handler=run_backup)
    restore = actions.add_parser("restore", help="从备份文件恢复（目标库已有数据时需 --force）")
    restore.add_argument("path", type=Path, help="备份文件路径")
    restore.add_argument("--db", default=default_db(), help=DB_HELP)
    restore.add_argument("--force", action="store_true", help="目标数据库已有数据时也恢复（覆盖）")
    restore.set_defaults(handler=run_restore)


def run_migrate(args: argparse.Namespace) -> int:
    from store.db import current_revision, make_engine, upgrade

    engine = make_engine(args.db)
    before = current_revision(engine)
    upgrade(engine)
    after = current_revision(engine)
    print(f"数据库已是最新迁移 {after}" if before == after else f"已从迁移 {before or '（空库）'} 升级到 {after}")
    return 0


def run_backup(args: argparse.Namespace) -> int:
    from store.backup import BackupError, backup

    try:
        backup(args.db, args.path)
    except BackupError as exc:
        print(f"备份失败：{exc}", file=sys.stderr)
        return 1
    print(f"已备份到 {args.path}（{args.path.stat().st_size:,} 字节）")
    return 0


def run_restore(args: argparse.Namespace) -> int:
    from store.backup import BackupError, restore

    try:
        revision = restore(args.db, args.path, force=args.force)
    except BackupError as exc:
        print(f"恢复失败：{exc}", file=sys.stderr)
        return 1
    print(f"已从 {args.path} 恢复，数据库迁移版本 {revision}")
    return 0

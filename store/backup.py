"""Back up and restore a huiqi database (``huiqi db backup PATH`` / ``huiqi db restore PATH``).

- SQLite: the online backup API of the sqlite3 module: a consistent copy while the service runs
  (WAL included), into a file that is itself a SQLite database (``sqlite3 backup.sqlite3`` opens it).
- PostgreSQL: ``pg_dump --format=custom`` and ``pg_restore`` (the postgresql-client package;
  its major version must be at least the server's). The password, if any, goes through the
  environment (``PGPASSWORD``), never the command line.

A restore refuses a database that already holds staff, consultations, batch runs or registry
entries unless ``force`` is given (then what the backup holds replaces it), and upgrades the
result to the latest migration, so a backup taken by an older huiqi restores into a newer one.
Backups hold password hashes and the session secret: they are written readable by the owner only.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy import Engine, inspect, text
from sqlalchemy.engine import URL, make_url

from store.db import current_revision, make_engine, upgrade, with_password_file

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_CUSTOM_MAGIC = b"PGDMP"
KEPT_TABLES = ("staff", "consultations", "batch_runs", "registry_enterprises")


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why in Chinese."""


def _backend(url: str) -> str:
    backend = make_url(url).get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise BackupError(f"不支持的数据库类型 {backend}（只支持 sqlite 和 postgresql）")
    return backend


def _sqlite_file(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError("内存数据库无法备份或恢复，请给出数据库文件")
    return Path(database)


def _libpq(url: str) -> tuple[list[str], dict[str, str]]:
    """``--host … --dbname …`` arguments and the environment for pg_dump / pg_restore."""
    parsed: URL = make_url(with_password_file(url))
    args = []
    for flag, value in (("--host", parsed.host), ("--port", parsed.port), ("--username", parsed.username)):
        if value:
            args.append(f"{flag}={value}")
    args.append(f"--dbname={parsed.database}")
    env = dict(os.environ)
    if parsed.password:
        env["PGPASSWORD"] = str(parsed.password)
    for key, value in parsed.query.items():  # e.g. sslmode=require → PGSSLMODE
        if key in ("sslmode", "sslrootcert", "sslcert", "sslkey"):
            env[f"PG{key.upper()}"] = str(value)
    return args, env


def _run(tool: str, args: list[str], env: dict[str, str]) -> None:
    if shutil.which(tool) is None:
        raise BackupError(f"找不到 {tool}：请安装 PostgreSQL 客户端（Debian/Ubuntu：apt-get install "
                          "postgresql-client），其主版本不低于数据库服务器")
    done = subprocess.run([tool, *args], env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupError(f"{tool} 失败（退出码 {done.returncode}）：{done.stderr.strip()[-800:]}")


def backup(url: str, path: Path) -> None:
    """Write a consistent copy of the database at ``url`` to ``path`` (owner-only permissions)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.unlink(missing_ok=True)
    partial.touch(mode=0o600)
    try:
        if _backend(url) == "sqlite":
            source_file = _sqlite_file(url)
            if not source_file.exists():
                raise BackupError(f"数据库文件不存在：{source_file}")
            source = sqlite3.connect(f"file:{source_file}?mode=ro", uri=True)
            target = sqlite3.connect(partial)
            try:
                source.backup(target)
            finally:
                target.close()
                source.close()
        else:
            args, env = _libpq(url)
            _run("pg_dump", ["--format=custom", "--no-owner", "--no-privileges", f"--file={partial}", *args], env)
        os.chmod(partial, 0o600)
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)


def kind_of(path: Path) -> str:
    with open(path, "rb") as file:
        head = file.read(16)
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PG_CUSTOM_MAGIC):
        return "postgresql"
    raise BackupError(f"{path} 不是 huiqi 的备份文件（既不是 SQLite 数据库，也不是 pg_dump 的 custom 格式）")


def holdings(engine: Engine) -> dict[str, int]:
    """Rows in the tables a restore would replace (empty when the database is new)."""
    names = set(inspect(engine).get_table_names())
    with engine.connect() as conn:
        return {table: conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()  # noqa: S608 - fixed names
                for table in KEPT_TABLES if table in names}


def restore(url: str, path: Path, force: bool = False) -> str | None:
    """Restore the backup at ``path`` into the database at ``url``; the migration it ends at."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"备份文件不存在：{path}")
    backend, kind = _backend(url), kind_of(path)
    if backend != kind:
        raise BackupError(f"备份文件是 {kind} 的，目标数据库是 {backend} 的：只能恢复到同类数据库")
    engine = make_engine(url)
    try:
        held = {table: rows for table, rows in holdings(engine).items() if rows}
        if held and not force:
            listed = "、".join(f"{table} {rows} 行" for table, rows in held.items())
            raise BackupError(f"目标数据库已有数据（{listed}）：恢复会覆盖它们。确认无误请加 --force，"
                              "并先停止 huiqi serve")
        engine.dispose()
        if backend == "sqlite":
            source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
            target_file = _sqlite_file(url)
            target_file.parent.mkdir(parents=True, exist_ok=True)
            target = sqlite3.connect(target_file)
            try:
                source.backup(target)
            finally:
                target.close()
                source.close()
        else:
            args, env = _libpq(url)
            _run("pg_restore", ["--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction",
                                *args, str(path)], env)
        upgrade(engine)
        return current_revision(engine)
    finally:
        engine.dispose()

"""Open a database by URL and upgrade it to the latest migration."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url

DEFAULT_URL = "sqlite:///var/huiqi.sqlite3"
log = logging.getLogger("huiqi.store")
MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def dump_json(value: Any) -> str:
    """JSON text as every JSON column stores it (reasons, units, stored profiles: per row of a batch)."""
    return orjson.dumps(value).decode()


def with_password_file(url: str) -> str:
    """A PostgreSQL URL without a password takes it from ``HUIQI_DB_PASSWORD_FILE`` (a Docker or systemd secret)."""
    path = os.environ.get("HUIQI_DB_PASSWORD_FILE", "").strip()
    parsed = make_url(url)
    if not path or parsed.password or parsed.get_backend_name() != "postgresql":
        return url
    try:
        password = Path(path).read_text(encoding="utf-8").splitlines()[0].strip()
    except (OSError, IndexError) as exc:
        raise ValueError(f"HUIQI_DB_PASSWORD_FILE 指向的文件 {path} 无法读取或为空"
                         f" / cannot read the database password from {path}") from exc
    return parsed.set(password=password).render_as_string(hide_password=False)


def _private_file(path: Path) -> None:
    """Create the SQLite file owner-only (0600) before SQLite does (it would follow the umask, often 0644):
    it holds password hashes and the console's signing secret. Its -wal and -shm files take the same mode.
    A directory the app creates for it is owner-only too (0700); existing files and folders are left as
    they are, with a warning when others can read the database."""
    if not path.parent.exists():
        path.parent.mkdir(parents=True, mode=0o700)
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        if path.stat().st_mode & 0o077:
            log.warning("数据库文件 %s 其他用户可读，建议 chmod 600 / the database file is readable by others", path)


def make_engine(url: str) -> Engine:
    url = with_password_file(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:" and not parsed.database.startswith("file:"):
            _private_file(Path(parsed.database))
        engine = create_engine(url, json_serializer=dump_json, json_deserializer=orjson.loads,
                               connect_args={"timeout": 30})  # wait up to 30 s for another writer (workers)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        url = parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    return create_engine(url, pool_pre_ping=True, json_serializer=dump_json, json_deserializer=orjson.loads)


MIGRATION_LOCK = 7_406_251_042  # PostgreSQL advisory lock key held while migrating ("huiqi" on a phone pad)


def upgrade(engine: Engine) -> None:
    """Upgrade to the latest migration; safe when several processes (workers) start at once.

    The whole upgrade runs in one transaction that first takes a database-wide lock (an
    advisory lock on PostgreSQL, an exclusive transaction on SQLite): the second process
    waits, then finds the schema at head and does nothing.
    """
    # alembic is imported here, not at the top: it costs about a second of CPU, and every process the
    # batch spawns (index loaders, workers, list writers) imports this module without ever migrating
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        elif engine.dialect.name == "sqlite":
            connection.exec_driver_sql("BEGIN EXCLUSIVE")
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def open_database(url: str = DEFAULT_URL) -> Engine:
    """An engine for ``url``, its schema upgraded to head."""
    engine = make_engine(url)
    upgrade(engine)
    return engine

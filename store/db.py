"""Open a database by URL and upgrade it to the latest migration."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

import orjson
from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
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
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:" and not parsed.database.startswith("file:"):
            _private_file(Path(parsed.database))
        engine = create_engine(url, json_serializer=dump_json, json_deserializer=orjson.loads)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        url = parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    return create_engine(url, pool_pre_ping=True, json_serializer=dump_json, json_deserializer=orjson.loads)


def upgrade(engine: Engine) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def open_database(url: str = DEFAULT_URL) -> Engine:
    """An engine for ``url``, its schema upgraded to head."""
    engine = make_engine(url)
    upgrade(engine)
    return engine

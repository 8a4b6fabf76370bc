"""Console storage on SQLite always, and on PostgreSQL when the local server answers (a fresh database per test)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, inspect

from store import console
from store.console import LogFilter, Saved
from store.db import open_database
from tests.console.conftest import CODE, PASSWORD, seed
from tests.postgres import throwaway_database


def _postgres() -> Iterator[str]:
    yield from throwaway_database("huiqi_console")


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        db = open_database(f"sqlite:///{tmp_path / 'store.sqlite3'}")
        seed(db)
        yield db
        db.dispose()
        return
    for url in _postgres():
        db = open_database(url)
        seed(db)
        yield db
        db.dispose()


def _saved(note: str, eligible: list[str]) -> Saved:
    return Saved(CODE, "厦门示例精密制造有限公司", "现状", {"employees": 35}, {"employees": "registry"},
                 {"as_of": "2026-01-15", "totals": {"exact_yuan": 3000, "up_to_yuan": 0}}, "v1", eligible, note)


def test_migrations_create_the_console_tables(engine: Engine) -> None:
    tables = set(inspect(engine).get_table_names())
    assert {"staff", "staff_sessions", "login_attempts", "app_settings", "consultations",
            "consultation_versions", "registry_enterprises"} <= tables
    open_database(engine.url.render_as_string(hide_password=False))  # upgrading again is a no-op


def test_staff_sessions_and_lockout(engine: Engine) -> None:
    with pytest.raises(console.StaffExists):
        console.add_staff(engine, "wang", PASSWORD)
    with pytest.raises(ValueError, match="至少 8 个字符"):
        console.add_staff(engine, "zhao", "short")
    at = console.now()
    for _ in range(5):
        assert console.authenticate(engine, "li", "wrong!!!", at=at).staff_id is None
    assert "已锁定" in console.authenticate(engine, "li", PASSWORD, at=at).message
    assert console.authenticate(engine, "li", PASSWORD, at=at + dt.timedelta(minutes=15, seconds=1)).staff_id
    staff_id = console.authenticate(engine, "wang", PASSWORD).staff_id
    assert staff_id is not None
    sid = console.open_session(engine, staff_id)
    current = console.session_staff(engine, sid)
    assert current is not None and current.name == "wang" and current.is_admin and len(current.csrf) >= 32
    console.close_session(engine, sid)
    assert console.session_staff(engine, sid) is None
    secret = console.app_secret(engine)
    assert console.app_secret(engine) == secret


def test_registry_lookup(engine: Engine) -> None:
    entry = console.registry_by_code(engine, CODE)
    assert entry is not None and entry.profile["employees"] == 35
    assert [e.credit_code for e in console.registry_by_name(engine, "精密")] == [CODE]
    assert console.registry_by_name(engine, "100%") == []  # LIKE wildcards are literal


def test_consultations_keep_every_version(engine: Engine) -> None:
    wang = console.authenticate(engine, "wang", PASSWORD).staff_id
    li = console.authenticate(engine, "li", PASSWORD).staff_id
    assert wang is not None and li is not None
    first, version = console.save_consultation(engine, wang, _saved("第一次", ["M30", "M43"]))
    assert version == 1
    assert console.save_consultation(engine, li, _saved("改了", ["M30"]), first) == (first, 2)
    other, _ = console.save_consultation(engine, li, _saved("另一家", ["M1"]))
    history = console.history(engine, first)
    assert [(v.version, v.adviser, v.note) for v in history] == [(1, "wang", "第一次"), (2, "li", "改了")]
    assert history[0].eligible == ["M30", "M43"] and history[0].saved_at.tzinfo is not None
    latest = console.list_consultations(engine, LogFilter())
    assert [(r.consultation_id, r.version, r.versions) for r in latest] == [(other, 1, 1), (first, 2, 2)]
    # filters look at the latest version: M43 was dropped in version 2 (and case does not matter)
    assert [r.consultation_id for r in console.list_consultations(engine, LogFilter(measure="m43"))] == []
    assert [r.consultation_id for r in console.list_consultations(engine, LogFilter(measure="M30"))] == [first]
    assert [r.consultation_id for r in console.list_consultations(engine, LogFilter(adviser="li"))] == [other, first]
    today = console.now().astimezone(console.LOCAL_TZ).date()  # the filter takes local dates
    assert len(console.list_consultations(engine, LogFilter(date_from=today, date_to=today))) == 2
    assert console.list_consultations(engine, LogFilter(date_to=today - dt.timedelta(days=1))) == []
    assert len(console.list_consultations(engine, LogFilter(enterprise="精密"))) == 2
    with pytest.raises(LookupError):
        console.save_consultation(engine, wang, _saved("x", []), 9999)


def test_date_filters_are_beijing_days(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    wang = console.authenticate(engine, "wang", PASSWORD).staff_id
    assert wang is not None
    monkeypatch.setattr(console, "now", lambda: dt.datetime(2026, 1, 14, 17, 30, tzinfo=dt.UTC))  # 01-15 01:30 北京
    number, _ = console.save_consultation(engine, wang, _saved("凌晨", []))
    day = dt.date(2026, 1, 15)
    assert [r.consultation_id for r in console.list_consultations(engine, LogFilter(date_from=day, date_to=day))] \
        == [number]
    assert console.list_consultations(engine, LogFilter(date_to=dt.date(2026, 1, 14))) == []
    assert console.history(engine, number)[0].saved_local.strftime("%m-%d %H:%M") == "01-15 01:30"


def test_the_console_migration_downgrades_and_upgrades_again(tmp_path: Path) -> None:
    from alembic import command
    from alembic.config import Config

    from store.db import MIGRATIONS

    db = open_database(f"sqlite:///{tmp_path / 'down.sqlite3'}")
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with db.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0001")
    assert "consultations" not in inspect(db).get_table_names()
    assert "registry_enterprises" in inspect(db).get_table_names()
    open_database(db.url.render_as_string(hide_password=False))
    assert "consultation_versions" in inspect(db).get_table_names()


def test_concurrent_saves_of_one_consultation_get_distinct_versions(engine: Engine) -> None:
    from concurrent.futures import ThreadPoolExecutor

    wang = console.authenticate(engine, "wang", PASSWORD).staff_id
    assert wang is not None
    number, _ = console.save_consultation(engine, wang, _saved("v1", []))
    with ThreadPoolExecutor(4) as pool:
        versions = list(pool.map(lambda i: console.save_consultation(engine, wang, _saved(f"n{i}", []), number)[1],
                                 range(4)))
    assert sorted(versions) == [2, 3, 4, 5]
    assert [v.version for v in console.history(engine, number)] == [1, 2, 3, 4, 5]

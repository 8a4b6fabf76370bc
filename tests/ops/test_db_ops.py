"""``huiqi db migrate | backup | restore`` on SQLite and PostgreSQL; N workers racing on a fresh database."""

from __future__ import annotations

import datetime as dt
import multiprocessing as mp
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text

from api.cli import main
from engine import evaluate, parse_profile
from store import console
from store.console_models import AppSetting, ConsultationVersion
from store.db import open_database
from store.models import BatchResult, BatchRun, RegistryEnterprise
from tests.console.conftest import PASSWORD
from tests.ops.first_start import first_start
from tests.postgres import throwaway_database

AS_OF = dt.date(2026, 1, 15)


@pytest.fixture(params=["sqlite", "postgresql"])
def two_databases(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """A source and an empty target database of one kind."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'source.sqlite3'}", f"sqlite:///{tmp_path / 'restored' / 'target.sqlite3'}"
        return
    source = throwaway_database("huiqi_backup_src")
    target = throwaway_database("huiqi_backup_dst")
    try:
        yield next(source), next(target)
    finally:
        for generator in (source, target):
            generator.close()


def seed(url: str, tmp_path: Path) -> None:
    """Staff, a consultation with two versions, and a batch run (results, registry) in ``url``."""
    engine = open_database(url)
    wang = console.add_staff(engine, "wang", PASSWORD, admin=True)
    console.add_staff(engine, "li", PASSWORD)
    profile = {"employees": 35, "industry_code": "C3911", "revenue_yuan": "12000000", "name": "厦门备份测试有限公司"}
    result = evaluate(parse_profile(profile), AS_OF)
    saved = console.Saved("91350200MA2Y0DQ93C", profile["name"], "现状", profile, {"employees": "declared"},
                          result.model_dump(mode="json"), result.rules_version,
                          [r.measure for r in result.results if r.status == "eligible"], "第一次")
    consultation, _ = console.save_consultation(engine, wang, saved)
    console.save_consultation(engine, wang, saved.__class__(**{**saved.__dict__, "note": "补充"}), consultation)
    console.app_secret(engine)
    registry = tmp_path / "registry"
    assert main(["synth", "--n", "40", "--seed", "5", "--out", str(registry)]) == 0
    assert main(["batch", str(registry), "--as-of", "2026-01-15", "--workers", "0", "--no-progress", "--db", url,
                 "--out", str(tmp_path / "lists")]) == 0
    engine.dispose()


def snapshot(url: str) -> dict[str, Any]:
    engine = open_database(url)
    try:
        with engine.connect() as conn:
            return {
                "staff": sorted(s.name for s in console.staff_list(engine)),
                "versions": conn.execute(select(ConsultationVersion.consultation_id, ConsultationVersion.version,
                                                ConsultationVersion.note, ConsultationVersion.profile)
                                         .order_by(ConsultationVersion.id)).all(),
                "runs": conn.execute(select(BatchRun.id, BatchRun.status, BatchRun.total, BatchRun.matched)).all(),
                "results": conn.execute(select(func.count()).select_from(BatchResult)).scalar_one(),
                "registry": conn.execute(select(func.count()).select_from(RegistryEnterprise)).scalar_one(),
                "secret": conn.execute(select(AppSetting.value).where(AppSetting.key == "secret")).scalar_one_or_none(),
            }
    finally:
        engine.dispose()


def test_backup_and_restore_find_everything(two_databases: tuple[str, str], tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    source, target = two_databases
    seed(source, tmp_path)
    before = snapshot(source)
    assert before["staff"] == ["li", "wang"] and len(before["versions"]) == 2
    assert before["runs"][0][1] == "done" and before["runs"][0][2] == 40 and before["results"] > 0
    assert before["registry"] > 0
    backup = tmp_path / "backups" / "huiqi.backup"
    assert main(["db", "backup", str(backup), "--db", source]) == 0
    assert stat.S_IMODE(os.stat(backup).st_mode) == 0o600  # password hashes and the secret are inside
    capsys.readouterr()
    assert main(["db", "restore", str(backup), "--db", target]) == 0
    assert "已从" in capsys.readouterr().out
    assert snapshot(target) == before
    restored = open_database(target)
    assert console.authenticate(restored, "wang", PASSWORD).staff_id is not None  # the hashes came along
    restored.dispose()


def test_restore_refuses_a_database_with_data_unless_forced(two_databases: tuple[str, str], tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    source, target = two_databases
    engine = open_database(source)
    console.add_staff(engine, "wang", PASSWORD)
    engine.dispose()
    backup = tmp_path / "one.backup"
    assert main(["db", "backup", str(backup), "--db", source]) == 0
    other = open_database(target)
    console.add_staff(other, "zhao", PASSWORD)
    other.dispose()
    capsys.readouterr()
    assert main(["db", "restore", str(backup), "--db", target]) == 1
    error = capsys.readouterr().err
    assert "已有数据" in error and "staff 1 行" in error and "--force" in error
    assert snapshot(target)["staff"] == ["zhao"]  # nothing touched
    assert main(["db", "restore", str(backup), "--db", target, "--force"]) == 0
    assert snapshot(target)["staff"] == ["wang"]


def test_restore_refuses_a_file_that_is_no_backup_or_of_another_kind(tmp_path: Path,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    junk = tmp_path / "notes.txt"
    junk.write_text("hello", encoding="utf-8")
    assert main(["db", "restore", str(junk), "--db", f"sqlite:///{tmp_path / 'x.sqlite3'}"]) == 1
    assert "不是 huiqi 的备份文件" in capsys.readouterr().err
    pg_dump_like = tmp_path / "dump.backup"
    pg_dump_like.write_bytes(b"PGDMP\x01\x0e\x00")
    assert main(["db", "restore", str(pg_dump_like), "--db", f"sqlite:///{tmp_path / 'x.sqlite3'}"]) == 1
    assert "只能恢复到同类数据库" in capsys.readouterr().err


def test_migrate_reports_what_it_did(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'm.sqlite3'}"
    assert main(["db", "migrate", "--db", url]) == 0
    assert "已从迁移 （空库） 升级到" in capsys.readouterr().out
    assert main(["db", "migrate", "--db", url]) == 0
    assert "已是最新迁移" in capsys.readouterr().out


# --- N workers starting at once on a fresh database ------------------------------------------

@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    else:
        yield from throwaway_database("huiqi_race")


def test_workers_racing_on_first_start_agree_on_one_schema_and_one_secret(fresh_database: str) -> None:
    """Without the migration lock this fails every time ("table alembic_version already exists")."""
    context = mp.get_context("spawn")
    workers = 4
    barrier, out = context.Barrier(workers), context.Queue()
    processes = [context.Process(target=first_start, args=(fresh_database, barrier, out)) for _ in range(workers)]
    for process in processes:
        process.start()
    outcomes = [out.get(timeout=120) for _ in processes]
    for process in processes:
        process.join(timeout=30)
    assert [kind for kind, _ in outcomes] == ["ok"] * workers, outcomes
    assert len({secret for _, secret in outcomes}) == 1
    engine = open_database(fresh_database)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM alembic_version")).scalar_one() == 1
        assert conn.execute(select(func.count()).select_from(AppSetting)).scalar_one() == 1
    engine.dispose()

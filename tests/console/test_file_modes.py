"""The SQLite file with password hashes and the signing secret is owner-only (issue 11, point 8)."""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from store import console
from store.db import open_database


@pytest.fixture
def usual_umask() -> Iterator[None]:
    """The umask most systems give (022): without care, new files are world-readable."""
    before = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(before)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_database_and_its_folder_are_owner_only(tmp_path: Path, usual_umask: None) -> None:
    path = tmp_path / "var" / "huiqi.sqlite3"
    engine = open_database(f"sqlite:///{path}")
    console.add_staff(engine, "wang", "correct horse 1", admin=True)
    assert console.app_secret(engine)  # the signing secret is now stored in the file
    assert _mode(path.parent) == 0o700
    assert _mode(path) == 0o600
    companions = [path.with_name(path.name + suffix) for suffix in ("-wal", "-shm")]
    assert [p for p in companions if p.exists()], "WAL mode keeps a -wal and a -shm file beside the database"
    assert all(_mode(p) == 0o600 for p in companions if p.exists())
    engine.dispose()


def test_an_existing_folder_and_file_are_left_alone_with_a_warning(tmp_path: Path, usual_umask: None,
                                                                  caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "shared.sqlite3"
    path.touch(mode=0o644)
    os.chmod(path, 0o644)
    with caplog.at_level(logging.WARNING, logger="huiqi.store"):
        open_database(f"sqlite:///{path}").dispose()
    assert _mode(path) == 0o644  # an administrator's choice is not overridden
    assert any("chmod 600" in record.getMessage() for record in caplog.records)

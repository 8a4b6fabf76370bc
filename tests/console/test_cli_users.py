"""``huiqi users add`` / ``unlock``: passwords from stdin, never on the command line."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from api.cli import main
from store import console
from store.db import open_database


def test_users_add_reads_the_password_from_stdin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    monkeypatch.setattr("sys.stdin", io.StringIO("a long password\n"))
    assert main(["users", "add", "zhang", "--admin", "--db", url]) == 0
    assert "已创建管理员账号：zhang" in capsys.readouterr().out
    engine = open_database(url)
    assert console.authenticate(engine, "zhang", "a long password").staff_id is not None
    assert console.staff_list(engine)[0].is_admin
    monkeypatch.setattr("sys.stdin", io.StringIO("another password\n"))
    assert main(["users", "add", "zhang", "--db", url]) == 1
    assert "已存在" in capsys.readouterr().err
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert main(["users", "add", "qian", "--db", url]) == 2
    for _ in range(5):
        console.authenticate(engine, "zhang", "wrong password")
    assert console.authenticate(engine, "zhang", "a long password").staff_id is None
    assert main(["users", "unlock", "zhang", "--db", url]) == 0
    assert console.authenticate(engine, "zhang", "a long password").staff_id is not None
    assert main(["users", "unlock", "nobody", "--db", url]) == 1

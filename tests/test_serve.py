"""``huiqi serve`` starts a working server with no set-up (embedded SQLite URL by default, nothing stored)."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import httpx

from api.cli import build_parser
from tests.browser_server import free_port

ROOT = Path(__file__).resolve().parents[1]


def test_serve_arguments() -> None:
    args = build_parser().parse_args(["serve"])
    assert (args.host, args.port, args.db) == ("127.0.0.1", 8000, "sqlite:///var/huiqi.sqlite3")
    args = build_parser().parse_args(["serve", "--port", "9001", "--db", "sqlite:///tmp/x.sqlite3"])
    assert (args.port, args.db) == (9001, "sqlite:///tmp/x.sqlite3")


def test_app_keeps_the_db_url() -> None:
    from api.app import create_app

    assert create_app(db_url="sqlite:///tmp/other.sqlite3").state.db_url == "sqlite:///tmp/other.sqlite3"


def test_huiqi_serve_answers(tmp_path: Path) -> None:
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "api.cli", "serve", "--port", str(port)], cwd=tmp_path,
                              env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=1)
                break
            except httpx.HTTPError:
                assert server.poll() is None, server.stdout.read().decode() if server.stdout else ""
                assert time.monotonic() < deadline, "huiqi serve did not start"
                time.sleep(0.1)
        assert health.json()["measures"] == 50
        assert "惠企" in httpx.get(f"http://127.0.0.1:{port}/").text
        checked = httpx.post(f"http://127.0.0.1:{port}/check", data={"name": "厦门某某", "employees": "8"})
        assert checked.status_code == 200
        # the embedded database was prepared at start (migrated, secret made), and the form stored nothing in it
        assert {p.name for p in (tmp_path / "var").iterdir()} <= {"huiqi.sqlite3", "huiqi.sqlite3-wal",
                                                                  "huiqi.sqlite3-shm"}
        with sqlite3.connect(tmp_path / "var" / "huiqi.sqlite3") as db:
            assert [db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                    for table in ("consultations", "registry_enterprises", "batch_runs", "staff")] == [0, 0, 0, 0]
    finally:
        server.terminate()
        server.wait(timeout=10)

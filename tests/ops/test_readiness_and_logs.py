"""Readiness (database, migration, rules) and JSON-lines logs with a request id and no personal data."""

from __future__ import annotations

import io
import json
import logging
import logging.config
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.logs import log_config
from api.settings import from_env
from engine import default_rules


def test_ready_when_the_database_is_at_the_latest_migration(make_client: Callable[..., TestClient]) -> None:
    response = make_client().get("/api/v1/ready")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ready" and body["database"] == "ok"
    assert body["rules_version"] == default_rules().version and body["measures"] == 50
    assert body["migration"]


def test_not_ready_when_the_database_cannot_be_reached(make_client: Callable[..., TestClient]) -> None:
    client = make_client(HUIQI_DB="postgresql://huiqi:secret-pw@127.0.0.1:9/none?connect_timeout=1")
    response = client.get("/api/v1/ready")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "not_ready" and "数据库" in body["database"] and body["migration"] is None
    assert "secret-pw" not in response.text
    assert client.get("/api/v1/health").status_code == 200  # alive, just not ready


def test_not_ready_when_the_database_was_migrated_by_a_newer_huiqi(tmp_path: Path,
                                                                  make_client: Callable[..., TestClient]) -> None:
    from sqlalchemy import text

    from store.db import open_database

    engine = open_database(f"sqlite:///{tmp_path / 'huiqi.sqlite3'}")
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    response = make_client().get("/api/v1/ready")
    assert response.status_code == 503 and response.json()["status"] == "not_ready"


def test_not_ready_when_the_migration_changed_under_a_running_worker(
        tmp_path: Path, make_client: Callable[..., TestClient]) -> None:
    from sqlalchemy import text

    client = make_client()
    assert client.get("/api/v1/ready").status_code == 200  # the worker has opened (and migrated) the database
    with client.app.state.console_engine.begin() as conn:  # type: ignore[attr-defined]
        conn.execute(text("UPDATE alembic_version SET version_num = '0001'"))
    response = client.get("/api/v1/ready")
    assert response.status_code == 503 and "huiqi db migrate" in response.json()["database"]


@pytest.fixture
def json_logs() -> Iterator[io.StringIO]:
    """The service's logging configuration, writing into a buffer."""
    stream = io.StringIO()
    config = log_config(from_env({}))
    config["handlers"]["default"]["stream"] = stream
    logging.config.dictConfig(config)
    yield stream
    for name in ("huiqi", "uvicorn"):
        logging.getLogger(name).handlers.clear()
        logging.getLogger(name).propagate = True


def test_each_request_is_one_json_line_with_the_id_it_answered_with(
        json_logs: io.StringIO, make_client: Callable[..., TestClient]) -> None:
    response = make_client().get("/catalogue/M30")
    lines = [json.loads(line) for line in json_logs.getvalue().splitlines()]
    access = [line for line in lines if line["logger"] == "huiqi.access"]
    assert len(access) == 1
    assert access[0]["request_id"] == response.headers["x-request-id"]
    assert access[0] | {"duration_ms": 0, "time": ""} == {
        "level": "INFO", "logger": "huiqi.access", "pid": access[0]["pid"], "request_id": access[0]["request_id"],
        "message": "request", "method": "GET", "route": "/catalogue/{measure_id}", "status": 200,
        "duration_ms": 0, "time": ""}


def test_a_request_id_from_the_proxy_is_kept_and_a_strange_one_replaced(
        json_logs: io.StringIO, make_client: Callable[..., TestClient]) -> None:
    client = make_client()
    kept = client.get("/api/v1/health", headers={"X-Request-ID": "nginx-4f1c2b9a"})
    assert kept.headers["x-request-id"] == "nginx-4f1c2b9a"
    replaced = client.get("/api/v1/health", headers={"X-Request-ID": "evil\nline injected"})
    assert "injected" not in replaced.headers["x-request-id"]
    assert "injected" not in json_logs.getvalue()
    assert json_logs.getvalue().count("nginx-4f1c2b9a") == 1


def test_no_profile_contents_or_client_address_in_the_logs(
        json_logs: io.StringIO, make_client: Callable[..., TestClient]) -> None:
    client = make_client(client=("203.0.113.77", 1))
    client.get("/result?name=厦门秘密科技有限公司&employees=8&credit_code=91350200MA2Y0DQ93C")
    client.post("/api/v1/evaluate", json={"profile": {"name": "厦门秘密科技有限公司", "employees": 8}})
    client.post("/check", data={"name": "厦门秘密科技有限公司", "employees": "-3"})  # an error page too
    text = json_logs.getvalue()
    assert text.count('"huiqi.access"') == 3
    for secret in ("秘密", "91350200MA2Y0DQ93C", "employees", "203.0.113.77"):
        assert secret not in text

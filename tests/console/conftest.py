"""Fixtures for the console: an app on a fresh database with one registry enterprise and two staff."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, insert
from stdnum.cn import uscc

from api.app import create_app
from store import console
from store.db import open_database
from store.models import RegistryEnterprise

ROOT = Path(__file__).resolve().parents[2]
AS_OF = "2026-01-15"
PASSWORD = "correct horse 1"
CODE = "91350200MA2Y0DQ93C"  # examples/small-manufacturer.json
WRONG_CHECK = CODE[:-1] + ("D" if CODE[-1] != "D" else "E")
UNKNOWN_CODE = "91350203MA31X9QC0" + uscc.calc_check_digit("91350203MA31X9QC0")  # valid, not in the registry


def registry_profile() -> dict[str, Any]:
    """The example manufacturer as the registry knows it: no procurement contracts on record."""
    profile = json.loads((ROOT / "examples" / "small-manufacturer.json").read_text(encoding="utf-8"))
    del profile["procurement_contracts"]
    return profile


def seed(engine: Engine) -> None:
    console.add_staff(engine, "wang", PASSWORD, admin=True)
    console.add_staff(engine, "li", PASSWORD)
    profile = registry_profile()
    with engine.begin() as conn:
        conn.execute(insert(RegistryEnterprise), [{
            "credit_code": CODE, "name": profile["name"], "district": profile["district"], "profile": profile,
            "source": "registry.csv:2", "run_id": "test"}])


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'console.sqlite3'}"
    seed(open_database(url))
    return url


@pytest.fixture
def app(db_url: str) -> Any:
    return create_app(db_url=db_url)


@pytest.fixture
def anon(app: Any) -> Iterator[TestClient]:
    with TestClient(app, follow_redirects=False) as client:
        yield client


def login(client: TestClient, name: str = "wang", password: str = PASSWORD) -> Any:
    page = client.get("/console/login")
    token = re.search(r'name="token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    return client.post("/console/login", data={"name": name, "password": password, "token": token, "next": ""})


def csrf_of(client: TestClient) -> str:
    page = client.get("/console")
    return re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]


@pytest.fixture
def staff(app: Any) -> Iterator[TestClient]:
    with TestClient(app, follow_redirects=False) as client:
        assert login(client).status_code == 303
        yield client

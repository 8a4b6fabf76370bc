"""Fixtures for the operations tests: an app with chosen settings, clients from chosen addresses."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import Settings, from_env


def settings_of(tmp_path: Path, **env: str) -> Settings:
    """Settings as ``huiqi serve`` would read them from these variables (nothing else set)."""
    return from_env({"HUIQI_DB": f"sqlite:///{tmp_path / 'huiqi.sqlite3'}", "HUIQI_RATE_LIMIT": "off",
                     "HUIQI_LOGIN_RATE_LIMIT": "off", **env})


@pytest.fixture
def make_client(tmp_path: Path) -> Callable[..., TestClient]:
    """``make_client(client=("203.0.113.7", 5000), HUIQI_RATE_LIMIT="3/minute")``: a TestClient of a fresh app."""
    made: list[TestClient] = []

    def make(client: tuple[str, int] = ("127.0.0.1", 50000), base_url: str = "http://testserver",
             **env: str) -> TestClient:
        app: Any = create_app(settings=settings_of(tmp_path, **env))
        test_client = TestClient(app, client=client, base_url=base_url, follow_redirects=False)
        made.append(test_client)
        return test_client

    yield make
    for test_client in made:
        test_client.close()

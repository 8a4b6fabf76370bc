"""Shared fixtures; the Gherkin step definitions live in tests/bdd_steps.py."""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from engine import RuleBook, default_rules

pytest_plugins = ["tests.bdd_steps"]
# The suite's many requests come from one test client, not a flood: apps built from the environment
# are not rate limited here (tests/ops/test_rate_limit.py passes its own limits).
os.environ.setdefault("HUIQI_RATE_LIMIT", "off")
os.environ.setdefault("HUIQI_LOGIN_RATE_LIMIT", "off")
ROOT = Path(__file__).resolve().parents[1]
AS_OF = dt.date(2026, 1, 15)


@pytest.fixture(scope="session")
def book() -> RuleBook:
    return default_rules()


@pytest.fixture(scope="session")
def base_url() -> Iterator[str]:
    """One huiqi server (uvicorn on a free loopback port) shared by the public pages' browser tests;
    modules that need another app (the console's database) define their own."""
    from tests.browser_server import running_server

    with running_server() as url:
        yield url


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One Chromium for the session's browser tests (skips them, saying why, when it cannot start)."""
    from tests.browser_server import launched_chromium

    yield from launched_chromium()


@pytest.fixture
def example_profile() -> dict:
    return json.loads((ROOT / "examples" / "small-manufacturer.json").read_text(encoding="utf-8"))

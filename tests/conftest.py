"""Shared fixtures; the Gherkin step definitions live in tests/bdd_steps.py."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

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


@pytest.fixture
def example_profile() -> dict:
    return json.loads((ROOT / "examples" / "small-manufacturer.json").read_text(encoding="utf-8"))

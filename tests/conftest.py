"""Shared fixtures; the Gherkin step definitions live in tests/bdd_steps.py."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from engine import RuleBook, default_rules

pytest_plugins = ["tests.bdd_steps"]
ROOT = Path(__file__).resolve().parents[1]
AS_OF = dt.date(2026, 1, 15)


@pytest.fixture(scope="session")
def book() -> RuleBook:
    return default_rules()


@pytest.fixture
def example_profile() -> dict:
    return json.loads((ROOT / "examples" / "small-manufacturer.json").read_text(encoding="utf-8"))

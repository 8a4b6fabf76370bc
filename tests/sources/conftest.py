"""Fixtures of the department-source tests: a database per test."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine

from store.db import open_database


@pytest.fixture
def db(tmp_path: Path) -> Engine:
    return open_database(f"sqlite:///{tmp_path / 'huiqi.sqlite3'}")

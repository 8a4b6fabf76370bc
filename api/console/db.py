"""The console's database: opened (and upgraded to the latest migration) on first use, once per app."""

from __future__ import annotations

import threading

from fastapi import Request
from sqlalchemy import Engine

from store.db import open_database

_LOCK = threading.Lock()


def database(request: Request) -> Engine:
    state = request.app.state
    engine = getattr(state, "console_engine", None)
    if engine is None:
        with _LOCK:
            engine = getattr(state, "console_engine", None)
            if engine is None:
                engine = state.console_engine = open_database(state.db_url)
    return engine

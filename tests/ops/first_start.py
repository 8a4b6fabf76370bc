"""What each racing process runs (a small module: spawned processes import only this and ``store``)."""

from __future__ import annotations

from typing import Any


def first_start(url: str, barrier: Any, out: Any) -> None:
    """Open (and migrate) the database and read the signing secret, as a worker does on its first start."""
    from store import console
    from store.db import open_database

    barrier.wait()
    try:
        engine = open_database(url)
        out.put(("ok", console.app_secret(engine)))
    except Exception as exc:  # noqa: BLE001 - reported to the test
        out.put(("error", repr(exc)))

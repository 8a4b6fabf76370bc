"""Comparing a route with the route it replaced: the app's answer and a reference app's, for one request."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.testclient import TestClient

from api import http_errors

Answer = tuple[int, str | None, bytes]  # status, content type, body


def reference_client(router: APIRouter) -> TestClient:
    """A client of an app holding ``router`` alone, with the service's error handlers."""
    app = FastAPI()
    http_errors.install(app)
    app.include_router(router)
    return TestClient(app, raise_server_exceptions=False)


def both_answers(app: TestClient, reference: TestClient, path: str, raw: bytes,
                 content_type: str | None = "application/json") -> tuple[Answer, Answer]:
    """(the app's answer, the reference's answer) to POSTing ``raw`` to ``path``."""
    headers: dict[str, Any] = {"content-type": content_type} if content_type is not None else {}
    got, expected = (client.post(path, content=raw, headers=headers) for client in (app, reference))
    return ((got.status_code, got.headers.get("content-type"), got.content),
            (expected.status_code, expected.headers.get("content-type"), expected.content))

"""POST /api/v1/questions reads a valid body once, and answers exactly as the route did when it read it twice.

``reference`` below is the route as it was (FastAPI's plain route: the body validated leniently, then
strictly by the ``strict`` dependency, the answer rendered through the ``QuestionsOut`` response model);
every answer of the app (status, content type, bytes) must equal its answer.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

import pytest
from fastapi import APIRouter, Body, Depends
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api import routes_api
from api.app import create_app
from api.routes_api import QuestionsOut, QuestionsRequest, _questions, strict
from tests.route_answers import Answer, both_answers, reference_client
from tests.strategies import profiles
from tests.test_api_body_once import loosened


def reference_app() -> TestClient:
    """The questions route as it was before it read the body once (same error handlers)."""
    router = APIRouter(prefix="/api/v1")

    @router.post("/questions", response_model=QuestionsOut)
    def post_questions(body: Annotated[QuestionsRequest, Body()],
                       strict_questions: Annotated[QuestionsRequest | None, Depends(strict(QuestionsRequest))],
                       ) -> QuestionsOut:
        return _questions(strict_questions or body)

    return reference_client(router)


app = TestClient(create_app(), raise_server_exceptions=False)
reference = reference_app()
AS_OF = "2026-01-15"


def answers(raw: bytes, content_type: str | None = "application/json") -> tuple[Answer, Answer]:
    return both_answers(app, reference, "/api/v1/questions", raw, content_type)


@pytest.mark.parametrize("body", [
    {"profile": {}},
    {"profile": {}, "as_of": AS_OF, "limit": 3},
    {"profile": {"industry_code": "C39", "employees": 35, "revenue_yuan": 12000000, "hires": [{}]},
     "as_of": AS_OF, "limit": 200, "declined": ["hires[0].birth_date"]},
    {"profile": {"employees": "35"}, "as_of": AS_OF},  # lenient only
    {"profile": {}, "limit": "3"},
    {"profile": {}, "limit": 0},
    {"profile": {}, "limit": 201},
    {"profile": {}, "declined": "employees"},
    {"profile": {}, "declined": [3]},
    {"profile": {"nickname": "x"}},
    {"profile": {}, "extra": 1},
    {"as_of": AS_OF},
    {},
    [1, 2],
    None,
])
@pytest.mark.parametrize("content_type", ["application/json", "application/json; charset=utf-8", "text/plain", None])
def test_the_same_answer_as_the_route_that_read_twice(body: Any, content_type: str | None) -> None:
    got, expected = answers(json.dumps(body, ensure_ascii=False).encode(), content_type)
    assert got == expected


@pytest.mark.parametrize("raw", [b"", b"{bad json", b'{"profile": {"employees": NaN}}', b'\xef\xbb\xbf{"profile": {}}'])
def test_odd_bytes_answer_the_same(raw: bytes) -> None:
    got, expected = answers(raw)
    assert got == expected


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(profile=profiles, how=st.integers(0, 5), loose=st.booleans(), limit=st.integers(1, 12))
def test_profiles_answer_the_same(profile: dict, how: int, loose: bool, limit: int) -> None:
    body = {"profile": loosened(profile, how) if loose else profile, "as_of": AS_OF, "limit": limit}
    got, expected = answers(json.dumps(body, ensure_ascii=False).encode())
    assert got == expected


def test_a_valid_body_is_validated_once(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[bytes] = []
    original = routes_api.strict_json

    def counted(model: Any, raw: bytes) -> Any:
        calls.append(raw)
        return original(model, raw)

    monkeypatch.setattr(routes_api, "strict_json", counted)
    response = app.post("/api/v1/questions", json={"profile": {"employees": 8}, "as_of": AS_OF, "limit": 2})
    assert response.status_code == 200
    assert len(calls) == 1  # the strict reading alone: FastAPI's lenient one and the dependency never ran
    assert len(response.json()["questions"]) == 2

"""POST /api/v1/evaluate reads a valid body once, and answers exactly as the route did when it read it twice.

The route used to be FastAPI's plain route: the JSON parsed and validated leniently by FastAPI, then
parsed and validated strictly again by the ``strict_body`` dependency. ``reference`` below is that
route, kept here as it was; every answer of the app (status, content type, bytes) must equal its
answer, for valid bodies, loose ones (``"3"`` for ``3``), invalid ones, bodies that are no JSON
object, and other content types. The response is the engine's Result serialized directly: the same
bytes as ``model_dump_json``.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Any

import pytest
from fastapi import APIRouter, Body, Depends
from fastapi.responses import Response
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api import routes_api
from api.app import create_app
from api.routes_api import EvaluateRequest, answer_evaluate, strict_body
from engine import evaluate, parse_profile
from tests.route_answers import Answer, both_answers, reference_client
from tests.strategies import profiles


def reference_app() -> TestClient:
    """The evaluate route as it was before it read the body once (same error handlers)."""
    router = APIRouter(prefix="/api/v1")

    @router.post("/evaluate", response_class=Response)
    async def post_evaluate(body: Annotated[EvaluateRequest, Body()],
                            strict: Annotated[EvaluateRequest | None, Depends(strict_body)]) -> Response:
        return await answer_evaluate(strict or body)

    return reference_client(router)


app = TestClient(create_app(), raise_server_exceptions=False)
reference = reference_app()
AS_OF = "2026-01-15"


def answers(raw: bytes, content_type: str | None = "application/json") -> tuple[Answer, Answer]:
    return both_answers(app, reference, "/api/v1/evaluate", raw, content_type)


def loosened(value: Any, how: int) -> Any:
    """A value the lenient reading took and the strict one refuses (or another wrong one)."""
    if isinstance(value, bool):
        return int(value) if how % 2 else str(value).lower()
    if isinstance(value, int):
        return str(value) if how % 2 else float(value)
    if isinstance(value, str) and len(value) == 10 and value[4] == "-":  # a date
        return value + "T00:00:00" if how % 2 else value.replace("-", "/")
    digits = value.replace(".", "") if isinstance(value, str) else ""
    if digits.isascii() and digits.isdigit():  # money as text ("²" is a digit to isdigit, not to float)
        return float(value) if how % 2 else value + "1"
    if isinstance(value, list):
        return [loosened(v, how) for v in value]
    if isinstance(value, dict):
        return {k: loosened(v, how + i) if (how + i) % 3 == 0 else v for i, (k, v) in enumerate(value.items())}
    return value


@pytest.mark.parametrize("body", [
    {"profile": {}},
    {"profile": {"employees": 35}, "as_of": AS_OF},
    {"profile": {"employees": "35"}, "as_of": AS_OF},  # lenient only
    {"profile": {"employees": 35.0}},
    {"profile": {"foreign_trade": 1}},
    {"profile": {"founded_on": "2020-01-01T00:00:00"}},
    {"profile": {"revenue_yuan": 1.5}},
    {"profile": {"revenue_yuan": "1.234"}},
    {"profile": {"employees": -3}},
    {"profile": {"hires": [{"birth_date": "2003-05-01", "hired_on": "2001-01-01"}]}},
    {"profile": {"nickname": "x"}},
    {"profile": {}, "extra": 1},
    {"profile": {}, "as_of": "2026-13-01"},
    {"profile": {}, "as_of": 20260115},
    {"as_of": AS_OF},
    {"profile": 3},
    {"profile": None},
    {},
    [1, 2],
    "text",
    None,
])
@pytest.mark.parametrize("content_type", ["application/json", "application/json; charset=utf-8",
                                          "application/problem+json", "text/plain", None])
def test_the_same_answer_as_the_route_that_read_twice(body: Any, content_type: str | None) -> None:
    raw = json.dumps(body, ensure_ascii=False).encode()
    got, expected = answers(raw, content_type)
    assert got == expected


@pytest.mark.parametrize("raw", [
    b"", b"{bad json", b"\xff\xfe\xfd", b'{"profile": {"employees": NaN}}', b'{"profile": {"employees": 1e400}}',
    b'{"profile": {"employees": 123456789012345678901234567890}}', b'\xef\xbb\xbf{"profile": {}}',
    b'{"profile": {"employees": 3}, "profile": {"employees": "x"}}', b'{"profile": {"employees": 3}} trailing',
    '{"profile": {"district": "湖里区"}}'.encode("utf-16"), b'{"profile": {"district": "\\ud800"}}',
])
def test_odd_bytes_answer_the_same(raw: bytes) -> None:
    got, expected = answers(raw)
    assert got == expected


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(profile=profiles, how=st.integers(0, 5), as_of=st.sampled_from([None, AS_OF, "2026-1-15", 5]))
def test_loosened_profiles_answer_the_same(profile: dict, how: int, as_of: Any) -> None:
    body = {"profile": loosened(profile, how)} if as_of is None else {"profile": loosened(profile, how), "as_of": as_of}
    got, expected = answers(json.dumps(body, ensure_ascii=False).encode())
    assert got == expected


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(profile=profiles)
def test_a_valid_body_is_validated_once_and_the_result_is_the_engines_json(profile: dict) -> None:
    calls: list[bytes] = []
    original = routes_api.strict_json

    def counted(model: Any, raw: bytes) -> Any:
        calls.append(raw)
        return original(model, raw)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(routes_api, "strict_json", counted)
        response = app.post("/api/v1/evaluate", json={"profile": profile, "as_of": AS_OF})
    assert response.status_code == 200
    assert len(calls) == 1  # the strict reading alone: FastAPI's lenient one and the dependency never ran
    expected = evaluate(parse_profile(profile), dt.date(2026, 1, 15)).model_dump_json(exclude_none=True)
    assert response.content == expected.encode()
    assert response.headers["content-type"] == "application/json"


def test_an_invalid_body_goes_through_fastapis_handling(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[bytes] = []
    original = routes_api.strict_json

    def counted(model: Any, raw: bytes) -> Any:
        calls.append(raw)
        return original(model, raw)

    monkeypatch.setattr(routes_api, "strict_json", counted)
    response = app.post("/api/v1/evaluate", json={"profile": {"employees": "3"}})
    assert response.status_code == 422
    assert response.json() == [{"field": "employees", "message_zh": "应为整数", "message_en": "must be a whole number"}]
    assert len(calls) == 2  # tried once, then the dependency words the error as before


def test_the_body_is_documented_as_before() -> None:
    # the route keeps FastAPI's Body declaration: the OpenAPI document is what it was
    operation = app.get("/openapi.json").json()["paths"]["/api/v1/evaluate"]["post"]
    body = operation["requestBody"]
    assert body["required"] is True
    assert body["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/EvaluateRequest"}
    assert list(body["content"]["application/json"]["examples"]) == ["small_manufacturer", "unknown"]
    assert operation["operationId"] == "post_evaluate_api_v1_evaluate_post"
    assert {"200", "413", "422", "429"} <= set(operation["responses"])

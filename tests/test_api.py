"""The JSON API (/api/v1) with FastAPI's TestClient: contract shape, errors, limits, catalogue."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from tests.contract_shape import contract_problems


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(create_app())


def _errors_shape(body: object) -> None:
    assert isinstance(body, list) and body
    for item in body:
        assert set(item) == {"field", "message_zh", "message_en"}


def test_evaluate_example(client: TestClient, example_profile: dict) -> None:
    response = client.post("/api/v1/evaluate", json={"profile": example_profile, "as_of": "2026-01-15"})
    assert response.status_code == 200
    doc = response.json()
    assert doc["as_of"] == "2026-01-15"
    assert [r["measure"] for r in doc["results"]] == [f"M{i}" for i in range(1, 51)]
    m30 = next(r for r in doc["results"] if r["measure"] == "M30")
    assert m30["status"] == "eligible" and m30["amount"]["yuan"] == 3000
    assert m30["units"] == {"city": ["市人社局"], "local": ["火炬管委会"]}
    assert doc["totals"]["exact_yuan"] == 3000
    assert contract_problems(doc) == []


def test_evaluate_same_as_cli_json(client: TestClient, example_profile: dict) -> None:
    import datetime as dt

    from engine import evaluate, parse_profile

    expected = evaluate(parse_profile(example_profile), dt.date(2026, 1, 15)).model_dump_json(exclude_none=True)
    response = client.post("/api/v1/evaluate", json={"profile": example_profile, "as_of": "2026-01-15"})
    assert json.loads(response.text) == json.loads(expected)


@pytest.mark.parametrize("engine_busy", [False, True])
@pytest.mark.parametrize("hires", [1, 101])
def test_evaluate_on_the_loop_or_in_a_thread_answers_alike(client: TestClient, monkeypatch: pytest.MonkeyPatch,
                                                          hires: int, engine_busy: bool) -> None:
    # up to INLINE_ITEMS list items and with the engine free the route evaluates on the event loop,
    # else in the threadpool: the same answer either way
    import datetime as dt

    from api import routes_api
    from engine import evaluate, parse_profile

    assert (hires <= routes_api.INLINE_ITEMS) == (hires == 1)
    monkeypatch.setattr(routes_api, "engine_busy", lambda: engine_busy)
    threaded: list[bool] = []
    original = routes_api.run_in_threadpool

    async def in_thread(*args: object) -> object:
        threaded.append(True)
        return await original(*args)
    monkeypatch.setattr(routes_api, "run_in_threadpool", in_thread)
    hire = {"birth_date": "2003-05-01", "hired_on": "2025-09-01", "registered_unemployed": True, "contract_months": 12}
    profile = {"industry_code": "C3911", "employees": 30, "revenue_yuan": 5_000_000, "hires": [hire] * hires}
    response = client.post("/api/v1/evaluate", json={"profile": profile, "as_of": "2026-01-15"})
    assert response.status_code == 200
    expected = evaluate(parse_profile(profile), dt.date(2026, 1, 15)).model_dump_json(exclude_none=True)
    assert response.content.decode() == expected
    assert threaded == ([True] if hires > 1 or engine_busy else [])


def test_as_of_defaults_to_today(client: TestClient) -> None:
    import datetime as dt

    response = client.post("/api/v1/evaluate", json={"profile": {}})
    assert response.status_code == 200
    assert response.json()["as_of"] == dt.date.today().isoformat()


@pytest.mark.parametrize(("body", "field"), [
    ({"profile": {"employees": -3}}, "employees"),
    ({"profile": {"hires": [{"birth_date": "2003-02-30"}]}}, "hires[0].birth_date"),
    ({"profile": {"hires": [{"insurance_months": {"pension": "x"}}]}}, "hires[0].insurance_months.pension"),
    ({"profile": {}, "as_of": "2026-13-01"}, "as_of"),
    ({"profile": {"district": "北京"}}, "district"),
    ({"profile": {"revenue_yuan": "1.234"}}, "revenue_yuan"),
    ({"profile": {"nickname": "x"}}, "nickname"),
    ({"as_of": "2026-01-01"}, "profile"),
    ({"profile": 3}, "profile"),
    ({"profile": {}, "extra": 1}, "extra"),
])
def test_validation_errors(client: TestClient, body: dict, field: str) -> None:
    response = client.post("/api/v1/evaluate", json=body)
    assert response.status_code == 422
    _errors_shape(response.json())
    assert field in [e["field"] for e in response.json()]
    assert all(e["message_zh"] for e in response.json())


@pytest.mark.parametrize("raw", [b"{bad json", b"[1, 2]", b"", b'"text"', b"\xff\xfe\xfd"])
def test_malformed_bodies(client: TestClient, raw: bytes) -> None:
    response = client.post("/api/v1/evaluate", content=raw, headers={"content-type": "application/json"})
    assert response.status_code == 422
    _errors_shape(response.json())
    assert response.json()[0]["field"] == "body"


def test_hired_before_birth_is_a_field_error(client: TestClient) -> None:
    body = {"profile": {"hires": [{"birth_date": "2003-05-01", "hired_on": "2001-01-01"}]}}
    response = client.post("/api/v1/evaluate", json=body)
    assert response.status_code == 422
    assert response.json() == [{"field": "hires[0].hired_on", "message_zh": "招用日期必须晚于出生日期",
                                "message_en": "hired_on must be after birth_date"}]


def test_body_over_limit_by_content_length(client: TestClient) -> None:
    response = client.post("/api/v1/evaluate", content=b" " * (1024 * 1024 + 1),
                           headers={"content-type": "application/json"})
    assert response.status_code == 413
    _errors_shape(response.json())


def test_body_over_limit_by_streamed_size(client: TestClient) -> None:
    def chunks():  # no Content-Length: chunked transfer, counted as it streams
        for _ in range(20):
            yield b" " * 65536

    response = client.post("/api/v1/evaluate", content=chunks(), headers={"content-type": "application/json"})
    assert response.status_code == 413
    _errors_shape(response.json())


def test_small_streamed_body_is_fine(client: TestClient) -> None:
    def chunks():
        yield b'{"profile": '
        yield b'{"employees": 3}}'

    response = client.post("/api/v1/evaluate", content=chunks(), headers={"content-type": "application/json"})
    assert response.status_code == 200


def test_no_traceback_reaches_the_client(monkeypatch: pytest.MonkeyPatch) -> None:
    from api import routes_api

    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(routes_api, "evaluate", boom)
    client = TestClient(create_app(), raise_server_exceptions=False)
    response = client.post("/api/v1/evaluate", json={"profile": {}})
    assert response.status_code == 500
    _errors_shape(response.json())
    assert "secret" not in response.text and "Traceback" not in response.text
    assert "服务器内部错误" in response.json()[0]["message_zh"]


def test_measures(client: TestClient) -> None:
    response = client.get("/api/v1/measures")
    assert response.status_code == 200
    measures = response.json()
    assert [m["id"] for m in measures] == [f"M{i}" for i in range(1, 51)]
    assert all(m["title"] and m["chapter"] and m["units"] for m in measures)


def test_measure_detail(client: TestClient) -> None:
    detail = client.get("/api/v1/measures/m30").json()
    assert detail["id"] == "M30" and "16-24岁" in detail["text"]
    assert any("16 至 24" in c["test"] for c in detail["conditions"])
    assert "1,500 元" in detail["amount"]
    missing = client.get("/api/v1/measures/M99")
    assert missing.status_code == 404
    _errors_shape(missing.json())


def test_units(client: TestClient, book) -> None:
    units = client.get("/api/v1/units").json()
    by_name = {u["unit"]: u for u in units}
    assert "M30" in by_name["市人社局"]["measures"] and by_name["市人社局"]["level"] == "city"
    for local in book.local_units.all_local_units():
        assert by_name[local]["level"] == "local"
        assert len(by_name[local]["measures"]) == 50
    assert {"湖里区人民政府", "自贸委", "火炬管委会"} <= set(by_name)


def test_health(client: TestClient, book) -> None:
    assert client.get("/api/v1/health").json() == {
        "status": "ok", "rules_version": book.version, "rules_release": book.release.name,
        "rules_release_date": book.release.date.isoformat(), "measures": 50,
    }


def test_openapi_documents_the_body_and_errors(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    evaluate = schema["paths"]["/api/v1/evaluate"]["post"]
    examples = evaluate["requestBody"]["content"]["application/json"]["examples"]
    assert "small_manufacturer" in examples
    assert {"200", "413", "422"} <= set(evaluate["responses"])
    assert client.get("/docs").status_code == 200
    assert "/check" not in schema["paths"]  # pages are not API


def test_unknown_api_route_is_json(client: TestClient) -> None:
    response = client.get("/api/v1/nothing")
    assert response.status_code == 404
    _errors_shape(response.json())

"""POST /api/v1/questions and near_miss in POST /api/v1/evaluate (issue 12)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from api.app import create_app


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(create_app())


def test_questions_are_ranked_by_money_with_their_wording(client: TestClient) -> None:
    response = client.post("/api/v1/questions", json={"profile": {}, "as_of": "2026-01-15", "limit": 3})
    assert response.status_code == 200
    questions = response.json()["questions"]
    assert [q["field"] for q in questions] == ["industry_code", "projects", "designations"]
    first = questions[0]
    assert first["text_zh"] == "贵单位属于哪个行业？" and first["kind"] == "industry"
    assert first["yuan_at_stake"] == 3002500 and "M30" in first["measures"]
    assert {"value": "C39", "label": "计算机、通信和其他电子设备制造（制造业及其他工业）"} in first["choices"]
    # a list that can bring money: asked on the checklist screen
    assert questions[1] == {**questions[1], "kind": "count", "unit": "个", "yuan_at_stake": 3000000,
                            "measures": ["M5"], "group": "checklist"}


def test_ten_thousand_yuan_inputs_carry_their_scale(client: TestClient) -> None:
    body = {"profile": {"industry_code": "C39", "employees": 35}, "as_of": "2026-01-15", "limit": 50}
    questions = client.post("/api/v1/questions", json=body).json()["questions"]
    revenue = next(q for q in questions if q["field"] == "revenue_yuan")
    assert revenue["unit"] == "万元" and revenue["scale"] == 10000


def test_declined_fields_are_not_asked_again(client: TestClient) -> None:
    body = {"profile": {"industry_code": "C39", "employees": 35, "revenue_yuan": 12000000, "hires": [{}]},
            "as_of": "2026-01-15", "limit": 200, "declined": ["hires[0].birth_date"]}
    fields = [q["field"] for q in client.post("/api/v1/questions", json=body).json()["questions"]]
    assert "hires[0].contract_months" in fields
    assert "hires[0].birth_date" not in fields and "hires[0].hired_on" not in fields


def test_bad_input_gets_the_project_error_list(client: TestClient) -> None:
    response = client.post("/api/v1/questions", json={"profile": {"employees": -3}, "limit": 0})
    assert response.status_code == 422
    body = response.json()
    assert {e["field"] for e in body} >= {"employees", "limit"}
    assert all(set(e) == {"field", "message_zh", "message_en"} for e in body)
    assert client.post("/api/v1/questions", json={"profile": {}, "extra": 1}).status_code == 422
    # strict JSON, as /evaluate: "3" is no 3; as_of within 2000-01-01 … 2100-12-31
    loose = client.post("/api/v1/questions", json={"profile": {}, "limit": "3"})
    assert loose.status_code == 422 and [e["field"] for e in loose.json()] == ["limit"]
    assert client.post("/api/v1/questions", json={"profile": {}, "as_of": "1900-01-01"}).status_code == 422


def test_openapi_documents_the_route_with_examples(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    route = spec["paths"]["/api/v1/questions"]["post"]
    assert "422" in route["responses"] and "200" in route["responses"]
    assert set(route["requestBody"]["content"]["application/json"]["examples"]) == {"nothing_known", "one_hire"}
    schema = spec["components"]["schemas"]["QuestionOut"]
    assert {"field", "text_zh", "kind", "choices", "unit", "measures", "yuan_at_stake"} <= set(schema["properties"])


def test_evaluate_carries_near_miss(client: TestClient, example_profile: dict) -> None:
    example_profile["hires"][1]["contract_months"] = 11
    doc = client.post("/api/v1/evaluate", json={"profile": example_profile, "as_of": "2026-01-15"}).json()
    m30 = next(r for r in doc["results"] if r["measure"] == "M30")
    assert m30["amount"]["yuan"] == 1500
    answer = m30["near_miss"][0]
    assert answer["text"] == "第2名新招用人员：劳动合同期限11个月，差1个月：签订1年以上劳动合同即可计入，可再得1,500元"
    assert answer["actionable"] is True and answer["yuan"] == 1500
    assert answer["changes"] == [{"field": "hires[1].contract_months", "value": 12}]

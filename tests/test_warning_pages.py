"""Issue 11, point 4 on the pages: the public form asks to confirm flagged answers before it evaluates
them (server-rendered, JavaScript off); the results page and the console show the warnings."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from tests.console.forms import form_fields

BASE = {"as_of": "2026-01-15", "entity_type": "enterprise", "industry_code": "C39", "employees": "35",
        "revenue_yuan": "1200", "founded_on": "2024-03-01", "district": "湖里区", "action": "check"}
# 12,000,000 元 typed into the 万元 box: 1,200 亿元 for 35 people
SLIP = {**BASE, "revenue_yuan": "12000000"}


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(create_app())


def _confirm_value(html: str) -> str:
    return re.search(r'name="action" value="(confirm:[0-9a-f]+)" id="confirm-warnings"', html).group(1)  # type: ignore[union-attr]


def test_flagged_answers_come_back_for_confirmation_with_every_answer_kept(client: TestClient) -> None:
    page = client.post("/check", data=SLIP)
    assert page.status_code == 200
    assert 'id="form-warnings"' in page.text and "确认无误，继续评估" in page.text
    assert 'id="totals"' not in page.text  # not evaluated yet
    assert '<a href="#revenue_yuan">' in page.text  # points at the input
    values, _ = form_fields(page.text, "/check")
    assert values["revenue_yuan"] == "12000000" and values["employees"] == "35"


def test_confirming_shows_the_results_with_the_warnings(client: TestClient) -> None:
    page = client.post("/check", data=SLIP)
    values, _ = form_fields(page.text, "/check")
    result = client.post("/check", data={**values, "action": _confirm_value(page.text)})
    assert result.status_code == 200 and 'id="totals"' in result.text
    assert 'id="warnings"' in result.text and "请核对单位" in result.text


def test_a_corrected_answer_goes_straight_to_the_results(client: TestClient) -> None:
    page = client.post("/check", data=SLIP)
    values, _ = form_fields(page.text, "/check")
    result = client.post("/check", data={**values, "revenue_yuan": "1200", "action": "check"})
    assert 'id="totals"' in result.text and 'id="warnings"' not in result.text


def test_a_confirmation_covers_only_the_warnings_it_was_shown(client: TestClient) -> None:
    page = client.post("/check", data=SLIP)
    values, _ = form_fields(page.text, "/check")
    # another flagged answer changed in the meantime: asked again
    again = client.post("/check", data={**values, "founded_on": "2026-02-01", "action": _confirm_value(page.text)})
    assert 'id="form-warnings"' in again.text and "晚于评估日" in again.text and 'id="totals"' not in again.text


def test_answers_without_warnings_are_evaluated_at_once(client: TestClient) -> None:
    page = client.post("/check", data=BASE)
    assert 'id="totals"' in page.text and 'id="form-warnings"' not in page.text


def test_a_result_link_shows_the_warnings(client: TestClient) -> None:
    page = client.get("/result", params={k: v for k, v in SLIP.items() if k != "action"})
    assert 'id="totals"' in page.text and 'id="warnings"' in page.text

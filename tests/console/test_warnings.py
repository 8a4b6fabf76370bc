"""Issue 11, point 4 at the desk: the console's result page shows what the engine flags."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.console.test_desk import evaluate


def test_the_result_page_shows_the_warnings(staff: TestClient) -> None:
    page = evaluate(staff, {"founded_on": "2026-02-01"})
    assert page.status_code == 200
    assert 'id="warnings"' in page.text and "成立日期 2026-02-01 晚于评估日 2026-01-15" in page.text


def test_no_warning_box_for_plausible_facts(staff: TestClient) -> None:
    page = evaluate(staff, {})
    assert page.status_code == 200 and 'id="warnings"' not in page.text

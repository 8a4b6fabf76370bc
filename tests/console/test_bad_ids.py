"""Console ids and log filters from a URL or a form: never a 500 (issue 11, point 8).

A number no record can have (beyond BIGINT) is not found (404); text that only Python calls
digits (``²``, ``٣``) is not a number (422); a date filter that is not a date is reported by
name, never silently dropped (which would list more than was asked for).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.console.conftest import csrf_of, login

HUGE = "99999999999999999999"


@pytest.fixture
def staff_500s_shown(app: Any) -> Iterator[TestClient]:
    """A staff client that sees a 500 as the browser would, instead of the server's exception."""
    with TestClient(app, follow_redirects=False, raise_server_exceptions=False) as client:
        assert login(client).status_code == 303
        yield client


@pytest.mark.parametrize(("path", "status"), [
    (f"/console/consultations/{HUGE}", 404),
    ("/console/consultations/9223372036854775808", 404),  # 2**63: one past BIGINT
    (f"/console/consultations/{HUGE}/advice", 404),
    (f"/console/consultations/{HUGE}/edit", 404),
    ("/console/consultations/%C2%B2", 422),  # ²
    ("/console/consultations/%D9%A3/advice", 422),  # Arabic-Indic three
    (f"/console/consultations/1?version={HUGE}", 404),
])
def test_ids_in_the_url(staff_500s_shown: TestClient, path: str, status: int) -> None:
    assert staff_500s_shown.get(path).status_code == status


@pytest.mark.parametrize(("given", "status"), [("²", 422), ("٣", 422), (HUGE, 404), ("9223372036854775807", 404)])
def test_ids_in_a_saved_form(staff_500s_shown: TestClient, given: str, status: int) -> None:
    client = staff_500s_shown
    answer = client.post("/console/consultations", data={"csrf": csrf_of(client), "consultation": given,
                                                           "query": "employees=3", "as_of": "2026-01-15"})
    assert answer.status_code == status
    note = client.post(f"/console/consultations/{given}/note", data={"csrf": csrf_of(client), "note": "x"})
    assert note.status_code == status


@pytest.mark.parametrize("query", ["date_from=2026-13-01", "date_to=%C2%B2", "date_from=yesterday&date_to=2026-01-01"])
def test_a_date_filter_that_is_not_a_date_is_reported(staff_500s_shown: TestClient, query: str) -> None:
    client = staff_500s_shown
    field = query.split("=")[0]
    page = client.get(f"/console/consultations?{query}")
    assert page.status_code == 422
    errors = page.text.split('id="filter-errors"')[1].split("</ul>")[0]
    assert f'data-field="{field}"' in errors and "格式应为 YYYY-MM-DD" in errors
    assert "data-id=" not in page.text  # nothing listed rather than everything
    for export in ("/console/consultations.csv", "/console/consultations.xlsx", "/api/v1/console/consultations"):
        answer = client.get(f"{export}?{query}")
        assert answer.status_code == 422, export
    body = client.get(f"/api/v1/console/consultations?{query}").json()
    assert body[0]["field"] == field and "YYYY-MM-DD" in body[0]["message_zh"]


def test_good_dates_still_filter(staff_500s_shown: TestClient) -> None:
    page = staff_500s_shown.get("/console/consultations?date_from=2026-01-01&date_to=%202026-12-31%20")
    assert page.status_code == 200 and 'id="filter-errors"' not in page.text

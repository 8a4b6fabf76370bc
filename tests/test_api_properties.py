"""Property: any valid profile gets a 200 with all 50 measures; never a 5xx."""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.app import create_app
from tests.strategies import profiles

client = TestClient(create_app(), raise_server_exceptions=False)

as_of_days = st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2100, 12, 31)).map(dt.date.isoformat)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(profile=profiles, as_of=st.one_of(st.none(), as_of_days))
def test_random_valid_profiles_never_fail(profile: dict, as_of: str | None) -> None:
    body = {"profile": profile} if as_of is None else {"profile": profile, "as_of": as_of}
    response = client.post("/api/v1/evaluate", json=body)
    assert response.status_code == 200, response.text
    doc = response.json()
    assert [r["measure"] for r in doc["results"]] == [f"M{i}" for i in range(1, 51)]
    for item in doc["results"]:
        assert item["status"] in {"eligible", "ineligible", "undetermined", "informational"}
        if item["status"] == "undetermined":
            assert item["missing"]


@settings(max_examples=60, deadline=None)
@given(body=st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=10),
                         lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner,
                                                                                      max_size=3),
                         max_leaves=10))
def test_arbitrary_json_is_never_a_5xx(body: object) -> None:
    response = client.post("/api/v1/evaluate", json={"profile": body})
    assert response.status_code in (200, 422), response.text

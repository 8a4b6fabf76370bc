"""``/metrics``: requests by route template and status, latency, evaluations, logins, batch progress; loopback only."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path

from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import insert

from store import console
from store.db import open_database
from store.models import BatchChunk, BatchRun
from tests.console.conftest import PASSWORD, login


def samples(client: TestClient) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = client.get("/metrics")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(response.text) for s in family.samples}


def value(found: dict, name: str, **labels: str) -> float:
    return found.get((name, tuple(sorted(labels.items()))), 0.0)


def test_requests_are_counted_by_route_template_and_status(make_client: Callable[..., TestClient]) -> None:
    client = make_client()
    before = samples(client)
    for measure in ("M30", "M31", "M99"):
        client.get(f"/api/v1/measures/{measure}")
    client.get("/no/such/thing/1")
    client.get("/no/such/thing/2")
    after = samples(client)
    route = "/api/v1/measures/{measure_id}"
    counted = {status: value(after, "huiqi_http_requests_total", route=route, method="GET", status=status)
               - value(before, "huiqi_http_requests_total", route=route, method="GET", status=status)
               for status in ("200", "404")}
    assert counted == {"200": 2, "404": 1}
    unmatched = (value(after, "huiqi_http_requests_total", route="<unmatched>", method="GET", status="404")
                 - value(before, "huiqi_http_requests_total", route="<unmatched>", method="GET", status="404"))
    assert unmatched == 2  # random paths share one series
    assert not any("/no/such" in str(key) for key in after)
    latency = (value(after, "huiqi_http_request_duration_seconds_count", route=route, method="GET")
               - value(before, "huiqi_http_request_duration_seconds_count", route=route, method="GET"))
    assert latency == 3


def test_evaluations_are_counted_by_face(make_client: Callable[..., TestClient]) -> None:
    client = make_client()
    before = samples(client)
    client.post("/api/v1/evaluate", json={"profile": {"employees": 8}})
    client.post("/api/v1/evaluate", json={"profile": {"employees": 9}})
    client.post("/check", data={"employees": "8"})
    after = samples(client)
    for face, expected in (("api", 2), ("form", 1)):
        assert value(after, "huiqi_evaluations_total", face=face) - value(before, "huiqi_evaluations_total",
                                                                          face=face) == expected


def test_login_failures_and_lockouts_are_counted(tmp_path: Path, make_client: Callable[..., TestClient]) -> None:
    console.add_staff(open_database(f"sqlite:///{tmp_path / 'huiqi.sqlite3'}"), "li", PASSWORD)
    client = make_client()
    before = samples(client)
    for _ in range(5):
        assert login(client, "li", "wrong password").status_code == 401
    assert login(client, "li", PASSWORD).status_code == 401  # locked now, even with the right password
    after = samples(client)
    assert (value(after, "huiqi_login_failures_total", reason="wrong_password")
            - value(before, "huiqi_login_failures_total", reason="wrong_password")) == 5
    assert (value(after, "huiqi_login_failures_total", reason="locked")
            - value(before, "huiqi_login_failures_total", reason="locked")) == 1
    assert value(after, "huiqi_account_lockouts_total") - value(before, "huiqi_account_lockouts_total") == 1


def test_batch_progress_comes_from_the_database(tmp_path: Path, make_client: Callable[..., TestClient]) -> None:
    engine = open_database(f"sqlite:///{tmp_path / 'huiqi.sqlite3'}")
    run = {"rules_version": "x", "input_path": "in", "input_format": "csv", "input_fingerprint": "f",
           "as_of": dt.date(2026, 1, 15), "measures": ["M30"], "chunk_size": 500, "started_at": dt.datetime.now(dt.UTC)}
    with engine.begin() as conn:
        conn.execute(insert(BatchRun), [{"id": "run-a", "status": "running", **run},
                                        {"id": "run-b", "status": "done", **run}])
        conn.execute(insert(BatchChunk), [{"run_id": "run-a", "chunk_no": n, "rows": 500, "matched": 400,
                                           "unmatched": 90, "rejected": 10} for n in range(3)])
    found = samples(make_client())
    assert value(found, "huiqi_database_up") == 1
    assert value(found, "huiqi_batch_runs", status="running") == 1
    assert value(found, "huiqi_batch_runs", status="done") == 1
    assert value(found, "huiqi_batch_enterprises_done", run_id="run-a") == 1500
    assert value(found, "huiqi_batch_chunks_done", run_id="run-a") == 3
    assert ("huiqi_batch_enterprises_done", (("run_id", "run-b"),)) not in found  # finished runs are not "in progress"


def test_an_unreachable_database_still_answers_a_scrape(make_client: Callable[..., TestClient]) -> None:
    client = make_client(HUIQI_DB="postgresql://nobody@127.0.0.1:9/none?connect_timeout=1")
    assert value(samples(client), "huiqi_database_up") == 0


def test_metrics_are_for_allowed_addresses_only(make_client: Callable[..., TestClient]) -> None:
    assert make_client(client=("203.0.113.7", 1)).get("/metrics").status_code == 403
    assert make_client(client=("::1", 1)).get("/metrics").status_code == 200
    assert make_client(client=("10.1.2.3", 1), HUIQI_METRICS_ALLOW="10.1.0.0/16").get("/metrics").status_code == 200
    behind_proxy = make_client(client=("127.0.0.1", 1), HUIQI_TRUSTED_PROXIES="127.0.0.1")
    # a visitor coming through the local proxy is the visitor, not the loopback address
    assert behind_proxy.get("/metrics", headers={"X-Forwarded-For": "203.0.113.7"}).status_code == 403


def test_metrics_are_left_out_of_the_api_schema(make_client: Callable[..., TestClient]) -> None:
    schema = make_client().get("/openapi.json").json()
    assert "/metrics" not in schema["paths"]
    ready = schema["paths"]["/api/v1/ready"]["get"]["responses"]
    assert set(ready) >= {"200", "503"}
    assert re.search(r"Ready", str(ready["503"]))


def test_interview_steps_are_counted_per_answered_screen(make_client: Callable[..., TestClient]) -> None:
    from tests.interview_walk import Walk

    client = make_client()
    before = samples(client)
    walk = Walk(client, "/?as_of=2026-01-15")
    walk.answer({"industry_code": ("answer", "C39"), "entity_type": "enterprise", "founded_on": "不清楚"})
    walk.answer({"employees": ("answer", "-3")})  # refused: stays on its screen, not a step
    walk.answer({"employees": ("answer", "35"), "revenue_yuan": "跳过"})
    after = samples(client)
    assert value(after, "huiqi_interview_steps_total", face="web") - value(
        before, "huiqi_interview_steps_total", face="web") == 2
    assert value(after, "huiqi_evaluations_total", face="interview") > value(
        before, "huiqi_evaluations_total", face="interview")

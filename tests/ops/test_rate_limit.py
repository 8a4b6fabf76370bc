"""Rate limits on the public face per client address; console, health and metrics not limited the same way."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.rate_limit import Store, bucket_of, client_key
from api.settings import Rate

MINUTE = Rate(3, 60)


def test_gcra_allows_a_burst_of_the_limit_then_one_per_interval(tmp_path: Path) -> None:
    store = Store(str(tmp_path / "rl.sqlite3"))
    assert [store.take("a", MINUTE, now=1000.0) for _ in range(3)] == [0, 0, 0]
    assert store.take("a", MINUTE, now=1000.0) == pytest.approx(20.0)  # 60 s / 3 requests
    assert store.take("b", MINUTE, now=1000.0) == 0  # another client has its own allowance
    assert store.take("a", MINUTE, now=1019.9) == pytest.approx(0.1)
    assert store.take("a", MINUTE, now=1020.0) == 0
    assert store.take("a", MINUTE, now=1020.0) > 0
    assert [store.take("a", MINUTE, now=1200.0) for _ in range(3)] == [0, 0, 0]  # idle long enough: full burst
    assert store.take("a", MINUTE, now=1200.0) > 0


def test_workers_sharing_the_file_share_the_count(tmp_path: Path) -> None:
    """Two stores on one file stand for two worker processes (the real ones: test_serve_workers.py)."""
    first, second = Store(str(tmp_path / "rl.sqlite3")), Store(str(tmp_path / "rl.sqlite3"))
    waits = [(first if i % 2 else second).take("public:203.0.113.7", MINUTE, now=50.0) for i in range(6)]
    assert waits[:3] == [0, 0, 0] and all(w > 0 for w in waits[3:])


def test_which_requests_count() -> None:
    public = [("GET", "/"), ("POST", "/interview"), ("GET", "/interview/step"), ("GET", "/interview/start"),
              ("GET", "/form"), ("POST", "/check"), ("GET", "/result"), ("GET", "/catalogue/M30"),
              ("POST", "/api/v1/evaluate"), ("GET", "/api/v1/measures"), ("GET", "/docs"), ("GET", "/nope")]
    exempt = [("GET", "/api/v1/health"), ("GET", "/api/v1/ready"), ("GET", "/metrics"), ("GET", "/static/huiqi.css"),
              ("GET", "/console"), ("GET", "/console/login"), ("POST", "/console/evaluate"),
              ("GET", "/api/v1/console/consultations")]
    assert {bucket_of(m, p) for m, p in public} == {"public"}
    assert {bucket_of(m, p) for m, p in exempt} == {None}
    assert bucket_of("POST", "/console/login") == "login"


def test_client_keys() -> None:
    assert client_key("203.0.113.7") == "203.0.113.7"
    assert client_key("::ffff:203.0.113.7") == "203.0.113.7"
    assert client_key("2001:db8:1:2:aaaa::1") == client_key("2001:db8:1:2:bbbb::9") == "2001:db8:1:2::/64"
    assert client_key(None) == "unknown"


def test_the_public_api_answers_429_in_the_error_shape_with_retry_after(
        make_client: Callable[..., TestClient]) -> None:
    client = make_client(HUIQI_RATE_LIMIT="3/minute")
    statuses = [client.post("/api/v1/evaluate", json={"profile": {"employees": 8}}).status_code for _ in range(3)]
    assert statuses == [200, 200, 200]
    refused = client.post("/api/v1/evaluate", json={"profile": {"employees": 8}})
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["retry-after"]) <= 20
    (error,) = refused.json()
    assert set(error) == {"field", "message_zh", "message_en"}
    assert "请求过于频繁" in error["message_zh"] and "too many requests" in error["message_en"]
    assert refused.headers["x-frame-options"] == "DENY"  # a refusal is an answer like any other


def test_the_form_answers_429_in_chinese(make_client: Callable[..., TestClient]) -> None:
    client = make_client(HUIQI_RATE_LIMIT="2/minute")
    assert [client.get("/").status_code, client.post("/check", data={"employees": "8"}).status_code] == [200, 200]
    refused = client.post("/check", data={"employees": "8"})
    assert refused.status_code == 429 and "retry-after" in refused.headers
    assert refused.headers["content-type"].startswith("text/html") and "请求过于频繁" in refused.text


def test_the_interview_is_limited_like_the_form(make_client: Callable[..., TestClient]) -> None:
    from tests.interview_walk import Walk

    client = make_client(HUIQI_RATE_LIMIT="2/minute")
    walk = Walk(client, "/")
    assert walk.status == 200
    assert walk.post({"industry_code": ("answer", "C39")}).status_code == 303
    refused = walk.post({"industry_code": ("answer", "C39")}, headers={"X-Huiqi-Fragment": "1"})
    assert refused.status_code == 429 and "retry-after" in refused.headers and "请求过于频繁" in refused.text
    assert client.get("/interview/step").status_code == 429


def test_console_health_metrics_and_static_are_not_limited(make_client: Callable[..., TestClient]) -> None:
    client = make_client(HUIQI_RATE_LIMIT="1/minute")
    assert client.get("/").status_code == 200
    assert client.get("/").status_code == 429
    for path in ["/api/v1/health", "/api/v1/ready", "/metrics", "/static/huiqi.css", "/console/login", "/console",
                 "/api/v1/console/consultations"]:
        statuses = {client.get(path).status_code for _ in range(5)}
        assert 429 not in statuses, path


def test_console_logins_have_their_own_limit(make_client: Callable[..., TestClient]) -> None:
    client = make_client(HUIQI_RATE_LIMIT="1/minute", HUIQI_LOGIN_RATE_LIMIT="2/minute")
    form = {"name": "nobody", "password": "wrong password", "token": "x"}
    statuses = [client.post("/console/login", data=form).status_code for _ in range(3)]
    assert statuses[:2] == [403, 403] and statuses[2] == 429  # 403: no login cookie; the third is not even read
    assert client.get("/").status_code == 200  # the public allowance is untouched by logins


def test_clients_behind_a_trusted_proxy_are_counted_apart(make_client: Callable[..., TestClient]) -> None:
    client = make_client(client=("127.0.0.1", 1), HUIQI_RATE_LIMIT="1/minute", HUIQI_TRUSTED_PROXIES="127.0.0.1")
    first = {"X-Forwarded-For": "203.0.113.7"}
    second = {"X-Forwarded-For": "198.51.100.20"}
    assert client.get("/", headers=first).status_code == 200
    assert client.get("/", headers=first).status_code == 429
    assert client.get("/", headers=second).status_code == 200  # another visitor behind the same proxy


def test_a_forwarded_address_from_an_untrusted_client_is_ignored(make_client: Callable[..., TestClient]) -> None:
    client = make_client(client=("203.0.113.7", 1), HUIQI_RATE_LIMIT="1/minute", HUIQI_TRUSTED_PROXIES="127.0.0.1")
    assert client.get("/", headers={"X-Forwarded-For": "198.51.100.1"}).status_code == 200
    assert client.get("/", headers={"X-Forwarded-For": "198.51.100.2"}).status_code == 429  # same real client


def test_the_api_schema_lists_the_429_of_limited_operations(make_client: Callable[..., TestClient]) -> None:
    paths = make_client().get("/openapi.json").json()["paths"]
    assert "429" in paths["/api/v1/evaluate"]["post"]["responses"]
    assert "Retry-After" in paths["/api/v1/evaluate"]["post"]["responses"]["429"]["headers"]
    assert "429" in paths["/api/v1/measures/{measure_id}"]["get"]["responses"]
    assert "429" not in paths["/api/v1/health"]["get"]["responses"]
    assert "429" not in paths["/api/v1/ready"]["get"]["responses"]

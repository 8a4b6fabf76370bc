"""``huiqi serve --workers 2`` on PostgreSQL: real processes, real HTTP (issue 15, points 1, 4 and 5)."""

from __future__ import annotations

import http.client
import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import psutil
import pytest

from store import console
from store.db import open_database
from tests.console.conftest import PASSWORD
from tests.ops.served import Served, serving
from tests.postgres import throwaway_database


@pytest.fixture(scope="module")
def pg_url() -> Iterator[str]:
    yield from throwaway_database("huiqi_serve")


@pytest.fixture(scope="module")
def served(pg_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    engine = open_database(pg_url)
    console.add_staff(engine, "wang", PASSWORD, admin=True)
    engine.dispose()
    with serving(pg_url, tmp_path_factory.mktemp("serve"), workers=2, HUIQI_RATE_LIMIT="6/minute",
                 HUIQI_LOGIN_RATE_LIMIT="off") as server:
        yield server


def metric(base: str, name: str, **labels: str) -> float:
    text = httpx.get(f"{base}/metrics").text
    wanted = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    for line in text.splitlines():
        if line.startswith(f"{name}{{{wanted}}} ") or (not labels and line.startswith(f"{name} ")):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_two_workers_answer_and_their_metrics_add_up(served: Served) -> None:
    assert len(served.workers()) == 2
    before = metric(served.base, "huiqi_http_requests_total", method="GET", route="/api/v1/health", status="200")
    answered = 0

    def hit() -> None:
        nonlocal answered
        for _ in range(30):
            if httpx.get(f"{served.base}/api/v1/health", timeout=10).status_code == 200:  # a new connection each
                answered += 1

    def round_of_requests() -> None:
        threads = [threading.Thread(target=hit) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    def pids_that_answered() -> set[int]:
        time.sleep(0.5)  # the access lines of the last requests reach the log
        return {line["pid"] for line in served.log_lines() if line.get("route") == "/api/v1/health"}

    # the kernel hands each new connection to whichever worker accepts first: on a busy machine one
    # worker can take a whole round, so rounds go on (a few at most) until both have answered
    rounds = 0
    while rounds < 10:
        round_of_requests()
        rounds += 1
        if pids_that_answered() == {w.pid for w in served.workers()}:
            break
    assert answered == 120 * rounds
    assert pids_that_answered() == {w.pid for w in served.workers()}  # both workers took requests
    after = metric(served.base, "huiqi_http_requests_total", method="GET", route="/api/v1/health", status="200")
    assert after - before == 120 * rounds  # every worker's count is in one scrape


def test_a_login_holds_on_every_worker(served: Served) -> None:
    with httpx.Client(base_url=served.base) as browser:
        page = browser.get("/console/login")
        token = re.search(r'name="token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
        logged_in = browser.post("/console/login", data={"name": "wang", "password": PASSWORD, "token": token})
        assert logged_in.status_code == 303
        cookie = browser.cookies["huiqi_console"]
    statuses = {httpx.get(f"{served.base}/console", cookies={"huiqi_console": cookie}).status_code for _ in range(20)}
    assert statuses == {200}  # the session and the signing secret are shared by both workers


def test_the_rate_limit_is_per_client_across_workers(served: Served) -> None:
    statuses = [httpx.post(f"{served.base}/api/v1/evaluate", json={"profile": {"employees": 8}},
                           headers={"X-Forwarded-For": f"198.51.100.{i}"}).status_code for i in range(10)]
    # 6 per minute for this client however the connections fall on the workers; no trusted proxy is
    # configured, so the forwarded addresses are ignored and all ten came from 127.0.0.1
    assert statuses == [200] * 6 + [429] * 4
    refused = httpx.get(f"{served.base}/catalogue")
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) >= 1
    assert httpx.get(f"{served.base}/api/v1/health").status_code == 200


def test_sigterm_lets_a_request_in_flight_finish(pg_url: str, tmp_path: Path) -> None:
    with serving(pg_url, tmp_path, workers=2, HUIQI_RATE_LIMIT="off") as server:
        workers = server.workers()
        first_part_sent, go_on = threading.Event(), threading.Event()
        answer: list[httpx.Response] = []

        def body() -> Iterator[bytes]:
            yield b'{"profile": {"employees": 8},'
            first_part_sent.set()
            go_on.wait(10)
            yield b' "as_of": "2026-01-15"}'

        def post() -> None:
            answer.append(httpx.post(f"{server.base}/api/v1/evaluate", content=body(), timeout=30,
                                     headers={"content-type": "application/json"}))

        client = threading.Thread(target=post)
        client.start()
        assert first_part_sent.wait(10)
        time.sleep(0.5)
        stopped_at = time.monotonic()
        server.process.send_signal(15)
        time.sleep(1.0)  # the server is shutting down while the request is still arriving
        go_on.set()
        client.join(30)
        assert answer and answer[0].status_code == 200 and len(answer[0].json()["results"]) == 50
        assert server.process.wait(timeout=40) == 0
        assert time.monotonic() - stopped_at < 35
        assert not any(w.is_running() and w.status() != psutil.STATUS_ZOMBIE for w in workers)


def test_one_worker_on_embedded_sqlite_counts_its_requests_too(tmp_path: Path) -> None:
    """``--workers 1``: the serving process is the one that set up the metrics directory."""
    with serving(f"sqlite:///{tmp_path / 'huiqi.sqlite3'}", tmp_path, workers=1, HUIQI_RATE_LIMIT="off") as server:
        assert server.workers() == []  # no process manager: this process serves
        before = metric(server.base, "huiqi_http_requests_total", method="GET", route="/catalogue", status="200")
        for _ in range(3):
            assert httpx.get(f"{server.base}/catalogue").status_code == 200
        after = metric(server.base, "huiqi_http_requests_total", method="GET", route="/catalogue", status="200")
        assert after - before == 3
        assert server.stop() == 0


def _ask_health(connection: http.client.HTTPConnection) -> int:
    connection.request("GET", "/api/v1/health")
    response = connection.getresponse()
    response.read()
    return response.status


def test_an_idle_keep_alive_connection_outlives_uvicorns_five_seconds(served: Served) -> None:
    """A client (or nginx upstream) reusing a connection idle for 6 s still gets an answer on it.

    With uvicorn's default 5 s the server has closed it by then and the request gets no response at
    all (``RemoteDisconnected``; nginx answers a POST with 502): the soak saw exactly that.
    """
    host, port = served.base.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        assert _ask_health(connection) == 200
        first_socket = connection.sock
        time.sleep(6)
        assert _ask_health(connection) == 200
        assert connection.sock is first_socket  # the same connection answered, not a new one
    finally:
        connection.close()

"""Parallel requests to one server process: evaluations are serialized by the engine, answers never mix."""

from __future__ import annotations

import datetime as dt
import json
from concurrent.futures import ThreadPoolExecutor

import httpx

from engine import evaluate, parse_profile
from tests.browser_server import running_server


def test_parallel_requests_get_their_own_answers(example_profile: dict) -> None:
    profiles = [{**example_profile, "employees": n, "hires": example_profile["hires"][: n % 3]} for n in range(1, 25)]
    expected = [json.loads(evaluate(parse_profile(p), dt.date(2026, 1, 15)).model_dump_json(exclude_none=True))
                for p in profiles]
    with running_server() as base, httpx.Client(base_url=base, timeout=30) as http:
        def post(profile: dict) -> dict:
            response = http.post("/api/v1/evaluate", json={"profile": profile, "as_of": "2026-01-15"})
            assert response.status_code == 200
            return response.json()

        with ThreadPoolExecutor(max_workers=8) as pool:
            answers = list(pool.map(post, profiles * 2))
    assert answers == expected * 2

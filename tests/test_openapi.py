"""The OpenAPI schema says what the API does (issue 11, point 10).

schemathesis runs every check it has (``st run --checks all``: examples, coverage, fuzzing and
stateful phases, unsupported methods, auth, response schemas) against a real uvicorn on a free
loopback port, with a logged-in staff session for the console's JSON routes, and must find nothing.
The handful of rules JSON Schema cannot state are listed, with why, in tests/schemathesis.toml.
A few direct assertions name the defects the first run found.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from store import console
from store.db import open_database
from tests.browser_server import running_server

CONFIG = Path(__file__).resolve().parent / "schemathesis.toml"
ST = Path(sys.executable).with_name("st")  # schemathesis's command, installed with the test extra
MAX_EXAMPLES = 25  # per operation and phase: the whole run stays around 15 s on the 2-core machine
PASSWORD = "correct horse 1"


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    return TestClient(create_app()).get("/openapi.json").json()


def test_a_405_says_which_methods_are_allowed() -> None:
    answer = TestClient(create_app()).request("TRACE", "/api/v1/evaluate")
    assert answer.status_code == 405 and answer.headers["allow"] == "POST"
    assert answer.json()[0]["message_zh"] == "不支持该请求方法"


def test_error_bodies_are_documented_as_the_list_they_are(schema: dict[str, Any]) -> None:
    error_list = {"type": "array", "items": {"$ref": "#/components/schemas/ErrorItem"}}
    responses = {f"{method.upper()} {path}": op["responses"] for path, ops in schema["paths"].items()
                 for method, op in ops.items()}
    assert "HTTPValidationError" not in schema["components"]["schemas"]
    for operation, answers in responses.items():
        for status, answer in answers.items():
            if status.startswith("4"):
                shape = answer["content"]["application/json"]["schema"]
                assert {k: shape[k] for k in ("type", "items")} == error_list, (operation, status)
    for operation in ("GET /api/v1/console/registry/{code}", "GET /api/v1/console/consultations"):
        assert "401" in responses[operation]


def test_money_in_a_profile_is_a_number_or_plain_digits(schema: dict[str, Any]) -> None:
    revenue = schema["components"]["schemas"]["Profile"]["properties"]["revenue_yuan"]["anyOf"][0]
    number, text = revenue["anyOf"]
    assert number == {"type": "number", "minimum": 0, "exclusiveMaximum": 10**15, "multipleOf": 0.01}
    assert text == {"type": "string", "pattern": r"^[0-9]{1,15}(\.[0-9]{1,2})?$"}  # ASCII digits only
    employees = schema["components"]["schemas"]["Profile"]["properties"]["employees"]["anyOf"][0]
    assert employees == {"type": "integer", "minimum": 0, "maximum": 10_000_000}


@pytest.fixture
def server_with_staff(tmp_path: Path) -> Iterator[tuple[str, str]]:
    url = f"sqlite:///{tmp_path / 'huiqi.sqlite3'}"
    console.add_staff(open_database(url), "wang", PASSWORD, admin=True)
    with running_server(create_app(db_url=url)) as base, httpx.Client(base_url=base) as client:
        page = client.get("/console/login")
        token = re.search(r'name="token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
        client.post("/console/login", data={"name": "wang", "password": PASSWORD, "token": token, "next": ""})
        yield base, client.cookies["huiqi_console"]


def test_schemathesis_checks_all_find_nothing(server_with_staff: tuple[str, str], tmp_path: Path) -> None:
    base, session = server_with_staff
    run = subprocess.run(
        [str(ST), "--config-file", str(CONFIG), "run", f"{base}/openapi.json", "--checks", "all",
         "--max-examples", str(MAX_EXAMPLES), "--seed", "1", "--generation-database", "none", "--no-color"],
        cwd=tmp_path, env={**os.environ, "HUIQI_TEST_SESSION": session}, capture_output=True, text=True, timeout=300)
    report = run.stdout + run.stderr
    assert run.returncode == 0, report[-6000:]
    assert "Authentication failed" not in report  # the console's routes were exercised, not only refused
    assert re.search(r"Selected: (\d+)/\1\b", report), report[-2000:]  # every operation of the schema
    assert re.search(r"\d+ generated, \d+ passed", report), report[-2000:]

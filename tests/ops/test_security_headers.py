"""Security headers on every page and API answer; no inline script; Secure cookies over HTTPS (issue 11, point 9)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.docs_page import script_hashes
from store import console
from store.db import open_database
from tests.console.conftest import PASSWORD, login

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "forms" / "templates"


def assert_secure_headers(response: object) -> None:
    headers = response.headers  # type: ignore[attr-defined]
    csp = headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp and "default-src 'self'" in csp
    script_src = re.search(r"script-src ([^;]*)", csp).group(1)  # type: ignore[union-attr]
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"] == "no-referrer"
    assert re.fullmatch(r"[A-Za-z0-9._-]{8,64}", headers["x-request-id"])


def test_every_kind_of_answer_carries_the_headers(make_client: Callable[..., TestClient],
                                                  example_profile: dict) -> None:
    client = make_client()
    answers = {
        "form": client.get("/"),
        "result": client.get("/result?employees=8"),
        "catalogue": client.get("/catalogue/M30"),
        "api": client.post("/api/v1/evaluate", json={"profile": example_profile, "as_of": "2026-01-15"}),
        "api 422": client.post("/api/v1/evaluate", json={"profile": {"employees": -1}}),
        "api 404": client.get("/api/v1/measures/M99"),
        "page 404": client.get("/no/such/page"),
        "413": client.post("/api/v1/evaluate", content=b"x" * (1024 * 1024 + 1),
                           headers={"content-type": "application/json"}),
        "health": client.get("/api/v1/health"),
        "ready": client.get("/api/v1/ready"),
        "metrics": client.get("/metrics"),
        "static": client.get("/static/huiqi.css"),
        "openapi": client.get("/openapi.json"),
        "console login": client.get("/console/login"),
        "console redirect": client.get("/console"),
        "console api 401": client.get("/api/v1/console/consultations"),
    }
    statuses = {name: r.status_code for name, r in answers.items()}
    assert statuses == {"form": 200, "result": 200, "catalogue": 200, "api": 200, "api 422": 422, "api 404": 404,
                        "page 404": 404, "413": 413, "health": 200, "ready": 200, "metrics": 200, "static": 200,
                        "openapi": 200, "console login": 200, "console redirect": 303, "console api 401": 401}
    for name, response in answers.items():
        try:
            assert_secure_headers(response)
        except AssertionError as exc:
            raise AssertionError(f"{name}: {exc}") from exc


def test_a_500_carries_the_headers_and_no_traceback(make_client: Callable[..., TestClient],
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    import api.routes_api

    def broken(*_: object, **__: object) -> None:
        raise RuntimeError("boom: secret detail")

    monkeypatch.setattr(api.routes_api, "evaluate", broken)
    client = make_client()
    client_raising = TestClient(client.app, raise_server_exceptions=False, client=("127.0.0.1", 1))
    response = client_raising.post("/api/v1/evaluate", json={"profile": {}})
    assert response.status_code == 500
    assert response.json()[0]["message_zh"] == "服务器内部错误，请稍后再试"
    assert "boom" not in response.text
    assert_secure_headers(response)


def test_templates_have_no_inline_script_handler_or_style() -> None:
    offenders = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        offenders += [f"{path.name}: <script> without src" for _ in re.finditer(r"<script(?![^>]*\bsrc=)[^>]*>", text)]
        offenders += [f"{path.name}: {m.group(0)}" for m in re.finditer(r"\son[a-z]+\s*=", text)]
        offenders += [f"{path.name}: {m.group(0)}" for m in re.finditer(r"<style|\sstyle\s*=|javascript:", text)]
    assert offenders == []


def test_pages_load_their_script_from_the_site(make_client: Callable[..., TestClient]) -> None:
    client = make_client()
    page = client.get("/result?employees=8").text
    assert re.search(r'<script src="[^"]*/static/huiqi\.js"></script>', page)
    assert 'data-action="print"' in page
    script = client.get("/static/huiqi.js")
    assert script.status_code == 200 and "window.print()" in script.text


def test_the_docs_page_allows_only_its_own_inline_script_by_hash(make_client: Callable[..., TestClient]) -> None:
    response = make_client().get("/docs")
    assert response.status_code == 200 and "SwaggerUIBundle" in response.text
    csp = response.headers["content-security-policy"]
    hashes = script_hashes(response.text)
    assert len(hashes) == 1
    script_src = re.search(r"script-src ([^;]*)", csp).group(1)  # type: ignore[union-attr]
    assert hashes[0] in script_src and "'unsafe-inline'" not in script_src
    assert "frame-ancestors 'none'" in csp
    assert response.headers["x-frame-options"] == "DENY"


# --- cookies -------------------------------------------------------------------------------------

def _staff_db(tmp_path: Path) -> None:
    console.add_staff(open_database(f"sqlite:///{tmp_path / 'huiqi.sqlite3'}"), "wang", PASSWORD, admin=True)


def _set_cookies(response: object) -> list[str]:
    return response.headers.get_list("set-cookie")  # type: ignore[attr-defined]


def _logged_in_cookies(client: TestClient, headers: dict[str, str] | None = None) -> list[str]:
    client.headers.update(headers or {})
    response = login(client)
    assert response.status_code == 303, response.text
    return _set_cookies(response)


def test_cookies_are_not_secure_over_plain_http(tmp_path: Path, make_client: Callable[..., TestClient]) -> None:
    _staff_db(tmp_path)
    cookies = _logged_in_cookies(make_client())
    assert any(c.startswith("huiqi_console=") for c in cookies)
    assert not any("secure" in c.lower().split("; ") for c in cookies)


def test_cookies_are_secure_when_the_request_came_over_https(tmp_path: Path,
                                                             make_client: Callable[..., TestClient]) -> None:
    _staff_db(tmp_path)
    client = make_client(base_url="https://testserver")
    login_page = client.get("/console/login")
    assert all("; secure" in c.lower() for c in _set_cookies(login_page))
    cookies = _logged_in_cookies(client)
    assert all("; secure" in c.lower() for c in cookies if c.startswith("huiqi_console="))


def _login_through_proxy(client: TestClient, headers: dict[str, str]) -> object:
    """As the browser would over HTTPS: the proxy speaks plain HTTP to huiqi, the browser sends Secure cookies."""
    page = client.get("/console/login", headers=headers)
    token = re.search(r'name="token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    cookie = "; ".join(f"{name}={value}" for name, value in page.cookies.items())
    return page, client.post("/console/login", data={"name": "wang", "password": PASSWORD, "token": token},
                             headers={**headers, "Cookie": cookie})


def test_cookies_are_secure_behind_a_trusted_proxy_that_says_https(tmp_path: Path,
                                                                   make_client: Callable[..., TestClient]) -> None:
    _staff_db(tmp_path)
    client = make_client(client=("10.0.0.2", 40000), HUIQI_TRUSTED_PROXIES="10.0.0.0/24")
    proxy = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
    page, logged_in = _login_through_proxy(client, proxy)
    assert logged_in.status_code == 303  # type: ignore[attr-defined]
    assert all("; secure" in c.lower() for c in _set_cookies(page))
    session = [c for c in _set_cookies(logged_in) if c.startswith("huiqi_console=")]
    assert session and all("; secure" in c.lower() for c in session)
    page = client.get("/", headers=proxy)
    assert 'href="https://testserver/static/huiqi.css"' in page.text  # links follow the scheme the visitor used


def test_a_proxy_that_is_not_trusted_cannot_claim_https(tmp_path: Path,
                                                        make_client: Callable[..., TestClient]) -> None:
    _staff_db(tmp_path)
    client = make_client(client=("10.0.9.9", 40000), HUIQI_TRUSTED_PROXIES="10.0.0.0/24")
    page, logged_in = _login_through_proxy(client, {"X-Forwarded-Proto": "https"})
    assert logged_in.status_code == 303  # type: ignore[attr-defined]
    assert not any("; secure" in c.lower() for c in _set_cookies(page) + _set_cookies(logged_in))


def test_secure_cookies_can_be_forced_on(tmp_path: Path, make_client: Callable[..., TestClient]) -> None:
    _staff_db(tmp_path)
    page, logged_in = _login_through_proxy(make_client(HUIQI_SECURE_COOKIES="1"), {})
    session = [c for c in _set_cookies(logged_in) if c.startswith("huiqi_console=")]
    assert session and all("; secure" in c.lower() for c in session + _set_cookies(page))

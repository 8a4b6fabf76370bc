"""Accounts and login: anonymous access refused on every console route, CSRF, lockout, logout, cookies."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from store import console
from store.console_models import AppSetting, LoginAttempt, Staff
from store.db import open_database
from tests.console.conftest import PASSWORD, csrf_of, login

CONSOLE_PREFIXES = ("/console", "/api/v1/console")
PUBLIC = {("GET", "/console/login"), ("POST", "/console/login")}


def _walk(routes: list[Any]) -> list[Any]:
    """Every endpoint route of the app, looking into included routers too (FastAPI ≥ 0.16x nests them)."""
    out = []
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            out += _walk(list(inner.routes))
        elif getattr(route, "methods", None):
            out.append(route)
    return out


def console_routes(app: Any) -> list[tuple[str, str]]:
    found = set()
    for route in _walk(list(app.routes)):
        if route.path.startswith(CONSOLE_PREFIXES):
            for method in route.methods - {"HEAD"}:
                found.add((method, route.path))
    return sorted(found)


def _concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", lambda m: "1" if "number" in m.group(0) else "x", path)


def test_the_console_has_the_routes_we_expect(app: Any) -> None:
    routes = console_routes(app)
    paths = {p for _, p in routes}
    for expected in ("/console", "/console/lookup", "/console/form", "/console/evaluate", "/console/compare",
                     "/console/consultations", "/console/consultations/{number}/advice",
                     "/console/consultations.xlsx", "/api/v1/console/registry/{code}"):
        assert expected in paths
    assert len(routes) >= 18


def test_every_console_route_refuses_anonymous_access(app: Any, anon: TestClient) -> None:
    for method, path in console_routes(app):
        if (method, path) in PUBLIC:
            continue
        response = anon.request(method, _concrete(path), data={"csrf": "x"} if method == "POST" else None)
        if path.startswith("/api/"):
            assert response.status_code == 401, (method, path)
            assert response.json()[0]["message_zh"] == "请先登录服务中心工作台"
        else:
            assert response.status_code == 303, (method, path, response.status_code)
            assert response.headers["location"].startswith("/console/login"), (method, path)
        assert "厦门示例" not in response.text


def test_a_forged_or_stale_cookie_is_refused(anon: TestClient) -> None:
    anon.cookies.set("huiqi_console", "forged.value.here")
    assert anon.get("/console").status_code == 303


def test_every_post_refuses_a_missing_or_wrong_csrf_token(app: Any, staff: TestClient) -> None:
    posts = [p for m, p in console_routes(app) if m == "POST" and ("POST", p) not in PUBLIC]
    assert "/console/consultations" in posts and "/console/logout" in posts
    for path in posts:
        for data in ({}, {"csrf": "wrong"}):
            response = staff.post(_concrete(path).replace("/staff/x/", "/staff/li/"), data=data)
            assert response.status_code == 403, (path, data)
            assert "CSRF" in response.text
    assert staff.get("/console").status_code == 200  # still logged in: logout without a token did nothing


def test_login_and_logout(anon: TestClient) -> None:
    response = login(anon)
    assert response.status_code == 303 and response.headers["location"] == "/console"
    cookie = response.headers.get_list("set-cookie")[0]
    assert "HttpOnly" in cookie and "samesite=strict" in cookie.lower() and "Path=/" in cookie
    page = anon.get("/console")
    assert page.status_code == 200 and 'id="who">wang<' in page.text
    assert page.headers["cache-control"] == "no-store"
    old_cookie = anon.cookies.get("huiqi_console")
    out = anon.post("/console/logout", data={"csrf": csrf_of(anon)})
    assert out.status_code == 303 and out.headers["location"] == "/console/login"
    assert anon.get("/console").status_code == 303
    anon.cookies.set("huiqi_console", old_cookie)  # the old cookie is dead: the session row is gone
    assert anon.get("/console").status_code == 303


def test_login_form_needs_its_token(anon: TestClient) -> None:
    response = anon.post("/console/login", data={"name": "wang", "password": PASSWORD, "token": "made-up"})
    assert response.status_code == 403 and "huiqi_console" not in anon.cookies


def test_wrong_password_and_unknown_user_say_the_same(anon: TestClient) -> None:
    wrong = login(anon, password="nope nope")
    unknown = login(anon, name="nobody")
    assert wrong.status_code == unknown.status_code == 401
    assert "用户名或密码不正确" in wrong.text and "用户名或密码不正确" in unknown.text


def test_login_goes_back_to_the_page_asked_for_but_never_elsewhere(anon: TestClient) -> None:
    first = anon.get("/console/consultations?measure=M30")
    assert first.headers["location"] == "/console/login?next=/console/consultations%3Fmeasure%3DM30"
    page = anon.get(first.headers["location"])
    token = re.search(r'name="token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    assert 'name="next" value="/console/consultations?measure=M30"' in page.text
    done = anon.post("/console/login", data={"name": "wang", "password": PASSWORD, "token": token,
                                             "next": "https://evil.example/"})
    assert done.headers["location"] == "/console"


def test_five_failures_lock_the_account_for_15_minutes(anon: TestClient, db_url: str) -> None:
    for _ in range(4):
        assert "用户名或密码不正确" in login(anon, password="wrong password").text
    fifth = login(anon, password="wrong password")
    assert "账号已锁定 15 分钟" in fifth.text
    locked = login(anon)  # even the right password
    assert locked.status_code == 401 and "已锁定" in locked.text and "huiqi_console" not in anon.cookies
    engine = open_database(db_url)
    with Session(engine) as session:
        staff = session.scalar(select(Staff).where(Staff.name == "wang"))
        assert staff is not None and staff.locked_until is not None
        attempts = session.scalars(select(LoginAttempt.ok).where(LoginAttempt.name == "wang")).all()
        assert attempts == [False] * 6
    later = console.now() + dt.timedelta(minutes=16)
    assert console.authenticate(engine, "wang", PASSWORD, at=later).staff_id is not None


def test_an_admin_can_unlock(staff: TestClient, db_url: str) -> None:
    engine = open_database(db_url)
    for _ in range(5):
        console.authenticate(engine, "li", "wrong password")
    page = staff.get("/console/staff")
    assert "已锁定至" in page.text
    staff.post("/console/staff/li/unlock", data={"csrf": csrf_of(staff)})
    assert console.authenticate(engine, "li", PASSWORD).staff_id is not None


def test_only_admins_see_the_staff_page(app: Any) -> None:
    with TestClient(app, follow_redirects=False) as client:
        login(client, name="li")
        assert client.get("/console/staff").status_code == 403


def test_passwords_are_argon2_hashes(db_url: str) -> None:
    with Session(open_database(db_url)) as session:
        hashes = session.scalars(select(Staff.password_hash)).all()
    assert hashes and all(h.startswith("$argon2id$") and PASSWORD not in h for h in hashes)


def test_the_secret_is_generated_once_and_kept(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HUIQI_SECRET", raising=False)
    engine = open_database(db_url)
    first = console.app_secret(engine)
    assert len(first) >= 40 and console.app_secret(engine) == first
    with Session(engine) as session:
        assert session.get(AppSetting, "secret").value == first  # type: ignore[union-attr]
    monkeypatch.setenv("HUIQI_SECRET", "from the environment")
    assert console.app_secret(engine) == "from the environment"

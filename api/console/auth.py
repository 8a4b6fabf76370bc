"""Console sessions and CSRF.

The cookie carries only a random session id, signed with itsdangerous (HttpOnly,
SameSite=Strict, Secure over HTTPS: ``secure_cookies``); the session itself, with its
CSRF token, is a row of ``staff_sessions``, so logging out really ends it. Every POST
under ``/console`` must carry that token in the hidden ``csrf`` field. The login form,
before any session exists, uses a signed double-submit cookie instead.
"""

from __future__ import annotations

import hmac
import secrets
from typing import Annotated

from fastapi import Depends, HTTPException, Request, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer

from api.console.db import database
from engine import FieldError
from store import console as store
from store.console import CurrentStaff

COOKIE = "huiqi_console"
LOGIN_COOKIE = "huiqi_login"
MAX_AGE = int(store.SESSION_LIFETIME.total_seconds())


class LoginRequired(Exception):
    """Raised by the dependency; pages answer with a redirect to the login page, the JSON API with 401."""


def _signer(request: Request, salt: str) -> URLSafeTimedSerializer:
    state = request.app.state
    secret = getattr(state, "console_secret", None)
    if secret is None:
        secret = state.console_secret = store.app_secret(database(request))
    return URLSafeTimedSerializer(secret, salt=salt)


def secure_cookies(request: Request) -> bool:
    """``HUIQI_SECURE_COOKIES``: 1 always, 0 never, auto (default) when the request came over HTTPS.

    Behind a proxy the scheme is the one its ``X-Forwarded-Proto`` says, but only when the proxy's
    address is in ``HUIQI_TRUSTED_PROXIES`` (uvicorn's ProxyHeadersMiddleware, see api/app.py).
    """
    mode = request.app.state.settings.secure_cookies
    return mode == "1" or (mode == "auto" and request.url.scheme == "https")


def _set_cookie(request: Request, response: Response, name: str, value: str, max_age: int) -> None:
    response.set_cookie(name, value, max_age=max_age, httponly=True, samesite="strict", path="/",
                        secure=secure_cookies(request))


def start_session(request: Request, response: Response, staff_id: int) -> None:
    sid = store.open_session(database(request), staff_id)
    _set_cookie(request, response, COOKIE, _signer(request, "session").dumps(sid), MAX_AGE)
    response.delete_cookie(LOGIN_COOKIE, path="/")


def end_session(request: Request, response: Response, staff: CurrentStaff) -> None:
    store.close_session(database(request), staff.session_id)
    response.delete_cookie(COOKIE, path="/")


def current_staff(request: Request) -> CurrentStaff | None:
    raw = request.cookies.get(COOKIE)
    if not raw:
        return None
    try:
        sid = _signer(request, "session").loads(raw, max_age=MAX_AGE)
    except BadSignature:
        return None
    return store.session_staff(database(request), str(sid))


def require_staff(request: Request) -> CurrentStaff:
    """The dependency every console route has: the logged-in staff member, or refusal."""
    staff = current_staff(request)
    if staff is None:
        raise LoginRequired()
    request.state.staff = staff
    return staff


LoggedIn = Annotated[CurrentStaff, Depends(require_staff)]


async def check_csrf(request: Request, staff: LoggedIn) -> None:
    """On every state-changing request: the form's ``csrf`` must be this session's token."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    form = await request.form()
    token = form.get("csrf")
    if not isinstance(token, str) or not hmac.compare_digest(token, staff.csrf):
        raise HTTPException(403, FieldError("csrf", "页面已过期或来源不明（CSRF 校验失败），请刷新页面后重试",
                                            "CSRF token missing or wrong"))


def require_admin(staff: LoggedIn) -> CurrentStaff:
    if not staff.is_admin:
        raise HTTPException(403, FieldError("staff", "仅管理员可以访问", "administrators only"))
    return staff


def new_login_token() -> str:
    return secrets.token_urlsafe(24)


def set_login_cookie(request: Request, response: Response, token: str) -> None:
    """The login form's token, also set as a signed cookie (double submit)."""
    _set_cookie(request, response, LOGIN_COOKIE, _signer(request, "login").dumps(token), 3600)


def check_login_token(request: Request, submitted: str | None) -> bool:
    raw = request.cookies.get(LOGIN_COOKIE)
    if not raw or not submitted:
        return False
    try:
        expected = _signer(request, "login").loads(raw, max_age=3600)
    except BadSignature:
        return False
    return hmac.compare_digest(str(expected), submitted)

"""Login and logout. The login page is the only console page open to anonymous visitors."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from api import metrics
from api.console import auth
from api.console.db import database
from api.console.pages import page
from api.http_errors import error_list
from engine import FieldError
from store import console as store

public = APIRouter(include_in_schema=False)
LOGOUT_PATH = "/console/logout"


def _safe_next(target: str | None) -> str:
    """Only a path inside the console (no open redirect)."""
    if target and target.startswith("/console") and not target.startswith("//") and "\\" not in target:
        return target
    return "/console"


def _login_page(request: Request, message: str = "", name: str = "", target: str = "", status: int = 200) -> Response:
    token = auth.new_login_token()
    response = page(request, "login.html", {"message": message, "name": name, "next": target, "token": token},
                    status)
    auth.set_login_cookie(request, response, token)
    return response


@public.get("/console/login")
def login_form(request: Request, next: str = "") -> Response:  # noqa: A002 - the query parameter's name
    if auth.current_staff(request) is not None:
        return RedirectResponse(_safe_next(next), status_code=303)
    return _login_page(request, target=_safe_next(next))


@public.post("/console/login")
async def login(request: Request) -> Response:
    form = await request.form()
    name = str(form.get("name") or "").strip()
    password = str(form.get("password") or "")
    target = _safe_next(str(form.get("next") or ""))
    if not auth.check_login_token(request, str(form.get("token") or "")):
        return _login_page(request, "页面已过期，请重新登录", name, target, status=403)
    client = request.client.host if request.client else None
    outcome = await run_in_threadpool(store.authenticate, database(request), name, password, client)
    if outcome.staff_id is None:
        metrics.LOGIN_FAILURES.labels(reason=outcome.failure or "wrong_password").inc()
        if outcome.locked_now:
            metrics.LOCKOUTS.inc()
        return _login_page(request, outcome.message, name, target, status=401)
    response = RedirectResponse(target, status_code=303)
    auth.start_session(request, response, outcome.staff_id)
    return response


protected = APIRouter(include_in_schema=False, dependencies=[Depends(auth.check_csrf)])


@protected.post(LOGOUT_PATH)
def logout(request: Request, staff: auth.LoggedIn) -> Response:
    response = RedirectResponse("/console/login", status_code=303)
    auth.end_session(request, response, staff)
    return response


def install(app: FastAPI) -> None:
    @app.exception_handler(auth.LoginRequired)
    async def _login_required(request: Request, exc: auth.LoginRequired) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse(error_list([FieldError("", "请先登录服务中心工作台", "login required")]),
                                status_code=401, headers={"Cache-Control": "no-store"})
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        if request.method != "GET":
            target = "/console"
        return RedirectResponse(f"/console/login?next={quote(target)}", status_code=303)

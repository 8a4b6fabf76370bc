"""Every error a client sees: a list of ``{field, message_zh, message_en}`` (contract.md, "Errors").

No traceback ever reaches a client: the catch-all handler logs it and answers a short
Chinese + English message. Pages get the same message as HTML; the API gets JSON.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import asdict
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from engine import FieldError, ProfileError
from engine.errors import field_errors

log = logging.getLogger("huiqi.api")

INTERNAL = FieldError("", "服务器内部错误，请稍后再试", "internal server error, please try again later")
NOT_FOUND = FieldError("", "找不到该页面或资源", "not found")
NOT_AN_OBJECT = FieldError("body", '请求体应为 JSON 对象：{"profile": {...}, "as_of": "YYYY-MM-DD"}',
                           'body must be a JSON object: {"profile": {...}, "as_of": "YYYY-MM-DD"}')
BAD_BODY = FieldError("body", "请求体不是有效的 JSON（须为 UTF-8 编码）", "body is not valid JSON (must be UTF-8)")
BAD_FORM = FieldError("", "提交的内容无法读取，请返回重新填写", "the submitted form could not be read")
TOO_LARGE = FieldError("body", "请求内容过大", "request body too large")
MESSAGES_BY_STATUS = {
    404: NOT_FOUND,
    405: FieldError("", "不支持该请求方法", "method not allowed"),
    413: TOO_LARGE,
}


def too_many_requests(retry_after: int) -> FieldError:
    return FieldError("", f"请求过于频繁，请 {retry_after} 秒后再试",
                      f"too many requests, please retry after {retry_after} seconds")


class ErrorItem(BaseModel):
    """One item of every error body (the body is a JSON list of them)."""

    field: str = Field(description="字段路径，如 hires[0].birth_date；body 指整个请求体，空串指整个请求")
    message_zh: str = Field(description="中文说明")
    message_en: str = Field(description="English message")


WHEN = {
    401: "未登录或会话已过期（控制台接口需工作人员登录）",
    404: "没有该资源",
    413: "请求内容超过 1 MiB",
    422: "输入有误：每项 {field, message_zh, message_en}（JSON 列表）",
}


def documented(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` for these error statuses, each a list of ``ErrorItem`` (what ``respond`` sends)."""
    return {status: {"model": list[ErrorItem], "description": WHEN[status]} for status in statuses}


def error_list(errors: list[FieldError]) -> list[dict[str, str]]:
    return [asdict(e) for e in errors]


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def respond(request: Request, status: int, errors: list[FieldError],
            headers: Mapping[str, str] | None = None) -> Response:
    if _is_api(request):
        return JSONResponse(error_list(errors), status_code=status, headers=headers)
    templates = request.app.state.templates
    page = "console/error.html" if request.url.path.startswith("/console") else "error.html"  # staff chrome
    return templates.TemplateResponse(request, page, {"status": status, "errors": errors},
                                      status_code=status, headers=headers)


def request_errors(exc: RequestValidationError) -> list[FieldError]:
    """FastAPI's body errors as contract paths: ('body', 'profile', 'hires', 0, ...) -> hires[0]...."""
    shaped = []
    for error in exc.errors():
        loc = tuple(error.get("loc", ()))
        if error.get("type") == "json_invalid":
            loc = ("body",)
        elif loc[:1] in (("body",), ("query",), ("path",)):
            loc = loc[1:]
        if loc[:1] == ("profile",) and len(loc) > 1:
            loc = loc[1:]
        if not loc and error.get("type") != "json_invalid":
            return [NOT_AN_OBJECT]  # the body as a whole is not a {"profile": ...} object
        kind = "model_type" if error.get("type") == "model_attributes_type" else error.get("type")
        shaped.append({**error, "type": kind, "loc": loc or ("body",)})
    return field_errors(shaped)


def install(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        return respond(request, 422, request_errors(exc))

    @app.exception_handler(ProfileError)
    async def _profile(request: Request, exc: ProfileError) -> Response:
        return respond(request, 422, exc.errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 400:  # FastAPI could not even decode the body (e.g. not UTF-8)
            return respond(request, 422, [BAD_BODY if _is_api(request) else BAD_FORM])
        detail = exc.detail if isinstance(exc.detail, FieldError) else None
        fallback = MESSAGES_BY_STATUS.get(exc.status_code, FieldError("", "请求无法处理", str(exc.detail)))
        return respond(request, exc.status_code, [detail or fallback], exc.headers)  # e.g. a 405's Allow

    @app.exception_handler(Exception)
    async def _internal(request: Request, exc: Exception) -> Response:
        return internal_error(request, exc)


def internal_error(request: Request, exc: Exception) -> Response:
    """Log the traceback (path only, never the query string or body); the client gets a short message."""
    log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    if _is_api(request):
        return JSONResponse(error_list([INTERNAL]), status_code=500)
    return HTMLResponse("<!doctype html><meta charset=utf-8><title>出错了</title>"
                        f"<p>{INTERNAL.message_zh}（{INTERNAL.message_en}）</p>", status_code=500)

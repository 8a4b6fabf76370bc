"""The FastAPI application: JSON API, self-check pages, console, static files (``create_app``).

Configuration comes from ``HUIQI_*`` environment variables (``api/settings.py``), so that every
worker started by ``huiqi serve --workers N`` builds the same app; tests pass ``settings``.
Middleware, outermost first: security headers, request id + access log + metrics, the trusted
proxy's forwarded address and scheme, rate limits, the body size limit.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.staticfiles import StaticFiles
from fastapi.telemetry import TelemetryConfig
from fastapi.templating import Jinja2Templates
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from api import docs_page, http_errors, routes_api, routes_interview, routes_ops, routes_pages
from api.body_limit import DEFAULT_LIMIT, BodyLimit
from api.console import routes as console
from api.observe import RequestContext
from api.rate_limit import RateLimit, document_429, open_store
from api.security_headers import SecurityHeaders
from api.settings import DEFAULT_DB, Settings, from_env
from engine import default_rules, evaluate, parse_profile
from engine.amounts import yuan
from engine.catalogue import release_label

__all__ = ["DEFAULT_DB", "create_app", "templates"]

FORMS = Path(__file__).resolve().parent.parent / "forms"
DESCRIPTION = """惠企：中小微企业惠企政策资格评估。

* `POST /api/v1/evaluate`：`{"profile": {...}, "as_of": "YYYY-MM-DD"}` → contract.md 规定的结果（全部 50 项措施）。
* 输入有误时返回 422，内容为列表 `[{"field", "message_zh", "message_en"}]`，
  `field` 为字段路径，如 `hires[0].birth_date`。
* 请求体超过 1 MiB 返回 413；请求过于频繁返回 429（带 `Retry-After`）；服务器内部错误返回 500（同样格式，不含调用栈）。
"""


# FastAPI's own OpenTelemetry hooks, off: the service has its metrics (api/metrics.py) and logs
# (api/logs.py). Left on, each request asked whether some OpenTelemetry provider had been set up.
NO_OPENTELEMETRY: TelemetryConfig = {"tracing": False, "metrics": False, "logs": False, "operation_spans": False}


def templates() -> Jinja2Templates:
    env = Jinja2Templates(directory=FORMS / "templates")
    env.env.filters["yuan"] = yuan
    env.env.globals["release_label"] = release_label  # "2026年第1版（2026-11-29 发布，内容版本 …）"
    return env


async def _too_many(scope: dict[str, Any], receive: Any, send: Any, retry_after: int) -> None:
    response = http_errors.respond(Request(scope), 429, [http_errors.too_many_requests(retry_after)])
    response.headers["Retry-After"] = str(retry_after)
    await response(scope, receive, send)


def create_app(db_url: str | None = None, body_limit: int = DEFAULT_LIMIT, settings: Settings | None = None) -> FastAPI:
    settings = settings or from_env()
    if db_url is not None:
        settings = dataclasses.replace(settings, db_url=db_url)
    book = default_rules()
    evaluate(parse_profile({}), dt.date(2026, 1, 1), book)  # compile and register the ruleset before serving
    app = FastAPI(title="huiqi 惠企 API", version=book.version, description=DESCRIPTION,
                  docs_url=None, redoc_url=None, telemetry=NO_OPENTELEMETRY)
    app.state.settings = settings
    app.state.db_url = settings.db_url  # the form stores nothing; the staff console opens it on first use
    app.state.templates = templates()
    app.add_middleware(BodyLimit, limit=body_limit)
    app.add_middleware(RateLimit, store=open_store(settings.run_dir), refuse=_too_many,
                       rates={"public": settings.rate_limit, "login": settings.login_rate_limit})
    if settings.trusted_proxies:
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxy_hosts)
    app.add_middleware(RequestContext, access_log=settings.access_log, log_client_ip=settings.log_client_ip)
    app.add_middleware(SecurityHeaders)
    http_errors.install(app)
    app.include_router(routes_api.router)
    app.include_router(routes_ops.router)
    app.include_router(routes_interview.router)  # the guided interview: the public default way in (/)
    app.include_router(routes_pages.router)
    docs_page.install(app)
    console.install(app)  # the service-center console (/console, /api/v1/console): staff only
    app.mount("/static", StaticFiles(directory=FORMS / "static"), name="static")
    document_429(app)
    return app

"""The FastAPI application: JSON API, self-check pages, static files (``create_app``)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from api import http_errors, routes_api, routes_pages
from api.body_limit import DEFAULT_LIMIT, BodyLimit
from api.console import routes as console
from engine import default_rules, evaluate, parse_profile
from engine.amounts import yuan
from engine.catalogue import release_label

FORMS = Path(__file__).resolve().parent.parent / "forms"
DEFAULT_DB = "sqlite:///var/huiqi.sqlite3"
DESCRIPTION = """惠企：中小微企业惠企政策资格评估。

* `POST /api/v1/evaluate`：`{"profile": {...}, "as_of": "YYYY-MM-DD"}` → contract.md 规定的结果（全部 50 项措施）。
* 输入有误时返回 422，内容为列表 `[{"field", "message_zh", "message_en"}]`，
  `field` 为字段路径，如 `hires[0].birth_date`。
* 请求体超过 1 MiB 返回 413；服务器内部错误返回 500（同样格式，不含调用栈）。
"""


def templates() -> Jinja2Templates:
    env = Jinja2Templates(directory=FORMS / "templates")
    env.env.filters["yuan"] = yuan
    env.env.globals["release_label"] = release_label  # "2026年第1版（2026-11-29 发布，内容版本 …）"
    return env


def create_app(db_url: str = DEFAULT_DB, body_limit: int = DEFAULT_LIMIT) -> FastAPI:
    book = default_rules()
    evaluate(parse_profile({}), dt.date(2026, 1, 1), book)  # compile and register the ruleset before serving
    app = FastAPI(title="huiqi 惠企 API", version=book.version, description=DESCRIPTION,
                  docs_url="/docs", redoc_url=None)
    app.state.db_url = db_url  # the form stores nothing; the staff console opens it on first use
    app.state.templates = templates()
    app.add_middleware(BodyLimit, limit=body_limit)
    http_errors.install(app)
    app.include_router(routes_api.router)
    app.include_router(routes_pages.router)
    console.install(app)  # the service-center console (/console, /api/v1/console): staff only
    app.mount("/static", StaticFiles(directory=FORMS / "static"), name="static")
    return app

"""Operations routes: readiness (``/api/v1/ready``) and Prometheus metrics (``/metrics``).

``/api/v1/health`` (in routes_api) says the process is alive; ``/api/v1/ready`` says it can
serve: the database answers and is at the latest migration, the rules are loaded (their
version). A load balancer or ``docker compose`` sends traffic only to a ready worker.
"""

from __future__ import annotations

import functools
import ipaddress
import logging
from typing import Literal

from alembic.script import ScriptDirectory
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy import text

from api import metrics
from api.console.db import database
from engine import default_rules
from store.db import MIGRATIONS

router = APIRouter()
log = logging.getLogger("huiqi.ready")


class Ready(BaseModel):
    status: Literal["ready", "not_ready"] = Field(description="ready：可以接收请求；not_ready：见 database")
    rules_version: str = Field(description="已加载规则的版本（rules/ 目录的哈希）")
    measures: int = Field(description="已加载的措施数")
    database: str = Field(description="ok，或数据库不可用的原因（中文）")
    migration: str | None = Field(None, description="数据库当前的迁移版本（Alembic）")


@functools.cache
def _head_revision() -> str | None:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return ScriptDirectory.from_config(config).get_current_head()


def _database_state(request: Request) -> tuple[str, str | None]:
    try:
        with database(request).connect() as conn:
            revision = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except Exception as exc:  # noqa: BLE001 - any failure means "not ready"; the reason is logged, not leaked
        log.warning("readiness: database unavailable: %s", exc.__class__.__name__)
        return f"数据库无法连接或无法读取（{exc.__class__.__name__}）", None
    if revision != _head_revision():
        return f"数据库迁移版本 {revision} 不是最新（应为 {_head_revision()}），请运行 huiqi db migrate", revision
    return "ok", revision


@router.get("/api/v1/ready", summary="就绪检查：数据库可用且为最新迁移、规则已加载", tags=["ops"],
            response_model=Ready, responses={503: {"model": Ready, "description": "未就绪：数据库不可用或未迁移"}})
def get_ready(request: Request) -> JSONResponse:
    book = default_rules()
    state, revision = _database_state(request)
    ready = state == "ok" and len(book.measures) > 0
    body = Ready(status="ready" if ready else "not_ready", rules_version=book.version,
                 measures=len(book.measures), database=state, migration=revision)
    return JSONResponse(body.model_dump(), status_code=200 if ready else 503,
                        headers={"Cache-Control": "no-store"})


def _allowed(request: Request) -> bool:
    host = request.client.host if request.client else None
    try:
        address = ipaddress.ip_address(host or "")
    except ValueError:
        return False
    address = getattr(address, "ipv4_mapped", None) or address
    return any(address in network for network in request.app.state.settings.metrics_allow)


@router.get("/metrics", include_in_schema=False)
def get_metrics(request: Request) -> Response:
    """Prometheus text format, to the addresses of ``HUIQI_METRICS_ALLOW`` only (loopback by default)."""
    if not _allowed(request):
        return PlainTextResponse("403 禁止访问：/metrics 只对 HUIQI_METRICS_ALLOW 中的地址开放 / forbidden\n",
                                 status_code=403)
    try:
        engine = database(request)
    except Exception as exc:  # noqa: BLE001 - the scrape still answers, with huiqi_database_up 0
        log.warning("metrics: database unavailable: %s", exc.__class__.__name__)
        engine = None
    return Response(metrics.render(metrics.BatchProgress(engine)), media_type=metrics.CONTENT_TYPE)

"""The console's JSON routes (staff only): a registry record and the consultation log."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Security
from fastapi.security import APIKeyCookie

from api.console import auth
from api.console.assess import code_error
from api.console.db import database
from api.console.routes_log import filters_of
from api.http_errors import documented
from engine import FieldError
from store import console as store

# the staff session cookie, declared so the schema says how these routes are authenticated
SESSION = APIKeyCookie(name=auth.COOKIE, auto_error=False, scheme_name="staff_session",
                       description="工作人员登录后的会话 cookie（/console/login）")
router = APIRouter(prefix="/api/v1/console", tags=["console"], responses=documented(401),
                   dependencies=[Security(SESSION), Depends(auth.require_staff)])


@router.get("/registry/{code}", responses=documented(404, 422))
def registry_record(request: Request, code: str) -> dict[str, Any]:
    """The imported registry's profile of one enterprise (422 for a malformed code, 404 if absent)."""
    code = code.strip().upper()
    error = code_error(code)
    if error is not None:
        raise HTTPException(422, error)
    entry = store.registry_by_code(database(request), code)
    if entry is None:
        raise HTTPException(404, FieldError("credit_code", "登记库中没有该企业", "not in the registry"))
    return {"credit_code": entry.credit_code, "name": entry.name, "district": entry.district,
            "profile": entry.profile, "source": entry.source}


@router.get("/consultations", responses=documented(422))
def consultations(
    request: Request,
    date_from: Annotated[dt.date | None, Query(description="保存日期起（含），YYYY-MM-DD，本地时间")] = None,
    date_to: Annotated[dt.date | None, Query(description="保存日期止（含），YYYY-MM-DD，本地时间")] = None,
    adviser: Annotated[str | None, Query(description="咨询人员用户名")] = None,
    enterprise: Annotated[str | None, Query(description="企业名称的一部分或统一社会信用代码")] = None,
    measure: Annotated[str | None, Query(description="最新版本中可享受的措施，如 M30")] = None,
) -> list[dict[str, Any]]:
    """The latest version of each consultation (same filters as the log page, read by ``filters_of``)."""
    return [{"id": r.consultation_id, "version": r.version, "versions": r.versions,
             "saved_at": r.saved_at.isoformat(), "adviser": r.adviser, "credit_code": r.credit_code,
             "enterprise_name": r.enterprise_name, "label": r.label, "eligible": r.eligible,
             "rules_version": r.rules_version, "rules_release": r.rules_release,
             "rules_release_date": r.rules_release_date.isoformat() if r.rules_release_date else None,
             "note": r.note}
            for r in store.list_consultations(database(request), filters_of(request))]

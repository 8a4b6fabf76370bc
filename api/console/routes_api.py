"""The console's JSON routes (staff only): a registry record and the consultation log."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request

from api.console import auth
from api.console.assess import code_error
from api.console.db import database
from api.console.routes_log import filters_of
from engine import FieldError
from store import console as store

router = APIRouter(prefix="/api/v1/console", tags=["console"], dependencies=[Depends(auth.require_staff)])


@router.get("/registry/{code}")
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


@router.get("/consultations")
def consultations(request: Request) -> list[dict[str, Any]]:
    """The latest version of each consultation (same filters as the log page)."""
    return [{"id": r.consultation_id, "version": r.version, "versions": r.versions,
             "saved_at": r.saved_at.isoformat(), "adviser": r.adviser, "credit_code": r.credit_code,
             "enterprise_name": r.enterprise_name, "label": r.label, "eligible": r.eligible,
             "rules_version": r.rules_version, "rules_release": r.rules_release,
             "rules_release_date": r.rules_release_date.isoformat() if r.rules_release_date else None,
             "note": r.note}
            for r in store.list_consultations(database(request), filters_of(request))]

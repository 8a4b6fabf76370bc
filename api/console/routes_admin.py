"""Administrators: the staff list, and unlocking an account locked by failed logins."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from api.console import auth
from api.console.db import database
from api.console.pages import page
from store import console as store

router = APIRouter(include_in_schema=False, dependencies=[Depends(auth.check_csrf), Depends(auth.require_admin)])


@router.get("/console/staff")
def staff_page(request: Request) -> Response:
    return page(request, "staff.html", {"people": store.staff_list(database(request)), "now": store.now(),
                                        "aware": store.aware, "local_tz": store.LOCAL_TZ})


@router.post("/console/staff/{name}/unlock")
def unlock(request: Request, name: str) -> Response:
    store.unlock(database(request), name)
    return RedirectResponse("/console/staff", status_code=303)

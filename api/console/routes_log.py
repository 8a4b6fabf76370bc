"""The consultation log: save a confirmed evaluation, list and filter, history, edits as new versions,
the advice sheet, and exports."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from api.console import auth
from api.console.assess import Assessment, as_of_of, assess_query, clean
from api.console.db import database
from api.console.export import to_csv, to_xlsx
from api.console.facts import fact_table, form_values, relied_declared
from api.console.pages import page
from api.console.routes_desk import render_form
from api.form_model import parse_form, questions_for
from api.result_view import arrange
from engine import FieldError, default_rules
from engine.result import Result
from store import console as store
from store.console import LogFilter, Saved, VersionRow

router = APIRouter(include_in_schema=False, dependencies=[Depends(auth.check_csrf)])
NOT_FOUND = FieldError("consultation", "没有这条咨询记录", "no such consultation")


def filters_of(request: Request) -> LogFilter:
    q = request.query_params
    return LogFilter(date_from=as_of_of(q.get("date_from")), date_to=as_of_of(q.get("date_to")),
                     adviser=clean(q.get("adviser")) or None, enterprise=clean(q.get("enterprise")) or None,
                     measure=clean(q.get("measure")).upper() or None)


@router.get("/console/consultations")
def log_page(request: Request) -> Response:
    filters = filters_of(request)
    items = store.list_consultations(database(request), filters)
    return page(request, "log.html", {"items": items, "f": filters, "query": request.url.query,
                                      "advisers": [s.name for s in store.staff_list(database(request))]})


def _download(data: bytes | str, media_type: str, ext: str) -> Response:
    name = f"consultations-{dt.date.today().isoformat()}.{ext}"
    return Response(data, media_type=media_type,
                    headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})


@router.get("/console/consultations.xlsx")
def export_xlsx(request: Request) -> Response:
    data = to_xlsx(store.list_consultations(database(request), filters_of(request), limit=100_000))
    return _download(data, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx")


@router.get("/console/consultations.csv")
def export_csv(request: Request) -> Response:
    data = to_csv(store.list_consultations(database(request), filters_of(request), limit=100_000))
    return _download(data, "text/csv; charset=utf-8", "csv")


@router.post("/console/consultations")
async def save(request: Request, staff: auth.LoggedIn) -> Response:
    """Save the evaluation the staff member confirms; with ``consultation`` set, as its next version.

    The result is computed again here from the answers (never taken from the page)."""
    form = await request.form()
    fields = {k: v for k, v in form.items() if isinstance(v, str)}
    code, name = clean(fields.get("code")).upper() or None, clean(fields.get("enterprise_name")) or None
    consultation = int(fields["consultation"]) if fields.get("consultation", "").isdigit() else None
    outcome = await run_in_threadpool(assess_query, database(request), code, name, clean(fields.get("label")),
                                      fields.get("query", ""), as_of_of(fields.get("as_of")))
    if not isinstance(outcome, Assessment):
        raise HTTPException(422, outcome.errors[0])
    saved = _saved(outcome, fields.get("note", "").strip()[:4000])
    try:
        number, _ = store.save_consultation(database(request), staff.id, saved, consultation)
    except LookupError as exc:
        raise HTTPException(404, NOT_FOUND) from exc
    return RedirectResponse(f"/console/consultations/{number}", status_code=303)


def _saved(a: Assessment, note: str) -> Saved:
    release = a.result.rules_release
    return Saved(a.code, a.enterprise_name, a.label or None, a.profile, a.sources,
                 a.result.model_dump(mode="json"), a.result.rules_version,
                 [m.measure for m in a.view.eligible], note,
                 release.name if release else None, release.date if release else None)


def _versions(request: Request, number: int) -> list[VersionRow]:
    versions = store.history(database(request), number)
    if not versions:
        raise HTTPException(404, NOT_FOUND)
    return versions


def _pick(versions: list[VersionRow], version: int | None) -> VersionRow:
    chosen = next((v for v in versions if v.version == version), None) if version else versions[-1]
    if chosen is None:
        raise HTTPException(404, NOT_FOUND)
    return chosen


def snapshot(row: VersionRow) -> dict[str, Any]:
    """A saved version ready to render: its Result arranged, declared-only facts, what is still needed."""
    result = Result.model_validate(row.result)
    view = arrange(result)
    declared = relied_declared(result, row.profile, row.sources, default_rules())
    still = questions_for(p for item in view.pending for p in item.item.missing)
    return {"row": row, "view": view, "declared": declared, "facts": fact_table(row.profile, row.sources),
            "still_needed": still}


@router.get("/console/consultations/{number}")
def consultation_page(request: Request, number: int, version: int | None = None) -> Response:
    versions = _versions(request, number)
    chosen = _pick(versions, version)
    return page(request, "consultation.html", {**snapshot(chosen), "versions": versions,
                                               "latest": versions[-1].version})


@router.post("/console/consultations/{number}/note")
async def edit_note(request: Request, number: int, staff: auth.LoggedIn) -> Response:
    """A new version with the same profile and result and the new note (the old one stays)."""
    form = await request.form()
    latest = _versions(request, number)[-1]
    saved = Saved(latest.credit_code, latest.enterprise_name, latest.label, latest.profile, latest.sources,
                  latest.result, latest.rules_version, latest.eligible, str(form.get("note") or "").strip()[:4000],
                  latest.rules_release, latest.rules_release_date)
    store.save_consultation(database(request), staff.id, saved, number)
    return RedirectResponse(f"/console/consultations/{number}", status_code=303)


@router.get("/console/consultations/{number}/edit")
def edit_profile(request: Request, number: int) -> Response:
    """The form with the latest version's answers; evaluating and saving makes the next version."""
    latest = _versions(request, number)[-1]
    parsed = parse_form(form_values(latest.profile))
    return render_form(request, parsed, latest.credit_code or "", latest.enterprise_name or "",
                       latest.label or "", [], latest.result.get("as_of", ""), str(number))


@router.get("/console/consultations/{number}/advice")
def advice_sheet(request: Request, number: int, version: int | None = None) -> Response:
    chosen = _pick(_versions(request, number), version)
    return page(request, "advice.html", snapshot(chosen))

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
from api.console.facts import fact_table, relied_declared
from api.console.pages import page
from api.console.routes_desk import render_form
from api.form_model import form_values, parse_form, questions_for
from api.result_view import arrange
from engine import FieldError, ProfileError, default_rules
from engine.result import Result
from store import console as store
from store.console import LogFilter, Saved, VersionRow

router = APIRouter(include_in_schema=False, dependencies=[Depends(auth.check_csrf)])
NOT_FOUND = FieldError("consultation", "没有这条咨询记录", "no such consultation")
MAX_ID = 2**63 - 1  # the largest id a BIGINT (PostgreSQL) or INTEGER (SQLite) column holds
DATE_FILTERS = {"date_from": "开始日期", "date_to": "结束日期"}


def record_id(text: str, field: str = "consultation") -> int:
    """A consultation number from a URL or a form: ASCII digits only (``²`` and ``٣`` are digits to Python,
    not to staff); a number no record can have is simply not found."""
    if not (text.isascii() and text.isdigit()):
        raise HTTPException(422, FieldError(field, "咨询记录编号应为数字", "a consultation number is digits only"))
    number = int(text)
    if not 1 <= number <= MAX_ID:
        raise HTTPException(404, NOT_FOUND)
    return number


def parse_filters(request: Request) -> tuple[LogFilter, list[FieldError]]:
    """The log's filters, and an error for each date that is given but is not a date (never silently dropped)."""
    q = request.query_params
    errors = [FieldError(name, f"{label}格式应为 YYYY-MM-DD：{q[name]}", f"{name} must be YYYY-MM-DD")
              for name, label in DATE_FILTERS.items() if clean(q.get(name)) and as_of_of(clean(q.get(name))) is None]
    return LogFilter(date_from=as_of_of(clean(q.get("date_from"))), date_to=as_of_of(clean(q.get("date_to"))),
                     adviser=clean(q.get("adviser")) or None, enterprise=clean(q.get("enterprise")) or None,
                     measure=clean(q.get("measure")).upper() or None), errors


def filters_of(request: Request) -> LogFilter:
    """The filters of an export or a JSON listing: a bad date is a 422 naming it."""
    filters, errors = parse_filters(request)
    if errors:
        raise ProfileError(errors)
    return filters


@router.get("/console/consultations")
def log_page(request: Request) -> Response:
    filters, errors = parse_filters(request)
    # with a filter that cannot be read, list nothing rather than more than was asked for
    items = [] if errors else store.list_consultations(database(request), filters)
    return page(request, "log.html", {"items": items, "f": filters, "query": request.url.query, "errors": errors,
                                      "advisers": [s.name for s in store.staff_list(database(request))]},
                status=422 if errors else 200)


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
    consultation = record_id(fields["consultation"]) if fields.get("consultation") else None
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


def _versions(request: Request, number: str) -> list[VersionRow]:
    versions = store.history(database(request), record_id(number))
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
def consultation_page(request: Request, number: str, version: int | None = None) -> Response:
    versions = _versions(request, number)
    chosen = _pick(versions, version)
    return page(request, "consultation.html", {**snapshot(chosen), "versions": versions,
                                               "latest": versions[-1].version})


@router.post("/console/consultations/{number}/note")
async def edit_note(request: Request, number: str, staff: auth.LoggedIn) -> Response:
    """A new version with the same profile and result and the new note (the old one stays)."""
    form = await request.form()
    latest = _versions(request, number)[-1]
    saved = Saved(latest.credit_code, latest.enterprise_name, latest.label, latest.profile, latest.sources,
                  latest.result, latest.rules_version, latest.eligible, str(form.get("note") or "").strip()[:4000],
                  latest.rules_release, latest.rules_release_date)
    store.save_consultation(database(request), staff.id, saved, latest.consultation_id)
    return RedirectResponse(f"/console/consultations/{latest.consultation_id}", status_code=303)


@router.get("/console/consultations/{number}/edit")
def edit_profile(request: Request, number: str) -> Response:
    """The form with the latest version's answers; evaluating and saving makes the next version."""
    latest = _versions(request, number)[-1]
    parsed = parse_form(form_values(latest.profile))
    return render_form(request, parsed, latest.credit_code or "", latest.enterprise_name or "",
                       latest.label or "", [], latest.result.get("as_of", ""), str(latest.consultation_id))


@router.get("/console/consultations/{number}/advice")
def advice_sheet(request: Request, number: str, version: int | None = None) -> Response:
    chosen = _pick(_versions(request, number), version)
    return page(request, "advice.html", snapshot(chosen))

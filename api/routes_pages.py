"""The public self-check pages (Chinese, server-rendered, no JavaScript needed): the full form
(``/form``; the guided interview at ``/`` is the default way in, ``api/routes_interview.py``),
its results, and the catalogue."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from api import metrics
from api.catalogue_view import detail_of
from api.form_model import ParsedForm, parse_form, validate, warning_summary, warnings_key
from api.form_questions import BASIC, INDUSTRIES, OTHER, TOPICS
from api.result_view import arrange
from engine import FieldError, default_rules, evaluate
from engine.catalogue import find, release_label, sections
from engine.result import InputWarning

router = APIRouter(include_in_schema=False)


def _page(request: Request, name: str, context: dict[str, Any], status: int = 200) -> Response:
    return request.app.state.templates.TemplateResponse(request, name, context, status_code=status)


def as_of_param(raw: str | None) -> str | None:
    """A fixed evaluation day may ride along in the link (for reproducible results); ignored unless a date."""
    try:
        return dt.date.fromisoformat(raw or "").isoformat()
    except ValueError:
        return None


def render_form(request: Request, parsed: ParsedForm, as_of: str | None, status: int = 200,
          warnings: list[InputWarning] | None = None) -> Response:
    return _page(request, "form.html", {
        "warnings": warning_summary(warnings or []), "warnings_key": warnings_key(warnings or []),
        "basic": BASIC, "topics": TOPICS, "open_topics": parsed.open_topics(), "industries": INDUSTRIES,
        "other": OTHER, "values": parsed.values, "rows": parsed.rows, "errors": parsed.errors_by_input(),
        "error_summary": parsed.error_summary(), "has_errors": bool(parsed.errors),
        "as_of": as_of or "",  # already checked by _as_of
    }, status)


def _result(request: Request, parsed: ParsedForm, as_of: str | None, confirmed: str | None = None) -> Response:
    """The results page. ``confirmed``: from the form (not a link), the warnings the user confirmed;
    answers that raise other warnings show the form again with them and a button to go on."""
    profile = validate(parsed)
    if profile is None:
        return render_form(request, parsed, as_of, status=422)
    result = evaluate(profile, dt.date.fromisoformat(as_of) if as_of else None)
    metrics.EVALUATIONS.labels(face="form").inc()
    if result.warnings and confirmed is not None and confirmed != warnings_key(result.warnings):
        return render_form(request, parsed, as_of, warnings=result.warnings)
    query = parsed.query() + (f"&as_of={as_of}" if as_of else "")
    return _page(request, "result.html", {"view": arrange(result), "query": query})


@router.get("/form", response_class=HTMLResponse)
def form_page(request: Request) -> Response:
    params = dict(request.query_params)
    return render_form(request, parse_form(params), as_of_param(params.get("as_of")))


@router.post("/check", response_class=HTMLResponse)
async def check(request: Request) -> Response:
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    action = form.get("action", "")
    if action.startswith("add:"):
        return render_form(request, parse_form(form, add_row=action[4:]), as_of_param(form.get("as_of")))
    confirmed = action.removeprefix("confirm:") if action.startswith("confirm:") else ""
    # evaluation is blocking work: off the event loop, like the sync routes
    return await run_in_threadpool(_result, request, parse_form(form), as_of_param(form.get("as_of")), confirmed)


@router.get("/result", response_class=HTMLResponse)
def result_page(request: Request) -> Response:
    params = dict(request.query_params)
    return _result(request, parse_form(params), as_of_param(params.get("as_of")))


@router.get("/catalogue", response_class=HTMLResponse)
def catalogue(request: Request, as_of: str | None = None) -> Response:
    """All measures; ``?as_of=YYYY-MM-DD`` marks those not in force on that day (default today)."""
    on = dt.date.fromisoformat(as_of_param(as_of) or dt.date.today().isoformat())
    book = default_rules()
    grouped = [(s.chapter, s.section, [detail_of(m, on) for m in s.measures]) for s in sections(book)]
    ended = sum(1 for _, _, measures in grouped for m in measures if m.not_in_force)
    return _page(request, "catalogue.html", {
        "sections": grouped, "count": len(book.measures), "on": on.isoformat(), "ended": ended,
        "release": release_label(book.release_name, book.release_date, book.version),
    })


@router.get("/catalogue/{measure_id}", response_class=HTMLResponse)
def measure_page(request: Request, measure_id: str, as_of: str | None = None) -> Response:
    measure = find(measure_id)
    if measure is None:
        raise HTTPException(404, FieldError("measure_id", f"没有措施 {measure_id}（编号为 M1 到 M50）",
                                            f"no measure {measure_id}"))
    on = dt.date.fromisoformat(as_of_param(as_of) or dt.date.today().isoformat())
    return _page(request, "measure.html", {"m": detail_of(measure, on)})

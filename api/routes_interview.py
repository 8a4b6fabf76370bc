"""The guided interview, the public default way in (``/``): one screen at a time, the running result
after each answer, a summary whose every answer can be changed.

Server-rendered and stateless: the answers so far travel in the URL (``s``, see
``api/interview_state.py``) and in a hidden field of each screen's form. A screen posts to
``/interview``, which answers 303 to the next screen's URL, so every step is a page of its own and
the back button steps back (no JavaScript needed). With JavaScript, ``forms/static/huiqi.js``
posts the same form with ``X-Huiqi-Fragment: 1`` and gets just the interview's part of the page
(``/interview/step`` for links and the back button), with the new URL in ``X-Huiqi-Location`` for
``history.pushState``. The full form (``/form``) takes the same answers either way:
``/interview/start?<form fields>`` continues a form in the interview, and the interview links to
the form pre-filled.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from api import metrics
from api.form_model import form_values, parse_form, validate
from api.interview_state import State, read, unconfirmed, warning_key
from api.interview_view import Control, Screen, answers, errors_by_field, posted, prefilled, running, screen
from api.interview_view import read as read_answer
from api.result_view import arrange
from api.routes_pages import as_of_param, render_form
from engine import ProfileError, parse_profile
from engine.interview import AnswerError, Step, step, with_answer, without_answer
from engine.questions import Ask, ask_for, first_group, form_order
from engine.wording import INDUSTRIES, ITEM_PATH, OTHER

router = APIRouter(include_in_schema=False)
FRAGMENT = "x-huiqi-fragment"
LOCATION = "X-Huiqi-Location"
OWN_PARAMS = {"s", "as_of", "edit", "view"}


def _href(state: State | str, as_of: str | None, **extra: str) -> str:
    """The address of a state (or of its token, already made), with ``edit`` or ``view`` when given."""
    token = state if isinstance(state, str) else state.token()
    pairs = [("s", token)] + ([("as_of", as_of)] if as_of else []) + [(k, v) for k, v in extra.items() if v]
    return "/?" + urlencode(pairs)


def _form_query(state: State, as_of: str | None) -> str:
    values = form_values(state.data)
    return urlencode([(k, v) for k, v in values.items() if v] + ([("as_of", as_of)] if as_of else []))


def _editable(state: State, current: Step, path: str) -> Ask | None:
    """The question to change ``path``: an answer given, a question declined, or one still open."""
    if path in state.declined or any(e.path == path for e in answers(state)):
        return next((a for a in current.questions if a.field == path), None) or ask_for(path)
    return next((a for a in current.questions if a.field == path), None)


def _evaluated(state: State, as_of: str | None) -> Step:
    current = step(state.data, dt.date.fromisoformat(as_of) if as_of else None, set(state.declined))
    metrics.EVALUATIONS.labels(face="interview").inc()
    return current


def _context(state: State, as_of: str | None, current: Step, shown: Screen | None, summary: bool) -> dict[str, Any]:
    token = state.token()
    return {
        "state": state, "token": token, "as_of": as_of or "", "running": running(current),
        "screen": shown, "summary": summary, "result": current.result, "view": arrange(current.result),
        "answers": answers(state) if summary else [], "fresh": not state.data and not state.declined,
        "href": lambda **extra: _href(token, as_of, **extra), "form_query": _form_query(state, as_of),
        "industries": INDUSTRIES, "other": OTHER,
    }


def _fragment(request: Request) -> bool:
    return request.headers.get(FRAGMENT) == "1" or request.url.path == "/interview/step"


def _render(request: Request, context: dict[str, Any], status: int = 200, location: str | None = None) -> Response:
    templates = request.app.state.templates
    if _fragment(request):
        headers = {"Cache-Control": "no-store", **({LOCATION: location} if location else {})}
        return templates.TemplateResponse(request, "_interview.html", context, status_code=status, headers=headers)
    return templates.TemplateResponse(request, "interview.html", context, status_code=status)


def _show(request: Request, state: State, as_of: str | None, edit: str = "", view: str = "",
          location: str | None = None) -> Response:
    """The page for a state: the field being changed, the summary, or the next screen."""
    current = _evaluated(state, as_of)
    ask = _editable(state, current, edit) if edit else None
    if ask is not None:
        shown = screen([ask], {ask.field: prefilled(ask, state)}, edit=ask.field)
        return _render(request, _context(state, as_of, current, shown, False), location=location)
    if view == "summary" or current.done:
        return _render(request, _context(state, as_of, current, None, True), location=location)
    asks = first_group(current.questions)
    if ITEM_PATH.match(asks[0].field):  # one item's facts read best in the form's order (born, hired, …)
        asks = sorted(asks, key=lambda a: form_order(a.field))
    shown = screen(asks)
    return _render(request, _context(state, as_of, current, shown, False), location=location)


def _page(request: Request) -> Response:
    params = request.query_params
    if any(key not in OWN_PARAMS for key in params):  # a link to the full form's answers (older "/?…" links)
        return RedirectResponse("/form?" + request.url.query, status_code=303)
    return _show(request, read(params.get("s", "")), as_of_param(params.get("as_of")), params.get("edit", ""),
                 params.get("view", ""))


@router.get("/")
def interview_page(request: Request) -> Response:
    return _page(request)


@router.get("/interview/step")
def interview_fragment(request: Request) -> Response:
    """The interview's part of the page alone (for the script: links and the back button)."""
    return _page(request)


@router.get("/interview/start")
def from_form(request: Request) -> Response:
    """Continue the full form's answers in the interview (its fields in the query string)."""
    params = dict(request.query_params)
    as_of = as_of_param(params.get("as_of"))
    parsed = parse_form(params)
    profile = validate(parsed)
    if profile is None:
        return render_form(request, parsed, as_of, status=422)
    state = State(profile.model_dump(mode="json", exclude_none=True))
    return RedirectResponse(_href(state, as_of), status_code=303)


def _prune(state: State) -> None:
    """Declined item fields of items no longer there (a list shortened or taken back) are forgotten."""
    for path in list(state.declined):
        match = ITEM_PATH.match(path)
        if match and int(match.group(2)) >= len(state.data.get(match.group(1)) or []):
            del state.declined[path]


def _answered(state: State, controls: list[Control], edit: str) -> State | None:
    """The state with the screen's answers written in; None (errors set on the controls) when one does not fit."""
    data, declined = state.data, dict(state.declined)
    for control in controls:
        try:
            kind, value = read_answer(control)
        except AnswerError as exc:
            control.errors.append(exc.error.message_zh)
            continue
        if kind == "declined":
            declined[control.ask.field] = value
            if edit:
                data = without_answer(data, control.ask.field)
        else:
            declined.pop(control.ask.field, None)
            data = with_answer(data, control.ask.field, value)
    if any(c.errors for c in controls):
        return None
    new = State(data, declined, set(state.confirmed))
    _prune(new)
    return new


def _answer(request: Request, form: dict[str, str], fields: list[str]) -> Response:
    state, as_of, edit = read(form.get("s", "")), as_of_param(form.get("as_of")), form.get("edit", "")
    current = _evaluated(state, as_of)
    if edit:
        ask = _editable(state, current, edit)
        asks = [ask] if ask is not None else []
    else:
        open_asks = {a.field: a for a in current.questions}
        asks = [open_asks[f] for f in dict.fromkeys(fields) if f in open_asks]
    if not asks:  # nothing on this screen is open any more (sent twice): show where the answers are now
        return RedirectResponse(_href(state, as_of), status_code=303)
    shown = screen(asks, {a.field: posted(a, form) for a in asks}, edit=edit)
    new = _answered(state, shown.controls, edit)
    if new is None:
        return _render(request, _context(state, as_of, current, shown, False), status=422)
    try:
        parse_profile(new.data)
    except ProfileError as exc:
        beside, shown.errors = errors_by_field(exc.errors, {a.field for a in asks})
        for control in shown.controls:
            control.errors += beside.get(control.ask.field, [])
        return _render(request, _context(state, as_of, current, shown, False), status=422)
    after = _evaluated(new, as_of)
    fresh = unconfirmed(after.result.warnings, new.confirmed)
    keys = ",".join(warning_key(w) for w in fresh)
    if fresh and form.get("action") != f"confirm:{keys}":
        shown.warnings, shown.warning_keys = [w.message_zh for w in fresh], keys
        return _render(request, _context(state, as_of, current, shown, False))
    new.confirmed |= {warning_key(w) for w in fresh}
    metrics.INTERVIEW_STEPS.labels(face="web").inc()
    target = _href(new, as_of, view="summary" if edit else "")
    if _fragment(request):
        return _show(request, new, as_of, view="summary" if edit else "", location=target)
    return RedirectResponse(target, status_code=303)


@router.post("/interview")
async def answer(request: Request) -> Response:
    form = await request.form()
    values = {k: v for k, v in form.items() if isinstance(v, str)}
    fields = [v for v in form.getlist("q") if isinstance(v, str)]
    return await run_in_threadpool(_answer, request, values, fields)


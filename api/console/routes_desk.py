"""The desk: find the enterprise, complete its profile, evaluate, keep variants and compare them."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from api import metrics
from api.console import auth
from api.console.assess import (
    MAX_VARIANTS,
    Assessment,
    as_of_of,
    assess,
    assess_query,
    clean,
    code_error,
    declined_of,
    kept_variants,
    registry_values,
    variant_json,
)
from api.console.compare import compare, totals_differ
from api.console.db import database
from api.console.pages import page
from api.form_model import ParsedForm, form_values, parse_form
from api.form_questions import BASIC, ENTERPRISE, INDUSTRIES, LISTS, OTHER
from api.interview_state import PATH
from engine.interview import AnswerError, parse_answer, with_answer
from engine.questions import ask_for
from store import console as store

router = APIRouter(include_in_schema=False, dependencies=[Depends(auth.check_csrf)])
CODE_LIKE = 18
NEXT_QUESTIONS = 8  # shown beside an evaluation, in rank order
ANSWER, UNKNOWN = "answer", "unknown"


@router.get("/console")
def home(request: Request) -> Response:
    return page(request, "home.html", {"q": "", "message": "", "matches": None})


@router.get("/console/lookup")
def lookup(request: Request, q: str = "") -> Response:
    text = clean(q).upper() if len(clean(q)) == CODE_LIKE else clean(q)
    if len(text) == CODE_LIKE and text.isalnum() and text.isascii():
        error = code_error(text)
        if error is not None:
            return page(request, "home.html", {"q": q, "message": error.message_zh, "matches": None}, 422)
        if store.registry_by_code(database(request), text) is None:
            return page(request, "home.html", {"q": q, "matches": None, "not_found": text,
                                               "message": "登记库中没有这个统一社会信用代码的企业"}, 404)
        return RedirectResponse(f"/console/form?code={text}", status_code=303)
    if len(text) < 2:
        return page(request, "home.html", {"q": q, "matches": None,
                                           "message": "请输入 18 位统一社会信用代码，或企业名称中的至少两个字"}, 422)
    matches = store.registry_by_name(database(request), text)
    message = "" if matches else f"登记库中没有名称含“{text}”的企业"
    return page(request, "home.html", {"q": q, "matches": matches, "message": message}, 200)


def render_form(request: Request, parsed: ParsedForm, code: str, name: str, label: str,
                kept: list[dict[str, str]], as_of: str, consultation: str = "", status: int = 200,
                declined: tuple[str, ...] = ()) -> Response:
    registry = store.registry_by_code(database(request), code) if code else None
    return page(request, "form.html", {
        "basic": BASIC, "lists": LISTS, "industries": INDUSTRIES, "other": OTHER,
        "values": parsed.values, "rows": parsed.rows, "errors": parsed.errors_by_input(),
        "error_summary": parsed.error_summary(), "has_errors": bool(parsed.errors),
        "code": code, "name": name or (registry.name if registry else ""), "registry": registry,
        "label": label, "kept": [variant_json(k["label"], k["query"]) for k in kept], "kept_labels": kept,
        "as_of": as_of, "consultation": consultation, "declined": ",".join(declined),
        "other_facts": [q for q in ENTERPRISE if q not in BASIC and parsed.values.get(q.path)],
    }, status)


@router.get("/console/form")
def form_page(request: Request, code: str = "") -> Response:
    """The self-check questions, pre-filled from the registry when the code is found there."""
    code = clean(code).upper()
    if code and code_error(code) is not None:
        return RedirectResponse(f"/console/lookup?q={code}", status_code=303)
    registry = store.registry_by_code(database(request), code) if code else None
    parsed = parse_form(form_values(registry_values(registry)))
    return render_form(request, parsed, code, "", "", [], "")


async def _fields(request: Request) -> tuple[dict[str, str], list[str]]:
    form = await request.form()
    return {k: v for k, v in form.items() if isinstance(v, str)}, [v for v in form.getlist("kept")
                                                                    if isinstance(v, str)]


@router.post("/console/evaluate")
async def evaluate_page(request: Request) -> Response:
    fields, kept_raw = await _fields(request)
    kept = kept_variants(kept_raw)
    code, name = clean(fields.get("code")).upper(), clean(fields.get("enterprise_name"))
    label = clean(fields.get("label"))[:40]
    as_of, consultation = fields.get("as_of", ""), fields.get("consultation", "")
    action, declined = fields.get("action", ""), declined_of(fields.get("declined"))
    if action.startswith("add:"):
        parsed = parse_form(fields, add_row=action[4:])
        return render_form(request, parsed, code, name, label, kept, as_of, consultation, declined=declined)
    if action in (ANSWER, UNKNOWN):  # from the result page: one of the next questions, answered
        return await run_in_threadpool(_answer_question, request, fields, kept, declined)
    if action == "keep":  # from the result page: keep this one as a variant, edit a copy
        current = {"label": label or f"方案 {len(kept) + 1}", "query": fields.get("query", "")}
        answers = parse_form(dict(_pairs(current["query"])))
        kept = (kept + [current])[-(MAX_VARIANTS - 1):]  # room for the copy being edited
        return render_form(request, answers, code, name, "", kept, as_of, consultation)
    if action == "edit":  # from the result page: back to the form with the same answers
        parsed = parse_form(dict(_pairs(fields.get("query", ""))))
        return render_form(request, parsed, code, name, label, kept, as_of, consultation, declined=declined)
    outcome = await run_in_threadpool(assess, database(request), code or None, name or None, label, fields,
                                      as_of_of(as_of), declined)
    if isinstance(outcome, ParsedForm):
        return render_form(request, outcome, code, name, label, kept, as_of, consultation, status=422,
                           declined=declined)
    return _result(request, outcome, kept, as_of, consultation)


def _answer_question(request: Request, fields: dict[str, str], kept: list[dict[str, str]],
                     declined: tuple[str, ...]) -> Response:
    """Write one answer (or 不清楚) into the evaluation's answers and evaluate again: the result page
    comes back with the next questions (the form posts to #next-questions, so it opens there)."""
    code, name = clean(fields.get("code")).upper(), clean(fields.get("enterprise_name"))
    label, as_of = clean(fields.get("label"))[:40], fields.get("as_of", "")
    consultation = fields.get("consultation", "")
    values = dict(_pairs(fields.get("query", "")))
    asked = clean(fields.get("ask"))
    error = ""
    if asked and PATH.match(asked) and fields.get("action") == UNKNOWN:
        declined = (*declined, asked)
    elif asked and PATH.match(asked):
        try:
            value = parse_answer(ask_for(asked), fields.get("answer", ""))
            values = form_values(with_answer(parse_form(values).profile, asked, value))
            declined = tuple(d for d in declined if d != asked)
        except AnswerError as exc:
            error = exc.error.message_zh
    outcome = assess(database(request), code or None, name or None, label, values, as_of_of(as_of), declined)
    if isinstance(outcome, ParsedForm):  # the answer made the profile invalid (a hire before birth …)
        return render_form(request, outcome, code, name, label, kept, as_of, consultation, status=422,
                           declined=declined)
    if not error:
        metrics.INTERVIEW_STEPS.labels(face="console").inc()
    return _result(request, outcome, kept, as_of, consultation, asked=asked if error else "", error=error,
                   typed=fields.get("answer", "") if error else "")


def _pairs(query: str) -> list[tuple[str, str]]:
    return parse_qsl(query, keep_blank_values=True)


def _result(request: Request, assessment: Assessment, kept: list[dict[str, str]], as_of: str,
            consultation: str, asked: str = "", error: str = "", typed: str = "") -> Response:
    return page(request, "result.html", {
        "a": assessment, "view": assessment.view, "kept": [variant_json(k["label"], k["query"]) for k in kept],
        "kept_labels": kept, "as_of": as_of, "consultation": consultation,
        "next_questions": assessment.questions[:NEXT_QUESTIONS], "asked": asked, "ask_error": error, "typed": typed,
        "industries": INDUSTRIES,
    }, 422 if error else 200)


@router.post("/console/compare")
async def compare_page(request: Request) -> Response:
    fields, kept_raw = await _fields(request)
    code, name = clean(fields.get("code")).upper(), clean(fields.get("enterprise_name"))
    variants = kept_variants(kept_raw)
    if fields.get("query") is not None:
        variants.append({"label": clean(fields.get("label")) or f"方案 {len(variants) + 1}",
                         "query": fields["query"]})
    as_of = as_of_of(fields.get("as_of"))

    def run() -> list[Any]:
        return [assess_query(database(request), code or None, name or None, v["label"], v["query"], as_of)
                for v in variants[-MAX_VARIANTS:]]

    outcomes = await run_in_threadpool(run)
    good = [o for o in outcomes if isinstance(o, Assessment)]
    return page(request, "compare.html", {"variants": good, "rows": compare(good) if good else [],
                                          "totals_differ": totals_differ(good) if good else (False, False),
                                          "dropped": len(outcomes) - len(good), "code": code, "name": name})

"""The JSON API under ``/api/v1``: a few lines per route over the engine (contract.md)."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Coroutine
from pathlib import Path
from typing import Annotated, Any, TypeVar

import orjson
from fastapi import APIRouter, Body, Depends, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.concurrency import run_in_threadpool

from api import metrics
from api.catalogue_view import MeasureDetail, MeasureSummary, detail_of, summary_of
from api.http_errors import documented
from engine import FieldError, Profile, Result, default_rules, evaluate
from engine.as_of import AsOf
from engine.catalogue import find
from engine.facts import ITEM_LISTS
from engine.questions import rank
from engine.result import Yuan, result_json
from engine.session import busy as engine_busy

router = APIRouter(prefix="/api/v1", tags=["api"])
Body_ = TypeVar("Body_", bound=BaseModel)
EXAMPLE_FILE = Path(__file__).resolve().parent.parent / "examples" / "small-manufacturer.json"
EXAMPLE = json.loads(EXAMPLE_FILE.read_text(encoding="utf-8")) if EXAMPLE_FILE.exists() else {"employees": 35}
ERROR_EXAMPLE = [{"field": "hires[0].birth_date", "message_zh": "日期格式应为 YYYY-MM-DD",
                  "message_en": "date must be YYYY-MM-DD"}]
ERRORS = documented(422, 413)
ERRORS[422]["content"] = {"application/json": {"example": ERROR_EXAMPLE}}


class EvaluateRequest(BaseModel):
    """The body of ``POST /api/v1/evaluate``."""

    model_config = ConfigDict(extra="forbid")
    profile: Profile = Field(description="企业画像（contract.md）；缺省字段表示未知，空列表表示确定没有")
    as_of: AsOf | None = Field(None, description="评估日 YYYY-MM-DD（2000-01-01 至 2100-12-31），默认今天；"
                                                 "同一画像和评估日总得到同一结果")


class QuestionsRequest(BaseModel):
    """The body of ``POST /api/v1/questions``: the answers so far, and what the user declined."""

    model_config = ConfigDict(extra="forbid")
    profile: Profile = Field(description="目前已知的企业画像；缺省字段表示未知，空列表表示确定没有")
    as_of: AsOf | None = Field(None, description="评估日 YYYY-MM-DD（2000-01-01 至 2100-12-31），默认今天")
    limit: int = Field(5, ge=1, le=200, description="最多返回几个问题（按排序取前几个）")
    declined: list[str] = Field(
        default=[], max_length=1000,
        description="用户已答“不清楚”或“跳过”的字段路径（如 hires[0].birth_date）：不再问，也不再因它而问别的")


class ChoiceOut(BaseModel):
    value: str = Field(description="写入画像的值")
    label: str


class QuestionOut(BaseModel):
    field: str = Field(description="答案写入的画像字段路径；列表名（如 hires）表示问“有没有、有几个”")
    group: str = Field(description="同屏一起问的一组：basic（基本情况）、一个专题（如 hiring）、一项（如 hires[0]），"
                       "或 checklist（“以下哪些情况适用于您？”：仍可能带来资金、尚未回答的各个列表）")
    text_zh: str = Field(description="问题（中文），与表单、控制台、命令行用同一张问题表")
    kind: str = Field(description="bool 是否 / count 个数（0 为没有）/ choice 选项 / industry 行业 / int 整数 / "
                                  "money 金额 / date 日期 YYYY-MM-DD / text 文字")
    choices: list[ChoiceOut] = Field(description="可选答案；“不清楚”“跳过”总是可以")
    unit: str = Field(description="单位，如 人、个月、万元")
    scale: int = Field(description="答案乘以此数写入画像（万元为 10000，写入 *_yuan）")
    hint: str
    measures: list[str] = Field(description="答案可能改变结果的措施")
    yuan_at_stake: Yuan = Field(description="答案可能涉及的资金（元）：各措施可能带来的金额之和；"
                                            "比例类（预付款、预留份额）和尚不知道的金额不计")


class QuestionsOut(BaseModel):
    questions: list[QuestionOut] = Field(description="按排序：涉及资金多少、可判定的措施数、回答难易、表单顺序")


class UnitOut(BaseModel):
    unit: str
    level: str = Field(description="city 市级 / local 属地（所在区人民政府、自贸委、火炬管委会）")
    measures: list[str]


class Health(BaseModel):
    status: str
    rules_version: str
    rules_release: str | None = Field(None, description="规则的发布版本名称（rules/release.yaml）")
    rules_release_date: str | None = Field(None, description="发布日期 YYYY-MM-DD")
    measures: int


def strict_json(model: type[Body_], raw: bytes) -> Body_ | None:
    """``raw`` read as strict JSON of ``model`` (see ``strict_body``); ``None`` when not a JSON object."""
    try:
        if not isinstance(orjson.loads(raw), dict):
            return None
    except orjson.JSONDecodeError:
        return None
    try:
        return model.model_validate_json(raw, strict=True)
    except ValidationError as exc:
        raise RequestValidationError([{**e, "loc": ("body", *e["loc"])} for e in exc.errors()]) from None


def strict(model: type[Body_]) -> Callable[[Request], Awaitable[Body_ | None]]:
    """A dependency reading the body of ``model`` as strict JSON (see ``strict_body``)."""
    async def parse(request: Request) -> Body_ | None:
        return strict_json(model, await request.body())
    return parse


strict_body = strict(EvaluateRequest)
"""The body as strict JSON, the types the schema states and nothing looser: ``0`` is no ``false``,
``"3"`` no ``3``, ``"2024-01-01T00:00"`` no date. (The self-check form and the batch hand the same
Profile text from their inputs and keep pydantic's lenient reading.) ``None`` when the body is not
a JSON object at all: the usual validation of ``body`` then says why."""

JSON_TYPES = frozenset({"application/json", "application/json; charset=utf-8"})


def read_once(model: type[Body_], answer: Callable[[Body_], Awaitable[Response]]) -> type[APIRoute]:
    """A route class for a body of ``model`` that is read and validated once when it is valid.

    The route is declared with FastAPI's ``Body`` parameter (the OpenAPI document comes from it)
    and the ``strict`` dependency (whose errors win). Declared so, FastAPI parses the JSON, validates
    it leniently, then the dependency parses and validates it again, strictly: each request paid
    twice. Here a JSON body that passes the strict validation goes straight to ``answer`` (the
    route would have answered the same: FastAPI reads JSON content types alone, and what is valid
    strictly is valid leniently). Anything else (another content type, not an object, an invalid
    profile) goes through FastAPI's handling as before, so every error reads as it did.
    """
    class ReadOnce(APIRoute):
        def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
            general = super().get_route_handler()

            async def handler(request: Request) -> Response:
                if request.headers.get("content-type") in JSON_TYPES:
                    raw = await request.body()
                    try:
                        valid = strict_json(model, raw) if raw else None
                    except RequestValidationError:
                        valid = None  # FastAPI's handling says so, the same way as before
                    if valid is not None:
                        return await answer(valid)
                return await general(request)

            return handler

    return ReadOnce


async def answer_evaluate(request: EvaluateRequest) -> Response:
    if listed_items(request.profile) <= INLINE_ITEMS and not engine_busy():
        # A usual profile takes well under a millisecond: it is answered on the event loop. Handed
        # to the threadpool, the loop and the thread traded the GIL at each socket write (up to the
        # 5 ms switch interval each time). Not while a thread holds the engine (a long evaluation
        # of a page or another request): the loop would wait for it.
        content = _evaluated(request)
    else:  # a long list may take longer: the loop keeps answering others meanwhile
        content = await run_in_threadpool(_evaluated, request)
    metrics.EVALUATIONS.labels(face="api").inc()
    return Response(content, media_type="application/json")


async def post_evaluate(
    body: Annotated[EvaluateRequest, Body(openapi_examples={
        "small_manufacturer": {"summary": "小型制造企业，两名青年新员工，一份政府采购合同",
                               "value": {"profile": EXAMPLE, "as_of": "2026-01-15"}},
        "unknown": {"summary": "几乎一无所知：多数措施待确定", "value": {"profile": {"employees": 8}}},
    })],
    strict: Annotated[EvaluateRequest | None, Depends(strict_body)],
) -> Response:
    return await answer_evaluate(strict or body)


router.add_api_route(
    "/evaluate", post_evaluate, methods=["POST"], summary="评估一个企业画像", response_class=Response,
    responses={200: {"model": Result, "description": "contract.md 规定的结果（全部 50 项措施）"}, **ERRORS},
    route_class_override=read_once(EvaluateRequest, answer_evaluate))

INLINE_ITEMS = 100  # list items (all lists) up to which an evaluation runs on the event loop: a few ms at most


def listed_items(profile: Profile) -> int:
    return sum(len(getattr(profile, name) or ()) for name in ITEM_LISTS)


def _evaluated(request: EvaluateRequest) -> bytes:
    # the engine serializes evaluations per process (one lock): threads add no parallelism. The bytes
    # of model_dump_json without decoding them to str (which the response then encoded again), the
    # measures' shared parts written once each (engine.result.result_json)
    return result_json(evaluate(request.profile, request.as_of))


def post_questions(
    body: Annotated[QuestionsRequest, Body(openapi_examples={
        "nothing_known": {"summary": "一无所知：先问行业", "value": {"profile": {}, "as_of": "2026-01-15", "limit": 3}},
        "one_hire": {"summary": "小型制造企业，新招 1 人，其情况未知", "value": {
            "profile": {"industry_code": "C39", "employees": 35, "revenue_yuan": 12000000, "hires": [{}]},
            "as_of": "2026-01-15", "limit": 5, "declined": ["hires[0].birth_date"]}},
    })],
    strict_questions: Annotated[QuestionsRequest | None, Depends(strict(QuestionsRequest))],
) -> QuestionsOut:
    return _questions(strict_questions or body)


def _questions(request: QuestionsRequest) -> QuestionsOut:
    result = evaluate(request.profile, request.as_of, near_miss=False)  # only the questions are returned
    asks = rank(request.profile, result, set(request.declined))[:request.limit]
    return QuestionsOut(questions=[QuestionOut(
        field=a.field, group=a.group, text_zh=a.text_zh, kind=a.kind,
        choices=[ChoiceOut(value=v, label=label) for v, label in a.choices], unit=a.unit, scale=a.scale,
        hint=a.hint, measures=list(a.measures), yuan_at_stake=a.yuan_at_stake) for a in asks])


async def answer_questions(request: QuestionsRequest) -> Response:
    """The questions of a body read once (``read_once``): as ``post_questions`` answers through FastAPI's
    response model (its JSON of ``QuestionsOut``), on the event loop for a usual profile as evaluations are."""
    if listed_items(request.profile) <= INLINE_ITEMS and not engine_busy():
        out = _questions(request)
    else:
        out = await run_in_threadpool(_questions, request)
    return JSONResponse(out.model_dump(mode="json", by_alias=True))


router.add_api_route(
    "/questions", post_questions, methods=["POST"], summary="下一步最值得问的问题（引导式问答）",
    response_model=QuestionsOut, responses={**ERRORS},
    route_class_override=read_once(QuestionsRequest, answer_questions))


@router.get("/measures", summary="全部措施（按原表顺序）", response_model=list[MeasureSummary])
def get_measures() -> list[dict[str, Any]]:
    return [summary_of(m) for m in default_rules().measures]


@router.get("/measures/{measure_id}", summary="一项措施：原文、单位、条件和金额的白话说明",
            response_model=MeasureDetail, responses=documented(404, 422))
def get_measure(measure_id: str) -> MeasureDetail:
    measure = find(measure_id)
    if measure is None:
        raise HTTPException(404, FieldError("measure_id", f"没有措施 {measure_id}（编号为 M1 到 M50）",
                                            f"no measure {measure_id} (ids are M1 to M50)"))
    return detail_of(measure)


@router.get("/units", summary="责任单位及其负责的措施", response_model=list[UnitOut])
def get_units() -> list[UnitOut]:
    book = default_rules()
    city: dict[str, list[str]] = {}
    for measure in book.measures:
        for unit in measure.units:
            city.setdefault(unit, []).append(measure.id)
    every = [m.id for m in book.measures]
    return ([UnitOut(unit=u, level="city", measures=ids) for u, ids in city.items()]
            + [UnitOut(unit=u, level="local", measures=every) for u in book.local_units.all_local_units()])


@router.get("/health", summary="健康检查（含规则版本）", response_model=Health)
def get_health() -> Health:
    book = default_rules()
    return Health(status="ok", rules_version=book.version, rules_release=book.release_name,
                  rules_release_date=book.release_date.isoformat() if book.release_date else None,
                  measures=len(book.measures))

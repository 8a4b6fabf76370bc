"""The JSON API under ``/api/v1``: a few lines per route over the engine (contract.md)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Body, Depends, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from api import metrics
from api.catalogue_view import MeasureDetail, MeasureSummary, detail_of, summary_of
from api.http_errors import documented
from engine import FieldError, Profile, Result, default_rules, evaluate
from engine.as_of import AsOf
from engine.catalogue import find

router = APIRouter(prefix="/api/v1", tags=["api"])
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


async def strict_body(request: Request) -> EvaluateRequest | None:
    """The body as strict JSON, the types the schema states and nothing looser: ``0`` is no ``false``,
    ``"3"`` no ``3``, ``"2024-01-01T00:00"`` no date. (The self-check form and the batch hand the same
    Profile text from their inputs and keep pydantic's lenient reading.) ``None`` when the body is not
    a JSON object at all: the usual validation of ``body`` then says why."""
    raw = await request.body()
    try:
        if not isinstance(orjson.loads(raw), dict):
            return None
    except orjson.JSONDecodeError:
        return None
    try:
        return EvaluateRequest.model_validate_json(raw, strict=True)
    except ValidationError as exc:
        raise RequestValidationError([{**e, "loc": ("body", *e["loc"])} for e in exc.errors()]) from None


@router.post("/evaluate", summary="评估一个企业画像", response_class=Response,
             responses={200: {"model": Result, "description": "contract.md 规定的结果（全部 50 项措施）"}, **ERRORS})
def post_evaluate(
    body: Annotated[EvaluateRequest, Body(openapi_examples={
        "small_manufacturer": {"summary": "小型制造企业，两名青年新员工，一份政府采购合同",
                               "value": {"profile": EXAMPLE, "as_of": "2026-01-15"}},
        "unknown": {"summary": "几乎一无所知：多数措施待确定", "value": {"profile": {"employees": 8}}},
    })],
    strict: Annotated[EvaluateRequest | None, Depends(strict_body)],
) -> Response:
    # a sync route runs in the threadpool; the engine serializes evaluations per process
    request = strict or body
    result = evaluate(request.profile, request.as_of)
    metrics.EVALUATIONS.labels(face="api").inc()
    return Response(result.model_dump_json(exclude_none=True), media_type="application/json")


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

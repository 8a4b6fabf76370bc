"""Measures as the API and the catalogue pages show them: text, units, and the rule in plain Chinese.

The wording comes from ``engine.catalogue``; this only arranges it for the two faces.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, Field

from engine.catalogue import KIND_LABELS, describe_amount, describe_test
from engine.rule_models import Measure
from engine.validity import describe_window, not_in_force


class MeasureSummary(BaseModel):
    id: str
    title: str
    chapter: str
    section: str | None
    kind: str
    kind_label: str
    auto_match: bool
    summary: str
    units: list[str] = Field(description="市级责任单位；另由企业所在区人民政府或自贸委、火炬管委会属地负责")


class RuleLine(BaseModel):
    phrase: str = Field(description="原文字句")
    test: str = Field(description="条件的白话说明")
    per_item: bool = Field(description="是否对每个人员/合同等逐项判断")
    gate: bool = Field(description="false：只决定金额档次")


class ParameterLine(BaseModel):
    name: str
    label: str
    value: str
    reading: str = Field(description="为何取这个值")
    decided_on: str = Field(description="确定此值的日期")


class MeasureDetail(MeasureSummary):
    text: str = Field(description="原文，逐字")
    units_text: str
    audience: str
    how_to_apply: str | None
    conditions: list[RuleLine]
    amount: str = Field(description="金额规则的白话说明")
    reading: str | None
    validity: dict[str, Any]
    applies: str = Field(description="执行期限的白话说明，如 2025-01-01 至 2026-12-31，或原表未写明执行期限")
    not_in_force: str | None = Field(
        None, description="在所查日期（默认今天）不在执行期内的原因；在执行期内为空"
    )
    parameters: list[ParameterLine] = Field(default=[], description="原文未定、本工具选定的值")


def summary_of(measure: Measure) -> dict[str, Any]:
    return {"id": measure.id, "title": measure.title, "chapter": measure.chapter, "section": measure.section,
            "kind": measure.kind, "kind_label": KIND_LABELS[measure.kind], "auto_match": measure.auto_match,
            "summary": measure.summary, "units": list(measure.units)}


def rule_lines(measure: Measure) -> list[RuleLine]:
    lines = [RuleLine(phrase=c.phrase, test=describe_test(c.test), per_item=False, gate=c.gate)
             for c in measure.conditions]
    if measure.items is not None:
        lines += [RuleLine(phrase=c.phrase, test=describe_test(c.test), per_item=True, gate=c.gate)
                  for c in measure.items.conditions]
    return lines


def detail_of(measure: Measure, on: dt.date | None = None) -> MeasureDetail:
    """The measure for a page or the API; ``on`` (default today) decides whether it is in force."""
    return MeasureDetail(
        **summary_of(measure), text=measure.text, units_text=measure.units_text, audience=measure.audience,
        how_to_apply=measure.how_to_apply, conditions=rule_lines(measure), amount=describe_amount(measure.amount),
        reading=measure.reading, validity=measure.validity.model_dump(mode="json", by_alias=True, exclude_none=True),
        applies=describe_window(measure.validity), not_in_force=not_in_force(measure.validity, on or dt.date.today()),
        parameters=[ParameterLine(name=name, label=p.label, value=str(p.value), reading=p.reading,
                                  decided_on=p.decided_on.isoformat()) for name, p in measure.parameters.items()],
    )

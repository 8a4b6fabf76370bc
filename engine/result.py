"""The evaluation result (contract.md, "Result"): what every channel renders."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, ClassVar, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, model_validator
from pydantic.fields import FieldInfo


def _json_money(value: Decimal) -> int | float:
    # exact yuan, at most 2 decimals: an integer when whole, else a 2-place number
    return int(value) if value == value.to_integral_value() else float(value.quantize(Decimal("0.01")))


Yuan = Annotated[Decimal, PlainSerializer(_json_money, when_used="json")]
Status = Literal["eligible", "ineligible", "undetermined", "informational"]


class Out(BaseModel):
    model_config = ConfigDict(frozen=True)
    field_names: ClassVar[set[str]] = set()  # every field of the model (what ``trusted`` marks as set)
    field_order: ClassVar[tuple[tuple[str, FieldInfo], ...]] = ()  # (name, field), in the model's order

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        cls.field_names = set(cls.model_fields)
        cls.field_order = tuple(cls.model_fields.items())


M = TypeVar("M", bound=Out)
_SET = object.__setattr__


def trusted(model: type[M], values: dict[str, Any]) -> M:
    """An instance of ``model`` from parts the engine built with the model's types, not validated again.

    ``values`` holds every field, in the model's order: the JSON follows the order of the dict
    (``fields_in_order`` makes one). About 8x cheaper than ``model_construct``, which fills in
    defaults and reorders; validating cost a third of an evaluation. Results are frozen: parts
    may be shared. tests/test_evaluate_many.py validates results again, strictly, to the byte.
    """
    instance = model.__new__(model)
    _SET(instance, "__dict__", values)
    _SET(instance, "__pydantic_fields_set__", model.field_names)
    _SET(instance, "__pydantic_extra__", None)
    _SET(instance, "__pydantic_private__", None)
    return instance


def fields_in_order(model: type[M], **values: Any) -> dict[str, Any]:
    """``values`` with the defaults of the fields not given, in the model's order (for ``trusted``)."""
    out = {}
    for name, info in model.field_order:
        out[name] = values.pop(name) if name in values else info.get_default(call_default_factory=True)
    if values:
        raise TypeError(f"{model.__name__}: no field {', '.join(values)}")
    return out


class SharePart(Out):
    """share：一个项目的基数、比例和金额。"""

    item: int = Field(description="该项目在清单中的序号（从 0 起）")
    base_yuan: Yuan
    percent: Yuan
    yuan: Yuan


class AmountResult(Out):
    kind: Literal["exact", "up_to", "share", "none"]
    yuan: Yuan | None = None
    formula: str | None = Field(None, description="算式，如 2 人 × 1,500 元 = 3,000 元")
    percent: Yuan | None = Field(
        None, description="share：比例（%）；各项比例不同时为综合比例（金额合计 ÷ 基数合计），逐项比例见 parts"
    )
    base_yuan: Yuan | None = Field(None, description="share：基数（元）")
    label: str | None = Field(
        None,
        description="share：比例的完整说法，如 预付款不低于合同金额的30%；各项比例不同时为比例的含义（逐项见 parts）",
    )
    parts: list[SharePart] = Field(default=[], description="share：逐项的基数、比例和金额")


NO_AMOUNT = AmountResult(kind="none")


class Units(Out):
    city: list[str] = Field(description="市级责任单位")
    local: list[str] = Field(description="属地责任单位：所在区人民政府，或自贸委、火炬管委会")


class Change(Out):
    """One change to the profile: a field's new value, or a whole list item (``hires[2]``: one more)."""

    field: str = Field(description="字段路径，如 hires[0].contract_months；hires[2] 表示整项（在末尾即新增一项）")
    value: Any = Field(description="新值（JSON）；整项时为该项的对象")


class NearMiss(Out):
    """差一点：what would make a money measure apply or bring more, or why it cannot."""

    actionable: bool = Field(description=(
        "true：企业可以做到的事（续签合同、继续缴纳社保、再招用、举办活动、申报项目）；"
        "false：仅为说明（成立日期、行业、规模、已过去的日期等无法调整的情况）"))
    text: str = Field(description=(
        "白话说明，如 第1名新招用人员：劳动合同期限11个月，差1个月：签订1年以上劳动合同即可计入，可再得1,500元"))
    yuan: Yuan | None = Field(None, description="做到后可增加的金额（元）；金额取决于实际费用等时为空")
    amount_kind: Literal["exact", "up_to"] | None = Field(None, description="yuan 是确定金额还是上限（最高）")
    changes: list[Change] = Field(
        default=[], description="actionable 时：使本措施符合条件的画像改动（可直接套用以验证）")


NO_NEAR_MISS: list[NearMiss] = []  # shared by results without near-miss answers: never changed in place


class MeasureResult(Out):
    __slots__ = ("_json",)  # its JSON once ``result_json`` wrote it: no field, so never compared, copied or pickled
    measure: str
    title: str
    status: Status
    amount: AmountResult = NO_AMOUNT
    units: Units
    reasons: list[str] = Field(description="满足或不满足的条件，白话")
    missing: list[str] = Field(description="尚缺的字段路径（undetermined 时）")
    text: str = Field(description="原文")
    kind: str = Field(description="措施类别")
    auto_match: bool = Field(description="仅凭登记数据可判定（免申即享候选）")
    notes: list[str] = Field(default=[], description="对原文的理解说明")
    how_to_apply: str | None = None
    potential_yuan: Yuan | None = Field(
        None, description="undetermined 时：若补全信息后符合条件可能涉及的金额，用于排序"
    )
    near_miss: list[NearMiss] = Field(
        default=[], description="带来资金的措施：差什么才能符合或多得（可做到的事，或无法调整的说明）"
    )


class Derived(Out):
    industry_group: str | None = None
    size_class: Literal["large", "medium", "small", "micro"] | None = None
    size_class_label: str | None = None
    size_basis: str | None = None


class Totals(Out):
    exact_yuan: Yuan
    up_to_yuan: Yuan
    potential_yuan: Yuan = Field(
        Decimal(0), description="待确定措施可能涉及的金额合计（各项 potential_yuan 之和）：补全信息后才能确定，不是承诺"
    )


class RulesRelease(Out):
    """The published release of the rules a result was computed under (``rules/release.yaml``)."""

    name: str = Field(description="版本名称，如 2026年第1版")
    date: dt.date = Field(description="发布日期")


class InputWarning(Out):
    """Input that cannot all be true, or is very likely a unit slip (engine.plausibility)."""

    message_zh: str = Field(description="说明，中文")
    fields: list[str] = Field(description="涉及的字段路径，如 hires[0].hired_on")


class Result(Out):
    as_of: dt.date
    rules_version: str
    rules_release: RulesRelease | None = Field(
        None, description="规则的发布版本（名称、日期）；rules_version 是规则内容的哈希"
    )
    derived: Derived
    results: list[MeasureResult]
    totals: Totals
    warnings: list[InputWarning] = Field(
        default=[], description="互相矛盾或很可能填错单位的输入：结果照常给出，请核对这些字段")

    @model_validator(mode="before")
    @classmethod
    def _potential_of_older_snapshots(cls, data: Any) -> Any:
        # results saved before totals carried potential_yuan: it is the sum of the undetermined measures' own
        if isinstance(data, dict) and isinstance(data.get("totals"), dict) and "potential_yuan" not in data["totals"]:
            potential = sum((Decimal(str(r.get("potential_yuan") or 0)) for r in data.get("results") or []
                             if isinstance(r, dict) and r.get("status") == "undetermined"), Decimal(0))
            data = {**data, "totals": {**data["totals"], "potential_yuan": potential}}
        return data

    def by_measure(self, measure_id: str) -> MeasureResult:
        return next(r for r in self.results if r.measure == measure_id)


MEASURE_JSON = MeasureResult.__pydantic_serializer__
RESULT_JSON = Result.__pydantic_serializer__
# the slot read directly: an unset one read as an attribute goes through pydantic's __getattr__ (2 µs, not 0.5)
_kept_json = MeasureResult.__dict__["_json"].__get__
_RESULTS = b'"results":[]'  # can only be the key: a '"' inside a JSON string is escaped


def result_json(result: Result) -> bytes:
    """``result.model_dump_json(exclude_none=True)``, as bytes, each measure's part written once per object.

    Most measure results are shared between evaluations (engine.decide keeps them; results are
    frozen, their lists never changed in place): each keeps its JSON on itself, and a result is its
    measures' parts joined into the JSON of the rest. tests/test_result_json.py checks the bytes
    against ``model_dump_json``.
    """
    rest = RESULT_JSON.to_json(trusted(Result, {**result.__dict__, "results": []}), exclude_none=True)
    parts = b",".join([_measure_json(r) for r in result.results])
    return rest.replace(_RESULTS, b'"results":[' + parts + b"]", 1)


def _measure_json(result: MeasureResult) -> bytes:
    try:
        return _kept_json(result)
    except AttributeError:
        data = MEASURE_JSON.to_json(result, exclude_none=True)
        _SET(result, "_json", data)
        return data

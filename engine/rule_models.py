"""Pydantic models of the rule files under ``rules/`` (the policy as data).

A measure file reads like a legal note: the verbatim text first, then the conditions,
each naming the phrase of the text it encodes, then the amount and the reading taken
where the text is ambiguous. ``Test`` is the small condition language every rule
uses; ``engine.compile`` turns it into durable-rules JSON.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Scalar = str | int | bool | Decimal | dt.date
COMPARATORS = ("eq", "ne", "ge", "gt", "le", "lt")
SUBJECTS = ("field", "derived", "age", "elapsed_years", "all", "any")
MEASURE_ID = re.compile(r"^M([1-9]|[1-4][0-9]|50)$")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class FieldRef(Strict):
    """Compare against another field of the same fact (e.g. ``recognized_on <= as_of``)."""

    field: str


Operand = FieldRef | Scalar


class Test(Strict):
    """One test. Subject: ``field``; ``derived`` (a derived fact's value); ``age`` (whole
    years of a person born on the first date field, reached on the second: 周岁);
    ``elapsed_years`` (time from the first date to the second, compared exactly:
    "3年内" is ``le: 3``, three years to the day included); or a compound ``all`` /
    ``any``. Comparator: one of eq/ne/ge/gt/le/lt, ``in`` (a list) or ``between``
    (both ends included, Civil Code art. 1259)."""

    field: str | None = None
    derived: str | None = None
    age: tuple[str, str] | None = None
    elapsed_years: tuple[str, str] | None = None
    all: list[Test] | None = None
    any: list[Test] | None = None
    eq: Operand | None = None
    ne: Operand | None = None
    ge: Operand | None = None
    gt: Operand | None = None
    le: Operand | None = None
    lt: Operand | None = None
    in_: list[Scalar] | None = Field(default=None, alias="in")
    between: tuple[Scalar, Scalar] | None = None

    @model_validator(mode="after")
    def _one_subject_one_comparator(self) -> Test:
        subjects = [s for s in SUBJECTS if getattr(self, s) is not None]
        if len(subjects) != 1:
            raise ValueError("每个 test 必须恰好有一个主体：field、derived、age、elapsed_years、all 或 any")
        comparators = [c for c in (*COMPARATORS, "in_", "between") if getattr(self, c) is not None]
        if subjects[0] in ("all", "any"):
            if comparators:
                raise ValueError("all/any 不能再带比较符")
            if not getattr(self, subjects[0]):
                raise ValueError(f"{subjects[0]} 不能为空列表")
        elif len(comparators) != 1:
            raise ValueError("field/derived/age/elapsed_years 必须恰好有一个比较符：eq ne ge gt le lt in between")
        return self


class Condition(Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    phrase: str = Field(min_length=1, description="原文中本条件所对应的字句")
    met: str = Field(min_length=1, description="满足时向用户展示的说明")
    failed: str = Field(min_length=1, description="不满足时向用户展示的一句话原因")
    test: Test
    gate: bool = Field(default=True, description="false：不决定是否适用，只用于选择金额档次")


ItemList = Literal[
    "hires", "loans", "procurement_contracts", "exhibitions", "designations", "events", "projects",
    "procurement_projects", "receivables", "violations",
]


class ItemRule(Strict):
    """Conditions applied to each item of a per-item list (one per person, loan, contract...)."""

    list: ItemList
    noun: str = Field(description="量词+名词，用于说明，如 '名新招用人员'")
    unit: str = Field(description="算式中的单位，如 '人'、'份'、'场'")
    conditions: list[Condition] = Field(min_length=1)

    @model_validator(mode="after")
    def _one_gate(self) -> ItemRule:
        if not any(c.gate for c in self.conditions):
            raise ValueError("items 至少要有一个决定是否适用的条件（gate 不为 false）")
        return self


class Tier(Strict):
    """One percent, chosen when its ``when`` condition holds. ``when`` names a ``gate: false``
    condition: an enterprise-level one (the same percent for every item) or one under
    ``items`` (decided item by item, so each item can get its own percent)."""

    when: str | None = Field(default=None, description="档次条件的 id（gate: false 的条件）；空为兜底档")
    percent: Decimal = Field(gt=0, le=100)
    label: str | None = Field(default=None, description="该档比例的完整说法，按原文措辞，如 预付款不低于合同金额的30%")


class Amount(Strict):
    kind: Literal["exact", "up_to", "share", "none"]
    yuan: Decimal | None = Field(default=None, ge=0, description="固定金额或每项金额（元）")
    per_item: bool = False
    item_field: str | None = Field(default=None, description="按项目字段计（如参展费用全额补贴）")
    cap_yuan: Decimal | None = Field(default=None, ge=0, description="总额上限（元）")
    percent: Decimal | None = Field(default=None, gt=0, le=100)
    tiers: list[Tier] = Field(default=[], description="按条件分档的比例，取第一个满足的档")
    annual_rate_percent: Decimal | None = Field(default=None, gt=0, le=100)
    max_months: int | None = Field(default=None, gt=0)
    once: bool = Field(default=False, description="一次性：每户一次")
    base_label: str | None = Field(default=None, description="share：算式中基数的名称，如 合同金额")
    share_label: str | None = Field(
        default=None, description="share：比例的含义，如 预付款不低于（各档没有 label 或各项比例不同时使用）")
    note: str | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Amount:
        if self.kind == "none":
            return self
        if self.kind == "share" and ((self.percent is None and not self.tiers) or self.item_field is None):
            raise ValueError("share 金额需要 percent（或 tiers）和 item_field（基数字段）")
        if self.tiers and self.tiers[-1].when is not None:
            raise ValueError("tiers 的最后一档必须是兜底档（不写 when）")
        labelled = [t.percent for t in self.tiers if t.label is not None]
        if len(labelled) != len(set(labelled)):
            raise ValueError("有 label 的各档比例不能相同（结果按比例取该档的说法）")
        has_base = self.yuan is not None or self.item_field is not None
        if self.kind in ("exact", "up_to") and not has_base:
            raise ValueError("exact/up_to 金额需要 yuan 或 item_field")
        if self.annual_rate_percent is not None and (self.item_field is None or self.max_months is None):
            raise ValueError("贴息金额需要 item_field（本金）和 max_months（最长期限）")
        return self


class Parameter(Strict):
    """A value the text leaves open and the tool had to choose (OpenFisca's parameters): kept in
    the rule file with its reason and the date it was chosen, never in code. A test reads it as
    ``{param: name}``; ``met``/``failed`` sentences may show it as ``{name}``."""

    value: dt.date | Decimal | int | str
    label: str = Field(min_length=2, description="参数的含义，如 “新认定”的起始日")
    reading: str = Field(min_length=10, description="为何取这个值：原文、依据、来源，或说明这是本工具的理解")
    decided_on: dt.date = Field(description="确定此值的日期（核实到新的依据后应更新）")


PARAMETER = re.compile(r"\{([a-z][a-z0-9_]*)\}")


def _resolve(node: Any, parameters: dict[str, Any], where: str) -> Any:
    """``{param: name}`` operands replaced by the parameter's value, ``{name}`` in sentences by its text."""
    if isinstance(node, dict):
        if set(node) == {"param"}:
            name = node["param"]
            if name not in parameters:
                raise ValueError(f"{where}：参数 {name} 未在 parameters 中定义")
            return parameters[name]["value"]
        return {key: _resolve(value, parameters, f"{where}.{key}") for key, value in node.items()}
    if isinstance(node, list):
        return [_resolve(value, parameters, f"{where}[{n}]") for n, value in enumerate(node)]
    if isinstance(node, str) and parameters:
        return PARAMETER.sub(lambda m: str(parameters[m.group(1)]["value"]) if m.group(1) in parameters
                             else m.group(0), node)
    return node


class Validity(Strict):
    from_: dt.date | None = Field(default=None, alias="from")
    to: dt.date | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Validity:
        if self.from_ is not None and self.to is not None and self.to < self.from_:
            raise ValueError("有效期的结束日期（to）不能早于开始日期（from）")
        return self


class Release(Strict):
    """``rules/release.yaml``: the name and date of this release of the rules, for people.

    ``RuleBook.version`` (a hash of the rule files) identifies the content; the release names it,
    so a stored result says which published rules it was computed under."""

    name: str = Field(min_length=1, max_length=100, description="版本名称，如 2026年第1版")
    date: dt.date = Field(description="发布日期")
    source: str | None = Field(default=None, description="依据的文件（发文字号、标题）")
    note: str | None = Field(default=None, description="本版本的说明：改了什么、为什么")


Kind = Literal[
    "subsidy", "award", "interest_subsidy", "fee_subsidy", "prepayment",
    "procurement_reservation", "loan_facility", "service", "leniency", "regulatory_facility",
    "talent", "land", "informational",
]


class Measure(Strict):
    id: str
    title: str = Field(min_length=2)
    chapter: str
    section: str | None = None
    text: str = Field(min_length=5, description="原文，逐字")
    units_text: str = Field(description="责任单位原文，逐字")
    units: list[str] = Field(min_length=1, description="市级责任单位（拆分后）")
    kind: Kind
    audience: str
    auto_match: bool = Field(description="仅凭登记数据即可判定（免申即享候选）")
    summary: str = Field(min_length=4, description="一句白话：对企业意味着什么")
    how_to_apply: str | None = None
    validity: Validity = Validity()
    conditions: list[Condition] = []
    items: ItemRule | None = None
    amount: Amount = Amount(kind="none")
    reading: str | None = Field(default=None, description="原文有歧义时采取的理解及依据")
    parameters: dict[str, Parameter] = Field(
        default={}, description="原文未定、本工具选定的值，条件中以 {param: 名称} 引用")

    @model_validator(mode="before")
    @classmethod
    def _parameters_in_place(cls, data: Any) -> Any:
        """Conditions get the parameters' values at load, so every reader (the Rete compiler, the
        intermediate form, the catalogue) sees plain values and needs to know nothing of them."""
        if not isinstance(data, dict) or not isinstance(data.get("parameters"), dict):
            return data
        parameters = {name: spec for name, spec in data["parameters"].items() if isinstance(spec, dict)}
        resolved = dict(data)
        for key in ("conditions", "items"):
            if key in data:
                resolved[key] = _resolve(data[key], parameters, key)
        return resolved

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        if not MEASURE_ID.match(value):
            raise ValueError("编号必须是 M1 到 M50")
        return value

    @model_validator(mode="after")
    def _informational_has_no_rules(self) -> Measure:
        if self.kind == "informational":
            if self.conditions or self.items or self.amount.kind != "none":
                raise ValueError("informational 措施不能有条件或金额")
        elif not self.conditions and self.items is None:
            raise ValueError("非 informational 措施至少要有一个条件")
        ids = [c.id for c in self.conditions] + [c.id for c in (self.items.conditions if self.items else [])]
        if len(ids) != len(set(ids)):
            raise ValueError(f"条件 id 重复：{ids}")
        if self.amount.per_item and self.items is None:
            raise ValueError("per_item 金额需要 items")
        grading = {c.id for c in self.conditions if not c.gate}
        grading |= {c.id for c in (self.items.conditions if self.items else []) if not c.gate}
        for tier in self.amount.tiers:
            if tier.when is not None and tier.when not in grading:
                raise ValueError(f"tiers 引用的条件 {tier.when} 不存在或不是 gate: false 的条件")
        return self


class DerivedValue(Strict):
    value: str
    label: str
    when: Test


class Derived(Strict):
    """A derived fact: each value holds when its test does (at most one should)."""

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: str
    cites: str
    inputs: list[str] = Field(description="用户可提供的输入字段，未知时列为缺失")
    values: list[DerivedValue] = Field(min_length=1)
    unknown_reason: str = Field(description="无法推导时向用户说明的原因")


class ItemField(Strict):
    """A fact of a list item worked out from other facts of the same item, used only when the item
    does not give it: one fact is then asked once (e.g. the months of social insurance paid for a
    hire, read off the per-insurance months the form asks). ``min``: the smallest input, known only
    when every input is known (Kleene: the value is known only once it is decided)."""

    list: ItemList
    field: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: str
    rule: Literal["min"]
    inputs: list[str] = Field(min_length=2)
    reading: str = Field(min_length=10, description="为何可以这样推出（也写入 INTERPRETATIONS.md 和措施的 reading）")


class ItemFields(Strict):
    fields: list[ItemField] = Field(min_length=1)

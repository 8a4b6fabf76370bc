"""The SME size standard (工信部联企业〔2011〕300号) as a table, turned into a derived fact.

``rules/derived/size_standard.yaml`` holds the table exactly as the standard states it
(thresholds in 万元). ``to_derived`` writes the four class tests of every industry group
in the rule language, so the Rete engine classifies and the table stays readable.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import Field

from engine.rule_models import Derived, DerivedValue, Strict, Test

Metric = Literal["employees", "revenue", "assets"]
SIZE_CLASSES = {"large": "大型企业", "medium": "中型企业", "small": "小型企业", "micro": "微型企业"}
SME_CLASSES = ("medium", "small", "micro")
NOT_APPLICABLE_GROUP = "不适用本标准"
WAN = Decimal(10_000)


class MetricField(Strict):
    field: str
    label: str
    unit: str


class GroupRow(Strict):
    group: str
    sme_below: dict[Metric, Decimal] = Field(min_length=1, description="中小企业：任一指标低于即是")
    medium: dict[Metric, Decimal] = Field(min_length=1, description="中型：同时达到")
    small: dict[Metric, Decimal] = Field(min_length=1, description="小型：同时达到")


class SizeStandard(Strict):
    title: str
    cites: str
    reading: str
    metric_fields: dict[Metric, MetricField]
    groups: list[GroupRow] = Field(min_length=1)

    def row(self, group: str) -> GroupRow | None:
        return next((row for row in self.groups if row.group == group), None)

    def fields_of(self, group: str) -> list[str]:
        row = self.row(group)
        if row is None:
            return []
        metrics = {*row.sme_below, *row.medium, *row.small}
        return [self.metric_fields[m].field for m in ("employees", "revenue", "assets") if m in metrics]

    def _threshold(self, metric: Metric, op: str, amount: Decimal) -> Test:
        # money thresholds are written in 万元; the profile carries yuan
        value = amount * WAN if metric != "employees" else int(amount)
        return Test.model_validate({"field": self.metric_fields[metric].field, op: value})

    def _all(self, metric_values: dict[Metric, Decimal], op: str) -> list[Test]:
        return [self._threshold(m, op, v) for m, v in metric_values.items()]

    def to_derived(self) -> Derived:
        values: list[DerivedValue] = []
        for row in self.groups:
            in_group = Test(derived="industry_group", eq=row.group)
            is_sme = Test.model_validate({"any": self._all(row.sme_below, "lt")})
            not_sme = Test.model_validate({"all": self._all(row.sme_below, "ge")})
            medium_floor = self._all(row.medium, "ge")
            small_floor = self._all(row.small, "ge")
            below_medium = Test.model_validate({"any": self._all(row.medium, "lt")})
            below_small = Test.model_validate({"any": self._all(row.small, "lt")})
            tests = {
                "large": [in_group, not_sme],
                "medium": [in_group, is_sme, *medium_floor],
                "small": [in_group, is_sme, below_medium, *small_floor],
                "micro": [in_group, is_sme, below_small],
            }
            for size_class, parts in tests.items():
                values.append(
                    DerivedValue(
                        value=size_class,
                        label=f"{row.group}{SIZE_CLASSES[size_class]}",
                        when=Test.model_validate({"all": parts}),
                    )
                )
        for size_class, label in SIZE_CLASSES.items():
            # industries outside the standard (e.g. finance) use the class the enterprise declares
            values.append(
                DerivedValue(
                    value=size_class,
                    label=f"按申报划型为{label}",
                    when=Test.model_validate(
                        {"all": [{"derived": "industry_group", "eq": NOT_APPLICABLE_GROUP},
                                 {"field": "declared_size_class", "eq": size_class}]}
                    ),
                )
            )
        return Derived(
            name="size_class",
            title="企业规模（划型）",
            cites=self.cites,
            inputs=["industry_code", "employees", "revenue_yuan", "total_assets_yuan"],
            values=values,
            unknown_reason="缺少划型所需的行业或指标，尚无法确定企业规模",
        )

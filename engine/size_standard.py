"""The SME size standard (工信部联企业〔2011〕300号): a table, and the rules that read it.

``rules/derived/size_standard.yaml`` holds the table exactly as the standard states it
(thresholds in 万元). Each row travels on the derived industry-group fact with the
enterprise's own figures, and a handful of class rules per metric shape (employees+revenue,
revenue+assets, …) compare the two on that one fact inside the Rete engine. durable-rules tests every
fact against every rule, so 33 shape rules beat 68 per-group rules by a wide margin.
"""

from __future__ import annotations

from decimal import Decimal
from functools import cached_property
from typing import Any, Literal

from pydantic import Field, model_validator

from engine.compiled import CompiledRule
from engine.facts import fact_field
from engine.rule_models import Strict

Metric = Literal["employees", "revenue", "assets"]
SIZE_CLASSES = {"large": "大型企业", "medium": "中型企业", "small": "小型企业", "micro": "微型企业"}
SME_CLASSES = ("medium", "small", "micro")
NOT_APPLICABLE_GROUP = "不适用本标准"
DECLARED = "declared_size_class"  # the class an enterprise outside the standard declares
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

    @model_validator(mode="after")
    def _same_metrics(self) -> GroupRow:
        if not set(self.sme_below) == set(self.medium) == set(self.small):
            raise ValueError(f"{self.group}：中小企业、中型、小型三档须使用相同的指标")
        for metric, sme in self.sme_below.items():
            # the class rules rely on it: below a small floor implies below the medium floor,
            # which implies below the SME line (so micro and small need no separate SME test)
            if not self.small[metric] < self.medium[metric] < sme:
                raise ValueError(f"{self.group}：{metric} 的门槛应满足 小型 < 中型 < 中小企业上限")
        return self


class SizeStandard(Strict):
    title: str
    cites: str
    reading: str
    metric_fields: dict[Metric, MetricField]
    groups: list[GroupRow] = Field(min_length=1)

    def row(self, group: str) -> GroupRow | None:
        return self._rows.get(group)

    def fields_of(self, group: str) -> list[str]:
        """The profile fields the class of ``group`` is read from (every evaluation asks: kept)."""
        return list(self._fields.get(group, ()))

    @cached_property
    def _rows(self) -> dict[str, GroupRow]:
        return {row.group: row for row in reversed(self.groups)}  # the first row of a group prevails

    @cached_property
    def _fields(self) -> dict[str, tuple[str, ...]]:
        found = {}
        for group, row in self._rows.items():
            metrics = {*row.sme_below, *row.medium, *row.small}
            found[group] = tuple(self.metric_fields[m].field for m in ("employees", "revenue", "assets")
                                 if m in metrics)
        return found

    def shape(self, row: GroupRow) -> tuple[Metric, ...]:
        return tuple(m for m in ("employees", "revenue", "assets") if m in row.sme_below)

    def _fact_value(self, metric: Metric, amount: Decimal) -> int:
        # people as counted; money thresholds are written in 万元 and facts carry integer fen
        return int(amount) if metric == "employees" else int(amount * WAN * 100)

    def group_attributes(self, group: str) -> dict[str, Any]:
        """The row of the table, carried on the industry-group fact for the class rules."""
        row = self.row(group)
        if row is None:
            return {}
        attributes: dict[str, Any] = {"shape": "+".join(self.shape(row))}
        for level, values in (("sme", row.sme_below), ("medium", row.medium), ("small", row.small)):
            for metric, amount in values.items():
                attributes[f"{level}_{metric}"] = self._fact_value(metric, amount)
        return attributes

    def _attr(self, metric: Metric) -> str:
        return fact_field(self.metric_fields[metric].field)

    def _every(self, metrics: tuple[Metric, ...], op: str, level: str) -> list[dict[str, Any]]:
        return [{op: {self._attr(m): {"$m": f"{level}_{m}"}}} for m in metrics]

    def carried(self) -> tuple[str, ...]:
        """The enterprise's attributes the industry-group fact carries for the class rules (when known)."""
        return (*(self._attr(m) for m in self.metric_fields), DECLARED)


    def compile_rules(self) -> list[CompiledRule]:
        """Class rules per metric shape, on the group fact alone (alias ``g``): it carries the row's
        thresholds and the enterprise's own figures (``carried``), so no rule joins two facts (a join
        on the enterprise fact cost more than all the rest of the Rete's work).

        Exactly the standard's reading: SME if below ANY "SME" threshold (else large);
        medium needs ALL medium floors; small ALL small floors (and not medium, i.e. below
        ANY medium floor); micro is below ANY small floor. A missing metric matches no comparison: the class stays
        unknown unless the known metrics already decide it.
        """
        rules: list[CompiledRule] = []
        for shape in sorted({self.shape(row) for row in self.groups}):
            group = {"$and": [{"t": "d"}, {"name": "industry_group"}, {"shape": "+".join(shape)}]}
            # "below ANY" is one rule per metric (never an $or: durable-rules crashes on an $or
            # of joined-attribute comparisons when a metric is missing). Below the medium (or
            # small) floor implies below the SME line (checked on load), so small and micro
            # need no separate SME test.
            alternatives = {
                "large": [self._every(shape, "$gte", "sme")],
                "medium": [[*self._every(shape, "$gte", "medium"), below]
                           for below in self._every(shape, "$lt", "sme")],
                "small": [[*self._every(shape, "$gte", "small"), below]
                          for below in self._every(shape, "$lt", "medium")],
                "micro": [[below] for below in self._every(shape, "$lt", "small")],
            }
            for size_class, terms in alternatives.items():
                for exprs in terms:
                    # the thresholds of every level exist for every metric of the shape (``GroupRow``):
                    # a reference to a missing attribute would read as 0
                    rules.append(self._rule(size_class, [{"g": {"$and": [*group["$and"], *exprs]}}]))
        for size_class in SIZE_CLASSES:
            # industries outside the standard (e.g. finance) use the class the enterprise declares
            group = {"$and": [{"t": "d"}, {"name": "industry_group"}, {"value": NOT_APPLICABLE_GROUP},
                              {DECLARED: size_class}]}
            rules.append(self._rule(size_class, [{"g": group}]))
        return rules

    @staticmethod
    def _rule(size_class: str, patterns: list[dict[str, Any]]) -> CompiledRule:
        fact = {"t": "d", "i": -1, "name": "size_class", "value": size_class}
        return CompiledRule(tag=f"derived|size_class|{size_class}", when={"all": patterns}, asserts=fact)

"""Compile each measure's intermediate form into the state columns the verdict layer reads.

For a measure this gives, as Polars expressions over the frames of ``engine.columnar.frames``:
one state code per enterprise condition (``expr.state_code``) and, for a measure with items, one
packed integer per item (``ItemLayout``) that says whether the item qualifies, which gates fail,
which attributes are absent and the state of each grading condition. ``decode`` turns those
integers back into what ``engine.verdict`` reads. Nothing here is written per measure: every
measure file is compiled the same way, or refused by name (``NotCompilable``) and then evaluated
on the Rete path.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import reduce

import polars as pl

from engine.columnar.expr import FAILED_CODE, MET_CODE, absent_mask, state_code, truth
from engine.columnar.frames import EMPTY
from engine.facts import fact_field
from engine.ir import All, MeasureIR, Node
from engine.plan import MeasurePlan
from engine.verdict import FAILED, MET, Gate, ItemView

PACKED_BITS = 62  # an item's packed state fits an Int64


class NotCompilable(Exception):
    """A construct the columnar compiler does not handle; the measure runs on the Rete path."""


Derivations = dict[str, tuple[str, ...]]  # item field path -> the paths it is worked out from


def attributes_of(reads: object, derivations: Derivations | None = None) -> tuple[str, ...]:
    """The distinct fact attributes of a plan's reads (``engine.plan.Reads``), in order, then the
    inputs of the item fields among them that are worked out from others (asked for instead)."""
    fields = reads.fields  # type: ignore[attr-defined]
    inputs = [fact_field(name) for _, path in fields for name in (derivations or {}).get(path, ())]
    return tuple(dict.fromkeys([*(attribute for attribute, _ in fields), *inputs]))


def paths(reads: object, mask: int, derived_missing: dict[str, list[str]], prefix: str = "",
          derivations: Derivations | None = None) -> list[str]:
    """The paths to ask for, as ``engine.decide._missing`` gives them: absent attributes (bit k of
    ``mask`` for the k-th attribute of ``attributes_of``), an item field worked out from others
    through its absent inputs, then the inputs of each derived fact read."""
    index = {attribute: k for k, attribute in enumerate(attributes_of(reads, derivations))}
    missing = []
    for attribute, path in reads.fields:  # type: ignore[attr-defined]
        if not mask >> index[attribute] & 1:
            continue
        inputs = (derivations or {}).get(path) if prefix else None
        if inputs is None:
            missing.append(prefix + path)
        else:
            missing += [prefix + name for name in inputs if mask >> index[fact_field(name)] & 1]
    for name in reads.derived:  # type: ignore[attr-defined]
        missing += derived_missing[name]
    return missing or [prefix.rstrip(".") or "profile"]


def enterprise_gate(code: int, reads: object, derived_missing: dict[str, list[str]]) -> Gate:
    if code == MET_CODE:
        return MET
    if code == FAILED_CODE:
        return FAILED
    return paths(reads, code, derived_missing)


@dataclass(frozen=True)
class Grader:
    """An item condition a tier reads, packed at ``shift``: 2 bits of state, then its absent mask."""

    id: str
    node: Node
    attributes: tuple[str, ...]
    shift: int


@dataclass(frozen=True)
class ItemLayout:
    """How an item's state is packed: bit 0 qualifies, bit 1 nothing is known of the item, then one
    bit per gate known to fail, then the absent mask of the gates' attributes, then each grader."""

    list: str
    gates: tuple[Node, ...]
    attributes: tuple[str, ...]
    graders: tuple[Grader, ...]
    derivations: Derivations

    @property
    def absent_shift(self) -> int:
        return 2 + len(self.gates)

    def expression(self) -> pl.Expr:
        qualifies = truth(All(self.gates)).fill_null(False).cast(pl.Int64)
        parts = [qualifies, pl.col(EMPTY).cast(pl.Int64) * 2]
        for k, gate in enumerate(self.gates):
            parts.append(truth(gate).not_().fill_null(False).cast(pl.Int64) * (1 << (2 + k)))
        parts.append(absent_mask(self.attributes) * (1 << self.absent_shift))
        for grader in self.graders:
            value = truth(grader.node)
            state = pl.when(value).then(1).when(value.not_()).then(2).otherwise(0).cast(pl.Int64)
            parts.append(state * (1 << grader.shift) + absent_mask(grader.attributes) * (1 << (grader.shift + 2)))
        return reduce(lambda a, b: a + b, parts)

    def view(self, code: int, plan: MeasurePlan, index: int, derived_missing: dict[str, list[str]]) -> ItemView:
        items = plan.items
        assert items is not None
        if code & 1:
            return ItemView(True, (), ())
        failed = [sentence for k, (_, sentence) in enumerate(items.fail_tags) if code >> (2 + k) & 1]
        if failed:
            return ItemView(False, failed, ())
        if code >> 1 & 1:  # nothing is known of the item: it is asked for as a whole
            return ItemView(False, (), (f"{items.list}[{index}]",))
        mask = code >> self.absent_shift & ((1 << len(self.attributes)) - 1)
        return ItemView(False, (), paths(items.reads, mask, derived_missing, f"{items.list}[{index}].",
                                         self.derivations))

    def grader_state(self, code: int, grader: Grader, reads: object, index: int,
                     derived_missing: dict[str, list[str]]) -> Gate:
        state = code >> grader.shift & 3
        if state == 1:
            return MET
        if state == 2:
            return FAILED
        mask = code >> (grader.shift + 2) & ((1 << len(grader.attributes)) - 1)
        return paths(reads, mask, derived_missing, f"{self.list}[{index}].", self.derivations)


@dataclass(frozen=True)
class MeasureColumns:
    """A measure compiled to columns: its plan (texts, tiers, amount), the state code of each
    enterprise condition (column ``<measure>:<condition>``) and, with items, the item layout."""

    plan: MeasurePlan
    conditions: dict[str, pl.Expr]  # condition id -> state code
    items: ItemLayout | None
    derived: tuple[str, ...]  # derived facts whose missing inputs the verdict may name

    @property
    def id(self) -> str:
        return self.plan.measure.id

    def column(self, condition_id: str) -> str:
        return f"{self.id}:{condition_id}"

    @property
    def item_column(self) -> str:
        return f"{self.id}:items"


def compile_measure(ir: MeasureIR, plan: MeasurePlan, derivations: Derivations | None = None) -> MeasureColumns:
    """The columns of one measure (``plan``: its decision plan), or ``NotCompilable`` naming what is not handled."""
    nodes = {c.id: c.node for c in ir.conditions}
    for cid, condition in plan.conditions.items():
        if len(attributes_of(condition.reads)) > PACKED_BITS:
            raise NotCompilable(f"{ir.id}.{cid}: 条件读取的字段过多，缺失字段的位掩码超过 {PACKED_BITS} 位")
    conditions = {cid: state_code(nodes[cid], attributes_of(c.reads)) for cid, c in plan.conditions.items()}
    derived = [name for c in plan.conditions.values() for name in c.reads.derived]
    layout = None
    if ir.items is not None and plan.items is not None:
        item_nodes = {c.id: c.node for c in ir.items.conditions}
        gates = tuple(c.node for c in ir.items.gates)
        derivations = derivations or {}
        attributes = attributes_of(plan.items.reads, derivations)
        shift = 2 + len(gates) + len(attributes)
        graders = []
        for tier in plan.tiers:
            if tier.item is None:
                continue
            grader_id = tier.item.id
            grader_attributes = attributes_of(tier.item.reads, derivations)
            graders.append(Grader(grader_id, item_nodes[grader_id], grader_attributes, shift))
            shift += 2 + len(grader_attributes)
            derived += tier.item.reads.derived
        if shift > PACKED_BITS:
            raise NotCompilable(f"{ir.id}: 逐项条件读取的字段过多，无法打包为一个整数（{shift} 位）")
        layout = ItemLayout(plan.items.list, gates, attributes, tuple(graders), derivations)
        derived += plan.items.reads.derived
    return MeasureColumns(plan, conditions, layout, tuple(dict.fromkeys(derived)))

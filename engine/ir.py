"""One intermediate form of the rules, built once from the rule files, read by every use.

The rule files (``engine.rule_models``) are written for people: ``between``, ``in``, money
in yuan, dates as dates. Here each test is lowered to a small typed tree with three node
kinds only (``Compare``, ``All``, ``Any``) over the facts exactly as the engine sees them
(``engine.facts``: dates as YYYYMMDD integers, money as integer fen, nested fields joined
with ``__``). Derived facts (the industry group, the SME size class) are trees too, so a
reader needs nothing but this module to know what a measure reads and when it holds.

Readers: the Rete compiler (durable-rules), the columnar batch plan, the next-best question
and the near-miss answer. ``truth`` is the reference meaning of a tree in plain Python:
Kleene's three-valued logic, where a comparison with an absent fact is *unknown* (``None``)
and negation is pushed to the leaves (``negate``), exactly as the Rete rules behave
(``tests/test_ir.py`` checks them against each other, condition by condition).
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import Any, Literal

from engine.dates import anniversary
from engine.facts import fact_field, is_money_field
from engine.rule_models import COMPARATORS, Amount, Condition, FieldRef, Measure, Test
from engine.size_standard import NOT_APPLICABLE_GROUP, SIZE_CLASSES, SizeStandard

Op = Literal["eq", "ne", "ge", "gt", "le", "lt"]
Truth = bool | None  # True: known to hold; False: known to fail; None: unknown
Scope = Literal["ent", "item"]
Value = int | str | bool | float
FLIP: dict[str, Op] = {"eq": "ne", "ne": "eq", "ge": "lt", "lt": "ge", "gt": "le", "le": "gt"}
INDUSTRY_LEVELS = ("industry_section", "industry_division", "industry_group_code", "industry_class")


# --- the tree -------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Attr:
    """The value of a fact attribute (``employees``, ``revenue_fen``, ``insurance_months__pension``)."""

    name: str


@dataclass(frozen=True, slots=True)
class Derived:
    """The value of a derived fact (``size_class``, ``industry_group``)."""

    name: str


@dataclass(frozen=True, slots=True)
class Shifted:
    """A date attribute moved by whole years: ``born + 16 years`` (ages, "N年内")."""

    name: str
    years: int


Operand = Attr | Derived | Shifted | Value


# Every node carries its meaning compiled (``evaluate``, made with the node): readers that
# evaluate a tree for many facts (one enterprise's items, each step of an interview) call it, the
# same three-valued meaning as ``truth`` without its dispatch on node types (tests/test_ir_compiled.py
# checks both against each other, tests/test_ir.py against the Rete firings).

Evaluator = Callable[[Mapping[str, Any], Mapping[str, str]], Truth]


@dataclass(frozen=True, slots=True)
class Compare:
    """``left op right``; unknown when any attribute or derived fact it reads is absent."""

    left: Attr | Derived
    op: Op
    right: Operand
    evaluate: Evaluator = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "evaluate", _compare_evaluator(self))

    def __reduce__(self) -> tuple[Any, ...]:  # pickled without the compiled closure: rebuilt on loading
        return Compare, (self.left, self.op, self.right)


class _Branch:
    """What ``All`` and ``Any_`` share: their leaves, and the facts several of them compare."""

    parts: tuple[Node, ...]

    @cached_property
    def leaves(self) -> tuple[Compare, ...]:
        """The comparisons of the tree, left to right."""
        return tuple(leaf for part in self.parts for leaf in ((part,) if isinstance(part, Compare) else part.leaves))

    @cached_property
    def repeated(self) -> dict[Key, tuple[Value, ...]]:
        """The facts compared with constants in two or more leaves (and with no other fact), each with
        those constants in order: ("a", attribute) or ("d", derived name)."""
        relational = {operand.name for leaf in self.leaves if constant_key(leaf) is None
                      for operand in (leaf.left, leaf.right) if isinstance(operand, (Attr, Shifted))}
        constants: dict[Key, list[Any]] = {}
        for leaf in self.leaves:
            key = constant_key(leaf)
            if key is not None and key[1] not in relational:
                constants.setdefault(key, []).append(leaf.right)
        return {key: tuple(values) for key, values in constants.items() if len(values) > 1}

    @cached_property
    def cases(self) -> dict[tuple[Any, ...], Any]:
        """What ``engine.openings`` worked out by trying cases of this tree, by the state it asked in."""
        return {}

    def __reduce__(self) -> tuple[Any, ...]:  # pickled without what is compiled or kept: rebuilt on loading
        return type(self), (self.parts,)


@dataclass(frozen=True)
class All(_Branch):
    parts: tuple[Node, ...]
    evaluate: Evaluator = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "evaluate", _branch_evaluator(self.parts, settle=False))


@dataclass(frozen=True)
class Any_(_Branch):
    parts: tuple[Node, ...]
    evaluate: Evaluator = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "evaluate", _branch_evaluator(self.parts, settle=True))


Node = Compare | All | Any_
Key = tuple[str, str]  # a fact compared with constants: ("a", attribute) or ("d", derived name)


def constant_key(leaf: Compare) -> Key | None:
    """The fact a leaf compares with a constant (None when it compares two facts)."""
    if isinstance(leaf.right, (Attr, Derived, Shifted)):
        return None
    return ("d", leaf.left.name) if isinstance(leaf.left, Derived) else ("a", leaf.left.name)


def shift(date: int, years: int) -> int:
    """The YYYYMMDD date ``years`` whole years after ``date`` (the one date rule: ``engine.dates``)."""
    return anniversary(date, years)


# --- lowering from the rule language ---------------------------------------------------

def fact_value(path: str, value: Any) -> Value:
    """A constant of a rule as the facts carry it (dates YYYYMMDD, money fen)."""
    if isinstance(value, dt.date):
        return value.year * 10_000 + value.month * 100 + value.day
    if is_money_field(path):
        return int(Decimal(str(value)) * 100)
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _comparison(test: Test) -> tuple[Op, Any]:
    for op in COMPARATORS:
        value = getattr(test, op)
        if value is not None:
            return op, value  # type: ignore[return-value]
    raise ValueError("test has no plain comparator")


def _subject(test: Test) -> dict[str, Any]:
    for key in ("field", "derived", "age", "elapsed_years"):
        value = getattr(test, key)
        if value is not None:
            return {key: value}
    raise ValueError("compound test has no single subject")


def _age(born: str, on: str, op: Op, years: int) -> Node:
    """周岁 reached on ``on`` by a person born on ``born``: age >= a iff on >= born + a years."""
    birth, day = fact_field(born), Attr(fact_field(on))
    if op == "eq":
        return All((_age(born, on, "ge", years), _age(born, on, "le", years)))
    if op == "ne":
        return Any_((_age(born, on, "lt", years), _age(born, on, "gt", years)))
    shift_by, cmp = {"ge": (years, "ge"), "gt": (years + 1, "ge"),
                     "lt": (years, "lt"), "le": (years + 1, "lt")}[op]
    return Compare(day, cmp, Shifted(birth, shift_by))  # type: ignore[arg-type]


def lower(test: Test) -> Node:
    """The tree of one rule test (``between`` and ``in`` expanded, constants typed)."""
    if test.all is not None:
        return All(tuple(lower(t) for t in test.all))
    if test.any is not None:
        return Any_(tuple(lower(t) for t in test.any))
    subject = _subject(test)
    if test.in_ is not None:
        return Any_(tuple(lower(Test.model_validate({**subject, "eq": v})) for v in test.in_))
    if test.between is not None:
        low, high = test.between
        return All((lower(Test.model_validate({**subject, "ge": low})),
                    lower(Test.model_validate({**subject, "le": high}))))
    op, operand = _comparison(test)
    if test.derived is not None:
        return Compare(Derived(test.derived), op, operand)
    if test.age is not None:
        return _age(test.age[0], test.age[1], op, int(operand))
    if test.elapsed_years is not None:
        start, end = test.elapsed_years
        return Compare(Attr(fact_field(end)), op, Shifted(fact_field(start), int(operand)))
    assert test.field is not None
    right = Attr(fact_field(operand.field)) if isinstance(operand, FieldRef) else fact_value(test.field, operand)
    return Compare(Attr(fact_field(test.field)), op, right)


def negate(node: Node) -> Node:
    """The tree that holds exactly when ``node`` is known to fail (De Morgan to the leaves)."""
    if isinstance(node, All):
        return Any_(tuple(negate(p) for p in node.parts))
    if isinstance(node, Any_):
        return All(tuple(negate(p) for p in node.parts))
    return Compare(node.left, FLIP[node.op], node.right)


# --- meaning ---------------------------------------------------------------------------

_MISSING = object()


def _operand(operand: Operand, fact: Mapping[str, Any], derived: Mapping[str, str]) -> Any:
    if isinstance(operand, Attr):
        return fact.get(operand.name, _MISSING)
    if isinstance(operand, Derived):
        return derived.get(operand.name, _MISSING)
    if isinstance(operand, Shifted):
        start = fact.get(operand.name, _MISSING)
        return _MISSING if start is _MISSING else shift(start, operand.years)
    return operand


def _compare(left: Any, op: str, right: Any) -> bool:
    if op == "eq":
        return bool(left == right)
    if op == "ne":
        return bool(left != right)
    if op == "ge":
        return bool(left >= right)
    if op == "gt":
        return bool(left > right)
    if op == "le":
        return bool(left <= right)
    return bool(left < right)


def truth(node: Node, fact: Mapping[str, Any], derived: Mapping[str, str]) -> Truth:
    """Kleene's value of ``node`` for one fact (enterprise or item) and the derived values."""
    if isinstance(node, Compare):
        left = _operand(node.left, fact, derived)
        right = _operand(node.right, fact, derived)
        if left is _MISSING or right is _MISSING:
            return None
        return _compare(left, node.op, right)
    if isinstance(node, All):
        result: Truth = True
        for part in node.parts:
            value = truth(part, fact, derived)
            if value is False:
                return False
            if value is None:
                result = None
        return result
    result = False
    for part in node.parts:
        value = truth(part, fact, derived)
        if value is True:
            return True
        if value is None:
            result = None
    return result


# --- what a tree reads -------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Reads:
    """What a tree reads: fact attributes and derived facts, each once, in order of appearance."""

    attributes: tuple[str, ...]
    derived: tuple[str, ...]


def _walk(node: Node, attributes: list[str], derived: list[str]) -> None:
    if isinstance(node, Compare):
        for operand in (node.left, node.right):
            if isinstance(operand, (Attr, Shifted)):
                attributes.append(operand.name)
            elif isinstance(operand, Derived):
                derived.append(operand.name)
        return
    for part in node.parts:
        _walk(part, attributes, derived)


def _shifts(node: Node) -> list[tuple[str, int]]:
    if isinstance(node, Compare):
        return [(node.right.name, node.right.years)] if isinstance(node.right, Shifted) else []
    return [pair for part in node.parts for pair in _shifts(part)]


def reads(node: Node) -> Reads:
    attributes: list[str] = []
    derived: list[str] = []
    _walk(node, attributes, derived)
    return Reads(tuple(dict.fromkeys(attributes)), tuple(dict.fromkeys(derived)))


def profile_path(attribute: str) -> str | None:
    """The profile field to ask for a fact attribute (None for ``as_of``, which nobody answers)."""
    if attribute == "as_of":
        return None
    if attribute in INDUSTRY_LEVELS:
        return "industry_code"
    path = attribute.replace("__", ".")
    return path[: -len("_fen")] + "_yuan" if path.endswith("_fen") else path


# --- measures ---------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class ConditionIR:
    """One condition of a measure: its tree and the sentences that explain it."""

    id: str
    phrase: str
    met: str
    failed: str
    gate: bool  # False: only picks an amount tier
    node: Node
    reads: Reads


@dataclass(frozen=True, slots=True)
class ItemsIR:
    """The per-item conditions of a measure (one per hire, loan, contract…)."""

    list: str
    noun: str
    unit: str
    conditions: tuple[ConditionIR, ...]
    gates: tuple[ConditionIR, ...] = field(init=False)  # the conditions an item must meet to count
    qualifies: Node = field(init=False, repr=False)  # one tree for "this item counts": all the gates

    def __post_init__(self) -> None:
        gates = tuple(c for c in self.conditions if c.gate)
        object.__setattr__(self, "gates", gates)
        object.__setattr__(self, "qualifies", All(tuple(c.node for c in gates)))


@dataclass(frozen=True, slots=True)
class MeasureIR:
    id: str
    informational: bool
    valid_from: int  # YYYYMMDD; 0 when open
    valid_to: int  # YYYYMMDD; 99999999 when open
    conditions: tuple[ConditionIR, ...]  # enterprise-level
    items: ItemsIR | None
    amount: Amount
    measure: Measure = field(repr=False)  # the rule file, for texts the readers may need
    gates: tuple[ConditionIR, ...] = field(init=False)  # the conditions that decide (the others pick a tier)

    def __post_init__(self) -> None:
        object.__setattr__(self, "gates", tuple(c for c in self.conditions if c.gate))


def _condition(condition: Condition) -> ConditionIR:
    node = lower(condition.test)
    return ConditionIR(condition.id, condition.phrase, condition.met, condition.failed, condition.gate,
                       node, reads(node))


def _yyyymmdd(day: dt.date | None, default: int) -> int:
    return default if day is None else day.year * 10_000 + day.month * 100 + day.day


def measure_ir(measure: Measure) -> MeasureIR:
    items = None
    if measure.items is not None:
        rule = measure.items
        items = ItemsIR(rule.list, rule.noun, rule.unit, tuple(_condition(c) for c in rule.conditions))
    return MeasureIR(
        id=measure.id, informational=measure.kind == "informational",
        valid_from=_yyyymmdd(measure.validity.from_, 0), valid_to=_yyyymmdd(measure.validity.to, 99_999_999),
        conditions=tuple(_condition(c) for c in measure.conditions), items=items,
        amount=measure.amount, measure=measure,
    )


# --- derived facts -------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class DerivedIR:
    """A derived fact: each value holds when its tree is known to hold (at most one does).

    ``inputs`` are the profile fields a user can give for it, in the order to ask them.
    """

    name: str
    values: tuple[tuple[str, Node], ...]
    inputs: tuple[str, ...]


def _size_class_trees(size: SizeStandard) -> tuple[tuple[str, Node], ...]:
    """The size standard as trees over the figures and the industry group, exactly as the
    Rete class rules read it (``SizeStandard.compile_rules``): large when at or above every
    SME line; medium when at or above every medium floor and below any SME line; small when at
    or above every small floor and below any medium floor; micro when below any small floor.
    Industries outside the standard take the declared class."""
    def attr(metric: str) -> Attr:
        return Attr(fact_field(size.metric_fields[metric].field))  # type: ignore[index]

    def value(metric: str, amount: Decimal) -> int:
        return int(amount) if metric == "employees" else int(amount * 10_000 * 100)

    by_class: dict[str, list[Node]] = {name: [] for name in SIZE_CLASSES}
    for row in size.groups:
        metrics = size.shape(row)
        group = Compare(Derived("industry_group"), "eq", row.group)

        def every(op: Op, level: dict[str, Decimal], metrics: tuple[str, ...] = metrics) -> list[Node]:
            return [Compare(attr(m), op, value(m, level[m])) for m in metrics]  # type: ignore[index]

        below_sme = Any_(tuple(every("lt", row.sme_below)))  # type: ignore[arg-type]
        below_medium = Any_(tuple(every("lt", row.medium)))  # type: ignore[arg-type]
        below_small = Any_(tuple(every("lt", row.small)))  # type: ignore[arg-type]
        by_class["large"].append(All((group, *every("ge", row.sme_below))))  # type: ignore[arg-type]
        by_class["medium"].append(All((group, *every("ge", row.medium), below_sme)))  # type: ignore[arg-type]
        by_class["small"].append(All((group, *every("ge", row.small), below_medium)))  # type: ignore[arg-type]
        by_class["micro"].append(All((group, below_small)))
    for name in SIZE_CLASSES:
        by_class[name].append(All((Compare(Derived("industry_group"), "eq", NOT_APPLICABLE_GROUP),
                                   Compare(Attr("declared_size_class"), "eq", name))))
    return tuple((name, Any_(tuple(trees))) for name, trees in by_class.items())


@dataclass(frozen=True, slots=True)
class BookIR:
    """The intermediate form of a whole rules tree."""

    version: str
    measures: tuple[MeasureIR, ...]
    derived: tuple[DerivedIR, ...]  # in the order they are derived (each may read the earlier ones)
    size: SizeStandard
    # per fact type ("ent" or a list), every (date attribute, years) whose anniversary a rule compares
    # with: the facts carry them (engine.facts.build_facts), since the Rete cannot apply the date rule
    # (engine.dates) itself
    shifts: Mapping[str, tuple[tuple[str, int], ...]] = field(default_factory=dict)

    def measure(self, measure_id: str) -> MeasureIR:
        return next(m for m in self.measures if m.id == measure_id)


    def derive(self, fact: Mapping[str, Any]) -> dict[str, str]:
        """The derived values of an enterprise fact (forward chaining, in order)."""
        derived: dict[str, str] = {}
        for spec in self.derived:
            for value, node in spec.values:
                if truth(node, fact, derived) is True:
                    derived[spec.name] = value
                    break
        return derived

    def derived_inputs(self, name: str, derived: Mapping[str, str]) -> tuple[str, ...]:
        """The profile fields that feed a derived fact, given what is derived so far: for the
        size class, the figures of the enterprise's industry group once the group is known."""
        if name == "size_class":
            group = derived.get("industry_group")
            if group is None:
                return ("industry_code",)
            if group == NOT_APPLICABLE_GROUP:
                return ("declared_size_class",)
            return tuple(self.size.fields_of(group))
        spec = next(d for d in self.derived if d.name == name)
        return spec.inputs


def build_book_ir(book: Any) -> BookIR:
    """The intermediate form of a ``RuleBook`` (``RuleBook.ir`` builds it once per book)."""
    derived = [DerivedIR(d.name, tuple((v.value, lower(v.when)) for v in d.values), tuple(d.inputs))
               for d in book.derived]
    size_fields = tuple(f.field for f in book.size_standard.metric_fields.values())
    derived.append(DerivedIR("size_class", _size_class_trees(book.size_standard),
                             ("industry_code", *size_fields, "declared_size_class")))
    measures = tuple(measure_ir(m) for m in book.measures)
    return BookIR(book.version, measures, tuple(derived), book.size_standard, _book_shifts(measures))


def _book_shifts(measures: Iterable[MeasureIR]) -> dict[str, tuple[tuple[str, int], ...]]:
    found: dict[str, list[tuple[str, int]]] = {}
    for measure in measures:
        scoped = [("ent", c) for c in measure.conditions]
        scoped += [(measure.items.list, c) for c in measure.items.conditions] if measure.items else []
        for fact_type, condition in scoped:
            found.setdefault(fact_type, []).extend(_shifts(condition.node) + _shifts(negate(condition.node)))
    return {fact_type: tuple(dict.fromkeys(pairs)) for fact_type, pairs in found.items() if pairs}


# --- the same meaning, compiled (each node's ``evaluate``) ---------------------------------

_COMPARE = {"eq": operator.eq, "ne": operator.ne, "ge": operator.ge, "gt": operator.gt, "le": operator.le,
            "lt": operator.lt}


def _getter(operand: Operand) -> Callable[[Mapping[str, Any], Mapping[str, str]], Any]:
    if isinstance(operand, Attr):
        name = operand.name
        return lambda fact, derived: fact.get(name, _MISSING)
    if isinstance(operand, Derived):
        name = operand.name
        return lambda fact, derived: derived.get(name, _MISSING)
    if isinstance(operand, Shifted):
        name, years = operand.name, operand.years

        def moved(fact: Mapping[str, Any], derived: Mapping[str, str]) -> Any:
            start = fact.get(name, _MISSING)
            return _MISSING if start is _MISSING else shift(start, years)
        return moved
    return lambda fact, derived: operand


def _compare_evaluator(node: Compare) -> Evaluator:
    compare = _COMPARE[node.op]
    left, right = node.left, node.right
    # the leaves the rules have, each read directly (no getters): a fact's attribute or a derived
    # fact against a constant, an attribute against another or against a date moved by whole years
    if not isinstance(right, (Attr, Derived, Shifted)):
        name, constant = left.name, right
        if isinstance(left, Attr):
            def attribute_leaf(fact: Mapping[str, Any], derived: Mapping[str, str]) -> Truth:
                a = fact.get(name, _MISSING)
                return None if a is _MISSING else bool(compare(a, constant))
            return attribute_leaf

        def derived_leaf(fact: Mapping[str, Any], derived: Mapping[str, str]) -> Truth:
            a = derived.get(name, _MISSING)
            return None if a is _MISSING else bool(compare(a, constant))
        return derived_leaf
    if isinstance(left, Attr) and isinstance(right, Shifted):
        name, start, years = left.name, right.name, right.years

        def shifted_leaf(fact: Mapping[str, Any], derived: Mapping[str, str]) -> Truth:
            a = fact.get(name, _MISSING)
            b = fact.get(start, _MISSING)
            return None if a is _MISSING or b is _MISSING else bool(compare(a, anniversary(b, years)))
        return shifted_leaf
    if isinstance(left, Attr) and isinstance(right, Attr):
        name, other = left.name, right.name

        def attributes_leaf(fact: Mapping[str, Any], derived: Mapping[str, str]) -> Truth:
            a = fact.get(name, _MISSING)
            b = fact.get(other, _MISSING)
            return None if a is _MISSING or b is _MISSING else bool(compare(a, b))
        return attributes_leaf
    left, right = _getter(node.left), _getter(node.right)

    def leaf(fact: Mapping[str, Any], derived: Mapping[str, str]) -> Truth:
        a, b = left(fact, derived), right(fact, derived)
        return None if a is _MISSING or b is _MISSING else bool(compare(a, b))
    return leaf


def _branch_evaluator(nodes: tuple[Node, ...], settle: bool) -> Evaluator:
    """All (``settle`` False: one part known to fail settles it) or Any (True: one known to hold)."""
    one = _one_of(nodes, "eq" if settle else "ne")
    if one is not None:
        return one
    parts = tuple(p.evaluate for p in nodes)
    otherwise = not settle

    def combined(fact: Mapping[str, Any], derived: Mapping[str, str]) -> Truth:
        result: Truth = otherwise
        for part in parts:
            value = part(fact, derived)
            if value is settle:
                return settle
            if value is None:
                result = None
        return result
    return combined


def _one_of(nodes: tuple[Node, ...], op: str) -> Evaluator | None:
    """``x in {a, b, …}`` (an Any of ``x == a``, ``x == b``…) or ``x not in`` (an All of ``!=``), for
    one attribute or derived fact against constants (``in`` in the rules): one lookup, one membership
    test, the same three values (unknown exactly when ``x`` is absent)."""
    if len(nodes) < 2 or not all(isinstance(n, Compare) and n.op == op for n in nodes):
        return None
    left = nodes[0].left  # type: ignore[union-attr]
    if any(n.left != left or isinstance(n.right, (Attr, Derived, Shifted)) for n in nodes):  # type: ignore[union-attr]
        return None
    values = frozenset(n.right for n in nodes)  # type: ignore[union-attr]
    name, inside = left.name, op == "eq"
    if isinstance(left, Attr):
        def attribute_in(fact: Mapping[str, Any], derived: Mapping[str, str]) -> Truth:
            a = fact.get(name, _MISSING)
            return None if a is _MISSING else (a in values) is inside
        return attribute_in

    def derived_in(fact: Mapping[str, Any], derived: Mapping[str, str]) -> Truth:
        a = derived.get(name, _MISSING)
        return None if a is _MISSING else (a in values) is inside
    return derived_in

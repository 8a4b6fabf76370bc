"""差一点: what would make a money measure apply or bring more, read off its conditions.

For each measure that brings money (exact or up to; not a share), from the conditions that
failed or are unknown, never per measure by hand:

- an item that fails only on facts the enterprise can act on (``Question.actionable`` in the
  table of questions: a contract's length, months of insurance paid) says by how much, and what
  meeting it brings: "第1名新招用人员：劳动合同期限11个月，差1个月：签订1年以上劳动合同即可计入，可再得1,500元";
- one more item, where the table says how to word adding one (``ListSection.add``: hire, hold an
  event, take part in a fair, apply for a recognition or a programme), with the conditions it
  must meet (the rule's own phrases) and what it brings, up to the cap;
- the cap once reached: "第31人起不再增加（已达30,000元上限）";
- a condition that fails alone on a fact nobody can change (founding date, industry, size, an
  age at hiring, a date already past) is told as information, never as advice. Nothing is ever
  suggested about such facts (no splitting a firm to be smaller, no backdating).

Actionable answers carry the profile changes that make them true (``changes``), so a face can
try them and a test can prove them: applied to the profile, the measure becomes eligible, with
``yuan`` more when it is given. Nothing is said while an enterprise condition is still unknown
(the next questions settle those first).

The states of the conditions are those the Rete engine decided (``Situation.fired``, read as
``engine.decide`` reads them); only what it does not tell is evaluated on the trees: whether an
item that fails one gate meets the others, and what a change would make of a failed condition.
Without firings (the columnar backend) every state is evaluated on the trees, to the same values
(tests/test_ir.py).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from engine.amounts import yuan as yuan_text
from engine.catalogue import DERIVED_LABELS
from engine.ir import (
    All,
    Attr,
    Compare,
    ConditionIR,
    Derived,
    Evaluator,
    MeasureIR,
    Node,
    Shifted,
    profile_path,
    reads,
    shift,
    truth,
)
from engine.openings import Situation, brings_money, counts_items, item_yuan
from engine.plan import ConditionPlan, MeasurePlan
from engine.result import Change, MeasureResult, NearMiss, trusted
from engine.verdict import FAILED, MET
from engine.wording import ENTERPRISE_QUESTIONS, SECTIONS, Question, item_question

if TYPE_CHECKING:
    from engine.loader import RuleBook

ZERO = Decimal(0)
TRUTH = {MET: True, FAILED: False}  # a condition's state as the trees' value (else unknown: None)
MOST_ITEMS = 5  # item-by-item answers per measure (the rest add nothing new to read)
_OP_VALUE = {"ge": 0, "gt": 1, "eq": 0, "le": 0, "lt": -1}  # the nearest value meeting `op constant`


# --- facts and their wording --------------------------------------------------------------

def _question(attribute: str, list_name: str | None) -> Question | None:
    path = profile_path(attribute)
    if path is None:
        return None
    return item_question(list_name, path) if list_name else ENTERPRISE_QUESTIONS.get(path)


def _labels(node: Node, list_name: str | None) -> str:
    """What a condition depends on, in words: 出生日期、招用（入职）日期; 企业规模."""
    read = reads(node)
    words = [q.label for q in (_question(a, list_name) for a in read.attributes) if q is not None]
    words += [DERIVED_LABELS.get(name, name) for name in read.derived]
    return "、".join(dict.fromkeys(words))


def _profile_value(attribute: str, value: Any, question: Question | None) -> Any:
    """A fact value back in the profile's terms (dates ISO, money in yuan)."""
    if question is not None and question.kind == "date":
        year, rest = divmod(int(value), 10_000)
        month, day = divmod(rest, 100)
        while True:
            try:
                return dt.date(year, month, day).isoformat()
            except ValueError:
                day -= 1  # 29 February of a year that has none
    if attribute.endswith("_fen"):
        amount = Decimal(value) / 100
        return int(amount) if amount == amount.to_integral_value() else str(amount)
    return value


# --- changing a failed condition ------------------------------------------------------------

def _fix(node: Node, fact: Mapping[str, Any], derived: Mapping[str, str], money: MoneyMeasure) -> dict[str, Any] | None:
    """The fewest changes of actionable facts of an item that make ``node`` hold (fact attribute ->
    value), or None when it cannot be made to hold that way (or is not known to fail yet). A fact
    worked out as the smallest of others (months of social insurance) is met through each input below it."""
    value = node.evaluate(fact, derived)
    if value is True:
        return {}
    if value is None:
        return None
    if isinstance(node, Compare):
        if not isinstance(node.left, Attr) or isinstance(node.right, (Attr, Derived, Shifted)):
            return None
        question = money.questions.get(node.left.name)
        if question is None or not question.actionable or node.op not in _OP_VALUE:
            return None
        target = node.right
        if isinstance(target, int) and not isinstance(target, bool):
            target = target + _OP_VALUE[node.op]
        elif node.op != "eq":
            return None
        inputs = money.inputs.get(node.left.name)
        if inputs is None:
            return {node.left.name: target}
        if node.op not in ("ge", "gt") or not all(money.questions.get(i) for i in inputs):
            return None
        return {node.left.name: target} | {i: target for i in inputs if i not in fact or fact[i] < target}
    if isinstance(node, All):
        changes: dict[str, Any] = {}
        for part in node.parts:
            fixed = _fix(part, fact, derived, money)
            if fixed is None:
                return None
            changes |= fixed
        return changes if node.evaluate({**fact, **changes}, derived) is True else None
    options = [f for f in (_fix(part, fact, derived, money) for part in node.parts) if f is not None]
    return min(options, key=len) if options else None


def _distance(attribute: str, old: Any, new: Any, question: Question) -> str:
    if isinstance(new, int) and not isinstance(new, bool) and isinstance(old, int):
        gap = abs(new - old)
        return f"{question.label}{old}{question.unit}，差{gap}{question.unit}"
    label = dict(question.choices).get(str(new).lower() if isinstance(new, bool) else str(new), str(new))
    return f"{question.label}应为“{label}”"


# --- one more item -------------------------------------------------------------------------------

def _solve(node: Node, fact: dict[str, Any], derived: Mapping[str, str],
           inputs_of: Mapping[str, tuple[str, ...]]) -> bool:
    """Fill ``fact`` (a new item) so that ``node`` holds: the nearest value of each comparison."""
    if truth(node, fact, derived) is True:
        return True
    if isinstance(node, Compare):
        return _solve_compare(node, fact, inputs_of)
    if isinstance(node, All):
        for part in sorted(node.parts, key=lambda p: isinstance(p, Compare) and isinstance(p.right, Shifted)):
            if not _solve(part, fact, derived, inputs_of):
                return False
        return truth(node, fact, derived) is True
    for part in node.parts:
        trial = dict(fact)
        if _solve(part, trial, derived, inputs_of):
            fact.update(trial)
            return True
    return False


def _solve_compare(node: Compare, fact: dict[str, Any], inputs_of: Mapping[str, tuple[str, ...]]) -> bool:
    if not isinstance(node.left, Attr):
        return False  # a derived fact is the enterprise's, not the new item's
    left, right = node.left.name, node.right
    if isinstance(right, (Attr, Shifted)):
        years = right.years if isinstance(right, Shifted) else 0
        if left not in fact:
            fact[left] = fact["as_of"] if right.name not in fact else shift(fact[right.name], years)
        if right.name not in fact:
            base = shift(fact[left], -years)
            fact[right.name] = base if node.op in ("ge", "eq", "le") else _next_day(base, node.op)
        return truth(node, fact, {}) is True
    if node.op == "ne" or left in fact:
        return False
    fact[left] = right + _OP_VALUE[node.op] if isinstance(right, int) and not isinstance(right, bool) else right
    # worked out as the smallest input: each input gets the value
    return all(fact.setdefault(name, fact[left]) == fact[left] for name in inputs_of.get(left, ()))


def _next_day(day: int, op: str) -> int:
    year, rest = divmod(day, 10_000)
    date = dt.date(year, *divmod(rest, 100)) if rest % 100 else dt.date(year, 1, 1)
    moved = date + dt.timedelta(days=1 if op in ("lt",) else -1)
    return moved.year * 10_000 + moved.month * 100 + moved.day


def new_item(money: MoneyMeasure, where: Situation) -> dict[str, Any] | None:
    """A new item (profile JSON) that meets every item gate of the measure on the evaluation date
    (kept on ``money`` by the date and the derived facts the gates read)."""
    as_of = where.ent["as_of"]
    key = _witness_key(money, where)
    if key in money.witnesses:
        return money.witnesses[key]
    items = money.measure.items
    assert items is not None
    inputs_of = {attribute: inputs for (list_name, attribute), inputs in where.worked_out.items()
                 if list_name == items.list}
    fact: dict[str, Any] = {"as_of": as_of}
    item: dict[str, Any] | None = None
    if _solve(items.qualifies, fact, where.derived, inputs_of):
        item = {}
        for attribute, value in fact.items():
            question = _question(attribute, items.list)
            path = profile_path(attribute)
            if attribute != "as_of" and attribute not in inputs_of and path is not None:
                _put(item, path, _profile_value(attribute, value, question))
    if len(money.witnesses) < KEPT:
        money.witnesses[key] = item
    return item


def _witness_key(money: MoneyMeasure, where: Situation) -> tuple[Any, ...]:
    """What a new item's witness depends on: the date and the derived facts the item gates read."""
    return (where.ent["as_of"], *(where.derived.get(name) for name in money.item_derived))


def _put(target: dict[str, Any], dotted: str, value: Any) -> None:
    *parents, leaf = dotted.split(".")
    for part in parents:
        target = target.setdefault(part, {})
    target[leaf] = value


# --- the answers ---------------------------------------------------------------------------

def _gain(measure: MeasureIR, extra: Decimal | None, again: bool) -> tuple[str, Decimal | None]:
    rule = measure.amount
    more = "再" if again else ""
    if extra is None:
        assert rule.item_field is not None and measure.items is not None
        question = item_question(measure.items.list, rule.item_field)
        return f"金额按该项的{question.label if question else rule.item_field}计", None
    prefix = "最高" if rule.kind == "up_to" else ""
    once = "（一次性）" if rule.once else ""
    return f"{prefix}可{more}得{yuan_text(extra)}元{once}", extra


def _unit_gain(measure: MeasureIR, item: Mapping[str, Any] | None, room: Decimal | None) -> Decimal | None:
    rule = measure.amount
    if not counts_items(rule):
        return rule.yuan
    if rule.item_field is not None and item is None:
        return None
    value = item_yuan(rule, item)
    return value if room is None else min(value, room)


def _told(actionable: bool, text: str, yuan: Decimal | None = None, amount_kind: str | None = None,
          changes: list[Change] | None = None) -> NearMiss:
    # built here with the model's types (as decide._trusted builds results), every field in the
    # model's order: no validation on the hot path
    return trusted(NearMiss, {"actionable": actionable, "text": text, "yuan": yuan, "amount_kind": amount_kind,
                              "changes": [] if changes is None else changes})


# Answers that are the same for many enterprises (one more item, the cap, a fact nobody can change,
# the same change of the same item) are built once and shared, like decide's results (frozen, never
# changed): kept on the measure's MoneyMeasure, at most KEPT of each kind; past that, they are built
# each time.
KEPT = 256


class MoneyMeasure:
    """A measure that brings money, as the near-miss answers read it: built once per book
    (``RuleBook.money_measures``), with the answers it shares between enterprises."""

    __slots__ = ("index", "measure", "plan", "worked_out", "gates", "item_tests", "fixable", "questions", "inputs",
                 "item_derived", "witnesses", "answers")

    def __init__(self, index: int, measure: MeasureIR, plan: MeasurePlan,
                 worked_out: Mapping[tuple[str, str], tuple[str, ...]]) -> None:
        self.index = index  # its place in the book (and in the results)
        self.measure = measure
        self.plan = plan  # the tags its Rete rules fire (engine.plan)
        self.worked_out = worked_out  # the book's item facts worked out from others (Situation.worked_out)
        # each gate as the firings tell it and as its tree does, and what to say when it alone fails
        # (nobody can change it)
        self.gates: tuple[tuple[ConditionPlan, Evaluator, NearMiss], ...] = tuple(
            (p, c.node.evaluate, _cannot(c, None)) for p, c in zip(plan.gates, measure.gates, strict=True))
        items = measure.items
        self.item_tests: tuple[Evaluator, ...] = tuple(c.node.evaluate for c in items.gates) if items else ()
        # per item gate: whether it reads a fact the enterprise can act on (else no change can meet it)
        self.fixable: tuple[bool, ...] = tuple(_fixable(c, items.list) for c in items.gates) if items else ()
        # the item facts its gates read and, for those worked out from others, their inputs (as
        # _fix changes them), each with its question in the table (None: not asked)
        self.inputs: dict[str, tuple[str, ...]] = {
            attribute: inputs for (list_name, attribute), inputs in worked_out.items()
            if items is not None and list_name == items.list}
        read = reads(items.qualifies).attributes if items else ()
        self.questions: dict[str, Question | None] = {
            a: _question(a, items.list if items else None)
            for a in (*read, *(i for a in read for i in self.inputs.get(a, ())))}
        self.item_derived = reads(items.qualifies).derived if items else ()  # what a new item's witness reads
        self.witnesses: dict[tuple[Any, ...], dict[str, Any] | None] = {}  # see new_item
        self.answers: dict[str, dict[tuple[Any, ...], NearMiss]] = {}  # by kind: see kept

    def __reduce__(self) -> tuple[Any, ...]:  # pickled as what it is built from (no closures, no kept answers)
        return MoneyMeasure, (self.index, self.measure, self.plan, self.worked_out)

    def kept(self, key: tuple[Any, ...], build: Callable[[], NearMiss]) -> NearMiss:
        """The shared answer for ``key`` (its kind first: "cap", "more", "cannot", "change"), built on first use."""
        kind = self.answers.get(key[0])
        if kind is None:
            kind = self.answers[key[0]] = {}
        answer = kind.get(key)
        if answer is None:
            answer = build()
            if len(kind) < KEPT:
                kind[key] = answer
        return answer


def money_measures(book: RuleBook) -> tuple[MoneyMeasure, ...]:
    """The measures of a book that bring money (``RuleBook.money_measures`` keeps them)."""
    return tuple(MoneyMeasure(i, m, book.plans[m.id], book.fact_plan.worked_out) for i, m in enumerate(book.ir.measures)
                 if brings_money(m.amount) and not m.informational)


def _near_misses(money: MoneyMeasure, where: Situation) -> list[NearMiss]:
    """The near-miss answers of one measure that brings money, for one enterprise."""
    measure = money.measure
    ent, derived = where.ent, where.derived
    if not measure.valid_from <= ent["as_of"] <= measure.valid_to:  # openings.in_force
        return []
    listed = None if measure.items is None else where.items.get(measure.items.list)
    if measure.items is not None and listed is None:
        return []  # its list is not told yet: the questions ask for it first
    fired = where.fired
    failed = None
    for condition, test, cannot in money.gates:
        value = test(ent, derived) if fired is None else TRUTH.get(condition.state(fired, ent, derived))
        if value is None:
            return []  # the questions settle it first
        if value is False:
            if failed is not None:
                return []  # two conditions fail: not near
            failed = cannot
    if listed is None:
        return [] if failed is None else [failed]
    qualifying, failing = _item_states(money, listed, where)
    if failed is not None:
        return [failed] if qualifying else []
    return _item_answers(money, listed, failing, qualifying, where)


def _item_states(money: MoneyMeasure, listed: list[dict[str, Any]],
                 where: Situation) -> tuple[list[int], list[tuple[int, ...]]]:
    """The items that qualify (indexes), and per item the gates it is known to fail (by place)."""
    fired = where.fired
    if fired is None:
        states = [[test(item, where.derived) for test in money.item_tests] for item in listed]
        qualifying = [i for i, values in enumerate(states) if False not in values and None not in values]
        return qualifying, [tuple(k for k, value in enumerate(values) if value is False) for values in states]
    items = money.plan.items
    assert items is not None
    failed = [fired.get(tag, ()) for tag, _ in items.fail_tags]  # per gate, the items known to fail it
    return (sorted(fired.get(items.tag, ())),
            [tuple(k for k, indexes in enumerate(failed) if i in indexes) for i in range(len(listed))])


def _cannot(condition: ConditionIR, list_name: str | None, where_item: str = "") -> NearMiss:
    """A condition that fails on facts nobody can change: information, never advice."""
    quoted = "" if where_item else f"原文“{condition.phrase}”；"
    return _told(actionable=False, text=f"{where_item}{condition.failed}（{quoted}取决于"
                                         f"{_labels(condition.node, list_name)}，不能通过调整满足）")


def _item_answers(money: MoneyMeasure, listed: list[dict[str, Any]], failing: list[tuple[int, ...]],
                  qualifying: list[int], where: Situation) -> list[NearMiss]:
    measure = money.measure
    assert measure.items is not None
    rule, items = measure.amount, measure.items
    earned = sum((item_yuan(rule, listed[i]) for i in qualifying), ZERO)
    if counts_items(rule) and rule.cap_yuan is not None and qualifying and earned >= rule.cap_yuan:
        last = math.ceil(rule.cap_yuan / rule.yuan) if rule.yuan else len(qualifying)
        cap = yuan_text(rule.cap_yuan)
        return [money.kept(("cap", last), lambda: _told(
            actionable=False, text=f"第{last + 1}{items.unit}起不再增加（已达{cap}元上限）"))]
    if qualifying and not counts_items(rule):
        return []  # one qualifying item already brings all of it
    room = None if rule.cap_yuan is None else rule.cap_yuan - earned
    answers: list[NearMiss] = []
    again = bool(qualifying)
    for index, gates in enumerate(failing):
        if gates and len(answers) < MOST_ITEMS:
            answer = _item_answer(money, index, listed[index], gates, where, room, again)
            if answer is not None:
                answers.append(answer)
    section = SECTIONS.get(items.list)
    fresh = new_item(money, where) if section is not None and section.add else None
    if fresh is not None and section is not None:
        extra = _unit_gain(measure, None, room)
        if extra is None and rule.item_field is None:
            return answers

        def build() -> NearMiss:
            words, amount = _gain(measure, extra, again)
            change = trusted(Change, {"field": f"{items.list}[{len(listed)}]", "value": fresh})
            return _told(actionable=True, text=f"{section.add}（{_phrases(measure)}），{words}", yuan=amount,
                         amount_kind=rule.kind if amount is not None else None, changes=[change])
        key = ("more", _witness_key(money, where), len(listed), extra, again)
        answers.append(money.kept(key, build))
    return answers


def _phrases(measure: MeasureIR) -> str:
    assert measure.items is not None
    return "、".join(dict.fromkeys(c.phrase for c in measure.items.gates))


def _fixable(condition: ConditionIR, list_name: str) -> bool:
    """Whether the condition reads any fact the enterprise can act on (else no change can meet it)."""
    questions = (_question(a, list_name) for a in condition.reads.attributes)
    return any(q is not None and q.actionable for q in questions)


def _item_answer(money: MoneyMeasure, index: int, item: dict[str, Any], failing: tuple[int, ...],
                 where: Situation, room: Decimal | None, again: bool) -> NearMiss | None:
    """An item known to fail the gates at the places ``failing``: what would make it count, or why it cannot."""
    measure = money.measure
    assert measure.items is not None
    items = measure.items
    if not all(money.fixable[k] for k in failing):
        if len(failing) > 1 or _undecided(money, item, failing, where):
            return None  # several gates fail, or another is not known to hold yet: nothing to say
        gate = failing[0]  # it alone fails, on facts nobody can change
        return money.kept(("cannot", gate, index), lambda: _cannot(
            items.gates[gate], items.list, f"第{index + 1}{items.noun}："))
    fix = _fix_item(money, item, failing, where)
    # changed, the item meets every gate: another gate can have been unknown only on a fact the change adds
    if fix is None or (not fix.keys() <= item.keys() and _undecided(money, item, failing, where)):
        return None
    extra = _unit_gain(measure, {**item, **fix}, room)
    if extra is not None and extra <= 0 and counts_items(measure.amount) and measure.amount.item_field is None:
        return None  # the cap leaves nothing for it
    given = where.profile.get(items.list, [])[index] if items.list in where.profile else {}
    # a fact worked out from others is changed through them, unless the profile gives it (it then prevails)
    told = {a: v for a, v in fix.items() if a not in money.inputs or profile_path(a) in given}
    old = tuple(item.get(a) for a in told)

    def build() -> NearMiss:
        distances = []
        for (attribute, value), was in zip(told.items(), old, strict=True):
            question = money.questions[attribute]
            assert question is not None  # _fix changes only facts of the table
            distances.append(_distance(attribute, was, value, question))
        phrases = "、".join(items.gates[k].phrase for k in failing)
        words, amount = _gain(measure, extra, again)
        changes = [trusted(Change, {"field": f"{items.list}[{index}].{profile_path(a)}",
                                    "value": _profile_value(a, v, money.questions[a])}) for a, v in told.items()]
        text = f"第{index + 1}{items.noun}：{'；'.join(distances)}：{phrases}即可计入，{words}"
        return _told(actionable=True, text=text, yuan=amount,
                     amount_kind=measure.amount.kind if amount is not None else None, changes=changes)
    return money.kept(("change", index, failing, tuple(told.items()), old, extra, again), build)


def _undecided(money: MoneyMeasure, item: dict[str, Any], failing: tuple[int, ...], where: Situation) -> bool:
    """Whether a gate of the item other than those failing is unknown (the firings tell failures
    and whole items, not which other gates hold)."""
    return any(test(item, where.derived) is None for k, test in enumerate(money.item_tests) if k not in failing)


def _fix_item(money: MoneyMeasure, item: dict[str, Any], failing: tuple[int, ...],
              where: Situation) -> dict[str, Any] | None:
    """``_fix`` of the item's gates together (``ItemsIR.qualifies``), the others known to hold: the
    failing gates are changed, then the whole is checked (one change may undo another gate)."""
    items = money.measure.items
    assert items is not None
    changes: dict[str, Any] = {}
    for k in failing:
        fixed = _fix(items.gates[k].node, item, where.derived, money)
        if fixed is None:
            return None
        changes |= fixed
    return changes if items.qualifies.evaluate({**item, **changes}, where.derived) is True else None


def with_near_misses(money_measures: tuple[MoneyMeasure, ...], where: Situation,
                     results: list[MeasureResult]) -> list[MeasureResult]:
    """``results`` (one per measure, in the book's order) with the near-miss answers filled in
    (``money_measures``: the book's, ``RuleBook.money_measures``).

    Results may be shared between evaluations (engine.decide keeps them): a measure that gets
    answers gets a new result; the others are left as they are.
    """
    out = results
    for money in money_measures:
        if money.measure.items is None and results[money.index].status != "ineligible":
            continue  # without items, the one answer is a gate that fails alone: the measure is ineligible
        answers = _near_misses(money, where)
        if answers:
            if out is results:
                out = list(results)
            out[money.index] = _with(results[money.index], answers)
    return out


def _with(result: MeasureResult, answers: list[NearMiss]) -> MeasureResult:
    # built by the engine with the model's types, as decide._trusted does
    return trusted(MeasureResult, {**result.__dict__, "near_miss": answers})  # the same fields, in order

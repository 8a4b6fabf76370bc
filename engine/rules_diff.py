"""What changed between two rule books, in plain Chinese (``huiqi rules diff OLD NEW``).

Measures are matched by id and their validated models compared field by field; each kind of
field has one way of saying what changed (an amount, a list of units, conditions matched by
their id, a validity window, a long text shown as the fragments that differ). Nothing here
knows any particular measure: a new measure file, or a new field wording, needs no code here
beyond a label for a new model field (a test keeps ``MEASURE_FIELDS`` complete).
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any

from pydantic import BaseModel

from engine.amounts import yuan
from engine.catalogue import KIND_LABELS, describe_test, release_label
from engine.loader import RuleBook
from engine.rule_models import Amount, Condition, ItemRule, Measure, Parameter, Tier, Validity

MEASURE_FIELDS = {
    "id": "编号", "title": "名称", "chapter": "所属章", "section": "所属节", "text": "原文",
    "units_text": "责任单位原文", "units": "市级责任单位", "kind": "类别", "audience": "适用对象",
    "auto_match": "免申即享候选（仅凭登记数据即可判定）", "summary": "白话说明", "how_to_apply": "办理方式",
    "validity": "有效期", "conditions": "条件", "items": "逐项条件", "amount": "金额", "reading": "理解说明",
    "parameters": "参数（原文未定、本工具选定的值）",
}
AMOUNT_FIELDS = {
    "kind": "金额类型", "yuan": "金额", "per_item": "按项计算", "item_field": "按项目字段计", "cap_yuan": "总额上限",
    "percent": "比例", "tiers": "分档比例", "annual_rate_percent": "年化贴息率", "max_months": "最长期限",
    "once": "一次性", "base_label": "基数名称", "share_label": "比例含义", "note": "金额说明",
}
CONDITION_FIELDS = {"phrase": "对应的原文字句", "met": "满足时的说明", "failed": "不满足时的说明"}
ITEM_FIELDS = {"list": "逐项判断的清单", "noun": "逐项名称", "unit": "算式单位"}
AMOUNT_KIND_LABELS = {"exact": "确定金额", "up_to": "最高金额", "share": "按比例", "none": "无直接金额"}
OTHER_FILES = {"size_standard": "中小企业划型标准", "derived": "派生事实", "local_units": "属地责任单位",
               "item_fields": "逐项推导的字段"}
SHORT_TEXT = 30  # characters: a longer text is shown as the fragments that changed
CONTEXT = 6  # characters shown around a changed fragment
MAX_FRAGMENTS = 4


@dataclass(frozen=True)
class Line:
    """One change in words: ``text`` is what a person reads; ``old``/``new`` are for machines."""

    measure: str | None  # None: a file other than a measure (size standard, derived facts, units)
    field: str  # e.g. "amount.yuan", "conditions.sme.test", "validity.to"
    text: str
    old: Any = None
    new: Any = None


@dataclass(frozen=True)
class MeasureChange:
    id: str
    title: str
    lines: list[Line]


@dataclass(frozen=True)
class BookInfo:
    source: str  # the directory, or "REV (git)"
    version: str
    release: str | None
    release_date: dt.date | None

    @property
    def label(self) -> str:
        return release_label(self.release, self.release_date, self.version)


@dataclass(frozen=True)
class RulesDiff:
    old: BookInfo
    new: BookInfo
    added: list[tuple[str, str]] = field(default_factory=list)  # (id, title)
    removed: list[tuple[str, str]] = field(default_factory=list)
    changed: list[MeasureChange] = field(default_factory=list)
    other: list[Line] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed or self.other)

    def as_json(self) -> dict[str, Any]:
        def info(book: BookInfo) -> dict[str, Any]:
            return {"source": book.source, "rules_version": book.version,
                    "rules_release": None if book.release is None else
                    {"name": book.release, "date": book.release_date.isoformat() if book.release_date else None}}
        return {
            "old": info(self.old), "new": info(self.new),
            "added": [{"id": i, "title": t} for i, t in self.added],
            "removed": [{"id": i, "title": t} for i, t in self.removed],
            "changed": [{"id": c.id, "title": c.title, "changes": [_line_json(x) for x in c.lines]}
                        for c in self.changed],
            "other": [_line_json(x) for x in self.other],
        }


def _line_json(line: Line) -> dict[str, Any]:
    out = asdict(line)
    out.pop("measure")
    return {k: _jsonable(v) for k, v in out.items()}


def _jsonable(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", by_alias=True, exclude_none=True)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


def info_of(book: RuleBook, source: str) -> BookInfo:
    return BookInfo(source, book.version, book.release_name, book.release_date)


def diff_books(old: RuleBook, new: RuleBook, old_source: str = "", new_source: str = "") -> RulesDiff:
    """Measures added, removed and changed (in measure order), then the other rule files."""
    diff = RulesDiff(info_of(old, old_source or str(old.directory)), info_of(new, new_source or str(new.directory)))
    for measure in new.measures:
        if measure.id not in old.by_id:
            diff.added.append((measure.id, measure.title))
    for measure in old.measures:
        if measure.id not in new.by_id:
            diff.removed.append((measure.id, measure.title))
        elif (lines := measure_lines(measure, new.by_id[measure.id])):
            diff.changed.append(MeasureChange(measure.id, new.by_id[measure.id].title, lines))
    diff.other.extend(_other_lines(old, new))
    return diff


# --- a measure, field by field --------------------------------------------------------------------

def measure_lines(old: Measure, new: Measure) -> list[Line]:
    """What changed in one measure, one line per change, each opening with the measure's id."""
    lines: list[Line] = []
    # a parameter first: the conditions and sentences that read it change with it, and say so after it
    for name in sorted(type(new).model_fields, key=lambda field_name: field_name != "parameters"):
        before, after = getattr(old, name), getattr(new, name)
        if before == after:
            continue
        wording = _WORDING.get(name, _plain_field)
        lines += wording(new.id, name, before, after, old, new)
    return lines


def _plain_field(mid: str, name: str, before: Any, after: Any, *_: Measure) -> list[Line]:
    label = MEASURE_FIELDS.get(name, name)
    if isinstance(before, str | None) and isinstance(after, str | None):
        return _text_lines(mid, name, label, before, after)
    return [Line(mid, name, f"{mid} {label}：{show(before)} → {show(after)}", before, after)]


def _kind(mid: str, name: str, before: str, after: str, *_: Measure) -> list[Line]:
    return [Line(mid, name, f"{mid} 类别：{KIND_LABELS[before]} → {KIND_LABELS[after]}", before, after)]


def _units(mid: str, name: str, before: list[str], after: list[str], *_: Measure) -> list[Line]:
    parts = []
    if added := [u for u in after if u not in before]:
        parts.append(f"增加 {'、'.join(added)}")
    if removed := [u for u in before if u not in after]:
        parts.append(f"去掉 {'、'.join(removed)}")
    if not parts:  # the same units in another order
        parts.append(f"{'、'.join(before)} → {'、'.join(after)}")
    return [Line(mid, name, f"{mid} {MEASURE_FIELDS[name]}：{'；'.join(parts)}", before, after)]


def _validity(mid: str, name: str, before: Validity, after: Validity, *_: Measure) -> list[Line]:
    lines = []
    if before.to != after.to:
        old_to, new_to = before.to, after.to
        if new_to is None:
            text = f"{mid} 取消有效期截止日期（原截至 {_day(old_to)}）"
        elif old_to is None:
            text = f"{mid} 有效期截至 {_day(new_to)}（原未设截止日期）"
        elif new_to > old_to:
            text = f"{mid} 有效期延至 {_day(new_to)}（原截至 {_day(old_to)}）"
        else:
            text = f"{mid} 有效期提前至 {_day(new_to)} 截止（原截至 {_day(old_to)}）"
        lines.append(Line(mid, "validity.to", text, old_to, new_to))
    if before.from_ != after.from_:
        old_from, new_from = before.from_, after.from_
        if new_from is None:
            text = f"{mid} 取消执行起始日期（原自 {_day(old_from)} 起执行）"
        elif old_from is None:
            text = f"{mid} 自 {_day(new_from)} 起执行（原未设起始日期）"
        else:
            text = f"{mid} 执行起始日期：{_day(old_from)} → {_day(new_from)}"
        lines.append(Line(mid, "validity.from", text, old_from, new_from))
    if before.note != after.note:
        lines += _text_lines(mid, "validity.note", "有效期说明", before.note, after.note)
    return lines


def _conditions(mid: str, name: str, before: list[Condition], after: list[Condition], *_: Measure,
                prefix: str = "条件") -> list[Line]:
    """Conditions matched by id: added, removed, and what changed in each kept one."""
    old_by, new_by = {c.id: c for c in before}, {c.id: c for c in after}
    lines = []
    for condition in after:
        if condition.id not in old_by:
            lines.append(Line(mid, f"{name}.{condition.id}",
                              f"{mid} 新增{prefix}“{condition.phrase}”：{describe_test(condition.test)}",
                              None, condition))
    for condition in before:
        if condition.id not in new_by:
            lines.append(Line(mid, f"{name}.{condition.id}",
                              f"{mid} 删除{prefix}“{condition.phrase}”（{describe_test(condition.test)}）",
                              condition, None))
            continue
        lines += _condition_lines(mid, f"{name}.{condition.id}", prefix, condition, new_by[condition.id])
    kept_old = [c.id for c in before if c.id in new_by]
    kept_new = [c.id for c in after if c.id in old_by]
    if kept_old != kept_new:
        lines.append(Line(mid, name, f"{mid} {prefix}的顺序调整：{'、'.join(kept_old)} → {'、'.join(kept_new)}",
                          kept_old, kept_new))
    return lines


def _condition_lines(mid: str, path: str, prefix: str, before: Condition, after: Condition) -> list[Line]:
    lines = []
    named = f"{prefix}“{after.phrase}”"
    if before.test != after.test:
        old_text, new_text = describe_test(before.test), describe_test(after.test)
        if old_text == new_text:  # the wording hides the change (e.g. a label shared by two fields)
            old_text, new_text = show(before.test), show(after.test)
        lines.append(Line(mid, f"{path}.test", f"{mid} {named}：{old_text} → {new_text}", before.test, after.test))
    if before.gate != after.gate:
        role = {True: "决定是否适用", False: "只决定金额档次"}
        lines.append(Line(mid, f"{path}.gate", f"{mid} {named}：{role[before.gate]} → {role[after.gate]}",
                          before.gate, after.gate))
    for key, label in CONDITION_FIELDS.items():
        old_value, new_value = getattr(before, key), getattr(after, key)
        if old_value != new_value:
            subject = f"{prefix} {after.id}" if key == "phrase" else named
            lines += _text_lines(mid, f"{path}.{key}", f"{subject}{label}", old_value, new_value)
    return lines


def _items(mid: str, name: str, before: ItemRule | None, after: ItemRule | None, *_: Measure) -> list[Line]:
    if before is None or after is None:
        def rule(items: ItemRule | None) -> str:
            if items is None:
                return "无"
            phrases = "、".join(f"“{c.phrase}”" for c in items.conditions)
            return f"每{items.noun.lstrip('名份笔场项个次起')}须满足{phrases}"
        return [Line(mid, name, f"{mid} 逐项条件：{rule(before)} → {rule(after)}", before, after)]
    lines = []
    for key, label in ITEM_FIELDS.items():
        old_value, new_value = getattr(before, key), getattr(after, key)
        if old_value != new_value:
            lines.append(Line(mid, f"{name}.{key}", f"{mid} {label}：{show(old_value)} → {show(new_value)}",
                              old_value, new_value))
    if before.conditions != after.conditions:
        lines += _conditions(mid, f"{name}.conditions", before.conditions, after.conditions, prefix="逐项条件")
    return lines


def _amount(mid: str, name: str, before: Amount, after: Amount, old: Measure, new: Measure) -> list[Line]:
    lines = []
    for key, label in AMOUNT_FIELDS.items():
        old_value, new_value = getattr(before, key), getattr(after, key)
        if old_value == new_value:
            continue
        path = f"{name}.{key}"
        if key == "yuan":
            text = f"{mid} 金额：{_per(old) if old_value is None else _per(new)}" \
                   f"{_yuan(old_value, '无')} → {_yuan(new_value, '无')}"
        elif key == "cap_yuan":
            text = f"{mid} 总额上限：{_yuan(old_value, '不设上限')} → {_yuan(new_value, '不设上限')}"
        elif key == "kind":
            text = f"{mid} 金额类型：{AMOUNT_KIND_LABELS[old_value]} → {AMOUNT_KIND_LABELS[new_value]}"
        elif key in ("percent", "annual_rate_percent"):
            text = f"{mid} {label}：{_percent(old_value)} → {_percent(new_value)}"
        elif key == "max_months":
            text = f"{mid} {label}：{_months(old_value)} → {_months(new_value)}"
        elif key == "tiers":
            text = f"{mid} {label}：{_tiers(old_value, old)} → {_tiers(new_value, new)}"
        elif key == "note":
            lines += _text_lines(mid, path, label, old_value, new_value)
            continue
        else:
            text = f"{mid} {label}：{show(old_value)} → {show(new_value)}"
        lines.append(Line(mid, path, text, old_value, new_value))
    return lines


def _per(measure: Measure) -> str:
    """'每人 ', '每人最高 ', '最高 ' or '': how the amount of ``measure`` is counted."""
    rule = measure.amount
    each = f"每{measure.items.unit}" if rule.per_item and measure.items is not None else ""
    bound = "最高" if rule.kind == "up_to" else ""
    return f"{each}{bound} " if each or bound else ""


def _parameters(mid: str, name: str, before: dict[str, Parameter], after: dict[str, Parameter],
                *_: Measure) -> list[Line]:
    """Parameters matched by name: a value chosen where the text is silent, its reason and date."""
    lines = []
    for key in [*before, *(k for k in after if k not in before)]:
        old, new = before.get(key), after.get(key)
        path = f"{name}.{key}"
        if old is None and new is not None:
            lines.append(Line(mid, path, f"{mid} 新增参数 {new.label}：{show(new.value)}", None, new))
        elif new is None and old is not None:
            lines.append(Line(mid, path, f"{mid} 删除参数 {old.label}（原为 {show(old.value)}）", old, None))
        elif old is not None and new is not None and old != new:
            named = f"参数 {new.label}"
            if old.value != new.value:
                lines.append(Line(mid, f"{path}.value", f"{mid} {named}：{show(old.value)} → {show(new.value)}",
                                  old.value, new.value))
            if old.decided_on != new.decided_on:
                lines.append(Line(mid, f"{path}.decided_on",
                                  f"{mid} {named}的确定日期：{_day(old.decided_on)} → {_day(new.decided_on)}",
                                  old.decided_on, new.decided_on))
            for key_text, label in (("label", "的名称"), ("reading", "的理由")):
                if getattr(old, key_text) != getattr(new, key_text):
                    lines += _text_lines(mid, f"{path}.{key_text}", f"{named}{label}", getattr(old, key_text),
                                         getattr(new, key_text))
    return lines


_WORDING: dict[str, Callable[..., list[Line]]] = {
    "kind": _kind, "units": _units, "validity": _validity, "conditions": _conditions, "items": _items,
    "amount": _amount, "parameters": _parameters,
}


# --- texts and values ----------------------------------------------------------------------------

def _text_lines(mid: str | None, path: str, label: str, before: str | None, after: str | None) -> list[Line]:
    """A short text as old → new; a long one as the fragments that differ, with a little context."""
    lead = f"{mid} {label}" if mid else label
    if before is None or after is None or max(len(before), len(after)) <= SHORT_TEXT:
        return [Line(mid, path, f"{lead}：{_quoted(before)} → {_quoted(after)}", before, after)]
    fragments = list(_fragments(before, after))
    shown = [f"{lead}：“{old_part}” → “{new_part}”" for old_part, new_part in fragments[:MAX_FRAGMENTS]]
    if len(fragments) > MAX_FRAGMENTS:
        shown[-1] += f"（另有 {len(fragments) - MAX_FRAGMENTS} 处修改）"
    return [Line(mid, path, text, before if i == 0 else None, after if i == 0 else None)
            for i, text in enumerate(shown)]


def _fragments(before: str, after: str) -> Iterator[tuple[str, str]]:
    """(old, new) excerpts around each region that differs; regions close together are shown as one."""
    codes = [c for c in difflib.SequenceMatcher(None, before, after, autojunk=False).get_opcodes() if c[0] != "equal"]
    groups: list[list[int]] = []
    for _, i1, i2, j1, j2 in codes:
        if groups and i1 - groups[-1][1] <= 2 * CONTEXT:
            groups[-1][1], groups[-1][3] = i2, j2
        else:
            groups.append([i1, i2, j1, j2])
    for i1, i2, j1, j2 in groups:
        start, end = max(i1 - CONTEXT, 0), i2 + CONTEXT
        lead = "…" if start > 0 else ""
        old_tail = "…" if end < len(before) else ""
        new_tail = "…" if j2 + CONTEXT < len(after) else ""
        yield (f"{lead}{before[start:end]}{old_tail}",
               f"{lead}{after[j1 - (i1 - start):j2 + CONTEXT]}{new_tail}")


def _quoted(value: str | None) -> str:
    return "（无）" if value is None else f"“{value}”"


def _day(value: dt.date | None) -> str:
    return "" if value is None else value.isoformat()


def _yuan(value: Decimal | None, absent: str) -> str:
    return absent if value is None else f"{yuan(value)} 元"


def _percent(value: Decimal | None) -> str:
    return "无" if value is None else f"{value.normalize():f}%"


def _months(value: int | None) -> str:
    return "不限" if value is None else f"{value} 个月"


def _tiers(tiers: list[Tier], measure: Measure) -> str:
    if not tiers:
        return "不分档"
    conditions = [*measure.conditions, *(measure.items.conditions if measure.items else [])]
    phrases = {c.id: c.phrase for c in conditions}
    return "；".join(f"{_percent(t.percent)}（{phrases.get(t.when, t.when) if t.when else '其他'}）" for t in tiers)


def show(value: Any) -> str:
    """Any rule value in plain words: 是/否, 1,500, 2026-12-31, a、b, a test in Chinese."""
    if value is None:
        return "无"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, Decimal):
        return f"{value.normalize():,f}"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return "、".join(show(v) for v in value) or "（空）"
    if isinstance(value, BaseModel):
        return str(value.model_dump(mode="json", by_alias=True, exclude_none=True))
    return str(value)


# --- the other rule files ------------------------------------------------------------------------

def _other_lines(old: RuleBook, new: RuleBook) -> list[Line]:
    lines = []
    for attribute, label in OTHER_FILES.items():
        before, after = getattr(old, attribute), getattr(new, attribute)
        if attribute == "derived":  # a tuple of models, matched by name
            before, after = {d.name: d for d in before}, {d.name: d for d in after}
        for path, old_value, new_value in walk(before, after):
            where = f"{label} {path}" if path else label
            lines.append(Line(None, f"{attribute}.{path}" if path else attribute,
                              f"{where}：{show(old_value)} → {show(new_value)}", old_value, new_value))
    return lines


_KEYS = ("id", "name", "group", "value", "field")  # what identifies an item of a list of models


def walk(before: Any, after: Any, path: str = "") -> Iterator[tuple[str, Any, Any]]:
    """The leaves that differ between two rule values: (path, old, new); lists of models by their key."""
    if before == after:
        return
    if isinstance(before, BaseModel) and type(before) is type(after):
        for name in type(before).model_fields:
            yield from walk(getattr(before, name), getattr(after, name), _join(path, name))
        return
    if isinstance(before, dict) and isinstance(after, dict):
        for key in [*before, *(k for k in after if k not in before)]:
            yield from walk(before.get(key), after.get(key), _join(path, str(key)))
        return
    key = _list_key(before, after)
    if key is not None:
        old_by, new_by = {getattr(x, key): x for x in before}, {getattr(x, key): x for x in after}
        for item in [*old_by, *(k for k in new_by if k not in old_by)]:
            yield from walk(old_by.get(item), new_by.get(item), f"{path}[{item}]")
        return
    yield path, before, after


def _list_key(before: Any, after: Any) -> str | None:
    if not (isinstance(before, list | tuple) and isinstance(after, list | tuple)):
        return None
    items = [*before, *after]
    if not items or not all(isinstance(x, BaseModel) for x in items):
        return None
    return next((k for k in _KEYS if all(isinstance(getattr(x, k, None), str) for x in items)), None)


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name

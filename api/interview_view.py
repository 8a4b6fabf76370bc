"""The web interview's screens, read back and laid out: which controls a screen shows, what a
posted screen answers, the running result and the summary of answers.

Wording comes from the one table of questions (``engine.wording`` through ``engine.questions``);
numbers come from the Result. A posted answer is read with ``engine.interview.parse_answer``, as
the CLI reads a typed one, so "1,200" 万元, "2024年3月1日" or "有, 共 2 名" mean the same in every face.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from api.form_model import input_id, input_text, shown
from api.interview_state import SKIPPED, UNKNOWN, State
from engine.amounts import yuan
from engine.errors import FieldError
from engine.interview import AnswerError, Step, is_skip, is_unknown, parse_answer
from engine.questions import CHECKLIST, CHECKLIST_TITLE, Ask, form_order
from engine.reliance import value_at
from engine.wording import BASIC_GROUP, INDUSTRIES, ITEM_PATH, OTHER, SECTIONS, TOPICS, lookup, question_for

UNKNOWN_WORD, SKIP_WORD, YES_WORD, NO_WORD, ANSWER = "不清楚", "跳过", "有", "没有", "answer"
CHOICE_KINDS = ("bool", "choice")  # answered by a radio per choice
INDUSTRY_CODES = {code for _, group in INDUSTRIES for code, _ in group}
_TOPIC_TITLES = {t.key: t.title for t in TOPICS}


@dataclass(frozen=True)
class Running:
    """The result so far, shown after every answer (an aria-live region)."""

    confirmed_yuan: Decimal  # exact amounts of the eligible measures
    up_to_yuan: Decimal  # "最高" amounts of the eligible measures
    possible_yuan: Decimal  # what the undetermined measures could still bring
    settled: int  # measures with a conclusion (eligible or not), informational ones left out
    measures: int
    questions_left: int  # questions that can still change a status or an amount
    money_left: bool  # whether any of them can still change money

    @property
    def confirmed(self) -> str:
        """The exact total, "暂无" before any (a "最高" total is shown beside it)."""
        if self.confirmed_yuan:
            return f"{yuan(self.confirmed_yuan)} 元"
        return "" if self.up_to_yuan else "暂无"


def running(current: Step) -> Running:
    totals = current.result.totals
    judged = [r for r in current.result.results if r.status != "informational"]
    return Running(totals.exact_yuan, totals.up_to_yuan, totals.potential_yuan,
                   sum(r.status in ("eligible", "ineligible") for r in judged), len(judged),
                   len(current.questions), any(a.money_measures for a in current.questions))


@dataclass
class Raw:
    """What was posted for one question (or what pre-fills it): the radio chosen, the typed text."""

    choice: str = ""  # a choice value, 有 / 没有, "answer" (the box), 不清楚 or 跳过
    text: str = ""  # the box: a number, an amount, a date, a code, the count after 有
    other: str = ""  # the industry code typed after "其他"


@dataclass
class Control:
    """One question on a screen."""

    ask: Ask
    id: str
    legend: str
    box_label: str
    raw: Raw
    errors: list[str] = field(default_factory=list)

    @property
    def kind(self) -> str:
        return self.ask.kind

    @property
    def stake(self) -> str:
        if self.ask.yuan_at_stake:
            return f"可能涉及 {yuan(self.ask.yuan_at_stake)} 元"
        return "可能涉及资金（金额视具体情况而定）" if self.ask.money_measures else ""

    @property
    def hint(self) -> str:
        return "" if self.kind == "count" else self.ask.hint

    @property
    def suggestions(self) -> tuple[str, ...]:
        question, _, _ = lookup(self.ask.field)
        return question.suggestions if question is not None else ()


@dataclass
class Screen:
    title: str
    controls: list[Control]
    edit: str = ""  # the field being changed from the summary ("" in the flow)
    errors: list[str] = field(default_factory=list)  # errors not tied to one question
    warnings: list[str] = field(default_factory=list)  # new warnings to confirm before moving on
    warning_keys: str = ""

    @property
    def stake(self) -> str:
        """One line for the money of one item's screen (its facts all serve the same measures), else ""."""
        if self.edit or not self.controls or not ITEM_PATH.match(self.controls[0].ask.field):
            return ""
        top = max(self.controls, key=lambda c: c.ask.yuan_at_stake)
        return top.stake and top.stake.replace("可能涉及", "这一项可能涉及")


def title_of(asks: list[Ask], edit: str = "") -> str:
    if edit:
        return "修改答案"
    group = asks[0].group
    if group == CHECKLIST:
        return CHECKLIST_TITLE
    if group == BASIC_GROUP:
        return "基本情况"
    if group in _TOPIC_TITLES:
        return _TOPIC_TITLES[group]
    question, section, index = lookup(asks[0].field)
    if section is not None and index is not None:
        return f"第 {index + 1} {section.noun}"
    return asks[0].text_zh


def _legend(ask: Ask, in_flow: bool) -> str:
    question, section, index = lookup(ask.field)
    if in_flow and question is not None and section is not None and index is not None:
        return question.ask  # under the heading "第 1 名新招用人员"
    return ask.text_zh


def _box_label(ask: Ask) -> str:
    question, section, _ = lookup(ask.field)
    if ask.kind == "count" and ask.field in SECTIONS:
        return f"共几{SECTIONS[ask.field].counter}"
    label = question.label if question is not None else ask.text_zh
    return f"{label}（{ask.unit}）" if ask.unit else label


def prefilled(ask: Ask, state: State) -> Raw:
    """The answer already given to ``ask`` (to change it from the summary), as the controls show it."""
    why = state.declined.get(ask.field)
    if why is not None:
        return Raw(UNKNOWN_WORD if why == UNKNOWN else SKIP_WORD)
    if ask.field in SECTIONS:
        items = state.data.get(ask.field)
        if items is None:
            return Raw()
        return Raw(YES_WORD, str(len(items))) if items else Raw(NO_WORD)
    question, section, index = lookup(ask.field)
    if section is not None and index is not None:
        items = state.data.get(section.name) or []
        value = value_at(items[index], ask.field.split("].", 1)[1]) if index < len(items) else None
    else:
        value = state.data.get(ask.field)
    if value is None:
        return Raw()
    text = input_text(value, ask.scale)
    if ask.kind in CHOICE_KINDS:
        return Raw(text)
    if ask.kind == "industry" and text not in INDUSTRY_CODES:
        return Raw(ANSWER, OTHER, text)
    return Raw(ANSWER, text)


def posted(ask: Ask, form: Mapping[str, str]) -> Raw:
    return Raw(form.get(f"answer:{ask.field}", "").strip(), form.get(f"text:{ask.field}", "").strip(),
               form.get(f"other:{ask.field}", "").strip())


def screen(asks: list[Ask], raws: Mapping[str, Raw] | None = None, edit: str = "") -> Screen:
    controls = [Control(a, "q-" + input_id(a.field), _legend(a, not edit), _box_label(a),
                        (raws or {}).get(a.field) or Raw(ANSWER if a.kind not in CHOICE_KINDS + ("count",) else ""))
                for a in asks]
    return Screen(title_of(asks, edit), controls, edit)


Answer = tuple[str, Any]  # ("value", the profile value) | ("declined", UNKNOWN | SKIPPED)


def read(control: Control) -> Answer:
    """The answer a posted control gives (``AnswerError`` when it does not fit its question)."""
    ask, raw = control.ask, control.raw
    if is_unknown(raw.choice):
        return "declined", UNKNOWN
    if is_skip(raw.choice):
        return "declined", SKIPPED
    if ask.kind in CHOICE_KINDS:
        if not raw.choice:
            raise AnswerError(ask.field, "请选择一项，或选“不清楚”“跳过”", "choose one, or unknown / skip")
        return "value", parse_answer(ask, raw.choice)
    if ask.kind == "count":
        if raw.choice == NO_WORD:
            return "value", 0
        if raw.choice != YES_WORD:
            raise AnswerError(ask.field, "请选择“有”“没有”“不清楚”或“跳过”", "choose yes, no, unknown or skip")
        counter = SECTIONS[ask.field].counter if ask.field in SECTIONS else ""
        count = parse_answer(ask, raw.text) if raw.text else 0
        if not count:
            raise AnswerError(ask.field, f"有的话请填共几{counter}（至少 1）", "if any, how many (at least 1)")
        return "value", count
    text = raw.other if ask.kind == "industry" and raw.text == OTHER else raw.text
    if not text:
        raise AnswerError(ask.field, "请填写，或选“不清楚”“跳过”", "answer, or choose unknown / skip")
    return "value", parse_answer(ask, text)


@dataclass(frozen=True)
class Entry:
    """One answer of the summary."""

    path: str
    question: str
    answer: str


def answers(state: State) -> list[Entry]:
    """Every answer given, and every question declined, in the order of the form."""
    found: dict[str, str] = {}
    data = state.data
    for path, value in data.items():
        question, section, _ = lookup(path)
        if section is not None and isinstance(value, list):
            found[path] = shown(path, value)
            for index, item in enumerate(value):
                for q in section.fields:
                    inner = value_at(item if isinstance(item, dict) else {}, q.path)
                    if inner is not None:
                        found[f"{path}[{index}].{q.path}"] = shown(f"{path}[{index}].{q.path}", inner)
        elif question is not None and value is not None:
            found[path] = shown(path, value)
    for path, why in state.declined.items():
        found.setdefault(path, UNKNOWN_WORD if why == UNKNOWN else "跳过（未回答）")
    return [Entry(path, question_for(path), found[path]) for path in sorted(found, key=_summary_order)]


def _summary_order(path: str) -> tuple[int, int, int, int]:
    """The form's order, with each list's items right after the list's own answer."""
    place = form_order(path)
    if place[0] == 2:  # an item's field: after its list (1, list), by item, then by question
        return (1, place[1], place[2] + 1, place[3])
    return place


def errors_by_field(errors: list[FieldError], fields: set[str]) -> tuple[dict[str, list[str]], list[str]]:
    """The engine's errors beside their question when it is on the screen, else for the whole screen."""
    beside: dict[str, list[str]] = {}
    general: list[str] = []
    for error in errors:
        owner = next((f for f in fields if error.field == f or error.field.startswith(f + ".")
                      or error.field.startswith(f + "[")), None)
        if owner is None:
            label = question_for(error.field) if error.field else ""
            general.append(f"{label}：{error.message_zh}" if label else error.message_zh)
        else:
            beside.setdefault(owner, []).append(error.message_zh)
    return beside, general

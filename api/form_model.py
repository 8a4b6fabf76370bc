"""Form fields ⇄ Profile dict, and Chinese questions for missing field paths.

Input names ARE contract paths (``employees``, ``hires[0].birth_date``), so an engine
``FieldError`` lands beside its input with no mapping table. Only a few controls are
form-only: ``has.<list>`` (有 / 没有 / 不清楚), ``count.<list>`` (how many items there are, when
more than the rows filled in: the rest are items nothing is known of yet, as the guided
interview and the console write them), ``industry_code.other`` (a code typed by hand). A blank
input is absent (unknown); "没有" is an empty list (known: none); a blank row is ignored, unless
it lies within ``count.<list>``. Values reach the engine as text where pydantic parses
text (ints, dates, booleans), so the engine's own validation and messages apply.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlencode

from api.form_questions import ENTERPRISE, INDUSTRIES, LISTS, OTHER, TOPICS, ListSection, Question, Topic
from engine import FieldError, ProfileError, parse_profile
from engine.amounts import yuan
from engine.catalogue import FIELD_LABELS
from engine.profile import Profile
from engine.reliance import value_at
from engine.result import InputWarning
from engine.wording import lookup
from engine.wording import question_for as wording_question_for

MAX_ROWS = 50
INDUSTRY_CODES = {code for _, group in INDUSTRIES for code, _ in group}
_INDEX = re.compile(r"^(\w+)\[(\d+)\]\.(.+)$")
_SECTIONS = {s.name: s for s in LISTS}
_ENTERPRISE = {q.path: q for q in ENTERPRISE}


@dataclass
class ParsedForm:
    values: dict[str, str]  # the canonical answers (blank rows dropped, rows renumbered)
    rows: dict[str, int]  # rows to show per list
    profile: dict[str, Any]
    errors: list[FieldError] = field(default_factory=list)

    def query(self) -> str:
        """The answers as a URL query: a link that re-opens the form with them (nothing stored)."""
        return urlencode([(k, v) for k, v in self.values.items() if v])

    def error_summary(self) -> list[tuple[str, str, str]]:
        """(anchor id, what the input asks, message) for the list at the top of the form."""
        return [(input_id(name), label_for(name), "；".join(messages))
                for name, messages in self.errors_by_input().items()]

    def open_topics(self) -> set[str]:
        """The part-2 topics to show unfolded: those with any answer or any error in them."""
        touched = {name for name, value in self.values.items() if value} | set(self.errors_by_input())
        return {t.key for t in TOPICS if any(_in_topic(name, t) for name in touched)}

    def errors_by_input(self) -> dict[str, list[str]]:
        by_input: dict[str, list[str]] = {}
        for error in self.errors:
            by_input.setdefault(input_for(error.field), []).append(error.message_zh)
        return by_input


def _in_topic(name: str, topic: Topic) -> bool:
    head = name.removeprefix("has.").split("[")[0]
    return name in {q.path for q in topic.questions} or head in {s.name for s in topic.lists}


def _clean(text: str | None) -> str:
    return unicodedata.normalize("NFKC", text or "").strip()


def _number(text: str) -> str:
    return text.replace(",", "").replace(" ", "")


def plain(value: Decimal) -> Decimal:
    """Trailing zeros dropped, never in exponent form: 123.456789 万元 -> 1234567.89 元, 1200 万元 -> 12000000 元."""
    try:
        return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()
    except InvalidOperation:  # too many digits to write out: the Profile rejects it, naming the field
        return value


def _convert(question: Question, raw: str, path: str) -> tuple[Any, FieldError | None]:
    """Form text -> the value handed to the Profile (None: leave the field absent)."""
    if raw == "":
        return None, None
    if question.kind == "money":
        try:
            value = Decimal(_number(raw))
        except InvalidOperation:
            return None, FieldError(path, "应为数字", "must be a number")
        if not value.is_finite():
            return None, FieldError(path, "应为数字", "must be a number")
        return plain(value * question.scale), None
    if question.kind == "int":
        return _number(raw), None
    return raw, None


def _set(target: dict[str, Any], dotted: str, value: Any) -> None:
    *parents, leaf = dotted.split(".")
    for part in parents:
        target = target.setdefault(part, {})
    target[leaf] = value


def _industry(form: Mapping[str, str], values: dict[str, str]) -> str:
    chosen = _clean(form.get("industry_code"))
    other = _clean(form.get("industry_code.other")).upper()
    if chosen not in INDUSTRY_CODES and chosen not in ("", OTHER):
        chosen, other = OTHER, chosen.upper()  # a code from a link that the list does not offer
    if chosen == OTHER or (chosen == "" and other):
        values["industry_code"] = OTHER
        values["industry_code.other"] = other
        return other
    values["industry_code"] = chosen
    return chosen


def _row_indexes(form: Mapping[str, str], section: ListSection) -> list[int]:
    found = set()
    for key in form:
        match = _INDEX.match(key)
        if match and match.group(1) == section.name and int(match.group(2)) < MAX_ROWS:
            found.add(int(match.group(2)))
    return sorted(found)


def _count(form: Mapping[str, str], section: ListSection, parsed: ParsedForm) -> int:
    """``count.<list>``: how many items there are at least (0 when not given)."""
    raw = _number(_clean(form.get(f"count.{section.name}")))
    if not raw:
        return 0
    if not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= MAX_ROWS:
        parsed.values[f"count.{section.name}"] = raw
        parsed.errors.append(FieldError(section.name, f"共几{section.counter}应为 1 到 {MAX_ROWS} 的整数",
                                        f"the number of items must be a whole number from 1 to {MAX_ROWS}"))
        return 0
    return int(raw)


def _parse_list(form: Mapping[str, str], section: ListSection, parsed: ParsedForm) -> None:
    has = _clean(form.get(f"has.{section.name}"))
    count = _count(form, section, parsed)
    items: list[dict[str, Any]] = []
    for index in sorted(set(_row_indexes(form, section)) | set(range(count))):
        answers = {q.path: _clean(form.get(f"{section.name}[{index}].{q.path}")) for q in section.fields}
        if not any(answers.values()) and index >= count:
            continue  # a blank row says nothing (one within the count is an item not told yet)
        item: dict[str, Any] = {}
        position = len(items)
        for question in section.fields:
            path = f"{section.name}[{position}].{question.path}"
            parsed.values[path] = answers[question.path]
            value, error = _convert(question, answers[question.path], path)
            if error:
                parsed.errors.append(error)
            elif value is not None:
                _set(item, question.path, value)
        items.append(item)
    if items and has != "no":
        has = "yes"
    parsed.values[f"has.{section.name}"] = has
    if count and has == "yes":
        parsed.values[f"count.{section.name}"] = str(len(items))
    parsed.rows[section.name] = max(len(items), 1)
    if has == "no":
        parsed.profile[section.name] = []
    elif has == "yes":
        parsed.profile[section.name] = items or [{}]  # "有" with nothing known: one unknown item


def parse_form(form: Mapping[str, str], add_row: str | None = None) -> ParsedForm:
    """Read submitted answers; validate them with the engine; never raise on bad input."""
    parsed = ParsedForm(values={}, rows={}, profile={})
    for question in ENTERPRISE:
        raw = _industry(form, parsed.values) if question.kind == "industry" else _clean(form.get(question.path))
        if question.kind != "industry":
            parsed.values[question.path] = raw
        value, error = _convert(question, raw, question.path)
        if error:
            parsed.errors.append(error)
        elif value is not None:
            parsed.profile[question.path] = value
    for section in LISTS:
        _parse_list(form, section, parsed)
    if add_row in _SECTIONS:
        parsed.rows[add_row] = min(parsed.rows[add_row] + 1, MAX_ROWS)
        parsed.values[f"has.{add_row}"] = "yes"
    return parsed


def validate(parsed: ParsedForm) -> Profile | None:
    """The Profile, or None with ``parsed.errors`` filled (form errors first, then the engine's)."""
    try:
        profile = parse_profile(parsed.profile)
    except ProfileError as exc:
        parsed.errors += exc.errors
        return None
    return None if parsed.errors else profile


def input_text(value: Any, scale: int = 1) -> str:
    """A profile value as typed into its input (万元 for a scaled amount, true/false for 是/否)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if scale != 1:
        return format((Decimal(str(value)) / scale).normalize(), "f")
    if isinstance(value, float | Decimal):
        return format(Decimal(str(value)).normalize(), "f")
    return str(value)


def form_values(profile: dict[str, Any]) -> dict[str, str]:
    """A profile (contract JSON) as the form's input values: the inverse of ``parse_form``. A list
    holding items nothing is known of (from the interview or the console: "3 hires") keeps its
    length as ``count.<list>``, so they are not lost as blank rows."""
    values: dict[str, str] = {}
    for q in ENTERPRISE:
        value = profile.get(q.path)
        if value is None:
            continue
        if q.kind == "industry":
            code = str(value)
            values["industry_code"] = code if code in INDUSTRY_CODES else OTHER
            if code not in INDUSTRY_CODES:
                values["industry_code.other"] = code
        else:
            values[q.path] = input_text(value, q.scale)
    for section in LISTS:
        items = profile.get(section.name)
        if items is None:
            continue
        values[f"has.{section.name}"] = "yes" if items else "no"
        blank = False
        for index, item in enumerate(items):
            told = {q.path: value_at(item or {}, q.path) for q in section.fields}
            blank = blank or all(v is None for v in told.values())
            for path, value in told.items():
                if value is not None:
                    question = next(q for q in section.fields if q.path == path)
                    values[f"{section.name}[{index}].{path}"] = input_text(value, question.scale)
        if blank:
            values[f"count.{section.name}"] = str(len(items))
    return values


_INDUSTRY_LABELS = {code: label for _, group in INDUSTRIES for code, label in group}


def shown(path: str, value: Any) -> str:
    """An answer as a person reads it: choice labels, 是/否, money in yuan, 没有 for an empty list,
    "2 名" for a list of two (the one table of questions words each)."""
    question, section, _ = lookup(path)
    if isinstance(value, list):
        return f"{len(value)} {section.counter}" if value and section is not None else "没有"
    if question is not None and question.kind == "money":
        return f"{yuan(Decimal(str(value)))} 元"
    if path == "industry_code" and value in _INDUSTRY_LABELS:
        return f"{_INDUSTRY_LABELS[value]}（{value}）"
    text = input_text(value)
    if question is not None and question.choices:
        return dict(question.choices).get(text, text)
    if question is not None and question.kind == "int" and question.unit:
        return f"{text} {question.unit}"
    if isinstance(value, bool):
        return "是" if value else "否"
    return text


def input_for(path: str) -> str:
    """The input an error belongs beside: itself, or the list section for a whole-list error."""
    if path in _ENTERPRISE or _INDEX.match(path):
        return path
    head = path.split("[")[0].split(".")[0]
    return f"has.{head}" if head in _SECTIONS else ""


def warning_summary(warnings: Iterable[InputWarning]) -> list[tuple[str, list[tuple[str, str]]]]:
    """Each warning's message with (anchor id, what the input asks) for every field it names."""
    summary = []
    for warning in warnings:
        inputs = dict.fromkeys(input_for(path) for path in warning.fields)
        summary.append((warning.message_zh, [(input_id(name), label_for(name)) for name in inputs if name]))
    return summary


def warnings_key(warnings: Iterable[InputWarning]) -> str:
    """What the user confirmed: a changed answer that raises other warnings asks again."""
    text = json.dumps([[w.message_zh, w.fields] for w in warnings], ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def input_id(name: str) -> str:
    """The HTML id of an input (the template builds the same: [ ] . become - )."""
    return name.replace("[", "-").replace("]", "").replace(".", "-") if name else "form-errors"


def label_for(name: str) -> str:
    if name.startswith("has."):
        section = _SECTIONS[name[4:]]
        return section.title
    question, section, index = _question(name)
    if question is not None and section is not None and index is not None:
        return f"第 {index + 1} {section.noun}的{question.label}"
    return question.label if question is not None else "整体"


def _question(path: str) -> tuple[Question | None, ListSection | None, int | None]:
    question, section, index = lookup(path)
    return (question, section, index) if index is not None or section is None else (None, None, None)


def question_for(path: str) -> str:
    """A missing field path as a Chinese question (the one table: ``engine.wording.question_for``)."""
    leaf = path.split(".")[-1] if "[" in path else path
    return wording_question_for(path, FIELD_LABELS.get(leaf) or _profile_description(leaf) or leaf)


def _profile_description(name: str) -> str | None:
    info = Profile.model_fields.get(name)
    return info.description if info else None


def questions_for(paths: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(question_for(p) for p in paths))

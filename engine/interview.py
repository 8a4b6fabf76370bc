"""One step of the guided interview: the answers so far in, the running result and the next
questions out. Nothing is kept between steps.

The state of an interview is the profile answered so far (contract JSON) and the fields the
user declined (不清楚 / 跳过): a server-rendered page can carry both in hidden fields, the CLI
keeps the profile in its file. Every face reads an answer with ``parse_answer`` and writes it
with ``with_answer``, so "3", "是" or "120" (万元) mean the same everywhere.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
import time
import unicodedata
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from engine.errors import FieldError
from engine.evaluate import evaluate, parse_profile
from engine.loader import RuleBook
from engine.profile import Profile
from engine.questions import Ask, first_group, rank
from engine.result import Result
from engine.wording import NOT_ASKED_IN_LISTS

UNKNOWN_WORDS = frozenset({"不清楚", "不知道", "?", "unknown"})
SKIP_WORDS = frozenset({"跳过", "skip"})
MAX_ITEMS = 50  # items one answer may open (the form shows at most as many rows)
TRUE_WORDS = frozenset({"是", "有", "对", "y", "yes", "true", "1"})
FALSE_WORDS = frozenset({"否", "不是", "没有", "无", "n", "no", "false", "0"})
_ITEM = re.compile(r"^(\w+)\[(\d+)\]\.(.+)$")
_WHOLE_ITEM = re.compile(r"^(\w+)\[(\d+)\]$")
_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")


class AnswerError(ValueError):
    """An answer that does not fit its question, with the reason in Chinese and English."""

    def __init__(self, field: str, message_zh: str, message_en: str) -> None:
        super().__init__(message_zh)
        self.error = FieldError(field, message_zh, message_en)


def clean(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


def is_unknown(text: str) -> bool:
    return clean(text).lower() in UNKNOWN_WORDS


def is_skip(text: str) -> bool:
    return clean(text).lower() in SKIP_WORDS


def _choice(ask: Ask, text: str) -> str:
    for number, (value, label) in enumerate(ask.choices, start=1):
        if text in (value, label, str(number)) or text == label.split("（")[0]:
            return value
    if ask.kind == "industry" and re.fullmatch(r"[A-Ta-t](\d{2}(\d{1,2})?)?", text):
        return text.upper()  # a GB/T 4754 code typed by hand
    raise AnswerError(ask.field, "请从选项中选择（可输入序号）", "choose one of the options (its number will do)")


def _integer(ask: Ask, text: str, top: int | None = None) -> int:
    try:
        value = int(text.replace(",", ""))
    except ValueError:
        raise AnswerError(ask.field, "应为整数", "must be a whole number") from None
    if value < 0:
        raise AnswerError(ask.field, "不能小于 0", "must not be negative")
    if top is not None and value > top:
        raise AnswerError(ask.field, f"一次最多 {top}", f"at most {top}")
    return value


def _money(ask: Ask, text: str) -> int | str:
    try:
        value = Decimal(text.replace(",", "")) * ask.scale
    except InvalidOperation:
        raise AnswerError(ask.field, "应为数字", "must be a number") from None
    if not value.is_finite() or value < 0:
        raise AnswerError(ask.field, "应为不小于 0 的数字", "must be a number not below 0")
    if value != value.quantize(Decimal("0.01")):
        raise AnswerError(ask.field, "金额最多精确到分", "at most 2 decimals in yuan")
    # JSON never carries money as a float: an integer, or the exact decimal as text
    return int(value) if value == value.to_integral_value() else str(value.quantize(Decimal("0.01")))


def _date(ask: Ask, text: str) -> str:
    match = _DATE.match(text)
    try:
        if match is None:
            raise ValueError
        return dt.date(*(int(g) for g in match.groups())).isoformat()
    except ValueError:
        raise AnswerError(ask.field, "日期格式应为 YYYY-MM-DD", "date must be YYYY-MM-DD") from None


def parse_answer(ask: Ask, text: str) -> Any:
    """The profile value of an answer typed for ``ask`` (not 不清楚 / 跳过: check those first)."""
    text = clean(text)
    if not text:
        raise AnswerError(ask.field, "请回答，或答“不清楚”“跳过”", "answer, or say unknown / skip")
    if ask.kind == "bool":
        word = text.lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise AnswerError(ask.field, "请回答“是”或“否”", "answer yes or no")
    if ask.kind == "count":
        if text.isdigit():  # "1" is one item here, not "yes"
            return _integer(ask, text, MAX_ITEMS)
        if text in FALSE_WORDS:
            return 0
        if text.lower() in TRUE_WORDS:
            raise AnswerError(ask.field, f"有的话请填共几{ask.unit}（数字）", "if any, how many (a number)")
        return _integer(ask, text, MAX_ITEMS)
    if ask.kind in ("choice", "industry"):
        return _choice(ask, text)
    if ask.kind == "int":
        return _integer(ask, text)
    if ask.kind == "money":
        return _money(ask, text)
    if ask.kind == "date":
        return _date(ask, text)
    return text


def with_answer(data: dict[str, Any], field: str, value: Any) -> dict[str, Any]:
    """A copy of the profile data with one answer written in: a count opens that many unknown
    items (a list already told keeps its first items: changing 2 hires to 3 adds one unknown hire);
    ``hires[2]`` sets a whole item (one more, when it is the next place)."""
    data = copy.deepcopy(data)
    whole = _WHOLE_ITEM.match(field)
    if whole is not None:
        listed = data.setdefault(whole.group(1), [])
        while len(listed) <= int(whole.group(2)):
            listed.append({})
        listed[int(whole.group(2))] = copy.deepcopy(value)
        return data
    match = _ITEM.match(field)
    if match is None:
        if isinstance(value, int) and not isinstance(value, bool) and field in _LISTS:
            kept = data.get(field) if isinstance(data.get(field), list) else []
            data[field] = kept[:value] + [{} for _ in range(value - len(kept))]
        else:
            _set(data, field, value)
        return data
    name, index, inner = match.group(1), int(match.group(2)), match.group(3)
    listed = data.setdefault(name, [])
    while len(listed) <= index:
        listed.append({})
    _set(listed[index], inner, value)
    return data


def without_answer(data: dict[str, Any], field: str) -> dict[str, Any]:
    """A copy of the profile data with one answer taken back (unknown again): a list as a whole
    goes with its items; an item's field leaves the item in place."""
    data = copy.deepcopy(data)
    match = _ITEM.match(field)
    if match is None:
        data.pop(field, None)
        return data
    listed = data.get(match.group(1))
    index = int(match.group(2))
    if isinstance(listed, list) and index < len(listed) and isinstance(listed[index], dict):
        *parents, leaf = match.group(3).split(".")
        target = listed[index]
        for part in parents:
            target = target.get(part) if isinstance(target, dict) else None
        if isinstance(target, dict):
            target.pop(leaf, None)
    return data


def _set(target: dict[str, Any], dotted: str, value: Any) -> None:
    *parents, leaf = dotted.split(".")
    for part in parents:
        child = target.get(part)
        if not isinstance(child, dict):
            child = target[part] = {}
        target = child
    target[leaf] = value


_LISTS = frozenset(name for name, info in Profile.model_fields.items() if "list[" in str(info.annotation))


@dataclass(frozen=True)
class Step:
    """The running result of the answers so far, and the questions that can still change it."""

    profile: Profile
    result: Result
    questions: list[Ask]

    @property
    def done(self) -> bool:
        return not self.questions


def step(data: dict[str, Any], as_of: dt.date | None = None, declined: Collection[str] = (),
         book: RuleBook | None = None) -> Step:
    """Evaluate the answers so far and rank what is still worth asking (raises ``ProfileError``)."""
    profile = parse_profile(data)
    result = evaluate(profile, as_of, book)
    return Step(profile, result, rank(profile, result, declined, book))


def answer_from(known: dict[str, Any], field: str) -> Any:
    """What a user who knows exactly ``known`` (contract JSON) answers; None for 不清楚."""
    match = _ITEM.match(field)
    if match is not None:
        listed = known.get(match.group(1))
        index = int(match.group(2))
        if not isinstance(listed, list) or index >= len(listed):
            return None
        target, path = listed[index], match.group(3)
    else:
        target, path = known, field
        if field in _LISTS:
            listed = known.get(field)
            return len(listed) if isinstance(listed, list) else None
    for part in path.split("."):
        if not isinstance(target, dict):
            return None
        target = target.get(part)
    return target


Screen = Callable[[list[Ask]], list[Ask]]


def replay(known: dict[str, Any], as_of: dt.date, book: RuleBook | None = None, screen: Screen = first_group,
           timings: list[tuple[float, float]] | None = None) -> Iterator[tuple[Step, list[Ask]]]:
    """An interview with a simulated user who knows exactly ``known`` and answers just what is
    asked (不清楚 for what ``known`` does not hold): each step asks ``screen`` of the ranked
    questions (``first_group``: one screen of the web interview; ``first_question``: one question,
    the checklist as one; ``lambda asks: asks[:1]``: one field). Yields each step with the
    questions asked at it; the last step asks none (nothing left can change the result).
    ``timings`` collects the wall and CPU seconds of each step (evaluate + rank), for the benchmark."""
    data: dict[str, Any] = {}
    declined: set[str] = set()
    while True:
        wall, cpu = time.perf_counter(), time.process_time()
        current = step(data, as_of, declined, book)
        if timings is not None:
            timings.append((time.perf_counter() - wall, time.process_time() - cpu))
        asked = screen(current.questions)
        yield current, asked
        if not asked:
            return
        for ask in asked:
            value = answer_from(known, ask.field)
            if value is None:
                declined.add(ask.field)
            else:
                data = with_answer(data, ask.field, value)


def as_asked(known: dict[str, Any]) -> dict[str, Any]:
    """``known`` without the item facts no face asks (``NOT_ASKED_IN_LISTS``: the months of social
    insurance are asked once, per insurance, and worked out): what a user can tell the interview."""
    told = copy.deepcopy(known)
    for (list_name, path), _ in NOT_ASKED_IN_LISTS.items():
        for item in told.get(list_name) or []:
            if isinstance(item, dict):
                item.pop(path, None)
    return told

"""The next questions worth asking: every open fact that can still change a result, ranked.

From the rules alone (``engine.openings`` walks the intermediate form), never hand-ordered
per measure: adding a measure file adds its questions. A fact that cannot change any
measure's status or amount is never asked. Ranking, first to last:

1. money at stake (``yuan_at_stake``: the sum, over the measures the fact can change, of
   what each could still bring through it; shares and amounts not known yet add nothing);
2. the number of money measures it can settle, then of all measures;
3. how easy it is to answer: yes/no (and "how many, if any") before a choice before a number,
   an amount or a date;
4. the order of the form (``engine.wording``), then the item's place in its list.

One screen asks the top question and the others of its group (``first_group``): the basic facts,
one topic, one list item, or the checklist. The checklist ("以下哪些情况适用于您？") is every
whole list not told yet that can still change a measure bringing money (exact or up to), in rank
order: each is still its own question with its own field (有几…? / 没有 / 不清楚 / 跳过), but one
glance settles them all. Lists that can change only shares or services keep their topic's screen.
``first_question`` is the unit the benchmark counts as one question: the top question alone, or
the whole checklist (one prompt, one tick per list).

Each question is worded from the one table (``engine.wording``) and carries its field path,
input kind, choices, unit (万元 with its scale where the form uses it), the measures it can
change and the money at stake. A face asks one (or a few) and calls again with the answers
given so far and the fields the user declined (``declined``: 不清楚 / 跳过).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from decimal import Decimal

from engine.evaluate import evaluate
from engine.loader import RuleBook, default_rules
from engine.openings import Opening, Situation, openings
from engine.profile import Profile
from engine.result import Result
from engine.wording import ENTERPRISE, INDUSTRIES, LISTS, SECTIONS, group_of, lookup, question_for

CHECKLIST = "checklist"  # the group of the lists that can still change money: one screen, one question
CHECKLIST_TITLE = "以下哪些情况适用于您？"
EASE = {"bool": 0, "count": 0, "choice": 1, "industry": 1, "text": 1, "int": 2, "money": 2, "date": 2}
INDUSTRY_CHOICES = tuple((code, f"{label}（{group}）") for group, codes in INDUSTRIES for code, label in codes)
_ENTERPRISE_ORDER = {q.path: i for i, q in enumerate(ENTERPRISE)}
_LIST_ORDER = {s.name: i for i, s in enumerate(LISTS)}


@dataclass(frozen=True, slots=True)
class Ask:
    """One question to put to the user."""

    field: str  # the profile path the answer goes to ("hires" for the list itself: how many)
    group: str  # asked on one screen with the others of its group: "basic", a topic, "hires[0]", "checklist"
    text_zh: str
    kind: str  # bool, count, choice, industry, text, int, money, date
    choices: tuple[tuple[str, str], ...]  # (value, label); 不清楚 / 跳过 are always possible besides
    unit: str
    scale: int  # an answer in 万元 is multiplied by this into *_yuan
    hint: str
    measures: tuple[str, ...]  # the measures the answer can change
    money_measures: int  # how many of them bring money
    yuan_at_stake: Decimal


def _wording(path: str) -> tuple[str, str, tuple[tuple[str, str], ...], str, int, str]:
    """(text, kind, choices, unit, scale, hint) of a path, from the one table of questions."""
    if path in SECTIONS:
        section = SECTIONS[path]
        return (section.prompt, "count", (("0", "没有"),), section.counter, 1,
                f"没有请答“没有”；有的话请填共几{section.counter}")
    question, _, _ = lookup(path)
    if question is None:  # a field the table lacks (tests/test_form_model.py keeps this from happening)
        return question_for(path), "text", (), "", 1, ""
    choices = INDUSTRY_CHOICES if question.kind == "industry" else question.choices
    return question_for(path), question.kind, choices, question.unit, question.scale, question.hint


def form_order(path: str) -> tuple[int, int, int, int]:
    """Where the form asks it: enterprise facts in form order, then lists, then their items."""
    if path in _ENTERPRISE_ORDER:
        return (0, _ENTERPRISE_ORDER[path], 0, 0)
    if path in _LIST_ORDER:
        return (1, _LIST_ORDER[path], 0, 0)
    question, section, index = lookup(path)
    if section is not None and index is not None:
        within = section.questions.index(question) if question in section.questions else len(section.questions)
        return (2, _LIST_ORDER[section.name], index, within)
    return (3, 0, 0, 0)


def rank_openings(found: Iterable[Opening]) -> list[Ask]:
    """Group the (fact, measure) openings by fact and rank the facts (see the module's docstring)."""
    by_path: dict[str, list[Opening]] = {}
    for opening in found:
        by_path.setdefault(opening.path, []).append(opening)
    asks = []
    for path, group in by_path.items():
        text, kind, choices, unit, scale, hint = _wording(path)
        measures = tuple(dict.fromkeys(o.measure for o in group))
        money = len({o.measure for o in group if o.money})
        stake = sum((o.yuan for o in group), Decimal(0))
        screen = CHECKLIST if path in SECTIONS and money else group_of(path)
        asks.append(Ask(path, screen, text, kind, choices, unit, scale, hint, measures, money, stake))
    asks.sort(key=lambda a: (-a.yuan_at_stake, -a.money_measures, -len(a.measures), EASE.get(a.kind, 3),
                             form_order(a.field)))
    return asks


def rank(profile: Profile, result: Result, declined: Collection[str] = (), book: RuleBook | None = None) -> list[Ask]:
    """Every question that can still change ``result`` (the evaluation of ``profile``), ranked."""
    book = book or default_rules()
    where = Situation.of(book, profile.model_dump(exclude_none=True), result.as_of, declined)
    return rank_openings(openings(where))


def next_questions(profile: Profile, as_of: dt.date | None = None, limit: int | None = 5,
                   declined: Collection[str] = (), book: RuleBook | None = None) -> list[Ask]:
    """The ``limit`` questions most worth asking next (all of them when ``limit`` is None)."""
    result = evaluate(profile, as_of, book, near_miss=False)  # only the questions are returned
    asks = rank(profile, result, declined, book)
    return asks if limit is None else asks[:limit]


def first_group(asks: list[Ask]) -> list[Ask]:
    """The questions of one screen: the top question and the others of its group, in rank order."""
    return [a for a in asks if a.group == asks[0].group] if asks else []


def first_question(asks: list[Ask]) -> list[Ask]:
    """One question: the top one alone, or the whole checklist when it leads (one prompt, a tick per list)."""
    if asks and asks[0].group == CHECKLIST:
        return first_group(asks)
    return asks[:1]


def ask_for(path: str) -> Ask:
    """A question worded for any path of the table, outside the ranking (to change an answer already
    given): no measures, no money at stake."""
    text, kind, choices, unit, scale, hint = _wording(path)
    return Ask(path, group_of(path), text, kind, choices, unit, scale, hint, (), 0, Decimal(0))

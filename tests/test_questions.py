"""The next question worth asking (engine/questions.py, engine/openings.py, engine/interview.py).

Expected money is worked out by hand from the policy text: M5 最高300万元 per selected project,
M8 一次性100万元, M14 最高30万元 per event, M30 1,500 元 per qualifying hire, M31 最高1,000 元 per
hire with a 30,000 元 total cap; shares (M42, M43) are not money the enterprise receives.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine import evaluate, parse_profile
from engine.interview import AnswerError, answer_from, as_asked, parse_answer, replay, step, with_answer
from engine.questions import CHECKLIST, Ask, ask_for, first_group, first_question, next_questions
from tests.conftest import AS_OF
from tests.question_witness import changes_a_result
from tests.strategies import profiles

QUALIFYING_HIRE = {"birth_date": "2003-05-01", "hired_on": "2025-09-01", "registered_unemployed": True,
                   "contract_months": 12, "social_insurance_months": 6,
                   "insurance_months": {"unemployment": 3, "work_injury": 3, "pension": 3}}
SMALL_MAKER = {"entity_type": "enterprise", "industry_code": "C39", "employees": 35, "revenue_yuan": 12_000_000,
               "founded_on": "2024-03-01"}


def asks(data: dict[str, Any], declined: tuple[str, ...] = ()) -> dict[str, Ask]:
    return {a.field: a for a in next_questions(parse_profile(data), AS_OF, None, declined)}


def test_nothing_known_asks_the_industry_first_with_the_money_of_every_sme_measure() -> None:
    ranked = next_questions(parse_profile({}), AS_OF, limit=3)
    assert ranked[0].field == "industry_code" and ranked[0].kind == "industry"
    # M5 3,000,000 (one project not told yet) + M30 1,500 + M31 1,000 (one hire); M3 and M16 not known yet
    assert ranked[0].yuan_at_stake == Decimal(3_002_500)
    assert {"M5", "M30", "M31", "M3", "M16", "M42"} <= set(ranked[0].measures)
    assert [a.field for a in ranked[1:]] == ["projects", "designations"]  # 3,000,000 then 1,000,000 (M8)


def test_the_size_class_asks_the_figures_of_the_industry_group_only() -> None:
    industrial = asks({"industry_code": "C39"})
    assert {"employees", "revenue_yuan"} <= set(industrial) and "total_assets_yuan" not in industrial
    building = asks({"industry_code": "E"})
    assert {"revenue_yuan", "total_assets_yuan"} <= set(building) and "employees" not in building
    retail_micro = asks({"industry_code": "F52", "employees": 5})  # micro whatever its revenue
    assert "revenue_yuan" not in retail_micro
    finance = asks({"industry_code": "J66"})
    assert "declared_size_class" in finance and "employees" not in finance


def test_a_list_is_asked_before_its_items_and_an_empty_list_is_known_none() -> None:
    unknown = asks(SMALL_MAKER)
    assert unknown["hires"].kind == "count" and unknown["hires"].yuan_at_stake == Decimal(2_500)
    assert not any(f.startswith("hires[") for f in unknown)
    none = asks({**SMALL_MAKER, "hires": []})
    assert not any(f.startswith("hires") for f in none)
    one = asks({**SMALL_MAKER, "hires": [{}]})
    assert "hires" not in one
    assert one["hires[0].contract_months"].yuan_at_stake == Decimal(2_500)  # M30 and M31 both read it
    assert one["hires[0].contract_months"].measures == ("M30", "M31")
    assert one["hires[0].birth_date"].measures == ("M30",)
    # M31's months of social insurance are worked out from the three insurances: asked once, per insurance
    assert "hires[0].social_insurance_months" not in one
    assert one["hires[0].insurance_months.pension"].measures == ("M30", "M31")
    assert one["hires[0].insurance_months.pension"].yuan_at_stake == Decimal(2_500)


def test_a_settled_part_makes_nothing_under_it_matter() -> None:
    failed = asks({**SMALL_MAKER, "hires": [{"contract_months": 6}]})  # fails both M30 and M31 for this hire
    assert not any(f.startswith("hires[0]") for f in failed)
    large = asks({"industry_code": "C39", "employees": 2_000, "revenue_yuan": 500_000_000, "hires": [{}]})
    assert not any(f.startswith("hires[0]") and "M30" in a.measures for f, a in large.items())


def test_the_cap_and_once_stop_the_questions_that_could_only_add_money_beyond_them() -> None:
    individual = {"entity_type": "individual_business", "industry_code": "F52", "employees": 5}
    m31_hire = {"contract_months": 12, "social_insurance_months": 6, "registered_unemployed": False}
    at_cap = asks({**individual, "hires": [m31_hire] * 30 + [{}]})
    assert "M31" not in at_cap["hires[30].contract_months"].measures  # 30 × 1,000 = the 30,000 cap
    below = asks({**individual, "hires": [m31_hire] * 29 + [{}]})
    assert below["hires[29].contract_months"].measures == ("M30", "M31")
    assert below["hires[29].contract_months"].yuan_at_stake == Decimal(2_500)  # M30 1,500 + M31's last 1,000
    assert at_cap["hires[30].contract_months"].yuan_at_stake == Decimal(1_500)
    giant = {"kind": "little_giant", "recognized_on": "2025-06-01"}
    once = asks({**SMALL_MAKER, "designations": [giant, {}]})
    assert not any("M8" in a.measures for a in once.values())  # 一次性: one award whatever the count


def test_shares_add_no_money_and_rank_after_money() -> None:
    ranked = next_questions(parse_profile({**SMALL_MAKER, "hires": []}), AS_OF, None)
    contracts = next(a for a in ranked if a.field == "procurement_contracts")
    assert contracts.yuan_at_stake == 0 and contracts.money_measures == 0 and "M43" in contracts.measures
    assert ranked.index(contracts) > max(i for i, a in enumerate(ranked) if a.money_measures > 0)


def test_ease_breaks_ties_yes_no_before_numbers_and_dates_then_the_form_order() -> None:
    ranked = next_questions(parse_profile({**SMALL_MAKER, "hires": [{"contract_months": 12,
                                                                     "social_insurance_months": 6}]}), AS_OF, None)
    m30_only = [a for a in ranked if a.measures == ("M30",) and a.field.startswith("hires[0]")]
    assert [a.field.removeprefix("hires[0].") for a in m30_only] == [
        "registered_unemployed", "birth_date", "hired_on", "insurance_months.unemployment",
        "insurance_months.work_injury", "insurance_months.pension"]


def test_declined_facts_are_not_asked_again_nor_make_their_partners_matter() -> None:
    one = asks({**SMALL_MAKER, "hires": [{}]}, declined=("hires[0].birth_date",))
    assert "hires[0].birth_date" not in one
    assert "hires[0].hired_on" not in one  # the age needs both dates: with one declined it cannot be decided
    assert "hires[0].registered_unemployed" in one  # it can still make the hire fail M30


def test_the_checklist_asks_every_list_that_can_still_bring_money_on_one_screen() -> None:
    ranked = next_questions(parse_profile({**SMALL_MAKER, "designations": []}), AS_OF, None)
    checklist = [a for a in ranked if a.group == CHECKLIST]
    # M5 one project 3,000,000; M14 one event 300,000; M30 + M31 one hire 2,500; loans and exhibitions bring
    # money whose amount is not known yet; designations are told (none); contracts and tenders bring shares only
    assert [a.field for a in checklist] == ["projects", "events", "hires", "loans", "exhibitions"]
    assert [a.yuan_at_stake for a in checklist] == [3_000_000, 300_000, 2_500, 0, 0]
    assert all(a.kind == "count" and a.money_measures for a in checklist)
    contracts = next(a for a in ranked if a.field == "procurement_contracts")
    assert contracts.group == "procurement" and contracts.money_measures == 0
    assert first_group(ranked) == first_question(ranked) == checklist  # it leads: one screen, one question


def test_one_question_is_the_top_one_alone_unless_the_checklist_leads() -> None:
    ranked = next_questions(parse_profile({}), AS_OF, None)
    assert [a.field for a in first_question(ranked)] == ["industry_code"]
    assert [a.field for a in first_group(ranked)] == ["industry_code", "entity_type", "founded_on"]
    assert first_question([]) == []


def test_a_question_can_be_worded_outside_the_ranking_to_change_an_answer() -> None:
    ask = ask_for("hires[1].insurance_months.pension")
    assert ask.text_zh == "第 2 名新招用人员：职工养老保险已缴几个月？"
    assert ask.kind == "int" and ask.group == "hires[1]"
    assert ask.measures == () and ask.yuan_at_stake == 0
    assert ask_for("revenue_yuan").scale == 10_000 and ask_for("hires").kind == "count"


def test_a_group_is_one_screen() -> None:
    ranked = next_questions(parse_profile({**SMALL_MAKER, "hires": [{}]}), AS_OF, None)
    screen = first_group(ranked)
    assert {a.group for a in screen} == {screen[0].group}
    hire = [a for a in ranked if a.group == "hires[0]"]
    assert hire and all(a.field.startswith("hires[0].") for a in hire)


# --- answers ---------------------------------------------------------------------------

def _ask(field: str, data: dict[str, Any] | None = None) -> Ask:
    return next(a for a in next_questions(parse_profile(data or {}), AS_OF, None) if a.field == field)


def test_answers_are_read_as_the_form_reads_them() -> None:
    assert parse_answer(_ask("industry_code"), "c3911") == "C3911"
    assert parse_answer(_ask("industry_code"), "1") == "C13"  # the number of a choice
    revenue = _ask("revenue_yuan", {"industry_code": "C39"})
    assert revenue.unit == "万元" and parse_answer(revenue, "1,200") == 12_000_000
    assert parse_answer(revenue, "12.345") == 123_450 and parse_answer(revenue, "0.000012") == "0.12"
    assert parse_answer(_ask("hires", SMALL_MAKER), "没有") == 0
    assert parse_answer(_ask("hires", SMALL_MAKER), "1") == 1  # one hire, not "yes" (a word of yes/no questions)
    with pytest.raises(AnswerError):
        parse_answer(_ask("hires", SMALL_MAKER), "有")  # how many, then?
    assert parse_answer(_ask("founded_on", SMALL_MAKER | {"founded_on": None}), "2024年3月1日") == "2024-03-01"
    with pytest.raises(AnswerError) as bad:
        parse_answer(_ask("employees", {"industry_code": "C39"}), "-3")
    assert bad.value.error.field == "employees" and bad.value.error.message_zh == "不能小于 0"


def test_answers_are_written_into_the_profile() -> None:
    data = with_answer({}, "hires", 2)
    assert data == {"hires": [{}, {}]}
    data = with_answer(data, "hires[1].insurance_months.pension", 3)
    assert data["hires"][1] == {"insurance_months": {"pension": 3}} and data["hires"][0] == {}
    assert with_answer({}, "hires", 0) == {"hires": []}
    # a count changed later keeps the items already told: one more hire is one more unknown item
    assert with_answer(data, "hires", 3)["hires"] == [{}, {"insurance_months": {"pension": 3}}, {}]
    assert with_answer(data, "hires", 1)["hires"] == [{}]


# --- the interview as a whole ----------------------------------------------------------

def _interview(known: dict[str, Any], as_of: dt.date, screen: Any = first_group) -> tuple[list[list[Ask]], Any]:
    screens = []
    for current, asked in replay(known, as_of, screen=screen):
        if not asked:
            return screens, current.result
        screens.append(asked)
    raise AssertionError("unreachable")


def test_a_small_manufacturer_reaches_m30_in_a_few_screens() -> None:
    known = {**SMALL_MAKER, "hires": [QUALIFYING_HIRE], "designations": [], "projects": [], "events": [],
             "loans": [], "exhibitions": []}
    screens, result = _interview(known, AS_OF)
    money_screens = [s for s in screens if any(a.money_measures for a in s)]
    # the industry (with the basic facts), the size figures, the checklist, the one hire
    assert [s[0].field for s in money_screens] == ["industry_code", "employees", "projects", "hires[0].contract_months"]
    assert result.by_measure("M30").status == "eligible" and result.by_measure("M30").amount.yuan == 1_500
    questions, _ = _interview(known, AS_OF, first_question)
    # industry, employees, revenue, the checklist, then the hire's seven facts one by one
    assert len([q for q in questions if any(a.money_measures for a in q)]) == 11


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=profiles, as_of=st.dates(dt.date(2022, 1, 1), dt.date(2028, 12, 31)),
       screen=st.sampled_from([first_group, first_question]))
def test_the_interview_ends_with_the_result_of_the_whole_profile(data: dict[str, Any], as_of: dt.date,
                                                                 screen: Any) -> None:
    """A user who answers exactly what is asked (不清楚 for what the profile lacks) ends with the
    result of the whole profile, measure by measure: status and amount, money or not (the profile
    as a user can tell it: without the item facts no face asks, see ``as_asked``), asked screen by
    screen (the web) or question by question (the checklist as one)."""
    known = parse_profile(as_asked(data)).model_dump(mode="json", exclude_none=True)
    _, final = _interview(known, as_of, screen)
    whole = evaluate(parse_profile(known), as_of)
    for got, want in zip(final.results, whole.results, strict=True):
        assert (got.measure, got.status, got.amount) == (want.measure, want.status, want.amount)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=profiles, as_of=st.dates(dt.date(2022, 1, 1), dt.date(2028, 12, 31)))
def test_every_list_of_a_checklist_asked_can_change_money(data: dict[str, Any], as_of: dt.date) -> None:
    """Along a whole interview, each checklist holds only lists not told yet, each of which some
    answer turns into another status or amount of a measure that brings money (see question_witness)."""
    known = parse_profile(as_asked(data)).model_dump(mode="json", exclude_none=True)
    told: dict[str, Any] = {}
    for current, asked in replay(known, as_of, screen=first_question):
        if asked and asked[0].group == CHECKLIST:
            told = current.profile.model_dump(mode="json", exclude_none=True)
            for ask in asked:
                assert ask.field not in told and ask.money_measures, ask.field
                assert changes_a_result(told, ask, as_of, money_only=True), ask.field


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=profiles, as_of=st.dates(dt.date(2022, 1, 1), dt.date(2028, 12, 31)))
def test_every_question_asked_can_change_a_result(data: dict[str, Any], as_of: dt.date) -> None:
    """For each question asked, some answer changes a status or an amount of ``evaluate``: with the
    other open facts left unknown, or given values that keep this one open (see question_witness)."""
    profile = parse_profile(data)
    dump = profile.model_dump(mode="json", exclude_none=True)
    for ask in step(dump, as_of).questions:
        assert changes_a_result(dump, ask, as_of), ask.field


def test_the_simulated_user_answers_from_the_profile() -> None:
    known = {"employees": 3, "hires": [{"insurance_months": {"pension": 2}}]}
    assert answer_from(known, "employees") == 3 and answer_from(known, "revenue_yuan") is None
    assert answer_from(known, "hires") == 1 and answer_from(known, "loans") is None
    assert answer_from(known, "hires[0].insurance_months.pension") == 2
    assert answer_from(known, "hires[1].birth_date") is None

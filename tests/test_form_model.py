"""The self-check form as data: form fields ⇄ Profile dict, and questions for missing paths."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from api.form_model import INDUSTRY_CODES, form_values, parse_form, question_for, questions_for, shown, validate
from api.form_questions import ENTERPRISE, LISTS, NOT_ASKED, NOT_ASKED_IN_LISTS, OTHER
from engine import evaluate, parse_profile
from engine.profile import Profile


def test_every_profile_field_has_a_question() -> None:
    """A new Profile field (issue 3) needs one Question in api/form_questions.py, or a NOT_ASKED reason."""
    asked = {q.path.split(".")[0] for q in ENTERPRISE} | {s.name for s in LISTS} | set(NOT_ASKED)
    assert set(Profile.model_fields) - asked == set()
    for section in LISTS:
        item_model = Profile.model_fields[section.name].annotation.__args__[0].__args__[0]  # list[X] | None
        item_asked = {q.path.split(".")[0] for q in section.questions}
        not_asked = {path for (name, path) in NOT_ASKED_IN_LISTS if name == section.name}
        assert set(item_model.model_fields) - item_asked == not_asked, section.name
        # a field not asked is still carried, so a profile that has it keeps it through the form
        assert {q.path for q in section.carried} == not_asked, section.name


def test_the_payment_record_is_asked_once() -> None:
    # issue 11, point 3: M31's months of social insurance are the per-insurance months M30 asks
    hires = next(s for s in LISTS if s.name == "hires")
    asked = [q.path for q in hires.questions]
    assert "social_insurance_months" not in asked
    assert {"insurance_months.unemployment", "insurance_months.work_injury", "insurance_months.pension"} <= set(asked)


@pytest.mark.parametrize("code", sorted(INDUSTRY_CODES))
def test_every_listed_industry_is_a_valid_code_with_a_size_group(code: str) -> None:
    result = evaluate(parse_profile({"industry_code": code}), dt.date(2026, 1, 1))
    assert result.derived.industry_group is not None, code


def test_blank_is_absent_and_none_is_an_empty_list() -> None:
    parsed = parse_form({"employees": "", "has.hires": "no", "has.loans": "", "loans[0].term_months": ""})
    assert parsed.profile == {"hires": []}


def test_answers_become_profile_values() -> None:
    parsed = parse_form({
        "entity_type": "enterprise", "industry_code": "C39", "employees": " 35 ", "revenue_yuan": "1,200",
        "total_assets_yuan": "８００", "founded_on": "2024-03-01", "district": "湖里区",
        "has.hires": "yes", "hires[0].birth_date": "2003-05-01", "hires[0].registered_unemployed": "true",
        "hires[0].insurance_months.pension": "3",
        "procurement_contracts[0].amount_yuan": "200", "procurement_contracts[0].prepayment_arranged": "true",
    })
    profile = validate(parsed)
    assert profile is not None, parsed.errors
    assert profile.employees == 35
    assert profile.revenue_yuan == Decimal("12000000") and profile.total_assets_yuan == Decimal("8000000")
    assert profile.hires[0].insurance_months.pension == 3 and profile.hires[0].registered_unemployed is True
    assert profile.procurement_contracts[0].amount_yuan == Decimal("2000000")  # a filled row means 有


def test_blank_rows_are_dropped_and_rows_renumbered() -> None:
    parsed = parse_form({"has.hires": "yes", "hires[0].birth_date": "", "hires[3].birth_date": "2003-05-01"})
    assert parsed.profile["hires"] == [{"birth_date": "2003-05-01"}]
    assert parsed.values["hires[0].birth_date"] == "2003-05-01" and parsed.rows["hires"] == 1


def test_yes_with_nothing_filled_is_one_unknown_item() -> None:
    assert parse_form({"has.loans": "yes"}).profile == {"loans": [{}]}


def test_a_count_keeps_the_items_nothing_is_known_of_yet() -> None:
    # "3 hires" told in the interview or at the desk, one of them described: two stay unknown items
    parsed = parse_form({"has.hires": "yes", "count.hires": "3", "hires[0].birth_date": "2003-05-01"})
    assert parsed.profile["hires"] == [{"birth_date": "2003-05-01"}, {}, {}] and parsed.rows["hires"] == 3
    # within the count a blank row keeps its place (answers given about hires[1] stay with hires[1])
    parsed = parse_form({"has.hires": "yes", "count.hires": "2", "hires[1].contract_months": "12"})
    assert parsed.profile["hires"] == [{}, {"contract_months": "12"}]
    # rows added beyond the count count too; 没有 wins over a count
    assert len(parse_form({"has.hires": "yes", "count.hires": "1", "hires[2].birth_date": "2003-05-01"})
               .profile["hires"]) == 2
    assert parse_form({"has.hires": "no", "count.hires": "3"}).profile["hires"] == []
    bad = parse_form({"has.hires": "yes", "count.hires": "几个"})
    assert [(e.field, e.message_zh) for e in bad.errors] == [("hires", "共几名应为 1 到 50 的整数")]


def test_form_values_keep_unknown_items_as_a_count_and_round_trip() -> None:
    profile = {"hires": [{}, {"contract_months": 12}], "loans": [], "foreign_trade": True, "revenue_yuan": 12_000_000}
    values = form_values(profile)
    assert values["count.hires"] == "2" and values["hires[1].contract_months"] == "12" and values["has.loans"] == "no"
    assert values["foreign_trade"] == "true" and values["revenue_yuan"] == "1200"  # 万元, as the form asks
    again = parse_form(values)
    assert again.errors == [] and again.profile["hires"] == [{}, {"contract_months": "12"}]
    assert "count.loans" not in values and "count.hires" not in form_values({"hires": [{"contract_months": 12}]})


def test_answers_are_shown_as_people_read_them() -> None:
    assert shown("hires", [{}, {}]) == "2 名" and shown("loans", []) == "没有"
    assert shown("revenue_yuan", 12_000_000) == "12,000,000 元" and shown("foreign_trade", True) == "是"
    assert shown("hires[0].contract_months", 12) == "12 个月" and shown("industry_code", "C39").endswith("（C39）")


def test_add_row_opens_the_section() -> None:
    parsed = parse_form({"hires[0].birth_date": "2003-05-01"}, add_row="hires")
    assert parsed.rows["hires"] == 2 and parsed.values["has.hires"] == "yes"
    assert parse_form({}, add_row="nonsense").rows["hires"] == 1


def test_unlisted_code_from_a_link_goes_to_the_other_box() -> None:
    parsed = parse_form({"industry_code": "c3911"})
    assert parsed.values["industry_code"] == OTHER and parsed.values["industry_code.other"] == "C3911"
    assert parsed.profile["industry_code"] == "C3911"


def test_other_industry_code() -> None:
    parsed = parse_form({"industry_code": OTHER, "industry_code.other": "c3911"})
    assert parsed.profile["industry_code"] == "C3911"
    assert parsed.values["industry_code"] == OTHER


def test_errors_land_beside_their_inputs_and_values_are_kept() -> None:
    parsed = parse_form({"employees": "-3", "revenue_yuan": "abc", "founded_on": "2024-02-30",
                         "hires[0].contract_months": "十二", "district": "湖里区"})
    assert validate(parsed) is None
    by_input = parsed.errors_by_input()
    assert by_input["employees"] == ["不能小于 0"]
    assert by_input["revenue_yuan"] == ["应为数字"]
    assert "founded_on" in by_input and "hires[0].contract_months" in by_input
    assert parsed.values["district"] == "湖里区" and parsed.values["employees"] == "-3"


def test_query_round_trip() -> None:
    from urllib.parse import parse_qsl

    parsed = parse_form({"employees": "35", "has.loans": "no", "hires[0].birth_date": "2003-05-01"})
    again = parse_form(dict(parse_qsl(parsed.query())))
    assert again.profile == parsed.profile and again.values == parsed.values


def test_questions_for_missing_paths() -> None:
    assert question_for("employees") == "从业人员有多少人？"
    assert question_for("hires[1].insurance_months.pension") == "第 2 名新招用人员：职工养老保险已缴几个月？"
    assert question_for("hires") == "近期招用了新员工吗？"
    assert question_for("something_new").startswith("请补充：")
    assert question_for("loans[0]") == "第 1 笔贷款的情况如何？"
    assert question_for("profile") == "请补充企业的基本情况"
    assert questions_for(["employees", "employees"]) == ["从业人员有多少人？"]


def test_error_summary_names_the_inputs() -> None:
    parsed = parse_form({"employees": "-3", "hires[1].contract_months": "x", "has.hires": "yes",
                         "hires[0].birth_date": "2003-01-01"})
    validate(parsed)
    summary = parsed.error_summary()
    assert ("employees", "从业人员", "不能小于 0") in summary
    assert any(anchor == "hires-1-contract_months" and label == "第 2 名新招用人员的劳动合同期限"
               for anchor, label, _ in summary)


def test_topic_facts_and_new_lists_become_profile_values() -> None:
    parsed = parse_form({
        "foreign_trade": "true", "above_designated_size": "false", "uses_existing_land": "true",
        "existing_land_since": "2023-06-01", "debts_settled": "",
        "procurement_projects[0].category": "works", "procurement_projects[0].budget_yuan": "350",
        "procurement_projects[0].suitable_for_sme": "true",
        "receivables[0].debtor_kind": "large_enterprise", "receivables[0].amount_yuan": "12.5",
        "violations[0].harm": "none", "violations[0].minor": "true", "has.events": "no",
        "projects[0].program": "province_tech_innovation", "projects[0].selected": "true",
    })
    profile = validate(parsed)
    assert profile is not None, parsed.errors
    assert profile.foreign_trade is True and profile.above_designated_size is False
    assert profile.existing_land_since == dt.date(2023, 6, 1) and profile.debts_settled is None
    assert profile.procurement_projects[0].budget_yuan == Decimal("3500000")
    assert profile.receivables[0].amount_yuan == Decimal("125000") and profile.events == []
    assert profile.violations[0].harm == "none" and profile.projects[0].selected is True
    assert parsed.open_topics() == {"growth", "land", "procurement", "receivables", "credit", "events",
                                    "recognition"}


def test_a_topic_unfolds_for_an_error_inside_it() -> None:
    parsed = parse_form({"existing_land_since": "2023-02-30"})
    assert validate(parsed) is None
    assert parsed.open_topics() == {"land"}
    assert parse_form({}).open_topics() == set()


def test_questions_for_topic_facts_and_new_lists() -> None:
    assert question_for("in_filed_reclaimed_sea") == "项目是否入驻未批已备案的围填海域？"
    assert question_for("receivables") == "有被拖欠的货款、工程款等账款吗？"
    assert question_for("violations[0].corrected_in_time") == "第 1 起违法行为：是否已及时改正？"


def test_every_choice_is_a_value_the_profile_accepts() -> None:
    """Each offered choice (in BASIC, topics and list rows) must parse; a typo would silently be 'unknown'."""
    for question in ENTERPRISE:
        for value, _ in question.choices:
            if question.kind != "industry":
                assert validate(parse_form({question.path: value})) is not None, (question.path, value)
    for section in LISTS:
        for question in section.fields:
            for value, _ in question.choices:
                path = f"{section.name}[0].{question.path}"
                assert validate(parse_form({path: value})) is not None, (path, value)

"""Hypothesis strategies for valid profiles: every Profile field and list, each present or absent.

Shared by the property tests of the API, the intermediate form and the other readers of the rules.
"""

from __future__ import annotations

import datetime as dt

from hypothesis import strategies as st

from api.form_model import INDUSTRY_CODES

dates = st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2030, 12, 31)).map(dt.date.isoformat)
money = st.decimals(min_value=0, max_value=10**11, places=2, allow_nan=False, allow_infinity=False).map(str)
months = st.integers(min_value=0, max_value=1200)
# ASCII digits only, as the Profile takes
industry = st.one_of(st.sampled_from(sorted(INDUSTRY_CODES)), st.from_regex(r"\A[A-T]([0-9]{2}([0-9]{1,2})?)?\Z"))


def optional(fields: dict) -> st.SearchStrategy[dict]:
    """Each field present or absent (absent = unknown)."""
    return st.fixed_dictionaries({}, optional=fields)


born_then_hired = st.tuples(st.dates(dt.date(1950, 1, 1), dt.date(2012, 12, 31)), st.integers(1, 25_000)).map(
    lambda p: {"birth_date": p[0].isoformat(), "hired_on": (p[0] + dt.timedelta(days=p[1])).isoformat()})
hire = st.tuples(st.one_of(st.just({}), born_then_hired), optional({
    "registered_unemployed": st.booleans(), "contract_months": months,
    "social_insurance_months": months,
    "insurance_months": optional({"unemployment": months, "work_injury": months, "pension": months}),
})).map(lambda parts: {**parts[0], **parts[1]})
profiles = optional({
    "entity_type": st.sampled_from(["enterprise", "individual_business"]),
    "industry_code": industry,
    "employees": st.integers(min_value=0, max_value=10_000_000),
    "revenue_yuan": money, "total_assets_yuan": money, "founded_on": dates,
    "district": st.sampled_from(["思明区", "湖里区", "集美区", "海沧区", "同安区", "翔安区"]),
    "zone": st.sampled_from(["自贸区", "火炬高新区"]),
    "declared_size_class": st.sampled_from(["large", "medium", "small", "micro"]),
    "hires": st.lists(hire, max_size=4),
    "loans": st.lists(optional({
        "kind": st.sampled_from(["key_tech_upgrade", "equipment_renewal", "working_capital", "other"]),
        "principal_yuan": money, "term_months": months}), max_size=3),
    "procurement_contracts": st.lists(optional({"amount_yuan": money, "prepayment_arranged": st.booleans()}),
                                      max_size=3),
    "exhibitions": st.lists(optional({
        "program": st.one_of(st.sampled_from(["闽货华夏行", "福品销全球", "优势产业主题重点境外展会"]),
                             st.text(max_size=20)),
        "fees_yuan": money}), max_size=3),
    "designations": st.lists(optional({
        "kind": st.sampled_from(["little_giant", "specialized_sme", "innovative_sme"]),
        "recognized_on": dates}), max_size=3),
    # enterprise facts and lists of issue 3 (M1–M50)
    **{flag: st.booleans() for flag in (
        "foreign_trade", "converted_from_individual_business", "above_designated_size", "dishonesty_record",
        "recruitment_consortium_member", "group_recruitment_outside", "uses_existing_land",
        "in_filed_reclaimed_sea", "debts_settled", "simple_deregistration_barred")},
    "existing_land_since": dates,
    "projects": st.lists(optional({
        "program": st.sampled_from(["province_tech_innovation", "other"]), "selected": st.booleans()}), max_size=3),
    "events": st.lists(optional({
        "kind": st.sampled_from(["supply_demand_matchmaking", "other"]), "organizer": st.booleans(),
        "held_on": dates}), max_size=3),
    "procurement_projects": st.lists(optional({
        "category": st.sampled_from(["works", "goods", "services"]), "budget_yuan": money,
        "above_procurement_threshold": st.booleans(), "suitable_for_sme": st.booleans()}), max_size=3),
    "receivables": st.lists(optional({
        "debtor_kind": st.sampled_from(["government_agency", "public_institution", "large_enterprise", "other"]),
        "amount_yuan": money, "overdue": st.booleans()}), max_size=3),
    "violations": st.lists(optional({
        "first_violation": st.booleans(), "minor": st.booleans(),
        "harm": st.sampled_from(["none", "minor", "more"]), "corrected_in_time": st.booleans()}), max_size=3),
})

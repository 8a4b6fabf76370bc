"""The durable-rules wrapper: every trap of durable-rules-notes.md, and two found here."""

from __future__ import annotations

import datetime as dt
import resource
import threading

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine import default_rules, evaluate, parse_profile
from engine.compile import _fact_type
from engine.compiled import CompiledRule
from engine.decide import cache_entries
from engine.evaluate import session as book_session
from engine.session import KEPT_SID_FACTS, EngineError, RuleSession
from tests.strategies import profiles

AS_OF = dt.date(2026, 1, 15)
YOUNG_HIRE = {"birth_date": "2003-05-01", "hired_on": "2025-09-01", "registered_unemployed": True,
              "contract_months": 12, "social_insurance_months": 6,
              "insurance_months": {"unemployment": 3, "work_injury": 3, "pension": 3}}


def _profile(i: int) -> dict:
    return {"industry_code": "C3911", "employees": 10 + i % 400, "revenue_yuan": 1_000_000 + 37_000 * i,
            "founded_on": "2024-03-01", "district": "思明区", "hires": [YOUNG_HIRE] * (i % 3),
            "procurement_contracts": [{"amount_yuan": 1000 + i, "prepayment_arranged": i % 2 == 0}]}


def test_two_thousand_evaluations_without_error_or_growth() -> None:
    # more evaluations than the 1,024 live sids durable-rules allows: each leaves its sid empty
    for i in range(200):
        evaluate(parse_profile(_profile(i)), AS_OF)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    entries = cache_entries()
    statuses = set()
    for i in range(2000):
        result = evaluate(parse_profile(_profile(i)), AS_OF)
        assert len(result.results) == 50
        statuses.add(result.by_measure("M30").status)
    grown_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    assert statuses == {"eligible", "ineligible"}
    assert grown_kib < 20_000, f"peak memory grew by {grown_kib} KiB over 2,000 evaluations"
    # decide's caches keep what enterprises share (plans, a locality's parts, results by gate states):
    # a handful of new states at most, and nothing for enterprises already seen
    assert cache_entries() - entries < 20
    entries = cache_entries()
    for i in range(200):
        evaluate(parse_profile(_profile(i)), AS_OF)
    assert cache_entries() == entries


def test_identical_items_are_distinct_facts() -> None:
    # durable-rules rejects an identical fact asserted twice; two identical hires are two people
    result = evaluate(parse_profile({"industry_code": "C", "employees": 30, "revenue_yuan": 5_000_000,
                                     "hires": [YOUNG_HIRE, YOUNG_HIRE]}), AS_OF)
    assert result.by_measure("M30").amount.yuan == 3000


def test_items_no_rule_reads_do_not_crash() -> None:
    # an unmatched fact would crash a batch assert: the sink rule keeps every fact "handled"
    result = evaluate(parse_profile({"hires": [{}], "loans": [{}], "exhibitions": [{}]}), AS_OF)
    assert result.by_measure("M30").status == "undetermined"


def test_missing_reference_is_unknown_not_matched() -> None:
    # durable-rules would compare hired_on with a missing birth_date as if it were present
    result = evaluate(parse_profile({"industry_code": "C", "employees": 30, "revenue_yuan": 5_000_000,
                                     "hires": [{"hired_on": "2025-01-01", "registered_unemployed": True}]}), AS_OF)
    m30 = result.by_measure("M30")
    assert m30.status == "undetermined"
    assert "hires[0].birth_date" in m30.missing


def test_or_before_reference_is_ordered_last() -> None:
    # durable-rules skips a reference comparison that follows an $or in the same $and
    rule = CompiledRule(tag="t", when={"all": [
        {"g": {"$and": [{"t": "d"}]}},
        {"ent": {"$and": [{"t": "ent"}, {"$gte": {"n": {"g": "floor"}}},
                          {"$or": [{"$lt": {"n": 1000}}, {"$lt": {"m": 5}}]}]}},
    ]})
    session = RuleSession("test_or_last", {"r0": rule})
    fired = session.run([{"t": "d", "i": -1, "floor": 300}, {"t": "ent", "i": -1, "n": 35, "m": 1}])
    assert fired == []
    fired = session.run([{"t": "d", "i": -1, "floor": 300}, {"t": "ent", "i": -1, "n": 350, "m": 1}])
    assert [f.tag for f in fired] == ["t"]


def test_concurrent_threads_give_identical_results() -> None:
    # the C core is not thread-safe: the wrapper serialises evaluations
    profiles = [parse_profile(_profile(i)) for i in range(40)]
    expected = [evaluate(p, AS_OF).model_dump() for p in profiles]
    got: dict[int, dict] = {}

    def work(offset: int) -> None:
        for i in range(offset, len(profiles), 4):
            got[i] = evaluate(profiles[i], AS_OF).model_dump()

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [got[i] for i in range(len(profiles))] == expected


def test_same_profile_same_answer() -> None:
    profile = parse_profile(_profile(7))
    assert evaluate(profile, AS_OF).model_dump_json() == evaluate(profile, AS_OF).model_dump_json()


@pytest.mark.parametrize("rules_count", [1, 3])
def test_session_records_item_indexes(rules_count: int) -> None:
    rules = {f"r{k}": CompiledRule(tag=f"k{k}", per_item=True, when={"all": [
        {"item": {"$and": [{"t": "hires"}, {"$gte": {"n": k}}]}}]}) for k in range(rules_count)}
    session = RuleSession(f"test_items_{rules_count}", rules)
    fired = session.run([{"t": "hires", "i": 0, "n": 0}, {"t": "hires", "i": 1, "n": 5}])
    assert sorted((f.tag, f.item) for f in fired) == sorted(
        [("k0", 0), ("k0", 1)] + [(f"k{k}", 1) for k in range(1, rules_count)])


def test_an_item_rule_never_reads_the_enterprise_fact() -> None:
    # all rules share one ruleset now; a firing of an item rule is read as that item's alone
    # (engine.decide), so a rule joining an item with the enterprise fact or another list is refused
    def rule(*types: str) -> CompiledRule:
        return CompiledRule(tag="x", per_item=True, when={"all": [
            {f"a{k}": {"$and": [{"t": fact_type}]}} for k, fact_type in enumerate(types)]})
    assert _fact_type(rule("hires", "d")) == "hires"
    assert _fact_type(rule("ent", "d")) == "ent"
    for refused in (("hires", "ent"), ("hires", "loans")):
        with pytest.raises(ValueError, match="item rules read only their item"):
            _fact_type(rule(*refused))


def _fresh_sids() -> None:
    book_session(default_rules()).close()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(profiles, min_size=2, max_size=4))
def test_a_reused_sid_answers_as_a_fresh_one(raw: list[dict]) -> None:
    # each evaluation retracts its facts from the one sid of the ruleset: nothing of an enterprise
    # may be left to join the next one's facts (same enterprise key 0 every time)
    parsed = [parse_profile(data) for data in raw]
    reused = [evaluate(p, AS_OF).model_dump_json() for p in parsed]
    assert book_session(default_rules()).live_facts == []
    fresh = []
    for profile in parsed:
        _fresh_sids()
        fresh.append(evaluate(profile, AS_OF).model_dump_json())
    assert reused == fresh


def test_a_failed_run_drops_its_sid_and_the_next_run_answers(monkeypatch: pytest.MonkeyPatch) -> None:
    rule = CompiledRule(tag="big", when={"all": [{"m": {"$and": [{"t": "ent"}, {"$gte": {"n": 10}}]}}]})
    session = RuleSession("test_failed_run", {"r0": rule})
    assert [f.tag for f in session.run([{"t": "ent", "i": -1, "n": 11}])] == ["big"]

    def fail(*args: object) -> None:
        raise EngineError("boom")

    with monkeypatch.context() as patch:
        patch.setattr(session, "_record", fail)
        with pytest.raises(EngineError, match="boom"):
            session.run([{"t": "ent", "i": -1, "n": 12}])
    assert session.live_facts == []  # the failed run's sid is gone, facts and all
    assert session.run([{"t": "ent", "i": -1, "n": 3}]) == []
    assert [f.tag for f in session.run([{"t": "ent", "i": -1, "n": 12}])] == ["big"]
    assert session.live_facts == []


def test_a_run_of_many_facts_gives_its_sid_back() -> None:
    # the C core never shrinks a sid's pools (about 7 KB a fact): a long run must not keep them
    rule = CompiledRule(tag="k", per_item=True,
                        when={"all": [{"item": {"$and": [{"t": "hires"}, {"$gte": {"n": 1}}]}}]})
    session = RuleSession("test_long_run", {"r0": rule})
    assert [f.item for f in session.run([{"t": "hires", "i": 0, "n": 1}])] == [0]
    kept = session._sid
    long_run = [{"t": "hires", "i": i, "n": i % 2} for i in range(KEPT_SID_FACTS + 1)]
    assert sorted(f.item for f in session.run(long_run)) == list(range(1, KEPT_SID_FACTS + 1, 2))
    assert session._sid is None  # deleted; the next run opens another
    assert [f.item for f in session.run([{"t": "hires", "i": 0, "n": 1}])] == [0]
    assert session._sid not in (None, kept)

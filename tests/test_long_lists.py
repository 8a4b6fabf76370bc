"""Issue 11, point 7: long lists of identical or empty items evaluate, and a profile's lists are bounded.

durable-rules 2.0.28 keeps the facts of a sid in an index keyed by a 32-bit FNV-1a hash of each
fact's id string, and never compares the strings themselves: two facts whose id strings hash alike
are "the same fact" (``assert_facts`` returns 2). A fact without an ``id`` gets one made from a
64-bit hash of its content, whose decimal string is then hashed to 32 bits, so in a sid of
thousands of facts two of them can collide: 30,000 empty hires on 2025-10-01 always did.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import durable_rules_engine as core
import pytest

from engine import ProfileError, evaluate, parse_profile
from engine.evaluate import ENTERPRISES_PER_SESSION, evaluate_many
from engine.limits import MAX_ITEMS_PER_LIST
from engine.session import FactIds, fact_id, fnv1a32

ROOT = Path(__file__).resolve().parents[1]
FAILED_BEFORE = dt.date(2025, 10, 1)  # the content hashes of 30,000 empty hires collided on this day


def _first_colliding_pair() -> tuple[str, str]:
    seen: dict[int, str] = {}
    n = 0
    while True:
        text = f"x{n}"
        other = seen.setdefault(fnv1a32(text), text)
        if other != text:
            return other, text
        n += 1


def test_the_c_core_tells_facts_apart_by_a_32_bit_hash_of_their_id() -> None:
    # the cause, shown on the C core itself: two different facts whose ids hash alike are "observed"
    first, second = _first_colliding_pair()
    handle = core.create_ruleset("test_id_hash", json.dumps({"r": {"all": [{"m": {"t": "x"}}]}}))
    distinct = [{"id": first, "sid": "a", "t": "x", "v": 0}, {"id": "other", "sid": "a", "t": "x", "v": 1}]
    colliding = [{"id": first, "sid": "b", "t": "x", "v": 0}, {"id": second, "sid": "b", "t": "x", "v": 1}]
    assert core.assert_facts(handle, json.dumps(distinct))[0] == 0
    assert core.assert_facts(handle, json.dumps(colliding))[0] == 2  # ERR_EVENT_OBSERVED


def test_session_fact_ids_never_share_a_hash() -> None:
    ids = [fact_id(n) for n in range(100_000)]
    assert len(set(ids)) == len(ids)
    assert len({fnv1a32(i) for i in ids}) == len(ids)


def test_a_candidate_id_whose_hash_is_taken_is_skipped() -> None:
    first, second = _first_colliding_pair()
    table = FactIds(lambda n: (first, second)[n] if n < 2 else f"c{n}")
    assert [table.get(0), table.get(1)] == [first, "c2"]


THIRTY_THOUSAND_EMPTY_HIRES = """
import datetime as dt
from engine.evaluate import _fire
from engine.facts import build_facts
from engine.loader import default_rules

book = default_rules()
profile = {"entity_type": "enterprise", "industry_code": "C3911", "employees": 35, "hires": [{}] * 30_000}
fired = _fire(book, [build_facts(profile, dt.date(2025, 10, 1), plan=book.fact_plan)])[0]
print(sorted({tag for tags, _, _ in fired for tag in tags if tag.startswith("derived|")}))
"""


def test_thirty_thousand_empty_hires_evaluate() -> None:
    # Beyond the per-profile limit, so straight through facts and the durable-rules session. In a
    # fresh process, as `huiqi check` was: the sid's name is part of a fact's content hash, so only
    # a fresh process repeats the collision of 2025-10-01 (it failed there every time).
    done = subprocess.run([sys.executable, "-c", THIRTY_THOUSAND_EMPTY_HIRES], capture_output=True, text=True,
                          cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "derived|industry_group|工业" in done.stdout


def test_a_full_batch_session_of_identical_items() -> None:
    # 32 enterprises sharing one sid, each with the most identical items a list may hold
    profile = parse_profile({"entity_type": "enterprise", "industry_code": "C3911", "employees": 30,
                             "revenue_yuan": 5_000_000, "founded_on": "2025-01-01",
                             "hires": [{"contract_months": 12, "social_insurance_months": 6}] * MAX_ITEMS_PER_LIST,
                             "designations": [{}] * MAX_ITEMS_PER_LIST})
    results = evaluate_many([profile] * ENTERPRISES_PER_SESSION, FAILED_BEFORE)
    assert len(results) == ENTERPRISES_PER_SESSION
    # M31: up to 1,000 yuan per qualifying hire, capped at 30,000 yuan in total
    assert {r.by_measure("M31").amount.yuan for r in results} == {30_000}
    assert {r.by_measure("M8").status for r in results} == {"undetermined"}


@pytest.mark.parametrize("list_name", ["hires", "designations", "violations"])
def test_a_list_longer_than_the_limit_is_refused_naming_the_list(list_name: str) -> None:
    with pytest.raises(ProfileError) as caught:
        parse_profile({list_name: [{}] * (MAX_ITEMS_PER_LIST + 1)})
    (error,) = caught.value.errors
    assert error.field == list_name
    assert f"最多 {MAX_ITEMS_PER_LIST} 项" in error.message_zh
    assert parse_profile({list_name: [{}] * MAX_ITEMS_PER_LIST})  # the limit itself is accepted


def test_huiqi_check_refuses_thirty_thousand_hires_with_exit_2(tmp_path: Path) -> None:
    path = tmp_path / "profile.json"
    path.write_text(json.dumps({"hires": [{}] * 30_000}), encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "api.cli", "check", str(path), "--as-of", "2025-10-01"],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 2
    assert "hires" in done.stderr and f"最多 {MAX_ITEMS_PER_LIST} 项" in done.stderr
    assert "Traceback" not in done.stderr


def _body_bytes(profile: dict) -> int:
    # as compact as a client can send it: `{},` is 3 bytes an item
    return len(json.dumps({"profile": profile, "as_of": "2026-01-15"}, ensure_ascii=False,
                          separators=(",", ":")).encode())


@pytest.mark.parametrize("list_name", [
    "hires", "loans", "procurement_contracts", "exhibitions", "designations", "events", "projects",
    "procurement_projects", "receivables", "violations",
])
def test_a_response_grows_less_than_a_hundred_times_its_request(list_name: str) -> None:
    # the fixed part (50 measures with their texts, about 60 KB) does not depend on the request; what a
    # list of empty items (the smallest request per item) adds to the response stays under 100x what it
    # adds (an item nothing is known of is asked for as a whole, `hires[7]`, not field by field)
    base = {"entity_type": "enterprise", "industry_code": "C3911"}
    full = {**base, list_name: [{}] * MAX_ITEMS_PER_LIST}
    as_of = dt.date(2026, 1, 15)
    base_response = len(evaluate(parse_profile(base), as_of).model_dump_json().encode())
    full_response = len(evaluate(parse_profile(full), as_of).model_dump_json().encode())
    growth = (full_response - base_response) / (_body_bytes(full) - _body_bytes(base))
    assert growth < 100, f"{list_name}: {growth:.0f}x"


def test_the_api_answers_a_list_beyond_the_limit_with_a_chinese_422_naming_it() -> None:
    from fastapi.testclient import TestClient

    from api.app import create_app

    body = {"profile": {"hires": [{}] * (MAX_ITEMS_PER_LIST + 1)}, "as_of": "2026-01-15"}
    answer = TestClient(create_app()).post("/api/v1/evaluate", json=body)
    assert answer.status_code == 422
    (error,) = answer.json()
    assert error["field"].endswith("hires") and f"最多 {MAX_ITEMS_PER_LIST} 项" in error["message_zh"]
    assert "at most" in error["message_en"]

"""The web interview (/) without a browser: plain form posts and 303s, as with JavaScript off.

Expected money by hand from the policy text: M30 gives 1,500 元 per hire aged 16-24 who was a
registered unemployed person, with a contract of 1 year or more and 3 months or more of unemployment,
work-injury and pension insurance, to a 中小微企业 (a manufacturer of 35 people and 1,200 万元 is small).
"""

from __future__ import annotations

import base64
import re
import zlib
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.interview_state import State, read
from tests.interview_walk import Walk, text_of

AS_OF = "2026-01-15"
START = f"/?as_of={AS_OF}"
BASIC = {"industry_code": ("answer", "C39"), "entity_type": "enterprise", "founded_on": ("answer", "2024-03-01")}
SIZE = {"employees": ("answer", "35"), "revenue_yuan": ("answer", "1200")}
NO_LISTS = {name: "没有" for name in ("projects", "designations", "events", "loans", "exhibitions")}
HIRE = {"hires[0].birth_date": ("answer", "2003-05-01"), "hires[0].hired_on": ("answer", "2025-09-01"),
        "hires[0].registered_unemployed": "true", "hires[0].contract_months": ("answer", "12"),
        **{f"hires[0].insurance_months.{k}": ("answer", "3") for k in ("unemployment", "work_injury", "pension")}}


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(create_app(), follow_redirects=False)


def _to_the_hire(client: TestClient) -> Walk:
    walk = Walk(client, START)
    assert walk.fields == ["industry_code", "entity_type", "founded_on"]
    walk.answer(BASIC)
    assert walk.fields == ["employees", "revenue_yuan"]
    walk.answer(SIZE)
    assert text_of(walk.html, "stage-title") == "以下哪些情况适用于您？"
    assert walk.fields == ["projects", "designations", "events", "hires", "loans", "exhibitions"]
    walk.answer({**NO_LISTS, "hires": ("有", "1")})
    assert text_of(walk.html, "stage-title") == "第 1 名新招用人员"
    return walk


def test_every_question_offers_unknown_and_skip(client: TestClient) -> None:
    walk = Walk(client, START)
    assert walk.status == 200 and "data-interview" in walk.html
    for field in walk.fields:
        block = walk.html[walk.html.index(f'data-field="{field}"'):]
        block = block[:block.index("</fieldset>")]
        assert f'name="answer:{field}" value="不清楚"' in block and f'name="answer:{field}" value="跳过"' in block
    assert 'aria-live="polite"' in walk.html and text_of(walk.html, "run-confirmed") == "暂无"


def test_a_small_manufacturer_reaches_m30_in_four_screens(client: TestClient) -> None:
    walk = _to_the_hire(client)
    assert text_of(walk.html, "screen-stake") == "这一项可能涉及 2,500 元"  # M30 1,500 + M31 up to 1,000
    walk.answer(HIRE)
    assert text_of(walk.html, "run-confirmed") == "1,500 元"
    # M31 (up to 1,000 per hire with 6 months of social insurance) no longer possible: 3 months each
    assert text_of(walk.html, "run-possible") == "0 元"
    assert "涉及资金的问题都已问完" in text_of(walk.html, "money-done")
    summary = Walk(client, walk.link("stop"))
    assert text_of(summary.html, "stage-title") == "已回答的内容"
    assert "1,500 元" in text_of(summary.html, "M30")
    answers = re.findall(r'<div class="answer" data-path="([^"]+)"', summary.html)
    assert answers[:3] == ["entity_type", "industry_code", "employees"] and "hires[0].birth_date" in answers
    assert text_of(summary.html, "run-confirmed") == "1,500 元"


def test_unknown_leaves_the_measures_undetermined(client: TestClient) -> None:
    walk = _to_the_hire(client)
    walk.answer({**HIRE, "hires[0].registered_unemployed": "不清楚"})
    assert text_of(walk.html, "run-confirmed") == "暂无"
    summary = Walk(client, walk.link("stop"))
    entry = summary.html[summary.html.index('data-path="hires[0].registered_unemployed"'):]
    assert '<span class="value">不清楚</span>' in entry[:400]
    result = client.get(summary.link("full-result"))  # the full results page of the same answers
    pending = result.text[result.text.index('id="pending"'):]
    assert 'id="M30"' in pending and "招用时是否为登记失业人员" in pending


def test_editing_an_answer_from_the_summary_returns_to_the_summary_with_the_new_result(client: TestClient) -> None:
    walk = _to_the_hire(client)
    walk.answer(HIRE)
    summary = Walk(client, walk.link("stop"))
    edit = Walk(client, summary.edit_link("hires[0].contract_months"))
    assert text_of(edit.html, "stage-title") == "修改答案" and edit.fields == ["hires[0].contract_months"]
    assert 'value="12"' in edit.html  # the answer given, to change
    response = edit.answer({"hires[0].contract_months": ("answer", "11")})  # 不满1年: M30 no longer applies
    assert response.status_code == 303 and "view=summary" in response.headers["location"]
    assert text_of(edit.html, "stage-title") in ("已回答的内容", "问答完成")
    assert text_of(edit.html, "run-confirmed") == "暂无" and 'id="M30"' not in edit.html
    entry = edit.html[edit.html.index('data-path="hires[0].contract_months"'):]
    assert '<span class="value">11 个月</span>' in entry[:300]


def test_changing_a_count_keeps_the_items_told_and_unknown_takes_an_answer_back(client: TestClient) -> None:
    walk = _to_the_hire(client)
    walk.answer(HIRE)
    summary = Walk(client, walk.link("stop"))
    more = Walk(client, summary.edit_link("hires"))
    more.answer({"hires": ("有", "2")})
    state = read(parse_qs(urlsplit(more.url).query)["s"][0])
    assert state.data["hires"][0]["contract_months"] == 12 and state.data["hires"][1] == {}
    back = Walk(client, more.edit_link("employees"))
    back.answer({"employees": "不清楚"})
    state = read(parse_qs(urlsplit(back.url).query)["s"][0])
    assert "employees" not in state.data and state.declined["employees"] == "u"
    assert '<span class="value">不清楚</span>' in back.html[back.html.index('data-path="employees"'):][:300]


def test_a_wrong_answer_stays_on_its_screen_with_the_reason(client: TestClient) -> None:
    walk = Walk(client, START)
    walk.answer(BASIC)
    response = walk.answer({"employees": ("answer", "-3"), "revenue_yuan": ("answer", "1200")})
    assert response.status_code == 422 and walk.fields == ["employees", "revenue_yuan"]
    block = walk.html[walk.html.index('data-field="employees"'):]
    assert "不能小于 0" in block[:3000] and 'value="-3"' in block[:3000]
    assert 'value="1200"' in walk.html  # the other answer of the screen is kept
    response = walk.answer({"employees": ("answer", ""), "revenue_yuan": "跳过"})
    assert response.status_code == 422 and "请填写，或选“不清楚”“跳过”" in walk.html
    walk.answer({**SIZE})
    response = walk.answer({**NO_LISTS, "hires": ("有", "")})
    assert response.status_code == 422 and "有的话请填共几名（至少 1）" in walk.html


def test_an_implausible_answer_is_confirmed_before_moving_on(client: TestClient) -> None:
    walk = Walk(client, START)
    walk.answer(BASIC)
    response = walk.answer({"employees": ("answer", "35"), "revenue_yuan": ("answer", "12000000")})  # 元 in 万元
    assert response.status_code == 200 and walk.fields == ["employees", "revenue_yuan"]  # not moved on
    warning = text_of(walk.html, "interview-warnings")
    assert "营业收入" in warning and "请核对单位" in warning
    key = re.search(r'value="(confirm:[0-9a-f,]+)" id="confirm-warnings"', walk.html).group(1)  # type: ignore[union-attr]
    response = walk.answer({"employees": ("answer", "35"), "revenue_yuan": ("answer", "12000000")}, action=key)
    assert response.status_code == 303 and walk.fields[0] == "projects"  # confirmed: on to the checklist
    walk.answer({**NO_LISTS, "hires": "没有"})
    assert "interview-warnings" not in walk.html  # a warning confirmed once is not asked again


def test_the_full_form_and_the_interview_share_the_answers(client: TestClient) -> None:
    walk = _to_the_hire(client)
    form = client.get(walk.link("to-form"))
    assert form.status_code == 200 and 'name="has.hires"' in form.text
    assert 'value="35"' in form.text and 'value="1200"' in form.text and 'value="2024-03-01"' in form.text
    assert 'name="count.hires" type="text" inputmode="numeric" value="1"' in form.text  # one hire, nothing known yet
    answers = {"entity_type": "enterprise", "industry_code": "C39", "employees": "35", "revenue_yuan": "1200",
               "founded_on": "2024-03-01", "has.hires": "yes", "has.projects": "no", "as_of": AS_OF,
               **{f"hires[0].{k}": v for k, v in {"birth_date": "2003-05-01", "hired_on": "2025-09-01",
                                                   "registered_unemployed": "true", "contract_months": "12"}.items()}}
    started = client.get("/interview/start", params=answers)
    assert started.status_code == 303 and started.headers["location"].startswith("/?s=")
    onward = Walk(client, started.headers["location"])
    # what the form told is not asked again: the checklist holds only the lists it left open
    assert onward.fields == ["designations", "events", "loans", "exhibitions"]
    bad = client.get("/interview/start", params={**answers, "employees": "-3"})
    assert bad.status_code == 422 and "不能小于 0" in bad.text  # the form again, with the reason


def test_older_links_with_form_answers_open_the_full_form(client: TestClient) -> None:
    response = client.get("/?employees=3&as_of=2026-01-15")
    assert response.status_code == 303 and response.headers["location"] == "/form?employees=3&as_of=2026-01-15"


def test_with_javascript_a_step_answers_with_the_fragment_and_its_address(client: TestClient) -> None:
    walk = Walk(client, START)
    response = walk.post(BASIC, headers={"X-Huiqi-Fragment": "1"})
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div id="interview"') and "<html" not in response.text
    location = response.headers["x-huiqi-location"]
    assert location.startswith("/?s=") and response.headers["cache-control"] == "no-store"
    assert 'name="q" value="employees"' in response.text
    again = client.get("/interview/step" + location[1:])  # the back button and links fetch the same fragment
    assert again.status_code == 200 and 'name="q" value="employees"' in again.text and "<html" not in again.text
    page = client.get(location)
    assert page.text.startswith("<!doctype html>") and 'name="q" value="employees"' in page.text


@pytest.mark.parametrize("token", [
    "nonsense!", "A" * 17_000,
    base64.urlsafe_b64encode(zlib.compress(b"[1, 2]")).decode(),
    base64.urlsafe_b64encode(zlib.compress(b'{"p": {"employees": -3}}')).decode(),
    base64.urlsafe_b64encode(zlib.compress(b'{"p": {}, "d": {"x; drop": "u"}}')).decode(),
    base64.urlsafe_b64encode(zlib.compress(b'{"p": {"a": "' + b"0" * 300_000 + b'"}}', 9)).decode(),
])
def test_a_broken_or_tampered_link_is_a_clear_error(client: TestClient, token: str) -> None:
    response = client.get("/", params={"s": token})
    assert response.status_code == 422 and "Traceback" not in response.text
    assert "链接中的答案无法读取" in response.text or "不能小于 0" in response.text


def test_the_state_round_trips_through_its_token() -> None:
    state = State({"employees": 35, "hires": [{}, {"contract_months": 12}]}, {"hires[0].birth_date": "s"}, {"0" * 16})
    again = read(state.token())
    assert (again.data, again.declined, again.confirmed) == (state.data, state.declined, state.confirmed)
    assert len(state.token()) < 200

"""The results lead with what is possible and what it takes (issue 11, point 6): page, console, CLI.

A small manufacturer has one young hire whose details are partly unknown; every other list is
known to be empty. Nothing is confirmed yet, but by the text M30 could bring 1,500 元 for that
hire (每人1500元) and M31 up to 1,000 元 (每人不超过1000元): 2,500 元 in all is possible.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
from html import unescape

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.form_model import question_for
from api.text_report import render_text
from engine import evaluate, parse_profile
from tests.conftest import ROOT

AS_OF = "2026-01-15"
EMPTY_LISTS = ("loans", "procurement_contracts", "exhibitions", "designations", "projects", "events",
               "procurement_projects", "receivables", "violations")
FORM = {
    "as_of": AS_OF, "entity_type": "enterprise", "industry_code": "C39", "employees": "35", "revenue_yuan": "1200",
    "total_assets_yuan": "800", "founded_on": "2024-03-01", "district": "湖里区", "has.hires": "yes",
    "hires[0].birth_date": "2003-05-01", "hires[0].hired_on": "2025-09-01",
    **{f"has.{name}": "no" for name in EMPTY_LISTS}, "action": "check",
}
PROFILE = {"entity_type": "enterprise", "industry_code": "C39", "employees": 35, "revenue_yuan": 12_000_000,
           "total_assets_yuan": 8_000_000, "founded_on": "2024-03-01", "district": "湖里区",
           "hires": [{"birth_date": "2003-05-01", "hired_on": "2025-09-01"}], **{n: [] for n in EMPTY_LISTS}}


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(create_app())


def _plain(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).strip()


def _zero(text: str) -> bool:
    return re.search(r"(?<![\d,.])0 元", text) is not None


def _questions_under(html: str, measure: str) -> list[str]:
    card = html.split(f'id="{measure}"')[1].split("</article>")[0]
    return [unescape(q) for q in re.findall(r"<li>(.*?)</li>", card)]


def test_nothing_confirmed_but_money_possible_leads_with_what_it_takes(client: TestClient) -> None:
    page = client.post("/check", data=FORM)
    assert page.status_code == 200, page.text[:300]
    totals = page.text.split('id="totals"')[1].split("</section>")[0]
    assert not _zero(_plain(totals)) and 'id="total-exact"' not in totals and 'id="total-up-to"' not in totals
    asked = list(dict.fromkeys(_questions_under(page.text, "M30") + _questions_under(page.text, "M31")))
    assert "第 1 名新招用人员：劳动合同签了几个月？" in asked
    lead = _plain(totals.split('id="possible"')[1].split("</p>")[0].split(">", 1)[1])
    assert lead == f"可能涉及 2,500 元，再回答 {len(asked)} 个问题即可确定"
    assert page.text.index('id="possible"') < page.text.index('id="pending"')


def test_confirmed_money_comes_first_and_what_is_possible_is_added(client: TestClient) -> None:
    both = {**FORM, "hires[1].birth_date": "2004-06-01", "hires[1].hired_on": "2025-09-01",
            "hires[1].registered_unemployed": "true", "hires[1].contract_months": "12",
            **{f"hires[1].insurance_months.{k}": "3" for k in ("unemployment", "work_injury", "pension")}}
    page = client.post("/check", data=both)
    totals = page.text.split('id="totals"')[1].split("</section>")[0]
    assert 'id="total-exact">3,000 元' not in totals  # one qualifying hire so far: 1 × 1,500
    assert 'id="total-exact">1,500 元' in totals
    assert 'id="total-up-to"' not in totals  # M31 still needs the months of social insurance: no "0 元" line
    # M31 (不超过1000元 per hire with 6 months of social insurance): hires[1] has the three insurances
    # for 3 months, i.e. 3 months of social insurance (the smallest of the three): known to fail;
    # only hires[0] is open, so at most 1 × 1,000 元 is possible (this read 2,000: an over-promise)
    assert "另可能涉及 1,000 元" in _plain(totals)


def test_no_money_at_all_says_so_instead_of_two_zeros(client: TestClient) -> None:
    large = {**FORM, "employees": "1500", "revenue_yuan": "500000", "has.hires": "no"}
    page = client.post("/check", data=large)
    totals = page.text.split('id="totals"')[1].split("</section>")[0]
    assert not _zero(_plain(totals)) and 'id="possible"' not in totals
    assert "暂无确定或可能的资金支持" in _plain(totals)


def test_cli_summary_speaks_as_the_page_does() -> None:
    result = evaluate(parse_profile(PROFILE), dt.date.fromisoformat(AS_OF))
    text = render_text(result)
    assert not _zero(text) and "最高金额合计" not in text and "缺少：" not in text
    lead = text.splitlines()[3:5]
    asked = list(dict.fromkeys(question_for(p) for m in ("M30", "M31") for p in result.by_measure(m).missing))
    assert lead == ["可享受 1 项。", f"可能涉及 2,500 元，再回答 {len(asked)} 个问题即可确定。"]
    m31 = text.split("? M31")[1].split("  ? ")[0]
    assert "· 第 1 名新招用人员：劳动合同签了几个月？" in m31
    assert "hires[0]" not in text and "social_insurance_months" not in text


def test_the_api_totals_carry_what_is_possible(client: TestClient) -> None:
    doc = client.post("/api/v1/evaluate", json={"profile": PROFILE, "as_of": AS_OF}).json()
    assert doc["totals"] == {"exact_yuan": 0, "up_to_yuan": 0, "potential_yuan": 2500}


@pytest.mark.parametrize("args", [["check", "examples/small-manufacturer.json", "--as-of", AS_OF],
                                  ["check", "examples/small-manufacturer.json", "--as-of", AS_OF, "--json"],
                                  ["rules", "list"]])
def test_output_into_a_pipe_closed_early_is_no_traceback(args: list[str]) -> None:
    # like `huiqi check p.json | head -1`: the reader is gone before huiqi writes anything
    child = subprocess.Popen([sys.executable, "-m", "api.cli", *args], cwd=ROOT,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert child.stdout is not None and child.stderr is not None
    child.stdout.close()
    stderr = child.stderr.read().decode()
    assert child.wait(timeout=60) == 141
    assert "Traceback" not in stderr and "BrokenPipe" not in stderr, stderr

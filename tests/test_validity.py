"""Validity over time: a measure whose window has ended drops out after that date, and the
catalogue and ``huiqi rules list --as-of`` say so. Two releases are evaluated in one process."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from api.app import templates
from api.catalogue_view import detail_of
from api.cli import main
from engine import evaluate, load_rules, parse_profile
from engine.session import _REGISTERED
from tests.releases import revised_rules

# A shop (个体工商户) with one hire on a 12-month contract and 6 months of social insurance: M31
# (创业带动就业补贴) applies to 个体工商户 whatever their age, at up to 1,000 元 per such hire.
SHOP = {"entity_type": "individual_business", "industry_code": "F5212", "employees": 3, "district": "思明区",
        "hires": [{"birth_date": "2000-06-01", "hired_on": "2025-06-01", "registered_unemployed": False,
                   "contract_months": 12, "social_insurance_months": 6}]}
# A small manufacturer with two hires aged 16-24, registered unemployed, 12-month contracts and three
# insurances paid 3 months: M30 (扩岗补助) pays 1,500 元 each under the shipped rules, 2,000 元 under the revision.
MANUFACTURER = {"industry_code": "C3911", "employees": 35, "revenue_yuan": 12_000_000, "district": "湖里区",
                "hires": [{"birth_date": "2003-05-01", "hired_on": "2025-09-01", "registered_unemployed": True,
                           "contract_months": 12, "insurance_months": {"unemployment": 3, "work_injury": 3,
                                                                       "pension": 3}}] * 2}


@pytest.fixture(scope="module")
def revised(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return revised_rules(tmp_path_factory.mktemp("release") / "rules")


def test_a_measure_drops_out_the_day_after_its_window_ends(revised: Path) -> None:
    book = load_rules(revised)
    shop = parse_profile(SHOP)
    last_day = evaluate(shop, dt.date(2025, 12, 31), book).by_measure("M31")
    assert last_day.status == "eligible" and last_day.amount.yuan == 1000  # 届满之日 still in force
    after = evaluate(shop, dt.date(2026, 1, 1), book).by_measure("M31")
    assert after.status == "ineligible" and after.reasons == ["本措施已于 2025-12-31 到期"]
    assert after.amount.yuan is None


def test_a_measure_not_yet_started_is_not_applied(tmp_path: Path) -> None:
    from tests.releases import copy_rules, edit

    rules = copy_rules(tmp_path / "rules")
    edit(rules / "measures" / "M31.yaml", "validity:\n", "validity:\n  from: 2026-03-01\n")
    book = load_rules(rules)
    before = evaluate(parse_profile(SHOP), dt.date(2026, 2, 28), book).by_measure("M31")
    assert before.status == "ineligible" and before.reasons == ["本措施自 2026-03-01 起执行，评估日尚未到执行期"]
    assert evaluate(parse_profile(SHOP), dt.date(2026, 3, 1), book).by_measure("M31").status == "eligible"


def test_two_releases_are_evaluated_in_one_process(book, revised: Path) -> None:
    new = load_rules(revised)
    assert new.version != book.version
    profile = parse_profile(MANUFACTURER)
    day = dt.date(2026, 1, 15)
    amounts = [evaluate(profile, day, b).by_measure("M30").amount.yuan for b in (book, new, book, new)]
    assert amounts == [3000, 4000, 3000, 4000]
    assert {f"huiqi_{book.version}", f"huiqi_{new.version}"} <= set(_REGISTERED)  # one ruleset name each


def test_rules_list_as_of_shows_what_is_in_force(revised: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["rules", "list", "--rules", str(revised), "--as-of", "2025-12-31"]) == 0
    out = capsys.readouterr().out
    assert "M31 [补贴] 创业带动就业补贴" in out and "2025-12-31 在执行期内的措施 50 项，不在执行期内的 0 项。" in out
    assert main(["rules", "list", "--rules", str(revised), "--as-of", "2026-01-01"]) == 0
    out = capsys.readouterr().out
    assert "[补贴] 创业带动就业补贴" not in out
    assert ("2026-01-01 在执行期内的措施 49 项，不在执行期内的 1 项：\n"
            "   M31 创业带动就业补贴：本措施已于 2025-12-31 到期") in out


def test_catalogue_says_when_each_measure_applies(revised: Path) -> None:
    m31 = load_rules(revised).measure("M31")
    page = templates().get_template("_measure.html")
    ended = page.render(m=detail_of(m31, dt.date(2026, 1, 1)))
    assert "<b>执行期限：</b>至 2025-12-31 止" in ended and "不在执行期" in ended
    assert "本措施已于 2025-12-31 到期" in ended
    in_force = page.render(m=detail_of(m31, dt.date(2025, 12, 31)))
    assert "<b>执行期限：</b>至 2025-12-31 止" in in_force and "不在执行期" not in in_force


def test_catalogue_page_of_the_shipped_rules(book) -> None:
    from fastapi.testclient import TestClient

    from api.app import create_app

    client = TestClient(create_app())
    page = client.get("/catalogue", params={"as_of": "2026-01-15"}).text
    assert f"规则版本：{book.release.name}（{book.release.date.isoformat()} 发布" in page
    assert "2026-01-15 全部措施都在执行期内" in page
    assert "<b>执行期限：</b>原表未写明执行期限，以市人社局发布的实施细则为准。" in page
    detail = client.get("/api/v1/measures/M30").json()
    assert detail["applies"] == "原表未写明执行期限，以市人社局发布的实施细则为准。" and detail["not_in_force"] is None

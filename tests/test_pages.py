"""The self-check pages without a browser: they must work with plain HTML form posts (no JavaScript)."""

from __future__ import annotations

import re
from urllib.parse import unquote

import pytest
from fastapi.testclient import TestClient

from api.app import create_app

SMALL_MANUFACTURER = {
    "as_of": "2026-01-15", "entity_type": "enterprise", "industry_code": "C39", "employees": "35",
    "revenue_yuan": "1200", "total_assets_yuan": "800", "founded_on": "2024-03-01", "district": "湖里区",
    "zone": "火炬高新区", "has.hires": "yes",
    **{f"hires[{i}].{k}": v for i, birth in enumerate(["2003-05-01", "2005-02-10"]) for k, v in {
        "birth_date": birth, "hired_on": "2025-09-01", "registered_unemployed": "true", "contract_months": "12",
        "insurance_months.unemployment": "3", "insurance_months.work_injury": "3",
        "insurance_months.pension": "3"}.items()},
    "has.procurement_contracts": "yes", "procurement_contracts[0].amount_yuan": "200",
    "procurement_contracts[0].prepayment_arranged": "true", "has.loans": "no", "has.exhibitions": "no",
    "has.designations": "no", "action": "check",
}


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(create_app())


def test_form_page(client: TestClient) -> None:
    page = client.get("/form")
    assert page.status_code == 200
    assert 'name="employees"' in page.text and 'name="has.hires"' in page.text
    assert "软件和信息技术服务（I65）" in page.text and "不清楚" in page.text


def test_results_money_first(client: TestClient) -> None:
    page = client.post("/check", data=SMALL_MANUFACTURER)
    assert page.status_code == 200, page.text[:500]
    text = page.text
    assert 'id="total-exact">3,000 元' in text
    m30 = text[text.index('id="M30"'):]
    assert "3,000 元" in m30[:600] and "2 人 × 1,500 元 = 3,000 元" in m30[:800]
    m43 = text[text.index('id="M43"'):]
    # the text encourages 50% for SMEs ("可提高至50%以上"), above a 30% floor: never "不低于50%"
    assert "可提高至50%以上" in m43[:600] and "不低于合同金额的30%" in m43[:600] and "1,000,000 元" in m43[:800]
    assert "不低于合同金额 50%" not in m43[:800] and "不低于50%" not in m43[:800]
    assert "市人社局、火炬管委会" in m30
    assert text.index("可以享受的措施") < text.index("暂不适用的措施")


def test_undetermined_show_questions_ordered_by_money(client: TestClient) -> None:
    page = client.post("/check", data={"employees": "10", "as_of": "2026-01-15"})
    assert "待确定的措施" in page.text
    assert "贵单位属于哪个行业？" in page.text
    pending = re.findall(r'可能涉及 ([\d,]+) 元', page.text)
    amounts = [int(a.replace(",", "")) for a in pending]
    assert amounts == sorted(amounts, reverse=True)


def test_add_row_without_javascript(client: TestClient) -> None:
    data = {"has.hires": "yes", "hires[0].birth_date": "2003-05-01", "employees": "7", "action": "add:hires"}
    page = client.post("/check", data=data)
    assert page.status_code == 200
    assert 'name="hires[1].birth_date"' in page.text and 'value="2003-05-01"' in page.text
    assert 'value="7"' in page.text


def test_invalid_input_rerenders_with_values_and_messages(client: TestClient) -> None:
    page = client.post("/check", data={**SMALL_MANUFACTURER, "employees": "-3"})
    assert page.status_code == 422
    block = page.text[page.text.index('data-field="employees"'):]
    assert "不能小于 0" in block[:800]
    assert 'value="-3"' in block[:800]
    assert 'value="2003-05-01"' in page.text and '<option value="湖里区" selected>' in page.text


def test_reopen_link_keeps_answers(client: TestClient) -> None:
    page = client.post("/check", data=SMALL_MANUFACTURER)
    link = unquote(re.search(r'href="(/form\?[^"]+)" id="edit-link"', page.text).group(1))
    form = client.get(link.replace("&amp;", "&"))
    assert 'value="2005-02-10"' in form.text and 'value="1200"' in form.text
    result_link = re.search(r'href="(/result\?[^"]+)"', page.text).group(1).replace("&amp;", "&")
    again = client.get(result_link)
    assert 'id="total-exact">3,000 元' in again.text


def test_catalogue_pages(client: TestClient) -> None:
    page = client.get("/catalogue")
    assert page.text.count('<article class="card measure"') == 50
    assert "四、加强对中小微企业的要素保障" in page.text and "（十）加大稳岗扩岗支持力度" in page.text
    one = client.get("/catalogue/M30")
    assert "16-24岁" in one.text and "市人社局" in one.text and "16 至 24" in one.text
    assert client.get("/catalogue/M77").status_code == 404


def test_static_css(client: TestClient) -> None:
    css = client.get("/static/huiqi.css")
    assert css.status_code == 200 and "@media print" in css.text


def test_page_errors_are_html_without_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    from api import routes_pages

    monkeypatch.setattr(routes_pages, "evaluate", lambda *a, **k: 1 / 0)
    client = TestClient(create_app(), raise_server_exceptions=False)
    page = client.post("/check", data={"employees": "3"})
    assert page.status_code == 500 and "服务器内部错误" in page.text and "ZeroDivision" not in page.text


def test_bad_as_of_in_link_is_ignored(client: TestClient) -> None:
    page = client.get('/result?employees=3&as_of="><script>x</script>')
    assert page.status_code == 200 and "<script>x" not in page.text


def test_unreadable_form_post_is_a_page_not_a_crash(client: TestClient) -> None:
    fields = {f"x{i}": "1" for i in range(1500)}  # over the form parser's field limit
    page = client.post("/check", data=fields)
    assert page.status_code in (200, 422) and "Traceback" not in page.text


def test_form_body_over_limit(client: TestClient) -> None:
    page = client.post("/check", data={"employees": "1" * (1024 * 1024 + 10)})
    assert page.status_code == 413

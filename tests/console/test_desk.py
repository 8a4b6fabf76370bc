"""The desk, without a browser: lookup, pre-fill, evaluate, declared-only facts, variants, log, advice, export."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

from fastapi.testclient import TestClient
from openpyxl import load_workbook

from tests.console.conftest import AS_OF, CODE, UNKNOWN_CODE, WRONG_CHECK, csrf_of, login
from tests.console.forms import form_fields, text_of

CONTRACT = {"has.procurement_contracts": "yes", "procurement_contracts[0].amount_yuan": "200",
            "procurement_contracts[0].prepayment_arranged": "true"}


def prefilled(client: TestClient) -> tuple[dict[str, str], list[str]]:
    page = client.get(f"/console/form?code={CODE}")
    assert page.status_code == 200
    values, kept = form_fields(page.text, "/console/evaluate")
    return {**values, "as_of": AS_OF}, kept


def evaluate(client: TestClient, changes: dict[str, str], label: str = "", kept: list[str] | None = None) -> Any:
    values, _ = prefilled(client)
    data: dict[str, Any] = {**values, **changes, "label": label, "action": "check"}
    if kept:
        data["kept"] = kept
    return client.post("/console/evaluate", data=data)


def test_lookup_by_valid_code_opens_the_prefilled_form(staff: TestClient) -> None:
    found = staff.get("/console/lookup", params={"q": f" {CODE.lower()} "})
    assert found.status_code == 303 and found.headers["location"] == f"/console/form?code={CODE}"
    values, _ = prefilled(staff)
    assert values["employees"] == "35" and values["revenue_yuan"] == "1200"  # 万元, as the form asks
    assert values["industry_code.other"] == "C3911" and values["district"] == "湖里区"
    assert values["hires[1].birth_date"] == "2005-02-10" and values["has.hires"] == "yes"
    assert values["has.procurement_contracts"] == ""  # not in the registry: unknown
    assert "已从登记库预填" in staff.get(f"/console/form?code={CODE}").text


def test_lookup_with_a_wrong_check_character_says_which_one(staff: TestClient) -> None:
    page = staff.get("/console/lookup", params={"q": WRONG_CHECK})
    assert page.status_code == 422
    expected = f"统一社会信用代码校验位不正确：第 18 位应为 {CODE[-1]}，请核对代码是否抄错"
    assert text_of(page.text, "lookup-error") == expected


def test_lookup_of_a_code_not_in_the_registry_offers_a_declared_profile(staff: TestClient) -> None:
    page = staff.get("/console/lookup", params={"q": UNKNOWN_CODE})
    assert page.status_code == 404 and "登记库中没有这个统一社会信用代码的企业" in page.text
    assert f'href="/console/form?code={UNKNOWN_CODE}"' in page.text
    form = staff.get(f"/console/form?code={UNKNOWN_CODE}")
    assert 'id="not-in-registry"' in form.text


def test_lookup_by_part_of_a_name(staff: TestClient) -> None:
    page = staff.get("/console/lookup", params={"q": "精密制造"})
    assert page.status_code == 200 and f"/console/form?code={CODE}" in page.text
    none = staff.get("/console/lookup", params={"q": "不存在的公司"})
    assert "登记库中没有名称含“不存在的公司”的企业" in none.text
    short = staff.get("/console/lookup", params={"q": "a"})
    assert short.status_code == 422


def test_evaluate_flags_the_facts_only_declared_at_the_desk(staff: TestClient) -> None:
    page = evaluate(staff, CONTRACT)
    assert page.status_code == 200
    assert text_of(page.text, "total-exact") == "3,000 元"  # M30: 2 × 1,500 from the registry's hires
    # the contract was declared at the desk; M30's hires come from the registry
    assert re.findall(r'data-measure="(M\d+)"', page.text) == ["M43"]
    block = page.text.split('data-measure="M43"')[1].split("</div>")[0]
    assert 'data-path="procurement_contracts[0].amount_yuan"' in block
    assert 'data-path="procurement_contracts[0].prepayment_arranged"' in block
    assert "第 1 份政府采购合同的合同金额：2,000,000 元" in block and "合同有预付款安排：是" in block
    m30 = page.text.split('id="M30"')[1].split("</article>")[0]
    assert "所依据的信息均来自登记库" in m30
    assert re.search(r'<tr class="declared" data-path="procurement_contracts\[0\]\.amount_yuan">', page.text)
    assert re.search(r'<tr class="registry" data-path="employees">', page.text)


def test_a_changed_registry_fact_becomes_declared(staff: TestClient) -> None:
    page = evaluate(staff, {"hires[0].contract_months": "36"})
    assert re.search(r'<tr class="declared" data-path="hires\[0\]\.contract_months">', page.text)
    block = page.text.split('data-measure="M30"')[1].split("</div>")[0]
    assert "hires[0].contract_months" in block and "hires[1]" not in block


def test_form_errors_come_back_beside_the_input(staff: TestClient) -> None:
    page = evaluate(staff, {"employees": "很多"})
    assert page.status_code == 422 and 'id="form-errors"' in page.text


def test_variants_are_compared_side_by_side(staff: TestClient) -> None:
    first = evaluate(staff, {}, label="现状")
    values, kept = form_fields(first.text, "/console/evaluate")  # the result page's "keep" form
    kept_page = staff.post("/console/evaluate", data={**values, "action": "keep"})
    assert "已保留的方案" in kept_page.text and "现状" in kept_page.text
    fields, kept = form_fields(kept_page.text, "/console/evaluate")
    fields.update({"has.hires": "yes", "label": "再招 2 名 16-24 岁", "action": "check",
                   **{f"hires[{i}].{k}": v for i in (2, 3) for k, v in {
                       "birth_date": "2004-06-01", "hired_on": "2025-11-01", "registered_unemployed": "true",
                       "contract_months": "12", "insurance_months.unemployment": "3",
                       "insurance_months.work_injury": "3", "insurance_months.pension": "3"}.items()}})
    second = staff.post("/console/evaluate", data={**fields, "kept": kept})
    assert text_of(second.text, "total-exact") == "6,000 元"
    values, kept = form_fields(second.text, "/console/compare")
    compared = staff.post("/console/compare", data={**values, "kept": kept})
    assert compared.status_code == 200
    head = compared.text.split("<thead>")[1].split("</thead>")[0]
    assert "现状" in head and "再招 2 名 16-24 岁" in head
    assert '<tr class="differs" id="row-M30">' in compared.text
    assert '<tr class="totals differs" id="total-exact-row">' in compared.text
    assert '<tr class="totals" id="total-up-to-row">' in compared.text
    row = compared.text.split('id="row-M30"')[1].split("</tr>")[0]
    assert "3,000 元" in row and "6,000 元" in row
    assert '<tr class="" id="row-' in compared.text  # measures the same in both are not marked


def _save(client: TestClient, page: str, note: str) -> str:
    values, _ = form_fields(page, "/console/consultations")
    saved = client.post("/console/consultations", data={**values, "note": note})
    assert saved.status_code == 303
    return saved.headers["location"]


def test_confirmed_evaluation_is_saved_edited_as_new_versions_and_printed(staff: TestClient) -> None:
    where = _save(staff, evaluate(staff, CONTRACT, label="现状").text, "企业将补交采购合同")
    record = staff.get(where)
    assert "第 1 版（共 1 版）" in text_of(record.text, "version-line") and "企业将补交采购合同" in record.text
    staff.post(f"{where}/note", data={"csrf": csrf_of(staff), "note": "合同已核实"})
    record = staff.get(where)
    assert "第 2 版（共 2 版）" in text_of(record.text, "version-line")
    assert "企业将补交采购合同" in record.text.split('id="history"')[1]  # the old version is kept
    edit = staff.get(f"{where}/edit")
    values, _ = form_fields(edit.text, "/console/evaluate")
    assert values["consultation"] == where.rsplit("/", 1)[1] and values["procurement_contracts[0].amount_yuan"] == "200"
    changed = staff.post("/console/evaluate", data={**values, "has.procurement_contracts": "no", "action": "check"})
    assert "保存为记录" in changed.text
    assert _save(staff, changed.text, "无采购合同") == where
    record = staff.get(where)
    assert "第 3 版（共 3 版）" in text_of(record.text, "version-line")
    first = staff.get(f"{where}?version=1")
    assert "这不是最新版本" in first.text and 'data-measure="M43"' in first.text
    advice = staff.get(f"{where}/advice?version=1")
    assert advice.status_code == 200
    sheet = advice.text.split('id="advice"')[1]
    assert "惠企政策咨询建议书" in advice.text and "厦门示例精密制造有限公司" in sheet
    assert text_of(advice.text, "advice-adviser").startswith("wang")
    assert "规则版本" in sheet and "市人社局" in sheet and "3,000 元" in sheet
    assert "企业自报，须核实" in sheet.split('id="advice-M43"')[1].split("</tr>")[0]
    assert 'id="still-needed"' in sheet


def test_log_filters_and_exports(app: Any, staff: TestClient) -> None:
    _save(staff, evaluate(staff, CONTRACT).text, "=HYPERLINK(\"x\")")
    with TestClient(app, follow_redirects=False) as li:
        login(li, name="li")
        _save(li, evaluate(li, {}).text, "李的记录")
    all_rows = staff.get("/console/consultations")
    assert all_rows.text.count("data-id=") == 2
    assert staff.get("/console/consultations?adviser=li").text.count("data-id=") == 1
    assert staff.get("/console/consultations?measure=M43").text.count("data-id=") == 1
    assert staff.get("/console/consultations?enterprise=精密").text.count("data-id=") == 2
    assert staff.get("/console/consultations?date_to=2020-01-01").text.count("data-id=") == 0
    xlsx = staff.get("/console/consultations.xlsx?adviser=wang")
    assert xlsx.headers["content-type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:5] == ("编号", "版本", "版本数", "保存时间（北京时间）", "咨询人员")
    assert len(rows) == 2 and rows[1][4] == "wang" and rows[1][5] == CODE and "M43" in rows[1][8]
    assert rows[1][13] == "'=HYPERLINK(\"x\")"  # never a live formula
    text = staff.get("/console/consultations.csv").content.decode("utf-8-sig")
    parsed = list(csv.reader(io.StringIO(text)))
    assert parsed[0][0] == "编号" and len(parsed) == 3 and {r[4] for r in parsed[1:]} == {"wang", "li"}


def test_json_routes_for_staff(staff: TestClient) -> None:
    record = staff.get(f"/api/v1/console/registry/{CODE}")
    assert record.status_code == 200 and record.json()["profile"]["employees"] == 35
    assert staff.get(f"/api/v1/console/registry/{WRONG_CHECK}").status_code == 422
    assert staff.get(f"/api/v1/console/registry/{UNKNOWN_CODE}").status_code == 404
    assert staff.get("/api/v1/console/consultations").json() == []


def test_a_saved_consultation_records_the_rules_release(db_url: str, staff: TestClient) -> None:
    from sqlalchemy import select

    from engine import default_rules
    from store.console_models import ConsultationVersion
    from store.db import open_database

    where = _save(staff, evaluate(staff, CONTRACT).text, "版本记录")
    staff.post(f"{where}/note", data={"csrf": csrf_of(staff), "note": "改备注"})  # version 2 copies it
    book = default_rules()
    rows = staff.get("/api/v1/console/consultations").json()
    assert (rows[0]["rules_release"], rows[0]["rules_release_date"], rows[0]["rules_version"]) == (
        book.release.name, book.release.date.isoformat(), book.version)
    advice = staff.get(f"{where}/advice").text.split('id="advice"')[1]
    assert f"{book.release.name}（{book.release.date.isoformat()} 发布，内容版本 {book.version}）" in advice
    with open_database(db_url).connect() as conn:
        stored = conn.execute(select(ConsultationVersion.rules_release, ConsultationVersion.rules_release_date)).all()
    assert stored == [(book.release.name, book.release.date)] * 2

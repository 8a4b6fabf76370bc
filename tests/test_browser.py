"""The self-check form in a real browser: Playwright driving Debian's Chromium (scripts/install-browser.sh).

Skipped only when Chromium cannot be launched at all. Screenshots go to tests/artifacts/ (git-ignored).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright 未安装 / playwright not installed")


ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
PHONE = {"width": 375, "height": 667}
A4_CONTENT = {"width": 704, "height": 1028}  # A4 at 96 dpi inside the print stylesheet's page margins


@pytest.fixture
def phone(browser):  # a phone with JavaScript OFF: the form must work without it
    context = browser.new_context(viewport=PHONE, java_script_enabled=False, locale="zh-CN")
    page = context.new_page()
    yield page
    context.close()


def _no_horizontal_scroll(page) -> None:
    width, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width <= inner, f"页面可横向滚动：scrollWidth {width} > innerWidth {inner}"


def _fill_basic(page, employees: str = "35") -> None:
    page.select_option("#entity_type", "enterprise")
    page.select_option("#industry_code", "C39")
    page.fill("#employees", employees)
    page.fill("#revenue_yuan", "1200")
    page.fill("#total_assets_yuan", "800")
    page.fill("#founded_on", "2024-03-01")
    page.select_option("#district", "湖里区")
    page.select_option("#zone", "火炬高新区")


def _fill_hire(page, i: int, birth: str, hired: str) -> None:
    page.fill(f"#hires-{i}-birth_date", birth)
    page.fill(f"#hires-{i}-hired_on", hired)
    page.select_option(f"#hires-{i}-registered_unemployed", "true")
    page.fill(f"#hires-{i}-contract_months", "12")
    for insurance in ("unemployment", "work_injury", "pension"):
        page.fill(f"#hires-{i}-insurance_months-{insurance}", "3")


def _open_topic(page, key: str) -> None:
    """Unfold one topic of part 2 (a native <details>: works with JavaScript off)."""
    if page.get_attribute(f"#topic-{key}", "open") is None:
        page.click(f"#topic-{key} > summary")


def test_small_manufacturer_gets_m30_and_m43(phone, base_url: str) -> None:
    page = phone
    ARTIFACTS.mkdir(exist_ok=True)
    page.goto(f"{base_url}/form?as_of=2026-01-15")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "form-folded-phone.png"), full_page=True)
    assert not page.is_visible("#hires-0-birth_date")  # closed until 有 is chosen (CSS only)
    assert not page.is_visible("#industry_code-other")
    page.select_option("#industry_code", "__other__")
    assert page.is_visible("#industry_code-other")  # shown by CSS :has(), no JavaScript
    _fill_basic(page)
    assert not page.is_visible("label[for=has-hires-yes]")  # part 2 starts folded: a short form
    assert not page.is_visible("#debts_settled")
    _open_topic(page, "hiring")
    page.click("label[for=has-hires-yes]")
    assert page.is_visible("#hires-0-birth_date")
    _fill_hire(page, 0, "2003-05-01", "2025-09-01")
    page.click("button[value='add:hires']")  # a plain submit: the server re-renders with one more row
    assert page.url.endswith("#sec-hires")  # ... and the page comes back at the list, not at the top
    assert page.is_visible("#hires-1-birth_date")  # the answered topic comes back unfolded
    assert page.input_value("#hires-0-birth_date") == "2003-05-01"
    assert page.input_value("#employees") == "35"
    _fill_hire(page, 1, "2005-02-10", "2025-10-08")
    _open_topic(page, "procurement")
    page.click("label[for=has-procurement_contracts-yes]")
    page.fill("#procurement_contracts-0-amount_yuan", "200")
    page.select_option("#procurement_contracts-0-prepayment_arranged", "true")
    for topic, section in (("loans", "loans"), ("exhibitions", "exhibitions"), ("recognition", "designations")):
        _open_topic(page, topic)
        page.click(f"label[for=has-{section}-no]")
    _open_topic(page, "growth")
    page.select_option("#above_designated_size", "false")  # an enterprise fact inside a topic
    _no_horizontal_scroll(page)
    page.screenshot(path=str(ARTIFACTS / "form-phone.png"), full_page=True)

    page.click("button.primary[value=check]")
    page.wait_for_selector("#totals")
    m30 = page.locator("article#M30")
    assert "3,000 元" in m30.inner_text() and "2 人 × 1,500 元 = 3,000 元" in m30.inner_text()
    m43 = page.locator("article#M43").inner_text()
    assert "可提高至50%以上" in m43 and "2,000,000 元 × 50% = 1,000,000 元" in m43
    assert "不低于合同金额 50%" not in m43
    assert "3,000 元" in page.inner_text("#total-exact")
    _no_horizontal_scroll(page)
    page.screenshot(path=str(ARTIFACTS / "result-phone.png"), full_page=True)

    page.emulate_media(media="print")
    assert not page.is_visible("header.site") and not page.is_visible("#edit-link")
    assert page.is_visible("article#M30")
    page.screenshot(path=str(ARTIFACTS / "result-print.png"), full_page=True)
    # the same result by its link, printed to PDF (Chromium's print path, print stylesheet applied)
    printing = page.context.browser.new_context(java_script_enabled=False, viewport=A4_CONTENT)
    try:
        printable = printing.new_page()
        printable.goto(base_url + page.get_attribute("a[href^='/result?']", "href"))
        printable.emulate_media(media="print")  # a picture of the printed page, to look at
        printable.screenshot(path=str(ARTIFACTS / "result-print-a4.png"), full_page=True)
        pdf = printable.pdf(path=str(ARTIFACTS / "result.pdf"), format="A4")
    finally:
        printing.close()
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert pages == 1, f"打印摘要应为一页，实际 {pages} 页"

    page.emulate_media(media="screen")
    page.click("#edit-link")  # re-open the form with the same answers
    assert page.input_value("#hires-1-birth_date") == "2005-02-10"
    assert page.input_value("#procurement_contracts-0-amount_yuan") == "200"


RICH = {  # a manufacturer to whom 24 measures apply: the densest print a real answer sheet gives
    "as_of": "2026-01-15", "entity_type": "enterprise", "industry_code": "C39", "employees": "35",
    "revenue_yuan": "1200", "total_assets_yuan": "800", "founded_on": "2024-03-01", "district": "湖里区",
    "zone": "火炬高新区", "foreign_trade": "true", "above_designated_size": "false",
    "converted_from_individual_business": "true", "dishonesty_record": "true", "recruitment_consortium_member": "true",
    "group_recruitment_outside": "true", "uses_existing_land": "true", "existing_land_since": "2023-06-01",
    "in_filed_reclaimed_sea": "true", "debts_settled": "true", "simple_deregistration_barred": "false",
    **{f"hires[{i}].{k}": v for i, birth in enumerate(["2003-05-01", "2005-02-10"]) for k, v in {
        "birth_date": birth, "hired_on": "2025-09-01", "registered_unemployed": "true", "contract_months": "12",
        "insurance_months.unemployment": "3", "insurance_months.work_injury": "3",
        "insurance_months.pension": "3"}.items()},
    "loans[0].kind": "key_tech_upgrade", "loans[0].principal_yuan": "500", "loans[0].term_months": "24",
    "loans[1].kind": "equipment_renewal", "loans[1].principal_yuan": "300", "loans[1].term_months": "24",
    "procurement_contracts[0].amount_yuan": "200", "procurement_contracts[0].prepayment_arranged": "true",
    "exhibitions[0].program": "闽货华夏行", "exhibitions[0].fees_yuan": "20000",
    "exhibitions[1].program": "福品销全球", "designations[0].kind": "little_giant",
    "designations[0].recognized_on": "2025-06-01", "projects[0].program": "province_tech_innovation",
    "projects[0].selected": "true", "events[0].kind": "supply_demand_matchmaking", "events[0].organizer": "true",
    "events[0].held_on": "2025-10-01", "procurement_projects[0].category": "works",
    "procurement_projects[0].budget_yuan": "350", "procurement_projects[0].suitable_for_sme": "true",
    "receivables[0].debtor_kind": "large_enterprise", "receivables[0].overdue": "true",
    "violations[0].minor": "true", "violations[0].harm": "none", "violations[0].corrected_in_time": "true",
}


def test_many_eligible_measures_still_print_short(browser, base_url: str) -> None:
    from urllib.parse import urlencode

    context = browser.new_context(java_script_enabled=False, viewport=A4_CONTENT)
    try:
        page = context.new_page()
        page.goto(f"{base_url}/result?{urlencode(RICH)}")
        assert page.locator("article.eligible").count() >= 20
        ARTIFACTS.mkdir(exist_ok=True)
        pdf = page.pdf(path=str(ARTIFACTS / "result-rich.pdf"), format="A4")
    finally:
        context.close()
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert pages <= 2, f"20 多项可享受措施也应在两页以内，实际 {pages} 页"


def test_new_topics_and_lists_work_without_javascript(phone, base_url: str) -> None:
    page = phone
    page.goto(f"{base_url}/form?as_of=2026-01-15")
    _fill_basic(page)
    _open_topic(page, "credit")
    page.select_option("#dishonesty_record", "false")
    page.click("label[for=has-violations-yes]")
    page.select_option("#violations-0-harm", "none")
    page.select_option("#violations-0-corrected_in_time", "true")
    page.select_option("#violations-0-minor", "true")
    _open_topic(page, "land")
    page.select_option("#uses_existing_land", "true")
    page.fill("#existing_land_since", "2023-06-01")
    page.click("button[value='add:violations']")
    assert page.is_visible("#violations-1-harm") and page.input_value("#violations-0-harm") == "none"
    assert page.input_value("#existing_land_since") == "2023-06-01"  # the land topic stays unfolded
    assert not page.is_visible("#debts_settled")  # an unanswered topic stays folded
    _no_horizontal_scroll(page)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "form-topics-phone.png"), full_page=True)
    page.click("button.primary[value=check]")
    assert "1 起违法行为符合条件" in page.inner_text("article#M50")
    assert "评估日在5年过渡期内" in page.inner_text("article#M35")


def test_negative_employees_shows_field_error_and_keeps_values(phone, base_url: str) -> None:
    page = phone
    page.goto(base_url + "/form")
    _fill_basic(page, employees="-3")
    page.click("button.primary[value=check]")
    error = page.locator("[data-field=employees] .error")
    assert error.inner_text() == "不能小于 0"
    assert page.input_value("#employees") == "-3"
    assert page.input_value("#revenue_yuan") == "1200"
    assert page.input_value("#founded_on") == "2024-03-01"
    assert page.locator("#district").input_value() == "湖里区"
    assert page.locator("#industry_code").input_value() == "C39"
    assert page.locator("[data-field=revenue_yuan] .error").count() == 0
    assert "从业人员：不能小于 0" in page.inner_text("#form-errors")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "form-error-top-phone.png"))
    page.click("#form-errors a[href='#employees']")  # the summary links to the field
    _no_horizontal_scroll(page)
    page.screenshot(path=str(ARTIFACTS / "form-error-phone.png"), full_page=False)


@pytest.mark.parametrize("path", ["/", "/form", "/catalogue", "/catalogue/M30", "/result?employees=3"])
def test_phone_viewport_has_no_horizontal_scrolling(browser, base_url: str, path: str) -> None:
    context = browser.new_context(viewport=PHONE)  # JavaScript on, as in WeChat
    try:
        page = context.new_page()
        page.goto(base_url + path)
        _no_horizontal_scroll(page)
    finally:
        context.close()

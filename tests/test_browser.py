"""The self-check form in a real browser: Playwright driving Debian's Chromium (scripts/install-browser.sh).

Skipped only when Chromium cannot be launched at all. Screenshots go to tests/artifacts/ (git-ignored).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright 未安装 / playwright not installed")

from tests.browser_server import running_server  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
PHONE = {"width": 375, "height": 667}
A4_CONTENT = {"width": 704, "height": 1028}  # A4 at 96 dpi inside the print stylesheet's page margins


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    with running_server() as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    manager = playwright_api.sync_playwright().start()
    try:
        try:
            browser = manager.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        except Exception as exc:  # noqa: BLE001 - any launch failure means "no browser here"
            pytest.skip(f"无法启动 Chromium（{CHROMIUM}；运行 scripts/install-browser.sh）/ cannot launch: {exc}")
        yield browser
        browser.close()
    finally:
        manager.stop()


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
    page.goto(f"{base_url}/?as_of=2026-01-15")
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
    assert "预付款不低于合同金额 50%" in m43 and "2,000,000 元 × 50% = 1,000,000 元" in m43
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


def test_negative_employees_shows_field_error_and_keeps_values(phone, base_url: str) -> None:
    page = phone
    page.goto(base_url + "/")
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


@pytest.mark.parametrize("path", ["/", "/catalogue", "/catalogue/M30", "/result?employees=3"])
def test_phone_viewport_has_no_horizontal_scrolling(browser, base_url: str, path: str) -> None:
    context = browser.new_context(viewport=PHONE)  # JavaScript on, as in WeChat
    try:
        page = context.new_page()
        page.goto(base_url + path)
        _no_horizontal_scroll(page)
    finally:
        context.close()

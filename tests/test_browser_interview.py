"""The guided interview (/) in Chromium on a 375×667 phone, with JavaScript OFF and ON (issue 12, point 5).

Off: every step is a page (a form post, a 303 to the next step's address). On: the same forms are
posted by forms/static/huiqi.js without a full reload (the page's marker survives), the address
follows (history.pushState), focus moves to the new question and the back button steps back.
Screenshots: tests/artifacts/interview-phone-{off,on}-*.png (git-ignored); look at them.

Money by hand from the policy text: M30 gives 1,500 元 for a hire aged 16-24, a registered unemployed
person, with a contract of 1 year or more and 3 months of each insurance, to a small manufacturer.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

pytest.importorskip("playwright.sync_api", reason="playwright 未安装 / playwright not installed")

from tests.test_browser import ARTIFACTS, PHONE, _no_horizontal_scroll  # noqa: E402

WATCH = """window.__violations = [];
document.addEventListener('securitypolicyviolation', e => window.__violations.push(e.violatedDirective));"""
LISTS = ("projects", "designations", "events", "loans", "exhibitions")


@pytest.fixture(params=[False, True], ids=["off", "on"])
def phone(request: pytest.FixtureRequest, browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport=PHONE, java_script_enabled=request.param, locale="zh-CN")
    context.add_init_script(WATCH)
    page = context.new_page()
    page.js = request.param
    yield page
    context.close()


def _shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    _no_horizontal_scroll(page)
    page.screenshot(path=str(ARTIFACTS / f"interview-phone-{'on' if page.js else 'off'}-{name}.png"), full_page=True)


def _wait_title(page: Any, title: str) -> None:
    page.wait_for_selector(f"#stage-title:text-is('{title}')")


def _next(page: Any, title: str | None = None, shows: str | None = None) -> None:
    """Press 下一步 and wait for the next screen (its title, or an element it shows), by a page load or
    by the script (selectors, not page functions: they work with JavaScript off too)."""
    page.click("#next")
    if title is not None:
        _wait_title(page, title)
    if shows is not None:
        page.wait_for_selector(shows)


def _title(page: Any) -> str:
    return page.inner_text("#stage-title")


def _basic_and_size(page: Any, base_url: str) -> None:
    page.goto(f"{base_url}/?as_of=2026-01-15")
    if page.js:
        page.evaluate("window.__same_page = true")  # a full reload would lose it
    assert _title(page) == "基本情况" and page.is_visible("label[for=q-industry_code-unknown]")
    _shot(page, "1-basic")
    page.select_option("#q-industry_code-text", "C39")
    page.click("label[for=q-entity_type-1]")  # 企业
    page.fill("#q-founded_on-text", "2024-03-01")
    _next(page, shows="#q-employees-text")
    assert page.is_visible("#q-employees-text") and page.is_visible("#q-revenue_yuan-text")
    page.fill("#q-employees-text", "35")
    page.fill("#q-revenue_yuan-text", "1200")
    _next(page, "以下哪些情况适用于您？")


def _no_lists_but_one_hire(page: Any) -> None:
    for name in LISTS:
        page.click(f"label[for=q-{name}-no]")
    assert not page.is_visible("#q-hires-text")  # "how many" opens with 有 (CSS alone)
    page.click("label[for=q-hires-yes]")
    page.fill("#q-hires-text", "1")
    _shot(page, "2-checklist")
    _next(page, "第 1 名新招用人员")


def test_a_small_manufacturer_reaches_m30_edits_an_answer_and_steps_back(phone: Any, base_url: str) -> None:
    page = phone
    _basic_and_size(page, base_url)
    _no_lists_but_one_hire(page)
    page.fill("#q-hires-0-birth_date-text", "2003-05-01")
    page.fill("#q-hires-0-hired_on-text", "2025-09-01")
    page.click("label[for=q-hires-0-registered_unemployed-1]")  # 是
    page.fill("#q-hires-0-contract_months-text", "12")
    for insurance in ("unemployment", "work_injury", "pension"):
        page.fill(f"#q-hires-0-insurance_months-{insurance}-text", "3")
    _shot(page, "3-hire")
    _next(page, shows="#money-done")
    assert page.inner_text("#run-confirmed") == "1,500 元"  # four screens: M30's 1,500 元
    assert page.is_visible("#money-done")
    _shot(page, "4-after-money")
    if page.js:
        assert page.evaluate("window.__same_page") is True  # no full reload
        assert page.evaluate("document.activeElement.id") == "stage-title"  # focus on the new question
        assert page.get_attribute("#running", "aria-live") == "polite"
        assert page.evaluate("window.__violations") == []
    assert "s=" in page.url  # each step has its own address

    page.go_back()  # back to the hire's screen
    _wait_title(page, "第 1 名新招用人员")
    assert page.locator("#q-hires-0-birth_date-text").count() == 1
    page.go_back()  # and to the checklist
    _wait_title(page, "以下哪些情况适用于您？")
    page.go_forward()
    page.go_forward()
    page.wait_for_selector("#money-done")

    page.click("#stop")
    page.wait_for_selector("#answers-title")
    assert "1,500 元" in page.inner_text("#M30")
    _shot(page, "5-summary")
    page.click("[data-path='hires[0].contract_months'] a.edit")
    _wait_title(page, "修改答案")
    assert page.input_value("#q-hires-0-contract_months-text") == "12"
    page.fill("#q-hires-0-contract_months-text", "11")  # 不满1年
    _shot(page, "6-edit")
    page.click("#next")
    page.wait_for_selector("#answers-title")
    assert page.inner_text("#run-confirmed") == "暂无" and page.locator("#M30").count() == 0
    assert page.inner_text("[data-path='hires[0].contract_months'] .value") == "11 个月"
    _shot(page, "7-summary-edited")
    if page.js:
        assert page.evaluate("window.__same_page") is True and page.evaluate("window.__violations") == []


def test_unknown_leaves_the_measures_to_be_determined(phone: Any, base_url: str) -> None:
    page = phone
    _basic_and_size(page, base_url)
    for name in LISTS:
        page.click(f"label[for=q-{name}-no]")
    page.click("label[for=q-hires-unknown]")  # 不清楚
    assert not page.is_visible("#q-hires-text")
    _next(page, shows="#q-recruitment_consortium_member")
    assert page.inner_text("#run-confirmed") == "暂无"
    page.click("#stop")
    page.wait_for_selector("#answers-title")
    assert page.inner_text("[data-path=hires] .value") == "不清楚"
    page.click("#full-result")
    page.wait_for_selector("#pending")
    assert page.locator("#pending ~ .pending-list article#M30").count() == 1  # 待确定, not 不适用
    assert "近期招用了新员工吗" in page.inner_text("article#M30")
    _shot(page, "8-unknown-result")


def test_an_implausible_amount_is_confirmed_first(phone: Any, base_url: str) -> None:
    page = phone
    page.goto(f"{base_url}/?as_of=2026-01-15")
    page.select_option("#q-industry_code-text", "C39")
    page.click("label[for=q-entity_type-1]")
    page.click("label[for=q-founded_on-skip]")
    assert not page.is_visible("#q-founded_on-text")  # hidden by 跳过 (CSS alone)
    _next(page, shows="#q-employees-text")
    page.fill("#q-employees-text", "35")
    page.fill("#q-revenue_yuan-text", "12000000")  # yuan typed into the 万元 box
    page.click("#next")
    page.wait_for_selector("#interview-warnings")
    assert "请核对单位" in page.inner_text("#interview-warnings") and _title(page) == "基本情况"
    _shot(page, "9-warning")
    page.click("#confirm-warnings")
    _wait_title(page, "以下哪些情况适用于您？")


def test_a_late_answer_never_replaces_a_newer_step(browser: Any, base_url: str) -> None:
    """Back and forward in quick succession fetch two steps; the first answer is held back so it
    arrives last. The page must show the step asked for last (found flaky under load in CI)."""
    context = browser.new_context(viewport=PHONE, java_script_enabled=True, locale="zh-CN")
    page = context.new_page()
    page.js = True
    try:
        _basic_and_size(page, base_url)
        checklist = page.url
        _no_lists_but_one_hire(page)
        hire = page.url
        page.go_back()
        _wait_title(page, "以下哪些情况适用于您？")
        assert page.url == checklist
        held: list[Any] = []

        def hold_the_first(route: Any) -> None:
            if not held:
                held.append(route)  # answered only after the second step has been shown
            else:
                route.continue_()

        page.route("**/interview/step?**", hold_the_first)
        page.go_forward()  # to the hire's screen: held back
        page.go_back()  # to the checklist again: answered at once
        _wait_title(page, "以下哪些情况适用于您？")
        assert held and page.url == checklist
        held[0].continue_()  # the stale answer arrives now
        page.wait_for_timeout(500)
        assert _title(page) == "以下哪些情况适用于您？" and hire != checklist
    finally:
        context.close()

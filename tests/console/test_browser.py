"""The console in a real browser (Playwright driving Debian's Chromium): a whole desk visit.

Screenshots go to tests/artifacts/console-*.png (git-ignored); the advice sheet is also
printed to PDF by Chromium to check it fits one A4 page.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright 未安装 / playwright not installed")

from openpyxl import load_workbook  # noqa: E402

from api.app import create_app  # noqa: E402
from store.db import open_database  # noqa: E402
from tests.browser_server import launched_chromium, running_server  # noqa: E402
from tests.console.conftest import CODE, PASSWORD, WRONG_CHECK, seed  # noqa: E402

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
DESK = {"width": 1280, "height": 900}


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = f"sqlite:///{tmp_path_factory.mktemp('console') / 'browser.sqlite3'}"
    seed(open_database(url))
    with running_server(create_app(db_url=url)) as base:
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    yield from launched_chromium()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport=DESK, locale="zh-CN", accept_downloads=True)
    yield context.new_page()
    context.close()


def shot(page: Any, name: str, full: bool = True) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"console-{name}.png"), full_page=full)


def _login(page: Any, base_url: str, password: str = PASSWORD, name: str = "wang") -> None:
    page.fill("#name", name)
    page.fill("#password", password)
    page.click("#login")


def test_anonymous_is_sent_to_login(page: Any, base_url: str) -> None:
    page.goto(f"{base_url}/console/consultations")
    assert page.url.startswith(f"{base_url}/console/login?next=")
    shot(page, "login", full=False)


def test_five_wrong_passwords_lock_the_account(page: Any, base_url: str) -> None:
    page.goto(f"{base_url}/console/login")
    for _ in range(5):
        _login(page, base_url, password="not the password", name="li")
        page.wait_for_selector("#login-error")
    assert "账号已锁定 15 分钟" in page.inner_text("#login-error")
    _login(page, base_url, name="li")  # the right password, too late
    page.wait_for_selector("#login-error")
    assert "已锁定" in page.inner_text("#login-error") and "/console/login" in page.url
    shot(page, "lockout", full=False)


def test_a_forged_csrf_token_is_refused(page: Any, base_url: str) -> None:
    page.goto(f"{base_url}/console")
    _login(page, base_url)
    page.wait_for_selector("#who")
    page.evaluate("() => { document.querySelector('form[action=\"/console/logout\"] input[name=csrf]').value"
                  " = 'forged'; }")
    page.click("#logout")
    page.wait_for_load_state()
    assert "CSRF 校验失败" in page.inner_text("#error") and page.is_visible("a[href=\"/console\"]")
    shot(page, "csrf-refused", full=False)
    page.goto(f"{base_url}/console")
    assert page.inner_text("#who") == "wang"  # the forged logout did nothing


def test_a_desk_visit(page: Any, base_url: str) -> None:
    page.goto(f"{base_url}/console")
    _login(page, base_url)
    page.wait_for_selector("#q")
    assert page.inner_text("#who") == "wang"
    cookie = next(c for c in page.context.cookies() if c["name"] == "huiqi_console")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"

    page.fill("#q", WRONG_CHECK)
    page.click("#find")
    assert f"第 18 位应为 {CODE[-1]}" in page.inner_text("#lookup-error")
    shot(page, "lookup-wrong-check", full=False)

    page.fill("#q", CODE)
    page.click("#find")
    page.wait_for_selector("#prefilled")
    assert page.input_value("#employees") == "35" and page.input_value("#hires-1-birth_date") == "2005-02-10"
    shot(page, "form-prefilled")

    page.fill("#label", "现状")
    page.click("label[for=has-procurement_contracts-yes]")
    page.fill("#procurement_contracts-0-amount_yuan", "200")
    page.select_option("#procurement_contracts-0-prepayment_arranged", "true")
    page.evaluate("() => { const f = document.querySelector('form[action=\"/console/evaluate\"]');"
                  " const i = document.createElement('input'); i.type = 'hidden'; i.name = 'as_of';"
                  " i.value = '2026-01-15'; f.appendChild(i); }")  # a fixed evaluation day
    page.click("#evaluate")
    page.wait_for_selector("#totals")
    assert "3,000 元" in page.inner_text("#total-exact")
    declared = page.locator(".declared[data-measure=M43]").inner_text()
    assert "合同金额" in declared and "须提供证明" in declared
    assert "所依据的信息均来自登记库" in page.locator("article#M30").inner_text()
    shot(page, "result-declared")

    page.click("#keep")  # keep "现状", edit a copy: one more young hire
    page.wait_for_selector("#kept")
    page.fill("#label", "再招 1 名 16-24 岁")
    page.click("button[value='add:hires']")
    page.wait_for_selector("#hires-2-birth_date")
    page.fill("#hires-2-birth_date", "2004-06-01")
    page.fill("#hires-2-hired_on", "2025-11-01")
    page.select_option("#hires-2-registered_unemployed", "true")
    page.fill("#hires-2-contract_months", "12")
    for insurance in ("unemployment", "work_injury", "pension"):
        page.fill(f"#hires-2-insurance_months-{insurance}", "3")
    page.click("#evaluate")
    page.wait_for_selector("#compare")
    assert "4,500 元" in page.inner_text("#total-exact")
    page.click("#compare")
    page.wait_for_selector("#compare-table")
    row = page.locator("#row-M30")
    assert "differs" in (row.get_attribute("class") or "")
    assert "3,000 元" in row.inner_text() and "4,500 元" in row.inner_text()
    shot(page, "compare")

    page.goto(f"{base_url}/console/form?code={CODE}")
    page.click("label[for=has-procurement_contracts-yes]")
    page.fill("#procurement_contracts-0-amount_yuan", "200")
    page.select_option("#procurement_contracts-0-prepayment_arranged", "true")
    page.click("#evaluate")
    page.fill("#note", "企业将补交政府采购合同")
    page.click("#save-button")
    page.wait_for_selector("#version-line")
    assert "第 1 版（共 1 版）" in page.inner_text("#version-line")
    page.fill("#new-note", "合同原件已核实")
    page.click("#save-note")
    page.wait_for_selector("#history")
    assert "第 2 版（共 2 版）" in page.inner_text("#version-line")
    assert "企业将补交政府采购合同" in page.inner_text("#history")
    shot(page, "consultation-history")

    page.click("#advice-link")
    page.wait_for_selector("#advice")
    assert "wang" in page.inner_text("#advice-adviser")
    page.emulate_media(media="print")
    assert not page.is_visible("header.site")
    shot(page, "advice-print")
    pdf = page.pdf(path=str(ARTIFACTS / "console-advice.pdf"), format="A4")
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert pages == 1, f"建议书应为一页，实际 {pages} 页"
    page.emulate_media(media="screen")

    page.goto(f"{base_url}/console/consultations")
    assert page.locator("#log tbody tr[data-id]").count() == 1
    shot(page, "log", full=False)
    with page.expect_download() as download:
        page.click("#export-xlsx")
    sheet = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][4] == "wang" and rows[1][13] == "合同原件已核实"

    page.click("#logout")
    page.wait_for_selector("#login")
    page.goto(f"{base_url}/console")
    assert "/console/login" in page.url


def test_the_next_questions_beside_an_evaluation(page: Any, base_url: str) -> None:
    page.goto(f"{base_url}/console/login")
    _login(page, base_url)
    page.wait_for_selector("#q")
    page.goto(f"{base_url}/console/form?code={CODE}")
    page.click("#evaluate")
    page.wait_for_selector("#next-questions")
    first = page.locator("#next-questions li.next-q").first
    assert first.get_attribute("data-field") == "projects" and "3,000,000 元" in first.inner_text()
    shot(page, "next-questions")
    first.locator("input[name=answer]").fill("1")
    first.locator("button[value=answer]").click()  # a plain post: the page comes back, at the questions
    page.wait_for_selector("#next-questions li[data-field='projects[0].selected']")
    assert page.url.endswith("/console/evaluate#next-questions")
    assert page.locator("#next-questions li[data-field=projects]").count() == 0
    shot(page, "next-questions-answered", full=False)

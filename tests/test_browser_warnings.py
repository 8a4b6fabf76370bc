"""Issue 11, point 4 in Chromium on a phone with JavaScript OFF: a unit slip is shown for confirmation
before anything is evaluated, and confirming shows the results with the warning."""

from __future__ import annotations

import pytest

pytest.importorskip("playwright.sync_api", reason="playwright 未安装 / playwright not installed")

from tests.test_browser import ARTIFACTS, _fill_basic, _no_horizontal_scroll, phone  # noqa: E402,F401


def test_a_unit_slip_is_confirmed_before_the_results(phone, base_url: str) -> None:  # noqa: F811
    page = phone
    page.goto(base_url + "/form")
    _fill_basic(page)
    page.fill("#revenue_yuan", "12000000")  # 12,000,000 元 typed into the 万元 box
    page.click("button.primary[value=check]")
    warning = page.inner_text("#form-warnings")
    assert "请核对单位" in warning and "营业收入" in warning
    assert page.locator("#totals").count() == 0  # nothing evaluated yet
    assert page.input_value("#revenue_yuan") == "12000000" and page.input_value("#employees") == "35"
    _no_horizontal_scroll(page)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "form-warnings-phone.png"))
    page.click("#confirm-warnings")
    page.wait_for_selector("#totals")
    assert "请核对单位" in page.inner_text("#warnings")
    assert "营业收入 12,000,000 万元" in page.inner_text("#totals")  # evaluated as given

"""In Chromium with JavaScript on: the Content-Security-Policy blocks nothing the pages need.

Every script is an external file from the site, so the policy allows no inline script; a page
that still had one (or an ``onclick``) would report a violation here, and its button would do nothing.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

pytest.importorskip("playwright.sync_api")

from api.app import create_app  # noqa: E402
from api.settings import from_env  # noqa: E402
from store import console  # noqa: E402
from store.db import open_database  # noqa: E402
from tests.browser_server import launched_chromium, running_server  # noqa: E402
from tests.console.conftest import PASSWORD  # noqa: E402

WATCH = """
window.__violations = [];
window.__printed = 0;
document.addEventListener('securitypolicyviolation',
                          e => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));
window.print = () => { window.__printed += 1; };
"""


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = f"sqlite:///{tmp_path_factory.mktemp('csp') / 'huiqi.sqlite3'}"
    console.add_staff(open_database(url), "wang", PASSWORD, admin=True)
    settings = from_env({"HUIQI_DB": url, "HUIQI_RATE_LIMIT": "off", "HUIQI_LOGIN_RATE_LIMIT": "off"})
    with running_server(create_app(settings=settings)) as base:
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    yield from launched_chromium()


@pytest.fixture
def page(browser):  # type: ignore[no-untyped-def]
    context = browser.new_context(java_script_enabled=True)
    context.add_init_script(WATCH)
    page = context.new_page()
    messages: list[str] = []
    page.on("console", lambda m: messages.append(m.text))
    page.messages = messages
    yield page
    context.close()


def violations(page) -> list[str]:  # type: ignore[no-untyped-def]
    reported = page.evaluate("window.__violations")
    return reported + [m for m in page.messages if "Content Security Policy" in m]


def test_public_pages_run_their_script_and_break_no_policy(page, base_url: str) -> None:  # type: ignore[no-untyped-def]
    for path in ("/", "/catalogue", "/catalogue/M30", "/result?employees=8&industry_code=C3911"):
        page.goto(base_url + path)
        assert page.evaluate("document.documentElement.classList.contains('js')"), path
        assert violations(page) == [], path
    print_button = page.locator("button[data-action=print]")
    assert print_button.is_visible()  # .js-only buttons show once the site's script ran
    print_button.click()
    assert page.evaluate("window.__printed") == 1


def test_console_pages_break_no_policy(page, base_url: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(base_url + "/console/login")
    page.fill("input[name=name]", "wang")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(base_url + "/console")
    assert violations(page) == []
    assert page.evaluate("document.documentElement.classList.contains('js')")


def test_an_inline_script_would_be_blocked(page, base_url: str) -> None:  # type: ignore[no-untyped-def]
    """The check above can fail: a page's inline script is refused and reported."""
    page.goto(base_url + "/")
    page.evaluate("""() => { const s = document.createElement('script'); s.textContent = 'window.__ran = 1';
                             document.head.appendChild(s); }""")
    assert page.evaluate("window.__ran") is None
    assert any("script-src" in v for v in violations(page))

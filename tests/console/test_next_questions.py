"""Beside an evaluation at the desk: the next questions to ask the walk-in, ranked by money, each
answered in place (issue 12, point 3: the console face). Server-rendered and CSRF-protected.

The registry's manufacturer (examples/small-manufacturer.json without its contract) is told
nothing of provincial projects: one project can bring M5's 最高300万元, the largest sum still open.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient

from tests.console.conftest import AS_OF, CODE
from tests.console.forms import form_fields


def _evaluated(client: TestClient) -> Any:
    page = client.get(f"/console/form?code={CODE}")
    values, _ = form_fields(page.text, "/console/evaluate")
    return client.post("/console/evaluate", data={**values, "as_of": AS_OF, "action": "check"})


def _questions(html: str) -> list[str]:
    aside = html[html.index('id="next-questions"'):html.index("</aside>")]
    return re.findall(r'<li class="card next-q[^"]*" id="nq-\d+" data-field="([^"]+)"', aside)


def _form_of(html: str, field: str) -> dict[str, str]:
    """The hidden fields of the small form that answers ``field``."""
    block = html[html.index(f'data-field="{field}"'):]
    block = block[:block.index("</form>")]
    return {name: value.replace("&amp;", "&") for name, value in re.findall(
        r'<input type="hidden" name="([^"]+)" value="([^"]*)"', block)}


def _answer(client: TestClient, html: str, field: str, answer: str, action: str = "answer") -> Any:
    return client.post("/console/evaluate", data={**_form_of(html, field), "answer": answer, "action": action})


def test_the_next_questions_are_ranked_by_the_money_they_can_settle(staff: TestClient) -> None:
    page = _evaluated(staff)
    asked = _questions(page.text)
    assert asked[:2] == ["projects", "events"]  # M5 最高 3,000,000 元, then M14 最高 300,000 元 (one event)
    assert "可能涉及 <b>3,000,000 元</b> · M5" in page.text
    assert 1 < len(asked) <= 8 and "employees" not in asked  # what the registry holds is not asked
    assert all(_form_of(page.text, field)["csrf"] for field in asked)


def test_answering_one_evaluates_again_in_place(staff: TestClient) -> None:
    page = _evaluated(staff)
    again = _answer(staff, page.text, "projects", "1")
    assert again.status_code == 200 and "projects" not in _questions(again.text)
    assert set(_questions(again.text)[:2]) == {"projects[0].program", "projects[0].selected"}  # the one project now
    assert re.search(r'<tr class="declared" data-path="projects\[0\]', again.text) is None  # nothing told of it yet
    program = _answer(staff, again.text, "projects[0].program", "province_tech_innovation")
    selected = _answer(staff, program.text, "projects[0].selected", "是")
    m5 = selected.text.split('id="M5"')[1].split("</article>")[0]
    assert "最高 3,000,000 元" in m5  # eligible now: 最高300万元, review decides
    assert re.search(r'<tr class="declared" data-path="projects\[0\]\.selected">', selected.text)
    assert _up_to(selected.text) - _up_to(page.text) == 3_000_000  # the 最高 total grows by M5's alone
    assert 'action="/console/evaluate#next-questions"' in selected.text


def _up_to(html: str) -> int:
    found = re.search(r'id="total-up-to">([\d,]+) 元', html)
    return int(found.group(1).replace(",", "")) if found else 0


def test_unknown_drops_the_question_and_a_wrong_answer_says_why(staff: TestClient) -> None:
    page = _evaluated(staff)
    unknown = _answer(staff, page.text, "projects", "", action="unknown")
    assert "projects" not in _questions(unknown.text) and _questions(unknown.text)[0] == "events"
    assert _form_of(unknown.text, "events")["declined"] == "projects"  # carried with the evaluation
    wrong = _answer(staff, unknown.text, "events", "很多")
    assert wrong.status_code == 422
    block = wrong.text[wrong.text.index('data-field="events"'):]
    assert "应为整数" in block[:3000] and 'value="很多"' in block[:3000]


def test_answering_needs_the_console_session_and_its_csrf_token(staff: TestClient) -> None:
    page = _evaluated(staff)
    form = {**_form_of(page.text, "projects"), "answer": "1", "action": "answer"}
    refused = staff.post("/console/evaluate", data={**form, "csrf": "forged"})
    assert refused.status_code == 403

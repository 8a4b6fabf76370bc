"""Walk the web interview as a browser without JavaScript does: read a screen, post its form, follow the 303."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

from fastapi.testclient import TestClient

Answer = str | tuple[str, str]  # the radio chosen, or (radio, typed text): ("answer", "35"), ("有", "2")
HIDDEN = ("s", "as_of", "edit")


def text_of(html: str, element_id: str) -> str:
    """The text inside the element with this id (tags dropped)."""
    match = re.search(rf'<(\w+)[^>]*\bid="{re.escape(element_id)}"[^>]*>(.*?)</\1>', html, re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", "", match.group(2)))).strip() if match else ""


class Walk:
    def __init__(self, client: TestClient, url: str) -> None:
        self.client = client
        self.url = url
        self.html = ""
        self.status = 0
        self.open(url)

    def open(self, url: str) -> str:
        response = self.client.get(url)
        self.url, self.status, self.html = url, response.status_code, response.text
        return self.html

    @property
    def fields(self) -> list[str]:
        """The questions on the screen (each form posts their fields as ``q``)."""
        return [unescape(f) for f in re.findall(r'name="q" value="([^"]+)"', self.html)]

    def hidden(self) -> dict[str, str]:
        found = {}
        for name in HIDDEN:
            match = re.search(rf'<input type="hidden" name="{name}" value="([^"]*)"', self.html)
            if match:
                found[name] = unescape(match.group(1))
        return found

    def post(self, answers: dict[str, Answer], action: str = "next", headers: dict[str, str] | None = None) -> Any:
        """Post this screen: every question not in ``answers`` is answered 不清楚."""
        data: dict[str, Any] = {**self.hidden(), "q": self.fields, "action": action}
        for field in self.fields:
            given = answers.get(field, "不清楚")
            choice, text = (given, "") if isinstance(given, str) else given
            data[f"answer:{field}"] = choice
            data[f"text:{field}"] = text
        return self.client.post("/interview", data=data, headers=headers or {})

    def answer(self, answers: dict[str, Answer], action: str = "next") -> Any:
        """Post this screen and, when it moves on (303), open the next one; else show what came back."""
        response = self.post(answers, action)
        if response.status_code == 303:
            self.open(response.headers["location"])
        else:
            self.status, self.html = response.status_code, response.text
        return response

    def link(self, element_id: str) -> str:
        before = rf'<a[^>]*href="([^"]+)"[^>]*\bid="{element_id}"'
        after = rf'<a[^>]*\bid="{element_id}"[^>]*href="([^"]+)"'
        match = re.search(f"{before}|{after}", self.html)
        assert match, f"no link #{element_id}"
        return unescape(match.group(1) or match.group(2))

    def edit_link(self, path: str) -> str:
        block = self.html[self.html.index(f'data-path="{path}"'):]
        return unescape(re.search(r'class="edit" href="([^"]+)"', block).group(1))  # type: ignore[union-attr]

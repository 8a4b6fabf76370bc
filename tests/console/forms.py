"""Read a page's form back as the browser would submit it (inputs, checked radios, selected options)."""

from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser


class _Form(HTMLParser):
    def __init__(self, action: str) -> None:
        super().__init__()
        self.action, self.inside, self.select = action, False, ""
        self.values: dict[str, str] = {}
        self.kept: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.inside = self.inside or a.get("action") == self.action
        if not self.inside:
            return
        if tag == "input" and a.get("name"):
            if a.get("type") == "radio":
                if "checked" in a:
                    self.values[a["name"]] = a.get("value", "")
            elif a["name"] == "kept":
                self.kept.append(a.get("value", ""))
            else:
                self.values[a["name"]] = a.get("value", "")
        elif tag == "select":
            self.select = a.get("name", "")
            self.values[self.select] = ""
        elif tag == "option" and "selected" in a and self.select:
            self.values[self.select] = a.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self.inside:
            self.inside = False


def form_fields(html: str, action: str) -> tuple[dict[str, str], list[str]]:
    """The first form posting to ``action``: its named values, and the hidden ``kept`` variants."""
    parser = _Form(action)
    parser.feed(html)
    return parser.values, parser.kept


def text_of(html: str, element_id: str) -> str:
    match = re.search(rf'id="{element_id}"[^>]*>(.*?)</', html, re.S)
    return unescape(match.group(1)).strip() if match else ""

"""The whole state of a web interview, carried by the page itself (a link or a hidden field): nothing stored.

The state is the profile answered so far (contract JSON, as ``engine.interview`` writes it), the
fields declined (不清楚 / 跳过, which a summary tells apart) and the warnings already confirmed.
It travels as one URL-safe token: compact JSON, zlib, base64url. It is not signed: a visitor can
only change their own answers, and the token is read like any other input (size bounded before and
after inflating, shape checked, the profile validated by the engine); anything wrong is a clear
error naming the link, never a traceback.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from engine import FieldError, ProfileError
from engine.interview import MAX_ITEMS
from engine.result import InputWarning

MAX_TOKEN = 16_000  # characters of the token (a URL stays well under the 64 KiB proxies allow)
MAX_JSON = 200_000  # bytes once inflated: a profile of 50 hires is about 20 KB
MAX_DECLINED = 2_000
UNKNOWN, SKIPPED = "u", "s"  # why a field was declined: 不清楚 / 跳过
PATH = re.compile(r"^[a-z_]+(\[\d{1,4}\])?(\.[a-z_]+){0,2}$")
KEY = re.compile(r"^[0-9a-f]{16}$")
BAD_LINK = ("链接中的答案无法读取（可能被截断或改动过），请重新开始",
            "the answers in this link cannot be read; please start again")


@dataclass
class State:
    data: dict[str, Any] = field(default_factory=dict)  # contract JSON answered so far
    declined: dict[str, str] = field(default_factory=dict)  # field -> UNKNOWN | SKIPPED
    confirmed: set[str] = field(default_factory=set)  # keys of the warnings the user confirmed

    def token(self) -> str:
        body = {"p": self.data}
        if self.declined:
            body["d"] = self.declined
        if self.confirmed:
            body["w"] = sorted(self.confirmed)
        text = json.dumps(body, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
        return base64.urlsafe_b64encode(zlib.compress(text.encode(), 9)).decode().rstrip("=")


def bad_link(detail: str = "") -> ProfileError:
    zh, en = BAD_LINK
    return ProfileError([FieldError("s", zh + (f"：{detail}" if detail else ""), en)])


def _inflate(token: str) -> bytes:
    if len(token) > MAX_TOKEN:
        raise bad_link("链接过长")
    try:
        packed = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        inflater = zlib.decompressobj()
        text = inflater.decompress(packed, MAX_JSON)
    except (binascii.Error, ValueError, zlib.error):
        raise bad_link() from None
    if inflater.unconsumed_tail or not inflater.eof:
        raise bad_link("内容过大" if inflater.unconsumed_tail else "")
    return text


def read(token: str) -> State:
    """The state of a token ("" is a fresh interview); ``ProfileError`` naming ``s`` when unreadable.
    The profile itself is validated when the interview steps (``engine.interview.step``)."""
    if not token:
        return State()
    try:
        body = json.loads(_inflate(token).decode())
    except (UnicodeDecodeError, ValueError):
        raise bad_link() from None
    if not isinstance(body, dict) or not isinstance(body.get("p"), dict) or set(body) - {"p", "d", "w"}:
        raise bad_link()
    declined = body.get("d", {})
    confirmed = body.get("w", [])
    if (not isinstance(declined, dict) or len(declined) > MAX_DECLINED
            or not all(isinstance(k, str) and PATH.match(k) and v in (UNKNOWN, SKIPPED) for k, v in declined.items())):
        raise bad_link()
    if not isinstance(confirmed, list) or not all(isinstance(k, str) and KEY.match(k) for k in confirmed):
        raise bad_link()
    for name, items in body["p"].items():
        if isinstance(items, list) and len(items) > MAX_ITEMS:
            raise bad_link(f"{name} 最多 {MAX_ITEMS} 项")
    return State(body["p"], declined, set(confirmed))


def warning_key(warning: InputWarning) -> str:
    """One warning, as confirmed: a changed answer that words it differently asks again."""
    text = json.dumps([warning.message_zh, warning.fields], ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def unconfirmed(warnings: Iterable[InputWarning], confirmed: set[str]) -> list[InputWarning]:
    return [w for w in warnings if warning_key(w) not in confirmed]

"""The evaluation day (``as_of``): one range, checked the same way by every face.

2000-01-01 … 2100-12-31: the measures date from the 2020s, so a day outside that range is a
slip of the keyboard (``0226-01-15``, ``20260-01-15``), not a question anyone means to ask;
the bounds also keep every "N years before/after" computation far from the calendar's ends.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import AfterValidator, Field, WithJsonSchema

from engine.errors import FieldError, ProfileError

EARLIEST = dt.date(2000, 1, 1)
LATEST = dt.date(2100, 12, 31)
OUT_OF_RANGE = (f"评估日应在 {EARLIEST.isoformat()} 至 {LATEST.isoformat()} 之间",
                f"as_of must be between {EARLIEST.isoformat()} and {LATEST.isoformat()}")


def _within(day: dt.date) -> dt.date:
    if not EARLIEST <= day <= LATEST:
        raise ValueError(" / ".join(OUT_OF_RANGE))
    return day


# the pattern says in JSON Schema what _within checks: years 2000 to 2100
AsOf = Annotated[dt.date, AfterValidator(_within),
                 WithJsonSchema({"type": "string", "format": "date", "pattern": r"^(20\d\d|2100)-\d\d-\d\d$"},
                                mode="validation"),
                 Field(description=f"评估日 YYYY-MM-DD（{EARLIEST.isoformat()} 至 {LATEST.isoformat()}）")]


def check_as_of(day: dt.date) -> dt.date:
    """``day`` if within the range, else ``ProfileError`` naming ``as_of`` in Chinese and English."""
    if not EARLIEST <= day <= LATEST:
        raise ProfileError([FieldError("as_of", *OUT_OF_RANGE)])
    return day


def parse_as_of(text: str) -> dt.date:
    """A day typed by a person (CLI, form): ``ProfileError`` for anything but a date within the range."""
    try:
        day = dt.date.fromisoformat(text.strip())
    except ValueError:
        error = FieldError("as_of", f"日期格式应为 YYYY-MM-DD：{text}", "as_of must be a date YYYY-MM-DD")
        raise ProfileError([error]) from None
    return check_as_of(day)

"""The one date rule of the engine: whole years from a date, for every age and every "N年内".

《民法典》第二百零二条：按照年、月计算期间的，到期月的对应日为期间的最后一日；没有对应日的，
月末日为期间的最后一日。So N years from a date end on the same month and day N years later, and
from 29 February, in a year without one, on 28 February:

- 周岁 (age): a person is N on the N-th anniversary of the birth date, the birthday itself
  included; born on 29 February, on 28 February of a common year.
- "N年内" (within N years of a start): up to and including the N-th anniversary of the start
  (以内 includes the number, art. 1259); founded on 29 February 2024, "3年内" lasts until
  28 February 2027 included, and 1 March 2027 is past it.

Facts carry dates as YYYYMMDD integers (``engine.facts``), so the rule is written for them; the
Rete rules read each anniversary a rule needs as a fact attribute computed here (``shifted``),
and the intermediate form computes it here too, so both give the same answer by construction.
"""

from __future__ import annotations

import calendar
import datetime as dt


def yyyymmdd(day: dt.date) -> int:
    return day.year * 10_000 + day.month * 100 + day.day


def from_yyyymmdd(value: int) -> dt.date:
    return dt.date(value // 10_000, value // 100 % 100, value % 100)


def anniversary(date: int, years: int) -> int:
    """The YYYYMMDD date ``years`` whole years after ``date``: the same month and day, or the last
    day of that month when there is no such day (29 February in a common year)."""
    year, month_day = divmod(date, 10_000)
    year += years
    if month_day == 229 and not calendar.isleap(year):
        return year * 10_000 + 228
    return year * 10_000 + month_day


def shifted(attribute: str, years: int) -> str:
    """The fact attribute holding ``attribute``'s anniversary ``years`` years later."""
    return f"{attribute}__plus_{years}y"

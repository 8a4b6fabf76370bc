"""When a measure applies: its validity window, in force on a date or not, in plain Chinese.

A measure whose window has ended (or not yet begun) on the evaluation date is ineligible with
this module's reason; ``huiqi rules list --as-of`` and the catalogue pages use the same words.
Both ends are included (Civil Code art. 1259: 以前、以后、届满 include the day itself).
"""

from __future__ import annotations

import datetime as dt

from engine.rule_models import Validity


def not_in_force(window: Validity, on: dt.date) -> str | None:
    """Why the measure does not apply on ``on`` (``None`` when it does)."""
    if window.from_ is not None and on < window.from_:
        return f"本措施自 {window.from_.isoformat()} 起执行，评估日尚未到执行期"
    if window.to is not None and on > window.to:
        return f"本措施已于 {window.to.isoformat()} 到期"
    return None


def describe_window(window: Validity) -> str:
    """'2025-01-01 至 2026-12-31', '自 2025-01-01 起', '至 2026-12-31 止', or the note when no dates are set."""
    if window.from_ is not None and window.to is not None:
        span = f"{window.from_.isoformat()} 至 {window.to.isoformat()}"
    elif window.from_ is not None:
        span = f"自 {window.from_.isoformat()} 起"
    elif window.to is not None:
        span = f"至 {window.to.isoformat()} 止"
    else:
        return window.note or "原表未写明执行期限"
    return f"{span}（{window.note}）" if window.note else span

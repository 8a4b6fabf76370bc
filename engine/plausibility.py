"""Input that cannot all be true, or is very likely a unit slip: flagged on the Result, never silently used.

A pure function of the profile, the evaluation date and what was derived from them. The
evaluation still runs (each fact alone is valid, and the rules decide with what they are given);
each warning names the field paths involved, so a face can point at them and ask to confirm.

A birth date on or after the hire date is not here: a person hired before being born is refused
as invalid input (``engine.profile.Hire``), since no reading of it can be true. Nor are months of
social insurance that differ from the three per-insurance months: medical and maternity insurance
are not asked, so the two can both be true.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal

from engine.amounts import yuan
from engine.profile import Profile
from engine.result import InputWarning

# Designations that only small and medium enterprises receive (优质中小企业梯度培育管理暂行办法,
# 工信部企业〔2022〕63号: 创新型中小企业, 专精特新中小企业, 专精特新“小巨人”企业).
SME_DESIGNATIONS = {"little_giant": "专精特新“小巨人”企业", "specialized_sme": "专精特新中小企业",
                    "innovative_sme": "创新型中小企业"}
# Money per person beyond which a figure is far more likely a unit slip than a real business: a
# yuan figure typed into a 万元 box is 10,000 times too large (a typical 10万–200万元 of revenue a
# person becomes 10亿–200亿元), a 万元 figure read as yuan 10,000 times too small (a few yuan).
# The bounds leave real outliers (a trading house, a property company with few staff) a wide
# margin; a warning only asks to confirm, it changes no result.
MAX_YUAN_PER_PERSON = Decimal(1_000_000_000)  # 10亿元
MIN_YUAN_PER_PERSON = Decimal(100)
MONEY_FIGURES = {"revenue_yuan": "营业收入", "total_assets_yuan": "资产总额"}
LISTED = 10  # items named in one message; the fields list names them all


def _items(indexes: list[int], noun: str) -> str:
    named = "、".join(str(i + 1) for i in indexes[:LISTED])
    more = f"等 {len(indexes)} " if len(indexes) > LISTED else ""
    return f"第 {named} {more}{noun}"


def _dated_after_as_of(profile: Profile, as_of: dt.date) -> Iterable[InputWarning]:
    if profile.founded_on is not None and profile.founded_on > as_of:
        yield InputWarning(
            message_zh=f"成立日期 {profile.founded_on.isoformat()} 晚于评估日 {as_of.isoformat()}："
                       "企业在评估日尚未成立",
            fields=["founded_on"])
    later = [i for i, h in enumerate(profile.hires or []) if h.hired_on is not None and h.hired_on > as_of]
    if later:
        yield InputWarning(
            message_zh=f"{_items(later, '名新招用人员')}的招用日期晚于评估日 {as_of.isoformat()}：尚未招用",
            fields=[f"hires[{i}].hired_on" for i in later])


def _hired_before_founding(profile: Profile) -> Iterable[InputWarning]:
    founded = profile.founded_on
    if founded is None:
        return
    earlier = [i for i, h in enumerate(profile.hires or []) if h.hired_on is not None and h.hired_on < founded]
    if earlier:
        yield InputWarning(
            message_zh=f"{_items(earlier, '名新招用人员')}的招用日期早于企业成立日期 {founded.isoformat()}",
            fields=[f"hires[{i}].hired_on" for i in earlier] + ["founded_on"])


def _sme_designation_of_a_large_enterprise(profile: Profile, derived: Mapping[str, str],
                                           size_fields: Iterable[str]) -> Iterable[InputWarning]:
    if derived.get("size_class") != "large":
        return
    held = [(i, d.kind) for i, d in enumerate(profile.designations or []) if d.kind in SME_DESIGNATIONS]
    if held:
        kinds = "、".join(dict.fromkeys(SME_DESIGNATIONS[kind] for _, kind in held))
        figures = [f for f in size_fields if getattr(profile, f, None) is not None]
        yield InputWarning(
            message_zh=f"企业按所填数字划为大型企业，却有{kinds}认定：这些认定只授予中小企业，"
                       "请核对从业人员、营业收入、资产总额或认定类型",
            fields=[f"designations[{i}].kind" for i, _ in held] + figures)


def _money_for_headcount(profile: Profile) -> Iterable[InputWarning]:
    if not profile.employees:
        return
    for field, label in MONEY_FIGURES.items():
        value = getattr(profile, field)
        if value is None or value == 0:
            continue
        if value > MAX_YUAN_PER_PERSON * profile.employees:  # no division for the many that pass
            hint = "可能把以“元”为单位的数填进了“万元”栏"
        elif value < MIN_YUAN_PER_PERSON * profile.employees:
            hint = "可能把以“万元”为单位的数当作了“元”"
        else:
            continue
        per_person = value / profile.employees
        yield InputWarning(
            message_zh=f"{label} {yuan(value)} 元，从业人员 {profile.employees} 人，人均 {yuan(per_person)} 元，"
                       f"与人数不相称：{hint}，请核对单位",
            fields=[field, "employees"])


def input_warnings(profile: Profile, as_of: dt.date, derived: Mapping[str, str],
                   size_fields: Iterable[str] = ()) -> list[InputWarning]:
    """Every warning about ``profile`` evaluated on ``as_of``; ``derived``: the derived values
    (``size_class``…); ``size_fields``: the figures the enterprise's size class was read from."""
    return [*_dated_after_as_of(profile, as_of), *_hired_before_founding(profile),
            *_sme_designation_of_a_large_enterprise(profile, derived, size_fields),
            *_money_for_headcount(profile)]

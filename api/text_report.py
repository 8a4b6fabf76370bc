"""The Chinese plain-text summary of a Result (``huiqi check``): money first, then the questions that would
settle the rest (the form's own wording, via api.result_view), then the rest."""

from __future__ import annotations

from api.result_view import ResultView, arrange
from engine.amounts import yuan
from engine.catalogue import release_label
from engine.result import MeasureResult, Result

KIND_WORD = {"exact": "", "up_to": "最高 ", "share": ""}


def _amount_line(item: MeasureResult) -> str:
    amount = item.amount
    if amount.kind == "none" or amount.yuan is None:
        return ""
    if amount.kind == "share":  # the label says what the percent means, in the text's words
        return f"{amount.label or '比例'}：{amount.formula}"
    if "=" not in (amount.formula or ""):
        return amount.formula or f"{KIND_WORD[amount.kind]}{yuan(amount.yuan)} 元"
    return f"{KIND_WORD[amount.kind]}{yuan(amount.yuan)} 元（{amount.formula}）"


def _units(item: MeasureResult) -> str:
    return "、".join(item.units.city + item.units.local)


def _near_miss(item: MeasureResult) -> list[str]:
    """差一点 lines: what the enterprise can do (差一点), or why it cannot (说明)."""
    return [f"      {'差一点' if n.actionable else '说明'}：{n.text}" for n in item.near_miss]


def _release(result: Result) -> str:
    release = result.rules_release
    return release_label(release.name if release else None, release.date if release else None, result.rules_version)


def _lead(view: ResultView) -> list[str]:
    """The money first, in the results page's own words: confirmed totals that are not zero, then what is possible."""
    head = "，".join([f"可享受 {len(view.eligible)} 项", *(f"{s.label} {s.text}" for s in view.sums)])
    return [f"{head}。", *(f"{line}。" for line in (view.possible, view.nothing) if line)]


def _warning_lines(result: Result) -> list[str]:
    if not result.warnings:
        return []
    return ["", "请核对以下信息（互相矛盾或可能填错单位，结果已照所填计算）：",
            *(f"  ! {w.message_zh}" for w in result.warnings)]


def render_text(result: Result) -> str:
    view = arrange(result)
    derived = result.derived
    lines = [
        f"评估日：{result.as_of.isoformat()}    规则版本：{_release(result)}",
        f"企业规模：{derived.size_class_label or '尚无法确定'}"
        + (f"（{derived.size_basis}）" if derived.size_basis else ""),
        *_warning_lines(result),
        "",
        *_lead(view),
    ]
    for item in view.eligible:
        lines.append(f"  ✔ {item.measure} {item.title}  {_amount_line(item)}".rstrip())
        lines.append(f"      经办：{_units(item)}")
        lines += _near_miss(item)
    if view.pending:
        lines += ["", f"待确定 {len(view.pending)} 项（回答以下问题后可判定）："]
        for pending in view.pending:
            item = pending.item
            potential = f"  可能涉及 {yuan(item.potential_yuan)} 元" if item.potential_yuan else ""
            lines.append(f"  ? {item.measure} {item.title}{potential}")
            lines += [f"      · {question}" for question in pending.questions]
            lines += _near_miss(item)
    if view.ineligible:
        lines += ["", f"不适用 {len(view.ineligible)} 项："]
        for item in view.ineligible:
            lines.append(f"  ✘ {item.measure} {item.title}：{item.reasons[0] if item.reasons else ''}")
            lines += _near_miss(item)
    lines += ["", f"另有 {len(view.informational)} 项为政府工作职责或普惠服务，详见 huiqi rules list。"]
    return "\n".join(lines)

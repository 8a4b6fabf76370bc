"""A Result arranged for the results page and the CLI summary: money first, then what would settle the rest.

Only grouping, ordering and wording; every number comes from the Result itself (and, for
questions, from the form's own question list), so the page, the console and ``huiqi check``
say the same sentences.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from api.form_model import questions_for
from engine.amounts import yuan
from engine.result import MeasureResult, Result


@dataclass(frozen=True)
class Pending:
    item: MeasureResult
    questions: list[str]


@dataclass(frozen=True)
class Sum:
    id: str  # the HTML id of its figure
    label: str
    yuan: Decimal

    @property
    def text(self) -> str:
        return f"{yuan(self.yuan)} 元"


@dataclass(frozen=True)
class ResultView:
    result: Result
    eligible: list[MeasureResult]
    pending: list[Pending]
    ineligible: list[MeasureResult]
    informational: list[MeasureResult]
    to_settle: list[str]  # the questions that would settle every measure that could still bring money

    @property
    def sums(self) -> list[Sum]:
        """The confirmed totals that are not zero (a red "0 元" says nothing and alarms)."""
        totals = self.result.totals
        found = [Sum("total-exact", "确定金额合计", totals.exact_yuan),
                 Sum("total-up-to", "“最高”金额合计", totals.up_to_yuan)]
        return [s for s in found if s.yuan]

    @property
    def possible(self) -> str | None:
        """What is still possible and what it takes, e.g. 可能涉及 1,500 元，再回答 4 个问题即可确定."""
        potential = self.result.totals.potential_yuan
        if not potential or not self.to_settle:
            return None
        more = "另" if self.sums else ""
        return f"{more}可能涉及 {yuan(potential)} 元，再回答 {len(self.to_settle)} 个问题即可确定"

    @property
    def nothing(self) -> str | None:
        """The sentence shown instead of totals when no money is confirmed or possible."""
        if self.sums or self.possible:
            return None
        return "根据目前的信息，暂无确定或可能的资金支持"


def arrange(result: Result) -> ResultView:
    by_status: dict[str, list[MeasureResult]] = {}
    for item in result.results:
        by_status.setdefault(item.status, []).append(item)
    undetermined = sorted(by_status.get("undetermined", []), key=lambda r: -(r.potential_yuan or Decimal(0)))
    pending = [Pending(r, questions_for(r.missing)) for r in undetermined]
    return ResultView(
        result=result,
        eligible=by_status.get("eligible", []),
        pending=pending,
        ineligible=by_status.get("ineligible", []),
        informational=by_status.get("informational", []),
        to_settle=list(dict.fromkeys(q for p in pending if p.item.potential_yuan for q in p.questions)),
    )

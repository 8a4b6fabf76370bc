"""A Result arranged for the results page: money first, then what would settle the rest.

Only grouping and ordering; every number and sentence comes from the Result itself
(or, for questions, from the form's own question list).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from api.form_model import questions_for
from engine.result import MeasureResult, Result


@dataclass(frozen=True)
class Pending:
    item: MeasureResult
    questions: list[str]


@dataclass(frozen=True)
class ResultView:
    result: Result
    eligible: list[MeasureResult]
    pending: list[Pending]
    ineligible: list[MeasureResult]
    informational: list[MeasureResult]


def arrange(result: Result) -> ResultView:
    by_status: dict[str, list[MeasureResult]] = {}
    for item in result.results:
        by_status.setdefault(item.status, []).append(item)
    undetermined = sorted(by_status.get("undetermined", []), key=lambda r: -(r.potential_yuan or Decimal(0)))
    return ResultView(
        result=result,
        eligible=by_status.get("eligible", []),
        pending=[Pending(r, questions_for(r.missing)) for r in undetermined],
        ineligible=by_status.get("ineligible", []),
        informational=by_status.get("informational", []),
    )

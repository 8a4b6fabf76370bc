"""One desk evaluation: form answers + registry → Profile → Result, with each fact's source.

Shared by the result page, the variant comparison, the consultation log and the advice
sheet, so they all say the same thing.
"""

from __future__ import annotations

import datetime as dt
import json
import unicodedata
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

from sqlalchemy import Engine

from api import metrics
from api.console.facts import Fact, fact_table, merged, normalized, relied_declared, sources
from api.form_model import ParsedForm, parse_form
from api.interview_state import PATH
from api.result_view import ResultView, arrange
from engine import FieldError, ProfileError, default_rules, evaluate, parse_profile
from engine.questions import Ask, rank
from engine.result import Result
from store import console as store
from store.console import RegistryEntry

MAX_VARIANTS = 3
MAX_DECLINED = 500


@dataclass(frozen=True)
class Assessment:
    code: str | None
    enterprise_name: str | None
    label: str
    registry: RegistryEntry | None
    parsed: ParsedForm
    profile: dict  # contract JSON, unknowns left out
    sources: dict[str, str]
    result: Result
    view: ResultView
    declared: dict[str, list[Fact]]  # eligible measure -> the declared-only facts it relies on
    facts: list[Fact]
    questions: list[Ask] = field(default_factory=list)  # what to ask the walk-in next, ranked by money
    declined: tuple[str, ...] = ()  # questions the walk-in could not answer (不清楚): not asked again

    @property
    def query(self) -> str:
        return self.parsed.query()

    @property
    def declined_text(self) -> str:
        return ",".join(self.declined)


def declined_of(raw: str | None) -> tuple[str, ...]:
    """The hidden ``declined`` field: comma-separated field paths (anything else is dropped)."""
    paths = [p.strip() for p in (raw or "").split(",")[:MAX_DECLINED]]
    return tuple(dict.fromkeys(p for p in paths if PATH.match(p)))


def clean(text: str | None) -> str:
    return unicodedata.normalize("NFKC", text or "").strip()


def as_of_of(raw: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(raw or "")
    except ValueError:
        return None


def assess(engine: Engine, code: str | None, enterprise_name: str | None, label: str,
           answers: Mapping[str, str], as_of: dt.date | None,
           declined: Collection[str] = ()) -> Assessment | ParsedForm:
    """The assessment, or the parsed form with its errors (to show again)."""
    parsed = parse_form(answers)
    registry = store.registry_by_code(engine, code) if code else None
    name = enterprise_name or (registry.name if registry else None)
    identity = {"credit_code": code or None, "name": name or None}
    if parsed.errors:
        return parsed
    try:
        profile = parse_profile(merged(registry.profile if registry else None, parsed.profile, identity))
    except ProfileError as exc:
        parsed.errors += exc.errors
        return parsed
    data = profile.model_dump(mode="json", exclude_none=True)
    facts_source = sources(data, registry.profile if registry else None)
    result = evaluate(profile, as_of)
    metrics.EVALUATIONS.labels(face="console").inc()
    return Assessment(code, name, label, registry, parsed, data, facts_source, result, arrange(result),
                      relied_declared(result, data, facts_source, default_rules()),
                      fact_table(data, facts_source, registry.provenance if registry else None),
                      rank(profile, result, declined), tuple(declined))


def assess_query(engine: Engine, code: str | None, name: str | None, label: str, query: str,
                 as_of: dt.date | None) -> Assessment | ParsedForm:
    return assess(engine, code, name, label, dict(parse_qsl(query, keep_blank_values=True)), as_of)


def kept_variants(raw: list[str]) -> list[dict[str, str]]:
    """The variants carried by the pages as hidden JSON fields ``{"label", "query"}`` (bad ones dropped)."""
    out = []
    for text in raw[:MAX_VARIANTS]:
        try:
            item = json.loads(text)
        except ValueError:
            continue
        if isinstance(item, dict) and isinstance(item.get("query"), str):
            out.append({"label": clean(str(item.get("label") or ""))[:40], "query": item["query"]})
    return out


def variant_json(label: str, query: str) -> str:
    return json.dumps({"label": label, "query": query}, ensure_ascii=False)


def registry_values(entry: RegistryEntry | None) -> dict:
    return normalized(entry.profile) if entry else {}


def code_error(raw: str) -> FieldError | None:
    """None if ``raw`` is a valid unified social credit code, else the Chinese reason."""
    from stdnum.cn import uscc
    from stdnum.exceptions import InvalidChecksum, ValidationError

    try:
        uscc.validate(raw)
    except InvalidChecksum:
        expected = uscc.calc_check_digit(raw[:17])
        return FieldError("credit_code", f"统一社会信用代码校验位不正确：第 18 位应为 {expected}，请核对代码是否抄错",
                          "the check character is wrong")
    except ValidationError:
        return FieldError("credit_code", "统一社会信用代码应为 18 位数字或大写字母，请核对",
                          "not a valid unified social credit code")
    return None

"""Numbers are numbers and the evaluation day is a sane day (issue 11, point 8).

``employees: true`` used to count as one employee; every count, number of months and sum of
money, nested ones included, now refuses true/false by name. ``as_of`` lies within
2000-01-01 … 2100-12-31 (engine/as_of.py) for every face.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import types
import typing
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import BaseModel

from api.app import create_app
from batch.runner import BatchError, RunSpec, start
from engine import Profile, ProfileError, evaluate, parse_profile
from store.db import open_database
from tests.conftest import ROOT

NOT_A_BOOL = "应为数字，不能是 是/否（true/false）"


def _parts(annotation: Any) -> list[Any]:
    """The plain types inside ``X | None``, ``list[X]`` and ``Annotated[X, ...]``."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _parts(typing.get_args(annotation)[0])
    if isinstance(annotation, types.UnionType) or origin in (typing.Union, list):
        return [p for arg in typing.get_args(annotation) for p in _parts(arg)]
    return [annotation]


def _is_list(annotation: Any) -> bool:
    return typing.get_origin(annotation) is list or any(_is_list(a) for a in typing.get_args(annotation))


def numeric_paths(model: type[BaseModel] = Profile, prefix: str = "") -> list[str]:
    """The path of every int and Decimal field of the Profile, nested models and lists included."""
    found = []
    for name, info in model.model_fields.items():
        listed = "[0]" if _is_list(info.annotation) else ""
        for part in _parts(info.annotation):
            if isinstance(part, type) and issubclass(part, BaseModel):
                found += numeric_paths(part, f"{prefix}{name}{listed}.")
            elif part in (int, Decimal):
                found.append(f"{prefix}{name}")
    return found


def _nest(path: str, value: Any) -> dict[str, Any]:
    head, _, rest = path.partition(".")
    key = head.removesuffix("[0]")
    inner = _nest(rest, value) if rest else value
    return {key: [inner] if head.endswith("[0]") else inner}


PATHS = numeric_paths()


def test_the_walk_finds_the_numbers_it_should() -> None:
    assert {"employees", "revenue_yuan", "hires[0].contract_months", "hires[0].insurance_months.pension",
            "loans[0].principal_yuan", "receivables[0].amount_yuan"} <= set(PATHS)


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("flag", [True, False])
def test_true_or_false_is_no_number(path: str, flag: bool) -> None:
    with pytest.raises(ProfileError) as caught:
        parse_profile(_nest(path, flag))
    assert [(e.field, e.message_zh) for e in caught.value.errors] == [(path, NOT_A_BOOL)]


def test_numbers_as_numbers_and_text_still_pass() -> None:
    profile = parse_profile({"employees": "35", "hires": [{"contract_months": 12.0}], "revenue_yuan": 1})
    assert profile.employees == 35 and profile.hires and profile.hires[0].contract_months == 12


def test_the_api_answers_422_in_both_languages() -> None:
    client = TestClient(create_app())
    body = client.post("/api/v1/evaluate", json={"profile": {"employees": True}}).json()
    assert body == [{"field": "employees", "message_zh": NOT_A_BOOL,
                     "message_en": "must be a number, not true or false"}]


@pytest.mark.parametrize(("day", "status"), [("1999-12-31", 422), ("2000-01-01", 200), ("2100-12-31", 200),
                                             ("2101-01-01", 422), ("0001-01-01", 422), ("9999-12-31", 422)])
def test_as_of_bounds_in_the_api(day: str, status: int) -> None:
    answer = TestClient(create_app()).post("/api/v1/evaluate", json={"profile": {}, "as_of": day})
    assert answer.status_code == status
    if status == 422:
        assert answer.json() == [{"field": "as_of", "message_zh": "评估日应在 2000-01-01 至 2100-12-31 之间",
                                  "message_en": "as_of must be between 2000-01-01 and 2100-12-31"}]


def test_as_of_bounds_in_the_engine_the_cli_and_the_batch(tmp_path: Path) -> None:
    with pytest.raises(ProfileError) as caught:
        evaluate(parse_profile({}), dt.date(1999, 12, 31))
    assert caught.value.errors[0].field == "as_of"
    profile = tmp_path / "p.json"
    profile.write_text(json.dumps({"employees": 3}), encoding="utf-8")
    cli = subprocess.run([sys.executable, "-m", "api.cli", "check", str(profile), "--as-of", "2101-01-01"],
                         cwd=ROOT, capture_output=True, text=True)
    assert cli.returncode == 2 and "评估日应在 2000-01-01 至 2100-12-31 之间" in cli.stderr
    assert "Traceback" not in cli.stderr
    with pytest.raises(BatchError, match="评估日应在"):
        start(open_database(f"sqlite:///{tmp_path / 'h.sqlite3'}"), RunSpec(profile, dt.date(1999, 1, 1)))


@pytest.mark.parametrize("field, value", [
    ("industry_code", "F᪗᪗᪗"),  # Tai Tham digits: \d would take them
    ("industry_code", "C３９"),  # full-width digits belong to the department readers, not the contract
    ("revenue_yuan", "١٢٠٠"),  # Arabic-Indic digits as money text
])
def test_only_ascii_digits_make_codes_and_amounts(field: str, value: str) -> None:
    with pytest.raises(ProfileError) as caught:
        parse_profile({field: value})
    assert [error.field for error in caught.value.errors] == [field]

"""A broken rule file fails with the file, the field and the reason."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from engine import RuleFileError, load_rules
from engine.loader import DEFAULT_RULES_DIR


@pytest.fixture
def rules_copy(tmp_path: Path) -> Path:
    target = tmp_path / "rules"
    shutil.copytree(DEFAULT_RULES_DIR, target)
    return target


def problems_of(directory: Path) -> list[tuple[str, str, str]]:
    with pytest.raises(RuleFileError) as caught:
        load_rules(directory)
    return [(p.file, p.field, p.reason) for p in caught.value.problems]


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_the_shipped_rules_load() -> None:
    book = load_rules()
    assert [m.id for m in book.measures] == [f"M{i}" for i in range(1, 51)]
    assert len(book.version) == 12


def test_yaml_syntax_error_names_line(rules_copy: Path) -> None:
    edit(rules_copy / "measures" / "M30.yaml", "kind: subsidy", "kind: [subsidy")
    (file, field, reason), *_ = problems_of(rules_copy)
    assert file == "measures/M30.yaml" and "行" in field and "YAML" in reason


def test_missing_field(rules_copy: Path) -> None:
    edit(rules_copy / "measures" / "M30.yaml", "units_text: 市人社局\n", "")
    assert ("measures/M30.yaml", "units_text", "Field required") in problems_of(rules_copy)


def test_unknown_key_and_bad_value(rules_copy: Path) -> None:
    edit(rules_copy / "measures" / "M30.yaml", "auto_match: true", "auto_match: true\nautomatch: 1")
    edit(rules_copy / "measures" / "M31.yaml", "cap_yuan: 30000", "cap_yuan: -1")
    found = problems_of(rules_copy)
    assert any(f == "measures/M30.yaml" and fld == "automatch" for f, fld, _ in found)
    assert any(f == "measures/M31.yaml" and fld == "amount.cap_yuan" and "0" in r for f, fld, r in found)


def test_condition_with_two_comparators(rules_copy: Path) -> None:
    edit(rules_copy / "measures" / "M30.yaml", "test: {field: contract_months, ge: 12}",
         "test: {field: contract_months, ge: 12, le: 24}")
    found = problems_of(rules_copy)
    assert any(f == "measures/M30.yaml" and fld.startswith("items.conditions.2.test") and "比较符" in r
               for f, fld, r in found)


def test_file_name_must_match_id(rules_copy: Path) -> None:
    (rules_copy / "measures" / "M30.yaml").rename(rules_copy / "measures" / "M51.yaml")
    assert ("measures/M51.yaml", "id", "文件名应为 M30.yaml") in problems_of(rules_copy)


def test_informational_cannot_carry_conditions(rules_copy: Path) -> None:
    edit(rules_copy / "measures" / "M30.yaml", "kind: subsidy", "kind: informational")
    found = problems_of(rules_copy)
    assert any(f == "measures/M30.yaml" and "informational" in r for f, _, r in found)


def test_size_standard_thresholds_checked(rules_copy: Path) -> None:
    edit(rules_copy / "derived" / "size_standard.yaml", "small: {employees: 20, revenue: 300}",
         "small: {employees: 400, revenue: 300}")
    found = problems_of(rules_copy)
    assert any(f == "derived/size_standard.yaml" and "小型 < 中型" in r for f, _, r in found)


def test_missing_directory() -> None:
    assert problems_of(Path("/nonexistent/rules"))[0][2] == "规则目录不存在"


def test_validity_window_bounds_the_measure(rules_copy: Path) -> None:
    import datetime as dt

    from engine import evaluate, parse_profile

    edit(rules_copy / "measures" / "M30.yaml", "validity:\n", "validity:\n  from: 2025-01-01\n  to: 2025-12-31\n")
    book = load_rules(rules_copy)
    hire = {"birth_date": "2003-05-01", "hired_on": "2025-03-01", "registered_unemployed": True,
            "contract_months": 12, "insurance_months": {"unemployment": 3, "work_injury": 3, "pension": 3}}
    profile = parse_profile({"industry_code": "F52", "employees": 8, "revenue_yuan": 900_000, "hires": [hire]})
    statuses = {day: evaluate(profile, dt.date.fromisoformat(day), book).by_measure("M30")
                for day in ("2024-12-31", "2025-01-01", "2025-12-31", "2026-01-01")}
    assert [r.status for r in statuses.values()] == ["ineligible", "eligible", "eligible", "ineligible"]
    assert "到期" in statuses["2026-01-01"].reasons[0]

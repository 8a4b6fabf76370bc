"""Releases: rules/release.yaml names a rules tree (name, date); results and runs record it."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from api.cli import main
from engine import RuleFileError, evaluate, load_rules, parse_profile
from tests.releases import copy_rules, edit


def problems_of(directory: Path, **options: bool) -> list[tuple[str, str, str]]:
    with pytest.raises(RuleFileError) as caught:
        load_rules(directory, **options)
    return [(p.file, p.field, p.reason) for p in caught.value.problems]


def test_the_shipped_rules_name_their_release() -> None:
    book = load_rules()
    assert book.release is not None and book.release_name and isinstance(book.release_date, dt.date)


def test_a_missing_release_file_is_an_error_unless_read_as_history(tmp_path: Path) -> None:
    rules = copy_rules(tmp_path / "rules")
    (rules / "release.yaml").unlink()
    (file, field, reason), = problems_of(rules)
    assert (file, field) == ("release.yaml", "") and "缺少版本文件" in reason and "name" in reason
    old = load_rules(rules, require_release=False)  # a revision from before releases were named
    assert old.release is None and old.release_name is None


@pytest.mark.parametrize(("old", "new", "field", "reason"), [
    ("date: 2026-11-29", "date: 2026/11/29", "date", "日期格式应为 YYYY-MM-DD"),
    ("name: 2026年第1版", "name: ''", "name", "不能为空（至少 1 字）"),
    ("name: 2026年第1版", "name: 2026年第1版\nauthor: 王", "author", "不认识的字段"),
    ("date: 2026-11-29\n", "", "date", "必须填写"),
])
def test_release_file_errors_name_the_field_in_chinese(tmp_path: Path, old: str, new: str, field: str,
                                                       reason: str) -> None:
    rules = copy_rules(tmp_path / "rules")
    edit(rules / "release.yaml", old, new)
    assert ("release.yaml", field, reason) in problems_of(rules)
    assert problems_of(rules, require_release=False) == problems_of(rules)  # present: always checked


def test_an_impossible_date_is_reported_not_raised(tmp_path: Path) -> None:
    rules = copy_rules(tmp_path / "rules")
    edit(rules / "release.yaml", "date: 2026-11-29", "date: 2026-13-01")
    edit(rules / "measures" / "M31.yaml", "validity:\n", "validity:\n  to: 2026-02-30\n")
    found = problems_of(rules)
    assert {f for f, _, r in found if "实际存在的日期" in r} == {"release.yaml", "measures/M31.yaml"}


def test_validate_names_the_release_and_reports_its_errors(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    rules = copy_rules(tmp_path / "rules")
    assert main(["rules", "validate", str(rules)]) == 0
    book = load_rules(rules)
    assert f"规则有效：{book.release.name}（{book.release.date.isoformat()} 发布，内容版本 {book.version}）" \
        in capsys.readouterr().out
    edit(rules / "release.yaml", "date: 2026-11-29", "date: 明天")
    assert main(["rules", "validate", str(rules)]) == 1
    assert "release.yaml: date: 日期格式应为 YYYY-MM-DD" in capsys.readouterr().err


def test_the_content_hash_ignores_the_release_file(tmp_path: Path) -> None:
    rules = copy_rules(tmp_path / "rules")
    before = load_rules(rules).version
    edit(rules / "release.yaml", "name: 2026年第1版", "name: 改名的版本")
    assert load_rules(rules).version == before and load_rules(rules).release_name == "改名的版本"
    edit(rules / "measures" / "M30.yaml", "yuan: 1500", "yuan: 1600")
    assert load_rules(rules).version != before


def test_a_validity_window_cannot_end_before_it_starts(tmp_path: Path) -> None:
    rules = copy_rules(tmp_path / "rules")
    edit(rules / "measures" / "M30.yaml", "validity:\n", "validity:\n  from: 2026-01-01\n  to: 2025-12-31\n")
    assert any(f == "measures/M30.yaml" and fld == "validity" and "不能早于" in r for f, fld, r in problems_of(rules))


def test_results_carry_the_release_beside_the_content_hash(capsys: pytest.CaptureFixture) -> None:
    book = load_rules()
    result = evaluate(parse_profile({}), dt.date(2026, 1, 15), book)
    doc = json.loads(result.model_dump_json(exclude_none=True))
    assert doc["rules_version"] == book.version
    assert doc["rules_release"] == {"name": book.release.name, "date": book.release.date.isoformat()}
    assert main(["check", "examples/small-manufacturer.json", "--as-of", "2026-01-15"]) == 0
    assert f"规则版本：{book.release.name}（{book.release.date.isoformat()} 发布" in capsys.readouterr().out

"""Every numbered item of the seed task table has exactly one rule file, quoting it verbatim."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest
import yaml

from tests.seed_table import parse_seed

MEASURES = Path(__file__).resolve().parents[1] / "rules" / "measures"


@cache
def rule_files() -> dict[str, list[dict]]:
    found: dict[str, list[dict]] = {}
    for path in sorted(MEASURES.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        found.setdefault(str(data.get("id")), []).append(data)
    return found


def test_seed_has_fifty_items() -> None:
    assert [item.number for item in parse_seed()] == list(range(1, 51))


@pytest.mark.parametrize("item", parse_seed(), ids=lambda item: f"M{item.number}")
def test_item_has_exactly_one_verbatim_rule(item) -> None:  # noqa: ANN001 - a SeedItem
    files = rule_files().get(f"M{item.number}", [])
    assert len(files) == 1, f"M{item.number}: {len(files)} rule files"
    rule = files[0]
    assert rule["text"] == item.text
    assert rule["units_text"] == item.units
    assert rule["chapter"] == item.chapter
    assert rule.get("section") == item.section


def test_no_rule_file_without_a_seed_item() -> None:
    assert set(rule_files()) == {f"M{item.number}" for item in parse_seed()}

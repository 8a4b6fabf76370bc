"""Every measure that is not informational has a Chinese feature with all three outcomes."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine import default_rules

FEATURES = Path(__file__).resolve().parents[1] / "features"
CONDITIONAL = [m.id for m in default_rules().measures if m.kind != "informational"]


@pytest.mark.parametrize("measure_id", CONDITIONAL)
def test_feature_has_eligible_ineligible_and_undetermined(measure_id: str) -> None:
    files = list(FEATURES.glob(f"{measure_id}-*.feature"))
    assert len(files) == 1, f"{measure_id}: expected one features/{measure_id}-*.feature, found {files}"
    text = files[0].read_text(encoding="utf-8")
    assert text.startswith("# language: zh-CN")
    for outcome in ("可享受", "不适用", "待确定"):
        assert f"{measure_id} 的结论为 {outcome}" in text or f"| {outcome}" in text, (measure_id, outcome)

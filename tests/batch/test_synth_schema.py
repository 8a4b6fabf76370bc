from __future__ import annotations

from pathlib import Path

from stdnum.cn import uscc

from batch.schema import child_columns, enterprise_columns, list_fields, unflatten
from batch.synth import profiles, synthesize
from engine import Profile


def test_layout_follows_the_profile_model() -> None:
    assert set(list_fields()) == {
        name for name, info in Profile.model_fields.items() if str(info.annotation).startswith("list[")
        or "list[" in str(info.annotation)
    }
    paths = [c.path for c in enterprise_columns()]
    assert paths[0] == "credit_code" and "hires" not in paths
    assert "insurance_months.pension" in [c.path for c in child_columns("hires")]


def test_unflatten_dotted_columns_blank_cells_and_chinese_booleans() -> None:
    row = {"birth_date": "2003-05-01", "insurance_months.pension": "3", "contract_months": "",
           "registered_unemployed": "是"}
    assert unflatten(row, "hires.") == {
        "birth_date": "2003-05-01", "insurance_months": {"pension": "3"}, "registered_unemployed": True,
    }


def test_synthetic_registry_is_deterministic_with_valid_codes(tmp_path: Path) -> None:
    first, second = list(profiles(300, 5)), list(profiles(300, 5))
    assert first == second and first != list(profiles(300, 6))
    bad = sum(not uscc.is_valid(p["credit_code"]) for p in first)
    assert bad < 10 and sum(uscc.is_valid(p["credit_code"]) for p in first) > 280
    assert any(p.get("hires") for p in first) and any(p.get("loans") for p in first)
    a = synthesize(50, 5, tmp_path / "a")
    b = synthesize(50, 5, tmp_path / "b")
    for name in ("enterprises.csv", "hires.csv"):
        assert (a / name).read_bytes() == (b / name).read_bytes()

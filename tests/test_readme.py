"""README.md stays true: it documents every profile field and names the two commands."""

from __future__ import annotations

from pathlib import Path

from engine.field_docs import field_rows

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def test_every_profile_field_is_documented() -> None:
    undocumented = [path for path, _ in field_rows() if f"`{path}`" not in README]
    assert not undocumented, f"add to README.md (python -m engine.field_docs prints the table): {undocumented}"


def test_the_two_newcomer_commands_are_near_the_top() -> None:
    top = README[:3000]
    assert "bash scripts/serve.sh" in top
    assert "bash scripts/test.sh" in top

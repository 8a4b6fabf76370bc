"""A revised release of the rules for the tests of issue 16: M30 raised, M31 ended.

The shipped rules pay M30 (扩岗补助) 1500 元 per qualifying hire and give M31 (创业带动就业补贴) no
end date. The revision ("2026年第2版（测试）", 2026-12-15) pays 2000 元 per hire (amount and text) and
ends M31 on 2025-12-31.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from engine.loader import DEFAULT_RULES_DIR

RELEASE_NAME = "2026年第2版（测试）"
M31_ENDS = "2025-12-31"


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def copy_rules(target: Path) -> Path:
    shutil.copytree(DEFAULT_RULES_DIR, target)
    return target


def revised_rules(target: Path) -> Path:
    """A copy of rules/ under ``target`` with M30 raised to 2000 元 and M31 ended on 2025-12-31."""
    copy_rules(target)
    m30 = target / "measures" / "M30.yaml"
    edit(m30, "yuan: 1500", "yuan: 2000")
    edit(m30, "给予每人1500元的中小微企业扩岗补助", "给予每人2000元的中小微企业扩岗补助")
    edit(target / "measures" / "M31.yaml", "validity:\n", f"validity:\n  to: {M31_ENDS}\n")
    release = target / "release.yaml"
    text = release.read_text(encoding="utf-8")
    name = next(line for line in text.splitlines() if line.startswith("name:"))
    day = next(line for line in text.splitlines() if line.startswith("date:"))
    release.write_text(text.replace(name, f"name: {RELEASE_NAME}").replace(day, "date: 2026-12-15"), encoding="utf-8")
    return target

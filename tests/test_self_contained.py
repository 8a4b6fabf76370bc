"""A fresh clone, with nothing beside it, has everything its code and tests read (issue 11, point 1)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from tests.seed_table import SEED, parse_seed

ROOT = Path(__file__).resolve().parents[1]
# the project's design folder lives beside the repository during development; a user's clone has none
OUTSIDE = re.compile(r"\.\./" + "shared|/wo" + "rk/" + r"|parents\[2\]\s*/\s*\"shared\"")
CODE = {".py", ".sh", ".toml", ".cfg", ".ini", ".yaml", ".yml"}


def _tracked_code() -> list[Path]:
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    paths = [ROOT / name for name in listed.decode().split("\0") if name]
    return [p for p in paths if p.is_file() and (p.suffix in CODE or p.parent.name == ".ci")]


def test_the_policy_text_lives_in_the_repository() -> None:
    assert SEED.is_relative_to(ROOT) and SEED.is_file()
    assert len(parse_seed()) == 50


def test_no_code_script_or_test_reads_outside_the_repository() -> None:
    offenders = [f"{path.relative_to(ROOT)}:{n}: {line.strip()}"
                 for path in _tracked_code()
                 for n, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1)
                 if OUTSIDE.search(line)]
    assert offenders == []

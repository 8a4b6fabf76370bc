"""Parse the original task table kept in rules/source/ (independently of the engine)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

SEED = Path(__file__).resolve().parents[1] / "rules" / "source" / "xiamen-sme-measures-task-table.txt"
CHAPTER = re.compile(r"^[一二三四五六七八九十]+、")
SECTION = re.compile(r"^（[一二三四五六七八九十]+）")


@dataclass(frozen=True)
class SeedItem:
    number: int
    chapter: str
    section: str | None
    text: str
    units: str


def parse_seed(path: Path = SEED) -> list[SeedItem]:
    lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines()]
    lines = [line for line in lines if line]
    items: list[SeedItem] = []
    chapter, section = "", None
    index = 0
    while index < len(lines):
        line = lines[index]
        if CHAPTER.match(line):
            chapter, section = line, None
        elif SECTION.match(line):
            section = line
        elif line.isdigit() and index + 2 < len(lines):
            items.append(SeedItem(int(line), chapter, section, lines[index + 1], lines[index + 2]))
            index += 2
        index += 1
    return items

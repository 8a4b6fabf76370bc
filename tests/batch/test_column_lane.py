"""The column lane (batch/column_lane.py) against the old path: the same ChunkOutcome for every chunk.

Each CSV folder is read through the index (batch.csv_index) and every chunk evaluated twice by
``SliceTask.evaluate``, with ``column_lane.ENABLED`` off (cells -> records -> Profile -> frames) and on
(plain enterprises straight from the cells). rows, matched, unmatched, rejected, results, rejections and
registry rows must be equal item by item, in the same order and of the same Python types (a tuple is not
a list, True is not 1); timing is not compared. The folders: a synthetic registry of 20,500 enterprises
with its bad rows (batch.synth), a hand-made folder with one enterprise per odd cell among plain ones,
small generated folders (Hypothesis), and a whole ``huiqi batch`` run whose list files must be
byte-identical. The expected side is always the old path run here, never values copied from the lane.
"""

from __future__ import annotations

import csv
import datetime as dt
import importlib
import random
import tempfile
import typing
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from api.cli import main
from batch import csv_index
from batch.csv_index import CsvIndex, Slice
from batch.runner import select_measures
from batch.schema import ENTERPRISES, KEY, child_columns, enterprise_columns, list_fields
from batch.synth import INDUSTRIES, PROGRAMS, credit_code, synthesize
from batch.synth import _cell as synth_cell  # the CSV cells synth writes, to write the same
from batch.synth import _flat as synth_flat
from batch.synth import enterprise as synth_enterprise
from batch.worker import ChunkOutcome, Job, SliceTask
from engine.annotations import bare_type
from engine.limits import MAX_ITEMS_PER_LIST
from engine.profile import Profile

MEASURES = frozenset(select_measures(None, False))  # what `huiqi batch` evaluates by default
COMPARED = ("chunk_no", "rows", "matched", "unmatched", "rejected", "results", "rejections", "registry")
AS_OF = dt.date(2026, 1, 15)
SYNTH_N, SYNTH_SEED = 20_500, 14  # 997 and 10,000 both leave a short last chunk


def _lane() -> ModuleType:
    return importlib.import_module("batch.column_lane")


def _first_difference(old: Any, new: Any, where: str) -> str | None:
    """Where the lane's ``new`` first differs from ``old``: a value, a type or a length."""
    if type(old) is not type(new):
        same = " (equal items)" if isinstance(old, list | tuple) and list(old) == list(new) else ""
        return (f"{where}: a {type(old).__name__} on the old path, a {type(new).__name__} in the lane{same}: "
                f"{old!r:.200} / lane {new!r:.200}")
    if isinstance(old, str) and old != new:  # long texts (profile JSON, reasons): show where they part
        at = next((k for k, (a, b) in enumerate(zip(old, new, strict=False)) if a != b), min(len(old), len(new)))
        around = slice(max(0, at - 60), at + 120)
        return f"{where}, from character {at}: {old[around]!r} / lane {new[around]!r}"
    if isinstance(old, list | tuple):
        for position, (a, b) in enumerate(zip(old, new, strict=False)):
            found = _first_difference(a, b, f"{where}[{position}]")
            if found is not None:
                return found
        if len(old) != len(new):
            extra = (old[len(new):] or new[len(old):])[0]
            return f"{where}: {len(old)} items / lane {len(new)}; the first extra one: {extra!r:.300}"
        return None
    return None if old == new else f"{where}: {old!r:.300} / lane {new!r:.300}"


def _assert_same(old: ChunkOutcome, new: ChunkOutcome) -> None:
    for name in COMPARED:
        found = _first_difference(getattr(old, name), getattr(new, name), f"chunk {old.chunk_no} {name}")
        assert found is None, found


def _both_ways(index: CsvIndex, size: int, as_of: dt.date, monkeypatch: pytest.MonkeyPatch) -> list[ChunkOutcome]:
    """Every chunk of ``index`` evaluated with the lane off, then on; asserts that they agree and returns
    the lane-off outcomes."""
    job = Job(as_of=as_of, measures=MEASURES, engine="columnar", chunk_size=size)
    outcomes = _both_ways_parts(index, index.slices(size), job, monkeypatch)
    assert sum(o.rows for o in outcomes) == index.total  # every enterprise row was in a compared chunk
    return outcomes


def _both_ways_parts(index: CsvIndex, parts: list[Slice], job: Job, monkeypatch: pytest.MonkeyPatch,
                     ) -> list[ChunkOutcome]:
    lane = _lane()
    outcomes = []
    for part in parts:
        monkeypatch.setattr(lane, "ENABLED", False)
        old = SliceTask(index.files, part).evaluate(job)
        monkeypatch.setattr(lane, "ENABLED", True)
        new = SliceTask(index.files, part).evaluate(job)
        _assert_same(old, new)
        outcomes.append(old)
    return outcomes


def _index(folder: Path) -> CsvIndex:
    # loaded in this process: the two loader processes would each start an interpreter, seconds of the budget
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(csv_index, "INDEX_LOADERS", 1)
        return CsvIndex(folder)


# --- 1. the synthetic registry ---

@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CsvIndex]:
    index = _index(synthesize(SYNTH_N, SYNTH_SEED, tmp_path_factory.mktemp("lane-synth"), "csv"))
    yield index
    index.close()


@pytest.mark.parametrize(("size", "as_of"), [(997, AS_OF), (10_000, dt.date(2025, 3, 31))])
def test_synthetic_registry_chunk_by_chunk(synthetic: CsvIndex, size: int, as_of: dt.date,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    outcomes = _both_ways(synthetic, size, as_of, monkeypatch)
    assert len(outcomes) == -(-SYNTH_N // size) and outcomes[-1].rows < size
    # not a vacuous comparison: the registry's bad rows are rejected, many enterprises match measures
    assert sum(o.rejected for o in outcomes) > SYNTH_N // 200
    assert sum(o.matched for o in outcomes) > SYNTH_N // 2
    assert sum(len(o.results) for o in outcomes) > SYNTH_N


def test_the_lane_takes_most_plain_enterprises(synthetic: CsvIndex, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without this, a lane that always fell back to the old path would pass every other test here: with
    the lane on, most enterprises of the synthetic registry must be taken by ``column_lane.take`` and skip
    pydantic validation."""
    lane = _lane()
    assert hasattr(lane, "take"), "column_lane.take is gone: count the enterprises the lane takes another way"
    real_take, validate_module = lane.take, importlib.import_module("engine.evaluate")
    real_validate = validate_module.VALIDATE  # what every Profile validation goes through (parse_profile)
    taken = 0
    validations = {False: 0, True: 0}

    def take(*args: Any, **kwargs: Any) -> Any:
        nonlocal taken
        found = real_take(*args, **kwargs)
        taken += len(found.positions)
        return found

    def validate(data: Any) -> Profile:
        validations[lane.ENABLED] += 1
        return real_validate(data)

    monkeypatch.setattr(lane, "take", take)
    monkeypatch.setattr(validate_module, "VALIDATE", validate)
    parts = synthetic.slices(997)[:3]
    rows = sum(part.count for part in parts)
    _both_ways_parts(synthetic, parts, Job(as_of=AS_OF, measures=MEASURES, engine="columnar", chunk_size=997),
                     monkeypatch)
    assert validations[False] > 0.9 * rows  # the old path validates nearly every row
    assert taken > 0.8 * rows, (taken, rows)
    assert validations[True] < 0.2 * validations[False], validations



def test_lane_profiles_when_asked_for_are_the_usual_ones(synthetic: CsvIndex) -> None:
    """What the lane hands the columnar run for a lane enterprise, should the run need it (an amount that reads
    the items; a measure on the Rete path): its profile and its items equal the usual way's."""
    from batch.column_lane import Profiles, take
    from batch.csv_index import gathered_of, record_at
    from batch.worker import _validated
    from engine import default_rules

    gathered = gathered_of(synthetic.files, synthetic.slices(997)[1])
    lane = take(gathered, AS_OF, default_rules().fact_plan)
    assert len(lane.positions) > 900
    profiles = Profiles(gathered, [(position, None) for position in lane.positions])
    checked = 0
    for e, position in enumerate(lane.positions):
        usual = _validated(record_at(gathered, position), ChunkOutcome(0))
        assert usual is not None, position  # the lane takes only what the usual way accepts
        assert profiles[e].model_dump_json() == usual.model_dump_json()
        for name in list_fields():
            items = getattr(usual, name)
            expected = None if items is None else [item.model_dump(exclude_none=True) for item in items]
            assert profiles.listed(e, name) == expected, (position, name)
            checked += bool(expected)
    assert checked > 500  # plenty of enterprises with items


def test_a_validator_the_lane_does_not_check_keeps_its_field_out(monkeypatch: pytest.MonkeyPatch) -> None:
    """A validator written on a model (today only Hire's hired-after-birth, which the lane checks in columns)
    that the lane does not know keeps its field out of the lane: such a cell sends its row the usual way."""
    lane = _lane()
    assert lane.model_cells("hires")["hired_on"] is not None
    monkeypatch.setattr(lane, "CHECKED_VALIDATORS", frozenset())
    lane.model_cells.cache_clear()
    try:
        assert lane.model_cells("hires")["hired_on"] is None
        assert lane.model_cells("hires")["birth_date"] is not None
    finally:
        lane.model_cells.cache_clear()  # computed again with the real set once the patch is undone

# --- 2. the hand-made folder: one enterprise per odd cell, among plain ones ---

def _literal(model: type[BaseModel], path: str) -> tuple[str, ...]:
    """The allowed values of a Literal column (``insurance_months.pension``: dotted), else ()."""
    head, _, rest = path.partition(".")
    annotation = bare_type(model.model_fields[head].annotation)
    if rest:
        return _literal(annotation, rest)
    return typing.get_args(annotation) if typing.get_origin(annotation) is typing.Literal else ()


FILES = {ENTERPRISES: (Profile, enterprise_columns()),
         **{name: (item, child_columns(name)) for name, item in list_fields().items()}}
HEADERS = {file: [c.path for c in columns] for file, (_, columns) in FILES.items()}
KINDS = {file: {c.path: c.kind for c in columns} for file, (_, columns) in FILES.items()}
TEXT = {"name": ["厦门鹭岛电子有限公司", "厦门嘉禾商贸店", "A&B 科技（厦门）有限公司"],
        "industry_code": [code for code, *_ in INDUSTRIES] + ["C", "C39", "C391"],
        "program": PROGRAMS}
BIRTHS = ["1990-05-06", "2001-03-01", "2008-02-29", "2009-06-30"]
HIRED = ["2024-02-28", "2024-02-29", "2024-03-01", "2025-03-01", "2025-12-31"]  # after every birth date above


def _plain_values(file: str, path: str) -> list[str]:
    """Cells in the canonical form for a column (and the empty cell, "unknown")."""
    model, _ = FILES[file]
    kind = KINDS[file][path]
    choices = list(_literal(model, path))
    if not choices:
        choices = {bool: ["true", "false"], int: ["0", "1", "6", "12", "36", "299", "1200"],
                   Decimal: ["0", "20000", "500000", "3000000.00", "12000000", "1234567.89", "99999.5", "0.01"],
                   dt.date: ["1998-07-01", "2021-01-15", "2024-02-29", "2025-06-30", "2025-12-31"],
                   }.get(kind) or TEXT.get(path, ["文本"])
    if (file, path) == ("hires", "birth_date"):
        choices = BIRTHS
    elif (file, path) == ("hires", "hired_on"):
        choices = HIRED
    return [*choices, ""]


def _plain_row(rng: random.Random, file: str, code: str) -> dict[str, str]:
    row = {path: rng.choice(_plain_values(file, path)) for path in HEADERS[file] if path != KEY}
    return {KEY: code, **row}


def _plain_children(rng: random.Random, code: str) -> dict[str, list[dict[str, str]]]:
    return {file: [_plain_row(rng, file, code) for _ in range(rng.choice([1, 1, 2, 3]))]
            for file in list_fields() if rng.random() < 0.3}


WHITESPACE = [("name", "  厦门前后空格有限公司 "), ("name", "\u3000厦门全角空格有限公司"),
              ("name", "厦门不换行空格\u00a0"), ("name", "   "), ("employees", " 12"), ("employees", "12 "),
              ("revenue_yuan", " 5000"), ("revenue_yuan", "5000 "), ("founded_on", " 2015-03-01"),
              ("district", " 思明区"), ("district", "思明区 "),
              ("zone", " 自贸区 "), ("industry_code", "C3911 "), ("entity_type", " enterprise"),
              ("foreign_trade", " true"), ("foreign_trade", "false\t")]
BOOLS = ["True", "TRUE", "False", "FALSE", "1", "0", "yes", "no", "Y", "n", "on", "off", "t", "f", "是", "否", " 是",
         "对", "2", "truth"]
COUNTS = ["007", "0", "00", "+5", "-5", "-0", "1e3", "5.0", "5.5", "１２", "٣", "1_000", "0x10", "10000000", "10000001",
          "99999999", "100000000", "99999999999999999999", "NaN", "true"]
MONEY = ["0012.5", "007", "00", "12.345", "12.3", "12.30", "12.00", "12.", ".5", "0.5", "1e3", "1E3", "+5", "-5", "-0",
         "1,000", "１２３", "NaN", "inf", "999999999999999", "1000000000000000", "999999999999999.99",
         "999999999999999.999", "100000000000000.5", "0.001", "0.00", "0.10", "true"]
DATES = ["2023-02-30", "2023-2-3", "20230203", "2023/02/03", "2023-02-03T00:00:00", "2023-02-03 00:00", "2023-02-29",
         "0001-01-01", "9999-12-31", "1899-12-31", "1900-01-01", "2099-12-31", "2100-01-01", "1700000000",
         "２０２３-０２-０３", "2027-01-01", "2023-13-01"]
NAMES = ['厦门"引号"有限公司', "厦门\\反斜杠\\公司", "厦门\t制表符", "厦门\n换行\r\n公司", "控制\x01\x08\x1f字符",
         "空字符\x00", "表情😀🏭有限公司", '=HYPERLINK("x")', "名" * 200, "名" * 201, "a" * 200, "a" * 201,
         "😀" * 200, "😀" * 201, "𠮷" * 201, "\ufeff厦门", "厦门\u200b零宽", "'单引号", "厦门\u2028行分隔",
         "厦门\x7f删除符", "厦门\x85下一行\x85", "厦门/斜杠<b>&amp;", "\\u0041"]
INDUSTRY_CODES = ["A", "T", "U", "a", "c3911", "C", "C3", "C39", "C391", "C39111", "3911", "CC911", "C３９１１",
                  "J6620", "Z1234", "A0", "A01", "A0123", "A01234", "T9999"]
ODD_ENTERPRISE_CELLS: list[tuple[str, str]] = [
    *WHITESPACE,
    *[("foreign_trade", v) for v in BOOLS], ("debts_settled", "是"), ("dishonesty_record", "否"),
    *[("employees", v) for v in COUNTS],
    *[("revenue_yuan", v) for v in MONEY], ("total_assets_yuan", "12.345"), ("total_assets_yuan", "0012.50"),
    *[("founded_on", v) for v in DATES], ("existing_land_since", "2023-2-3"),
    *[("name", v) for v in NAMES],
    *[("industry_code", v) for v in INDUSTRY_CODES],
    *[("district", v) for v in ("鼓浪屿区", "思明", "思 明区", "湖里区\u3000", "厦门市")],
    *[("zone", v) for v in ("高新区", "火炬高新区 ", "自贸区\n", "Free Trade Zone")],
    *[("entity_type", v) for v in ("Enterprise", "individual", "ENTERPRISE")],
    *[("declared_size_class", v) for v in ("Small", "small ", "tiny", "large", "micro")],
]
FULL_WIDTH = str.maketrans({chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)})
ODD_CODES: list[Callable[[str], str]] = [
    str.lower, lambda c: f" {c} ", lambda c: f"{c[:6]} {c[6:]}", lambda c: f"{c[:2]}-{c[2:]}",
    lambda c: c[:-1] + ("0" if c[-1] != "0" else "1"), lambda c: c[:-1], lambda c: c + "0",
    lambda c: c.translate(FULL_WIDTH), lambda c: c.replace("0", "O", 1), lambda c: "",
]
ODD_CHILD_CELLS: list[tuple[str, str, str]] = [
    *[("hires", "registered_unemployed", v) for v in ("True", "1", "yes", "是", "否", "maybe")],
    *[("hires", "contract_months", v) for v in ("0", "1200", "1201", "-1", "012", " 12", "12.0", "1e2")],
    *[("hires", "insurance_months.pension", v) for v in ("0", "1200", "1201", "abc", " 6")],
    ("hires", "insurance_months.unemployment", "007"), ("hires", "insurance_months.work_injury", "-0"),
    ("hires", "social_insurance_months", "１２"),
    *[("hires", "birth_date", v) for v in ("2008-2-29", "20080229", "2023-02-30", " 2008-02-29")],
    ("hires", "hired_on", "2025-03-01T00:00:00"),
    *[("loans", "principal_yuan", v) for v in ("0012.5", "12.345", "1e3", "+5", "-5", "999999999999999",
                                               "1000000000000000")],
    ("loans", "kind", "Working_Capital"), ("loans", "kind", " other"), ("loans", "kind", "mortgage"),
    ("loans", "term_months", "1201"),
    ("procurement_contracts", "prepayment_arranged", "TRUE"), ("procurement_contracts", "amount_yuan", "1,000"),
    ("exhibitions", "program", "广" * 100), ("exhibitions", "program", "广" * 101),
    ("exhibitions", "program", " 广交会 "), ("exhibitions", "program", "广交会\n第二行"),
    ("exhibitions", "fees_yuan", "20000.001"),
    ("designations", "recognized_on", "2023-02-30"), ("designations", "kind", "little giant"),
    ("projects", "selected", "否"), ("events", "held_on", "2025-13-01"), ("events", "organizer", "yes"),
    ("procurement_projects", "category", "Goods"), ("procurement_projects", "budget_yuan", "+1"),
    ("receivables", "debtor_kind", "government agency"), ("receivables", "overdue", "0"),
    ("violations", "harm", "none "), ("violations", "first_violation", "FALSE"),
]

class Folder:
    """A CSV folder being written: enterprises in groups kept together (a duplicate right after its
    first), the groups shuffled so lines and code order differ."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.groups: list[list[list[str]]] = []
        self.children: dict[str, list[list[str]]] = {file: [] for file in list_fields()}

    def add(self, *enterprises: dict[str, str] | list[str], children: dict[str, list[dict[str, str]]] | None = None,
            ) -> None:
        self.groups.append([self._cells(ENTERPRISES, e) for e in enterprises])
        for file, rows in (children or {}).items():
            self.children[file].extend(self._cells(file, row) for row in rows)

    def child(self, file: str, row: dict[str, str] | list[str]) -> None:
        self.children[file].append(self._cells(file, row))

    @staticmethod
    def _cells(file: str, row: dict[str, str] | list[str]) -> list[str]:
        if isinstance(row, list):  # written as is: an unreadable row or an empty line
            return row
        unknown = set(row) - set(HEADERS[file])
        assert not unknown, f"{file}: no column {unknown}"
        return [row.get(path, "") for path in HEADERS[file]]

    def write(self, folder: Path) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        self.rng.shuffle(self.groups)
        files = {ENTERPRISES: [row for group in self.groups for row in group], **self.children}
        for file, rows in files.items():
            if file != ENTERPRISES and not rows:
                continue
            if file != ENTERPRISES:
                self.rng.shuffle(rows)
            with (folder / f"{file}.csv").open("w", encoding="utf-8", newline="") as handle:
                writer = csv.writer(handle)
                writer.writerow(HEADERS[file])
                writer.writerows(rows)
        return folder


def handmade_folder(folder: Path, seed: int = 5) -> Path:
    rng = random.Random(seed)
    odd_count = len(ODD_ENTERPRISE_CELLS) + len(ODD_CODES) + len(ODD_CHILD_CELLS) + 40  # and the special cases
    codes = sorted({credit_code(rng, "350203", rng.random() < 0.2) for _ in range(2 * odd_count + 20)})
    odd = iter(codes[1::2])  # every odd enterprise between two plain ones in code order, so in a chunk with them
    plain = codes[::2]
    out = Folder(rng)

    def base(code: str) -> dict[str, str]:
        return _plain_row(rng, ENTERPRISES, code)

    for code in plain:
        out.add(base(code), children=_plain_children(rng, code))
    for column, cell in ODD_ENTERPRISE_CELLS:
        code = next(odd)
        out.add({**base(code), column: cell}, children=_plain_children(rng, code))
    for spoil in ODD_CODES:
        code = next(odd)  # its child rows name the code as it should be, and as the enterprise row wrote it
        out.add({**base(code), KEY: spoil(code)}, children={"loans": [_plain_row(rng, "loans", code)],
                                                             "hires": [_plain_row(rng, "hires", spoil(code))]})
    for file, column, cell in ODD_CHILD_CELLS:
        code = next(odd)  # with a plain row of the same file, before or after it (the child files are shuffled)
        rows = [_plain_row(rng, file, code), {**_plain_row(rng, file, code), column: cell}]
        out.add(base(code), children={**_plain_children(rng, code), file: rows})
    # duplicate codes: adjacent rows, twice and three times, and differing only in letter case
    for times, spelling in ((2, str), (3, str), (2, str.lower)):
        code = next(odd)
        copies = [{**base(code), KEY: spelling(code) if k else code} for k in range(times)]
        out.add(*copies, children={"hires": [_plain_row(rng, "hires", code)]})
    # hired on the birth date (rejected), one day after (a hire aged 0), and before it
    for birth, hired in (("2000-05-05", "2000-05-05"), ("2000-05-05", "2000-05-06"), ("2000-05-05", "1999-01-01")):
        code = next(odd)
        out.add(base(code), children={"hires": [{**_plain_row(rng, "hires", code), "birth_date": birth,
                                                 "hired_on": hired}]})
    # lists at and over MAX_ITEMS_PER_LIST
    for count, file in ((MAX_ITEMS_PER_LIST, "hires"), (MAX_ITEMS_PER_LIST + 1, "hires"),
                        (MAX_ITEMS_PER_LIST + 1, "receivables")):
        code = next(odd)
        out.add(base(code), children={file: [_plain_row(rng, file, code) for _ in range(count)]})
    # no child rows at all; every cell empty; every cell empty but the code
    out.add(base(next(odd)))
    out.add({})
    out.add({KEY: next(odd)})
    # unreadable rows: too few and too many cells; empty lines
    short, long = next(odd), next(odd)
    out.add([short, "厦门少列有限公司"], children={"hires": [_plain_row(rng, "hires", short)]})
    out.add([long, *base(long).values(), "多一列"])
    out.add([])
    out.add([], [])
    code = next(odd)  # a child row of a plain enterprise that cannot be read, after one that can
    out.add(base(code), children={"hires": [_plain_row(rng, "hires", code)]})
    out.child("hires", [code, "2001-03-01"])
    out.child("loans", [])
    out.child("loans", [])
    # child rows whose code no enterprise has: before every code, between them, after them; no code;
    # an all-empty row; lower case; nested columns filled
    fresh = sorted({credit_code(rng, "350203", rng.random() < 0.2) for _ in range(6)} - set(codes))
    orphans = ["0" * 18, "11350200MB0000000X", *fresh, "Y" * 18, "", fresh[0].lower(), f" {fresh[1]} "]
    for orphan in orphans:
        out.child("hires", {**_plain_row(rng, "hires", orphan), "insurance_months.pension": "7"})
        out.child("violations", _plain_row(rng, "violations", orphan))
    out.child("hires", {})
    out.child("events", {})
    return out.write(folder)


@pytest.fixture(scope="module")
def handmade(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return handmade_folder(tmp_path_factory.mktemp("lane-handmade"))


@pytest.mark.parametrize(("size", "as_of"), [(13, AS_OF), (10_000, AS_OF), (50, dt.date(2024, 2, 29))])
def test_handmade_odd_cells(handmade: Path, size: int, as_of: dt.date, monkeypatch: pytest.MonkeyPatch) -> None:
    index = _index(handmade)
    try:
        outcomes = _both_ways(index, size, as_of, monkeypatch)
    finally:
        index.close()
    rejections = [r for o in outcomes for r in o.rejections]
    assert sum(o.rejected for o in outcomes) > len(ODD_ENTERPRISE_CELLS) // 3
    assert sum(o.matched for o in outcomes) > 100
    assert {r[0] for r in rejections} >= {"enterprises.csv", "hires.csv", "loans.csv"}
    assert any("重复" in r[4] for r in rejections) and any("没有统一社会信用代码" in r[4] for r in rejections)


# --- 2b. headers that are not the schema's ---

def _reversed(file: str) -> list[str]:
    return HEADERS[file][::-1]


HEADER_CASES: dict[str, dict[str, list[str]]] = {
    "code and name only": {ENTERPRISES: [KEY, "name"]},
    "code only": {ENTERPRISES: [KEY]},
    "no code column": {ENTERPRISES: [c for c in HEADERS[ENTERPRISES] if c != KEY]},
    "reversed": {ENTERPRISES: _reversed(ENTERPRISES), "hires": _reversed("hires"), "loans": _reversed("loans")},
    "an unknown column": {ENTERPRISES: [*HEADERS[ENTERPRISES], "unknown_column"],
                          "hires": [*HEADERS["hires"], "insurance_months.unknown"]},
    "a repeated column": {ENTERPRISES: [*HEADERS[ENTERPRISES], "employees"], "hires": [*HEADERS["hires"], "hired_on"]},
    "an upper-case column": {ENTERPRISES: [*HEADERS[ENTERPRISES][:-1], HEADERS[ENTERPRISES][-1].upper()]},
    "child files of few columns": {"hires": [KEY, "birth_date"], "loans": [KEY], "violations": ["harm", KEY]},
}


def _header_cells(file: str, header: list[str], row: dict[str, str], k: int) -> list[str]:
    """``row`` under ``header``: a repeated column's last cell (the one read) now and then another plain value,
    a column the model does not know filled on every other row."""
    cells: list[str] = []
    for path in header:
        if path in header[:len(cells)]:  # it stood before
            cells.append(_plain_values(file, path)[0] if k % 2 else row.get(path, ""))
        elif path in KINDS[file]:
            cells.append(row.get(path, ""))
        else:
            cells.append(f"x{k}" if k % 2 else "")
    return cells


def odd_header_folder(folder: Path, headers: dict[str, list[str]], seed: int = 8) -> Path:
    """Thirty enterprises (plain, some with an odd cell or a lower-case code) and their child rows, under
    ``headers`` (the schema's header for a file not named), written with a BOM."""
    rng = random.Random(seed)
    codes = sorted({credit_code(rng, "350205", False) for _ in range(30)})
    plain: dict[str, list[dict[str, str]]] = {file: [] for file in FILES}
    for k, code in enumerate(codes):
        for file, rows in _synthetic(rng.randrange(2**32), code if k % 7 else code.lower()).items():
            plain[file] += rows
        if k % 5 == 0:
            column, cell = ODD_ENTERPRISE_CELLS[rng.randrange(len(ODD_ENTERPRISE_CELLS))]
            plain[ENTERPRISES][-1][column] = cell
    folder.mkdir(parents=True, exist_ok=True)
    for file, rows in plain.items():
        if rows:
            header = headers.get(file, HEADERS[file])
            with (folder / f"{file}.csv").open("w", encoding="utf-8-sig", newline="") as handle:
                writer = csv.writer(handle)
                writer.writerow(header)
                writer.writerows(_header_cells(file, header, row, k) for k, row in enumerate(rows))
    return folder


@pytest.mark.parametrize("case", list(HEADER_CASES))
def test_headers_not_the_schemas(case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    index = _index(odd_header_folder(tmp_path / "folder", HEADER_CASES[case]))
    try:
        for size in (4, 100):
            outcomes = _both_ways(index, size, AS_OF, monkeypatch)
            assert sum(o.rows for o in outcomes) == 30
    finally:
        index.close()


# --- 3. generated small folders ---

ODD_BY_KIND: dict[type, list[str]] = {bool: BOOLS, int: [*COUNTS, "1200", "1201", " 6"], Decimal: MONEY,
                                      dt.date: [*DATES, " 2023-02-03", "2024-02-29"]}
POOL = sorted({credit_code(random.Random(k), "350211", k % 2 == 1) for k in range(8)})  # few: duplicates happen
OTHER_CODES = ["", POOL[0].lower(), f" {POOL[1]}", "0" * 18, "Y" * 18, credit_code(random.Random(99), "350211", False)]


def _odd_values(file: str, path: str) -> list[str]:
    kind = KINDS[file][path]
    if kind in ODD_BY_KIND:
        return ODD_BY_KIND[kind]
    allowed = _literal(FILES[file][0], path)
    if allowed:
        return [f" {allowed[0]}", allowed[0].upper(), f"{allowed[-1]} ", "其他"]
    return INDUSTRY_CODES if path == "industry_code" else NAMES


def _flat(data: dict[str, Any]) -> dict[str, str]:
    """A synthetic profile's scalars as the CSV cells ``huiqi synth`` writes (dotted keys, true/false)."""
    return {key: str(synth_cell(value)) for key, value in synth_flat(data).items()}


def _synthetic(seed: int, code: str) -> dict[str, list[dict[str, str]]]:
    """file -> rows of one plain enterprise: a ``huiqi synth`` enterprise (hires, loans... that match measures
    with amounts), its other columns and child files filled with canonical cells."""
    rng = random.Random(seed)
    data = synth_enterprise(rng)
    enterprise = {**_plain_row(rng, ENTERPRISES, code), **_flat(data), KEY: code}
    rows: dict[str, list[dict[str, str]]] = {ENTERPRISES: [enterprise]}
    for file in list_fields():
        if file in data:
            rows[file] = [{KEY: code, **_flat(item)} for item in data[file] or []]
        elif rng.random() < 0.3:
            rows[file] = [_plain_row(rng, file, code) for _ in range(rng.choice([1, 2]))]
    return rows


@st.composite
def _header(draw: st.DrawFn, file: str) -> list[str]:
    schema = HEADERS[file]
    shape = draw(st.sampled_from(["schema"] * 4 + ["shuffled", "few", "unknown column", "repeated column"]))
    if shape == "shuffled":
        return list(draw(st.permutations(schema)))
    if shape == "few":
        return [KEY, *draw(st.lists(st.sampled_from(schema[1:]), unique=True, max_size=4))]
    if shape == "unknown column":
        return [*schema, "unknown_column"]
    if shape == "repeated column":
        return [*schema, draw(st.sampled_from(schema))]  # counts once, where it first stands, with its last cell
    return list(schema)


ODDNESS = {True: [0] * 4 + [1, 2], False: [0] * 9 + [1]}  # at most how many odd cells: enterprise rows, child rows


@st.composite
def _cells(draw: st.DrawFn, file: str, header: list[str], plain: dict[str, str]) -> list[str]:
    """``plain`` in the order of ``header``, with now and then an odd cell or two, or a row that cannot be read."""
    if draw(st.integers(0, 24 if file == ENTERPRISES else 99)) == 0:
        return draw(st.sampled_from([[], [plain.get(KEY, "")], [*plain.values(), "多一列"]]))
    most = draw(st.sampled_from(ODDNESS[file == ENTERPRISES]))
    odd = set(draw(st.lists(st.sampled_from(header), unique=True, max_size=most)))
    cells = []
    for path in header:
        if path not in odd:
            cells.append(plain.get(path, ""))
        elif path == KEY:
            cells.append(draw(st.sampled_from(ODD_CODES))(plain.get(KEY, "")))
        elif path not in KINDS[file]:
            cells.append("x")
        else:
            cells.append(draw(st.sampled_from(_odd_values(file, path))))
    return cells


@st.composite
def small_folders(draw: st.DrawFn) -> dict[str, list[list[str]]]:
    """file -> its rows, header first: a few enterprises with their child rows, and a few child rows of
    codes no enterprise has (or no code)."""
    plain: dict[str, list[dict[str, str]]] = {file: [] for file in FILES}
    codes = draw(st.permutations(POOL))[:draw(st.integers(1, 5))]
    if draw(st.integers(0, 4)) == 0:
        codes.append(draw(st.sampled_from(codes)))  # a repeated code
    for code in codes:
        for file, rows in _synthetic(draw(st.integers(0, 2**32)), code).items():
            plain[file] += rows
    for _ in range(draw(st.sampled_from([0, 0, 0, 1]))):
        file = draw(st.sampled_from(list(list_fields())))
        code = draw(st.sampled_from(OTHER_CODES))
        plain[file].append(_plain_row(random.Random(draw(st.integers(0, 99))), file, code))
    files = {}
    for file, rows in plain.items():
        if rows or file == ENTERPRISES:
            header = draw(_header(file)) if file == ENTERPRISES or draw(st.integers(0, 3)) == 0 else HEADERS[file]
            files[file] = [header, *[draw(_cells(file, header, row)) for row in rows]]
    return files


@settings(max_examples=45, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(files=small_folders(), size=st.integers(1, 4), as_of=st.sampled_from([AS_OF, dt.date(2024, 2, 29)]))
def test_generated_small_folders(files: dict[str, list[list[str]]], size: int, as_of: dt.date) -> None:
    note(f"size={size} as_of={as_of} files={files!r}")  # Hypothesis 6.170 printed the failing arguments empty
    with tempfile.TemporaryDirectory() as tmp, pytest.MonkeyPatch.context() as patch:
        for file, rows in files.items():
            with (Path(tmp) / f"{file}.csv").open("w", encoding="utf-8", newline="") as handle:
                csv.writer(handle).writerows(rows)
        index = _index(Path(tmp))
        try:
            _both_ways(index, size, as_of, patch)
        finally:
            index.close()


# --- 4. a whole run ---

def _lists(out: Path) -> dict[str, bytes]:
    (folder,) = out.iterdir()  # out/<run id>
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and p.name != "run.json"}


def test_batch_run_writes_the_same_files(handmade: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    lane = _lane()
    monkeypatch.setattr(csv_index, "INDEX_LOADERS", 1)
    written = {}
    for enabled in (False, True):
        monkeypatch.setattr(lane, "ENABLED", enabled)
        out = tmp_path / f"lane-{enabled}"
        code = main(["batch", str(handmade), "--as-of", AS_OF.isoformat(), "--engine", "columnar",
                     "--db", f"sqlite:///{tmp_path / f'lane-{enabled}.sqlite3'}", "--out", str(out),
                     "--chunk-size", "50", "--workers", "0", "--no-progress"])
        assert code == 0, capsys.readouterr().err
        written[enabled] = _lists(out)
    assert written[True].keys() == written[False].keys()
    assert "rejections.csv" in written[False] and sum(name.endswith(".xlsx") for name in written[False]) > 20
    for name, content in written[False].items():
        assert written[True][name] == content, name

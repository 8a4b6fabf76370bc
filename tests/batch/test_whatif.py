"""``huiqi batch what-if``: who gains, loses or sees another amount under a revised release.

The registry below is written by hand and its answers derived from the policy text (evaluation day
2026-01-15; the revision of tests/releases.py pays M30 2,000 元 instead of 1,500 元 per hire and
ends M31 on 2025-12-31):

- E1, a small manufacturer (工业: 35 people, 1,200 万元 revenue: small) in 火炬高新区, founded
  2024-03-01. Two hires aged 22 and 24, registered unemployed, contracts of 12 and 24 months, the three
  insurances paid 3 and 4 months: M30 = 2 × 1,500 = 3,000 元 → 2 × 2,000 = 4,000 元 (+1,000).
  M31 (small, founded within 3 years): only the first hire has 6 months of social insurance
  (the second 4): up to 1 × 1,000 = 1,000 元 → ended: lost.
- E2, a 个体工商户 (retail, 3 people: micro) in 思明区; one hire aged 25 (not 16-24: no M30) on a
  12-month contract with 6 months of social insurance: M31 up to 1,000 元 → lost.
- E3, a large manufacturer (1,200 people, 5 亿元 revenue: large) in 集美区: neither M30 nor M31,
  before or after.
- E4, a small manufacturer (50 people, 500 万元) in the 自贸区, founded 2020-05-01 (over 3 years:
  no M31); three qualifying hires: M30 = 4,500 元 → 6,000 元 (+1,500).

So M30: 2 enterprises change amount, +2,500 元 (市人社局 both; 火炬管委会 E1 +1,000; 自贸委 E4 +1,500);
M31: 2 enterprises lose, -2,000 元 of "最高" amounts (市人社局 both; 火炬管委会 E1; 思明区人民政府 E2).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, delete
from stdnum.cn import uscc

from api.cli import main
from batch.runner import RunSpec, execute, start
from batch.whatif import WhatIfError, what_if
from batch.whatif_compare import ALL_UNITS, ENGINES
from engine import RuleBook
from engine.evaluate import evaluate_many
from engine.profile import Profile
from engine.result import Result
from store.models import BatchMember
from tests.batch.conftest import AS_OF
from tests.releases import RELEASE_NAME, copy_rules, edit, revised_rules


def code(body: str) -> str:
    head = "91350200" + body
    return head + uscc.calc_check_digit(head)


E1, E2, E3, E4 = code("MA1HAND01"), "92350203MA1HAND02" + uscc.calc_check_digit("92350203MA1HAND02"), \
    code("MA1HAND03"), code("MA1HAND04")


def hire(born: str, hired: str, unemployed: bool = True, contract: int = 12, insured: int = 3,
         social: int | None = None) -> dict[str, Any]:
    item: dict[str, Any] = {"birth_date": born, "hired_on": hired, "registered_unemployed": unemployed,
                            "contract_months": contract,
                            "insurance_months": {"unemployment": insured, "work_injury": insured, "pension": insured}}
    if social is not None:
        item["social_insurance_months"] = social
    return item


REGISTRY = [
    {"credit_code": E1, "name": "厦门甲制造有限公司", "entity_type": "enterprise", "industry_code": "C3911",
     "employees": 35, "revenue_yuan": 12_000_000, "founded_on": "2024-03-01", "district": "湖里区",
     "zone": "火炬高新区", "hires": [hire("2003-05-01", "2025-09-01", social=6),
                                  hire("2001-01-10", "2025-10-01", contract=24, insured=4, social=4)]},
    {"credit_code": E2, "name": "思明区乙商店", "entity_type": "individual_business", "industry_code": "F5212",
     "employees": 3, "district": "思明区",
     "hires": [hire("2000-06-01", "2025-12-01", unemployed=False, social=6)]},
    {"credit_code": E3, "name": "厦门丙集团有限公司", "entity_type": "enterprise", "industry_code": "C3911",
     "employees": 1200, "revenue_yuan": 500_000_000, "founded_on": "2010-01-01", "district": "集美区",
     "hires": [hire("2003-05-01", "2025-09-01", social=6)]},
    {"credit_code": E4, "name": "厦门丁科技有限公司", "entity_type": "enterprise", "industry_code": "C3911",
     "employees": 50, "revenue_yuan": 5_000_000, "founded_on": "2020-05-01", "district": "海沧区", "zone": "自贸区",
     "hires": [hire("2004-02-01", "2025-07-01")] * 3},
]


def write_registry(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def batch(db: Engine, path: Path, workers: int = 0) -> str:
    run_id = start(db, RunSpec(path, AS_OF))
    execute(db, run_id, workers=workers, progress=False)
    return run_id


@pytest.fixture(scope="module")
def revised(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return revised_rules(tmp_path_factory.mktemp("release") / "rules")


def read_csv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


@pytest.mark.parametrize("engine", sorted(ENGINES))
def test_gains_and_losses_match_the_policy_text(db: Engine, tmp_path: Path, revised: Path, engine: str) -> None:
    run_id = batch(db, write_registry(tmp_path / "registry.jsonl", REGISTRY))
    report = what_if(db, run_id, revised, tmp_path / "out", workers=0, progress=False, evaluate=ENGINES[engine])
    assert report.evaluated == 4 and report.invalid == [] and report.engine == engine
    assert [m for m, _ in report.measure_tallies()] == ["M30", "M31"]  # nothing else changed

    def tally(measure: str, unit: str) -> tuple[Any, ...]:
        t = report.tallies[(measure, unit)]
        return t.before, t.after, t.gained, t.lost, t.changed, t.difference()

    assert tally("M30", ALL_UNITS) == (2, 2, 0, 0, 2, Decimal(2500))
    assert tally("M30", "市人社局") == (2, 2, 0, 0, 2, Decimal(2500))
    assert tally("M30", "火炬管委会") == (1, 1, 0, 0, 1, Decimal(1000))
    assert tally("M30", "自贸委") == (1, 1, 0, 0, 1, Decimal(1500))
    assert tally("M31", ALL_UNITS) == (2, 0, 0, 2, 0, Decimal(-2000))
    assert tally("M31", "市人社局") == (2, 0, 0, 2, 0, Decimal(-2000))
    assert tally("M31", "火炬管委会") == (1, 0, 0, 1, 0, Decimal(-1000))
    assert tally("M31", "思明区人民政府") == (1, 0, 0, 1, 0, Decimal(-1000))
    m30 = report.tallies[("M30", ALL_UNITS)]
    assert m30.before_yuan == {"exact": Decimal(7500)} and m30.after_yuan == {"exact": Decimal(10000)}
    assert report.tallies[("M31", ALL_UNITS)].before_yuan == {"up_to": Decimal(2000)}
    assert ("M30", "集美区人民政府") not in report.tallies  # E3 is on no list, before or after

    folder = report.folder
    assert read_csv(folder / "M30_中小微企业扩岗补助" / "火炬管委会.csv")[1:] == [
        ["厦门甲制造有限公司", E1, "湖里区", "火炬高新区", "金额变化", "3000", "4000", "1000", "确定金额",
         "2 人 × 2,000 元 = 4,000 元", "企业划型为中小微企业；2 名新招用人员符合条件（16-24岁、登记失业人员、"
         "签订1年以上劳动合同、缴纳失业、工伤、职工养老保险满3个月以上）"]]
    lost = read_csv(folder / "M31_创业带动就业补贴" / "思明区人民政府.csv")
    assert lost[1][:9] == ["思明区乙商店", E2, "思明区", "", "不再符合", "1000", "", "-1000", "最高金额"]
    assert lost[1][10] == "本措施已于 2025-12-31 到期"
    assert (folder / "M31_创业带动就业补贴" / "市人社局.xlsx").exists()
    assert sorted(p.name for p in (folder / "M30_中小微企业扩岗补助").glob("*.csv")) == [
        "市人社局.csv", "火炬管委会.csv", "自贸委.csv"]
    changes = read_csv(folder / "changes.csv")
    assert changes[1:] == [
        ["M30", E1, "厦门甲制造有限公司", "金额变化", "3000", "4000"],
        ["M30", E4, "厦门丁科技有限公司", "金额变化", "4500", "6000"],
        ["M31", E1, "厦门甲制造有限公司", "不再符合", "1000", ""], ["M31", E2, "思明区乙商店", "不再符合", "1000", ""]]
    summary = read_csv(folder / "summary.csv")
    assert summary[1] == ["M30", "中小微企业扩岗补助", "全部经办单位（按企业计）", "2", "2", "0", "0", "2", "7500",
                          "10000", "2500", "确定金额"]
    assert not (folder / "changes.sqlite3").exists()
    record = json.loads((folder / "what-if.json").read_text(encoding="utf-8"))
    assert record["difference_yuan"] == {"exact": "2500", "up_to": "-2000"}
    assert (record["gained"], record["lost"], record["changed"]) == (0, 2, 2)
    assert record["rules_release"] == RELEASE_NAME and record["engine"] == engine


def test_the_command_prints_per_measure_lines_and_a_summary(tmp_path: Path, revised: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    registry = write_registry(tmp_path / "registry.jsonl", REGISTRY)
    assert main(["batch", str(registry), "--as-of", "2026-01-15", "--db", url, "--out", str(tmp_path / "out"),
                 "--workers", "0", "--no-progress"]) == 0
    run_id = json.loads(capsys.readouterr().out.strip().splitlines()[-1])["run_id"]
    assert main(["batch", "what-if", run_id, "--rules", str(revised), "--db", url, "--out", str(tmp_path / "out"),
                 "--workers", "0", "--no-progress"]) == 0
    captured = capsys.readouterr()
    summary = json.loads(captured.out.strip().splitlines()[-1])
    assert summary["difference_yuan"] == {"exact": "2500", "up_to": "-2000"} and summary["evaluated"] == 4
    assert "  M30 中小微企业扩岗补助：新增符合 0 户，不再符合 0 户，金额变化 2 户；确定金额 +2,500 元" in captured.err
    assert "  M31 创业带动就业补贴：新增符合 0 户，不再符合 2 户，金额变化 0 户；最高金额 -2,000 元" in captured.err
    assert ("影响测算：4 户企业，2 项措施有变化；新增符合 0 户次，不再符合 2 户次，金额变化 2 户次；"
            "确定金额 +2,500 元，最高金额 -2,000 元；用时") in captured.err
    assert summary["engine"] == "columnar" and "（列式引擎）" in captured.err
    assert main(["batch", "what-if", run_id, "--rules", str(revised), "--db", url, "--out", str(tmp_path / "out"),
                 "--workers", "0", "--no-progress", "--engine", "rete"]) == 0
    on_rete = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert on_rete["engine"] == "rete" and on_rete["difference_yuan"] == summary["difference_yuan"]
    assert main(["batch", "what-if", run_id, "--db", url]) == 2
    assert "--rules" in capsys.readouterr().err


def test_the_run_is_replayed_as_it_was_even_after_a_later_import(db: Engine, tmp_path: Path, revised: Path) -> None:
    first = batch(db, write_registry(tmp_path / "first.jsonl", REGISTRY))
    # a later import gives E1 a third qualifying hire (the registry now holds the new profile)
    later = [dict(REGISTRY[0], hires=[*REGISTRY[0]["hires"], hire("2004-01-01", "2025-11-01")]), *REGISTRY[1:]]
    batch(db, write_registry(tmp_path / "later.jsonl", later))
    report = what_if(db, first, revised, tmp_path / "out", workers=0, progress=False)
    assert report.tallies[("M30", "火炬管委会")].difference() == Decimal(1000)  # still 2 hires: 3,000 → 4,000


def test_a_run_stored_before_members_uses_the_registry_while_it_is_still_its_own(
        db: Engine, tmp_path: Path, revised: Path) -> None:
    run_id = batch(db, write_registry(tmp_path / "registry.jsonl", REGISTRY))
    with db.begin() as conn:
        conn.execute(delete(BatchMember).where(BatchMember.run_id == run_id))  # as before migration 0004
    report = what_if(db, run_id, revised, tmp_path / "out", workers=0, progress=False)
    assert report.tallies[("M30", ALL_UNITS)].difference() == Decimal(2500)
    later = batch(db, write_registry(tmp_path / "later.jsonl", REGISTRY[:1]))  # takes E1 over
    assert later
    with pytest.raises(WhatIfError, match="只有 3 户（该批次评估了 4 户）"):
        what_if(db, run_id, revised, tmp_path / "out", workers=0, progress=False)


def test_unchanged_rules_change_nothing_and_the_pool_agrees(db: Engine, registry: dict[str, Path],
                                                            tmp_path: Path, revised: Path) -> None:
    run_id = batch(db, registry["csv"], workers=2)
    same = what_if(db, run_id, copy_rules(tmp_path / "same"), tmp_path / "out", workers=2, progress=False)
    assert same.evaluated > 300 and same.measure_tallies() == []
    assert same.totals().gained == same.totals().lost == same.totals().changed == 0
    in_pool = what_if(db, run_id, revised, tmp_path / "out", workers=2, progress=False)
    in_process = what_if(db, run_id, revised, tmp_path / "out2", workers=0, progress=False)
    assert in_pool.tallies == in_process.tallies and in_pool.tallies[("M30", ALL_UNITS)].changed > 0
    files = sorted(p.relative_to(in_pool.folder) for p in in_pool.folder.rglob("*.csv"))
    assert files == sorted(p.relative_to(in_process.folder) for p in in_process.folder.rglob("*.csv"))
    assert all((in_pool.folder / f).read_bytes() == (in_process.folder / f).read_bytes() for f in files)


def test_both_engines_write_the_same_bytes(db: Engine, registry: dict[str, Path], tmp_path: Path,
                                          revised: Path) -> None:
    """The columnar engine (the default) and durable-rules give byte-identical what-if files."""
    run_id = batch(db, registry["csv"], workers=2)
    columnar = what_if(db, run_id, revised, tmp_path / "columnar", workers=2, progress=False)
    rete = what_if(db, run_id, revised, tmp_path / "rete", workers=2, progress=False, evaluate=ENGINES["rete"])
    assert (columnar.engine, rete.engine) == ("columnar", "rete")
    assert columnar.tallies == rete.tallies and columnar.tallies[("M31", ALL_UNITS)].lost > 0
    files = sorted(p.relative_to(columnar.folder) for p in columnar.folder.rglob("*") if p.suffix in (".csv", ".xlsx"))
    assert files == sorted(p.relative_to(rete.folder) for p in rete.folder.rglob("*") if p.suffix in (".csv", ".xlsx"))
    assert len(files) > 5
    assert all((columnar.folder / f).read_bytes() == (rete.folder / f).read_bytes() for f in files)


CALLS: list[int] = []


def counting_engine(profiles: Sequence[Profile], as_of: dt.date, book: RuleBook) -> list[Result]:
    """Another engine with evaluate_many's signature (a columnar one would go here)."""
    CALLS.append(len(profiles))
    return evaluate_many(profiles, as_of, book)


def test_the_evaluating_function_is_passed_in(db: Engine, tmp_path: Path, revised: Path) -> None:
    run_id = batch(db, write_registry(tmp_path / "registry.jsonl", REGISTRY))
    CALLS.clear()
    report = what_if(db, run_id, revised, tmp_path / "out", workers=0, progress=False, evaluate=counting_engine)
    assert CALLS == [4] and report.tallies[("M30", ALL_UNITS)].changed == 2


def test_clear_errors(db: Engine, tmp_path: Path, revised: Path) -> None:
    with pytest.raises(WhatIfError, match="没有编号为 nope 的批次"):
        what_if(db, "nope", revised, tmp_path / "out", workers=0, progress=False)
    run_id = batch(db, write_registry(tmp_path / "registry.jsonl", REGISTRY))
    broken = copy_rules(tmp_path / "broken")
    edit(broken / "measures" / "M30.yaml", "yuan: 1500", "yuan: -1")
    with pytest.raises(WhatIfError, match="新规则有误：[\\s\\S]*measures/M30.yaml: amount.yuan"):
        what_if(db, run_id, broken, tmp_path / "out", workers=0, progress=False)


def test_each_run_records_its_release_members_and_keeps_replaced_profiles_once(db: Engine, tmp_path: Path) -> None:
    from sqlalchemy import func, select

    from engine import default_rules
    from store import runs
    from store.models import ProfileSnapshot

    path = write_registry(tmp_path / "registry.jsonl", REGISTRY)
    first, second = batch(db, path), batch(db, path)  # the same registry twice: no copy of any profile
    book = default_rules()
    run = runs.load_run(db, first)
    assert run is not None and (run.rules_release, run.rules_release_date) == (book.release.name, book.release.date)
    with db.connect() as conn:
        members = {r: conn.scalar(select(func.count()).select_from(BatchMember).where(BatchMember.run_id == r))
                   for r in (first, second)}
        assert members == {first: 4, second: 4}
        assert conn.scalar(select(func.count()).select_from(ProfileSnapshot)) == 0
    changed = [dict(REGISTRY[0], employees=36), *REGISTRY[1:]]
    for _ in range(2):  # E1 replaced twice by the same new profile: its old one is kept once
        batch(db, write_registry(tmp_path / "changed.jsonl", changed))
    with db.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(ProfileSnapshot)) == 1
        stored = {code: json.loads(p) for code, p in runs.evaluated_profiles(conn, first)}
    assert sorted(stored) == sorted([E1, E2, E3, E4])
    assert stored[E1]["employees"] == 35 and stored[E4]["employees"] == 50


def test_what_if_on_postgresql(tmp_path: Path, revised: Path) -> None:
    from store.db import open_database
    from tests.postgres import throwaway_database

    for url in throwaway_database("huiqi_whatif"):
        pg = open_database(url)
        try:
            run_id = batch(pg, write_registry(tmp_path / "registry.jsonl", REGISTRY))
            batch(pg, write_registry(tmp_path / "again.jsonl", REGISTRY))  # snapshots already there
            report = what_if(pg, run_id, revised, tmp_path / "out", workers=0, progress=False)
            assert report.tallies[("M30", ALL_UNITS)].difference() == Decimal(2500)
            assert report.tallies[("M31", "思明区人民政府")].lost == 1
        finally:
            pg.dispose()

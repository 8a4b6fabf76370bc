"""``huiqi rules diff``: what changed between two rule trees, in words; the expected lines are
written from the change made to the policy text, not read off the code."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest

from api.cli import main
from engine import load_rules
from engine.rule_models import Amount, Measure, Validity
from engine.rules_diff import AMOUNT_FIELDS, MEASURE_FIELDS, diff_books, measure_lines
from tests.releases import RELEASE_NAME, copy_rules, edit, revised_rules


@pytest.fixture(scope="module")
def revised(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return revised_rules(tmp_path_factory.mktemp("release") / "rules")


def texts(old: Measure, new: Measure) -> list[str]:
    return [line.text for line in measure_lines(old, new)]


def test_the_revised_release_reads_as_the_policy_change(revised: Path) -> None:
    diff = diff_books(load_rules(), load_rules(revised))
    assert diff.added == [] and diff.removed == [] and diff.other == []
    assert [c.id for c in diff.changed] == ["M30", "M31"]
    m30, m31 = ([line.text for line in c.lines] for c in diff.changed)
    assert "M30 金额：每人 1,500 元 → 2,000 元" in m30
    assert "M30 原文：“…业，给予每人1500元的中小…” → “…业，给予每人2000元的中小…”" in m30
    assert len(m30) == 2
    assert m31 == ["M31 有效期截至 2025-12-31（原未设截止日期）"]
    amount = next(line for line in diff.changed[0].lines if line.field == "amount.yuan")
    assert (amount.old, amount.new) == (Decimal(1500), Decimal(2000))


def test_validity_windows_in_words(book) -> None:
    m35 = book.measure("M35")
    def window(**dates: dt.date | None) -> Measure:
        return m35.model_copy(update={"validity": Validity.model_validate({"note": m35.validity.note, **dates})})
    ends_2026 = window(to=dt.date(2026, 6, 30))
    assert texts(ends_2026, window(to=dt.date(2027, 12, 31))) == ["M35 有效期延至 2027-12-31（原截至 2026-06-30）"]
    assert texts(ends_2026, window(to=dt.date(2026, 3, 31))) == [
        "M35 有效期提前至 2026-03-31 截止（原截至 2026-06-30）"]
    assert texts(ends_2026, m35) == ["M35 取消有效期截止日期（原截至 2026-06-30）"]
    assert texts(m35, window(**{"from": dt.date(2026, 3, 1)})) == ["M35 自 2026-03-01 起执行（原未设起始日期）"]


def test_amounts_caps_units_and_kind_in_words(book) -> None:
    m31 = book.measure("M31")
    raised_cap = m31.model_copy(update={"amount": m31.amount.model_copy(update={"cap_yuan": Decimal(50_000)})})
    assert texts(m31, raised_cap) == ["M31 总额上限：30,000 元 → 50,000 元"]
    up_to_1200 = m31.model_copy(update={"amount": m31.amount.model_copy(update={"yuan": Decimal(1200)})})
    assert texts(m31, up_to_1200) == ["M31 金额：每人最高 1,000 元 → 1,200 元"]
    m30 = book.measure("M30")
    assert texts(m30, m30.model_copy(update={"units": ["市人社局", "市财政局"]})) == ["M30 市级责任单位：增加 市财政局"]
    assert texts(m30, m30.model_copy(update={"auto_match": False})) == [
        "M30 免申即享候选（仅凭登记数据即可判定）：是 → 否"]
    exact = Amount(kind="exact", yuan=Decimal(1000), per_item=True, cap_yuan=Decimal(30_000))
    assert "M31 金额类型：最高金额 → 确定金额" in texts(m31, m31.model_copy(update={"amount": exact}))


def test_conditions_are_matched_by_id(tmp_path: Path, book) -> None:
    rules = copy_rules(tmp_path / "rules")
    m30 = rules / "measures" / "M30.yaml"
    edit(m30, "test: {field: contract_months, ge: 12}", "test: {field: contract_months, ge: 24}")
    edit(m30, "  - id: unemployed\n    phrase: 登记失业人员\n    met: 招用时为登记失业人员\n"
              "    failed: 招用时不是登记失业人员\n    test: {field: registered_unemployed, eq: true}\n", "")
    edit(m30, "- id: sme\n", "- id: district\n  phrase: 本市\n  met: 在本市\n  failed: 不在本市\n"
              "  test: {field: district, in: [思明区, 湖里区]}\n- id: sme\n")
    lines = texts(book.measure("M30"), load_rules(rules).measure("M30"))
    assert lines == [
        "M30 新增条件“本市”：所在区 为 思明区、湖里区 之一",
        "M30 删除逐项条件“登记失业人员”（登记失业人员 为 是）",
        "M30 逐项条件“签订1年以上劳动合同”：劳动合同期限（月） 不少于 12 → 劳动合同期限（月） 不少于 24",
    ]


def test_added_removed_and_other_files(tmp_path: Path) -> None:
    old, new = copy_rules(tmp_path / "old"), copy_rules(tmp_path / "new")
    (old / "measures" / "M50.yaml").unlink()
    (new / "measures" / "M49.yaml").unlink()
    edit(new / "derived" / "size_standard.yaml", "small: {employees: 20, revenue: 300}",
         "small: {employees: 30, revenue: 300}")
    diff = diff_books(load_rules(old), load_rules(new))
    assert diff.added == [("M50", "首违不罚、轻微免罚")] and diff.removed == [("M49", "“闽执法”平台与“扫码入企”")]
    assert [line.text for line in diff.other] == ["中小企业划型标准 groups[工业].small.employees：20 → 30"]


def test_a_chosen_parameter_in_words(tmp_path: Path, book) -> None:
    rules = copy_rules(tmp_path / "rules")
    edit(rules / "measures" / "M8.yaml", "    value: 2025-01-01\n", "    value: 2025-03-01\n")
    lines = texts(book.measure("M8"), load_rules(rules).measure("M8"))
    assert lines[0] == "M8 参数 “新认定”的起始日（含当日）：2025-01-01 → 2025-03-01"
    # what reads the parameter changes with it, and is told after it
    assert "M8 逐项条件“新认定”：认定日期 不少于 2025-01-01 → 认定日期 不少于 2025-03-01" in lines[1:]


def test_every_model_field_has_a_label() -> None:
    assert set(MEASURE_FIELDS) == set(Measure.model_fields)
    assert set(AMOUNT_FIELDS) == set(Amount.model_fields)


def test_the_command_prints_words_or_json(revised: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["rules", "diff", "rules", str(revised)]) == 0
    out = capsys.readouterr().out
    assert f"  新：{RELEASE_NAME}（2026-12-15 发布" in out
    assert "新增措施 0 项，删除 0 项，修改 2 项" in out and "  M31 有效期截至 2025-12-31（原未设截止日期）" in out
    assert main(["rules", "diff", "rules", str(revised), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["new"]["rules_release"] == {"name": RELEASE_NAME, "date": "2026-12-15"}
    m30 = doc["changed"][0]
    assert m30["id"] == "M30" and {"field": "amount.yuan", "text": "M30 金额：每人 1,500 元 → 2,000 元",
                                   "old": "1500", "new": "2000"} in m30["changes"]
    assert main(["rules", "diff", "rules", "rules"]) == 0
    assert "两个版本的规则内容相同。" in capsys.readouterr().out


def test_two_git_revisions(tmp_path: Path, revised: Path, monkeypatch: pytest.MonkeyPatch,
                           capsys: pytest.CaptureFixture) -> None:
    repo = tmp_path / "repo"
    copy_rules(repo / "rules")
    (repo / "rules" / "release.yaml").unlink()  # the first revision predates release files

    def git(*args: str) -> None:
        subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args], cwd=repo,
                       check=True, capture_output=True)
    git("init", "-q")
    git("add", ".")
    git("commit", "-qm", "first")
    for path in revised.rglob("*.yaml"):
        target = repo / "rules" / path.relative_to(revised)
        target.write_bytes(path.read_bytes())
    git("add", ".")
    git("commit", "-qm", "second")
    monkeypatch.chdir(repo)
    assert main(["rules", "diff", "HEAD~1", "HEAD"]) == 0
    out = capsys.readouterr().out
    assert "HEAD~1（git " in out and f"新：{RELEASE_NAME}" in out and "M30 金额：每人 1,500 元 → 2,000 元" in out
    assert main(["rules", "diff", "HEAD~1", "no-such-revision"]) == 2
    assert "找不到 git 版本 no-such-revision" in capsys.readouterr().err
    monkeypatch.chdir(tmp_path)
    assert main(["rules", "diff", "HEAD~1", "HEAD"]) == 2
    assert "不在 git 仓库中" in capsys.readouterr().err

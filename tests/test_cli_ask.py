"""``huiqi ask``: the guided interview in a terminal, driven here through piped standard input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT


def ask(profile: Path, answers: list[str], *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "api.cli", "ask", str(profile), "--as-of", "2026-01-15", *extra],
                          input="".join(f"{a}\n" for a in answers), capture_output=True, text=True, cwd=ROOT,
                          timeout=120)


def test_answers_are_written_back_and_the_result_printed(tmp_path: Path) -> None:
    profile = tmp_path / "firm.json"
    profile.write_text(json.dumps({"name": "厦门某某科技有限公司", "hires": [{"contract_months": 12}]},
                                  ensure_ascii=False), encoding="utf-8")
    # 行业 (C39), 从业人员, 营业收入 (万元), 省级项目: 不清楚, 认定: 没有, 活动: 跳过, then stop
    run = ask(profile, ["C39", "35", "1200", "不清楚", "没有", "跳过", "q"])
    assert run.returncode == 0, run.stderr
    saved = json.loads(profile.read_text(encoding="utf-8"))
    assert saved == {"name": "厦门某某科技有限公司", "hires": [{"contract_months": 12}], "industry_code": "C39",
                     "employees": 35, "revenue_yuan": 12000000, "designations": []}
    assert "第 1 问（可能涉及 3,002,500 元" in run.stdout and "贵单位属于哪个行业？" in run.stdout
    assert "不清楚：projects；跳过：events" in run.stdout
    assert "企业规模：小型企业" in run.stdout  # the result at the end


def test_a_wrong_answer_is_asked_again_and_end_of_input_stops(tmp_path: Path) -> None:
    profile = tmp_path / "firm.json"
    run = ask(profile, ["C39", "-3", "三十五", "35"])  # then end of input (Ctrl-D)
    assert run.returncode == 0, run.stderr
    assert run.stderr.count("请重新回答") == 2 and "不能小于 0" in run.stderr
    assert json.loads(profile.read_text(encoding="utf-8")) == {"industry_code": "C39", "employees": 35}
    assert "已结束问答" in run.stdout and "评估日：2026-01-15" in run.stdout


def test_an_interview_runs_to_its_end(tmp_path: Path) -> None:
    profile = tmp_path / "firm.json"
    profile.write_text(json.dumps({"industry_code": "C39", "employees": 35, "revenue_yuan": 12000000,
                                   "entity_type": "enterprise", "founded_on": "2024-03-01"}), encoding="utf-8")
    run = ask(profile, ["不清楚"] * 200)
    assert run.returncode == 0, run.stderr
    assert "已没有能改变结果的问题" in run.stdout


def test_a_broken_file_is_left_untouched(tmp_path: Path) -> None:
    profile = tmp_path / "firm.json"
    profile.write_text("{not json", encoding="utf-8")
    run = ask(profile, ["C39"])
    assert run.returncode == 2 and "画像文件无法读取" in run.stderr
    assert profile.read_text(encoding="utf-8") == "{not json"
    profile.write_text('{"employees": -1}', encoding="utf-8")
    run = ask(profile, ["C39"])
    assert run.returncode == 2 and "employees" in run.stderr
    assert profile.read_text(encoding="utf-8") == '{"employees": -1}'
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]

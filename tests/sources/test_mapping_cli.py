"""``huiqi mapping init`` drafts a usable mapping from headers; ``huiqi mapping check`` counts each column's cells."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from batch.synth_departments import synthesize_departments
from sources.mapping import load_mapping

ROOT = Path(__file__).resolve().parents[2]


def huiqi(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "api.cli", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)


@pytest.fixture(scope="module")
def departments(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return synthesize_departments(300, 2, tmp_path_factory.mktemp("d") / "departments")


def test_init_drafts_the_registry_and_a_list_source_from_their_headers(departments: Path, tmp_path: Path) -> None:
    out = tmp_path / "登记库.yaml"
    done = huiqi("mapping", "init", str(departments / "登记库.xlsx"), "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert "未能对应到字段的列：序号" in done.stderr
    drafted = yaml.safe_load(out.read_text(encoding="utf-8"))
    shipped = yaml.safe_load((departments / "登记库.mapping.yaml").read_text(encoding="utf-8"))
    assert drafted["columns"] == shipped["columns"] and drafted["key"] == "统一社会信用代码"
    assert drafted["sheet"] == "企业登记信息" and drafted["role"] == "registry"
    hires = huiqi("mapping", "init", str(departments / "人社_招用人员.csv"))
    drafted = yaml.safe_load(hires.stdout)
    assert drafted["list"] == "hires" and drafted["columns"]["养老保险缴费月数"] == "insurance_months.pension"
    (tmp_path / "人社_招用人员.csv").write_bytes((departments / "人社_招用人员.csv").read_bytes())
    (tmp_path / "h.yaml").write_text(hires.stdout, encoding="utf-8")
    assert load_mapping(tmp_path / "h.yaml").mapping.list == "hires"  # the draft loads as it is
    assert huiqi("mapping", "init", str(departments / "登记库.xlsx"), "--out", str(out)).returncode == 2  # no overwrite


def test_init_says_what_it_could_not_place(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("单位代码,单位名称,营业收入,备注,法定代表人\n1,甲,2,3,4\n", encoding="gbk")
    done = huiqi("mapping", "init", str(path))
    assert "没有找到统一社会信用代码列" in done.stderr
    assert "未能对应到字段的列：单位代码、备注、法定代表人" in done.stderr
    assert "列“营业收入”未写金额单位" in done.stderr


def test_check_counts_filled_parsed_and_rejected_cells_per_column(departments: Path) -> None:
    done = huiqi("mapping", "check", str(departments / "sources.yaml"))
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "登记库：登记库.xlsx[企业登记信息]，表头第 2 行，数据 300 行"
    district = next(line.split() for line in lines if line.strip().startswith("所属区 "))
    filled, parsed, rejected = map(int, district[2:5])
    assert filled == 300 and parsed + rejected == filled and rejected >= 1
    assert any("不是可识别的所属区" in line for line in lines)
    assert any(line.startswith("人社招用：人社_招用人员.csv，表头第 1 行，编码 gb18030") for line in lines)
    broken = huiqi("mapping", "check", str(departments / "missing.yaml"))
    assert broken.returncode == 2 and "找不到文件" in broken.stderr and "Traceback" not in broken.stderr

"""``huiqi registry import --sources``: the console's registry from department data, each fact with its department."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select

from api.app import create_app
from batch.synth_departments import synthesize_departments
from store import console
from store.db import open_database
from store.models import RegistryEnterprise
from tests.console.conftest import AS_OF, PASSWORD, login
from tests.console.forms import form_fields

ROOT = Path(__file__).resolve().parents[2]


def test_import_fills_the_registry_and_the_console_shows_each_facts_department(tmp_path: Path) -> None:
    departments = synthesize_departments(200, 4, tmp_path / "departments")
    url = f"sqlite:///{tmp_path / 'console.sqlite3'}"
    done = subprocess.run([sys.executable, "-m", "api.cli", "registry", "import", "--sources",
                           str(departments / "sources.yaml"), "--db", url, "--report-dir", str(tmp_path / "reports")],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert summary["total"] == 200 == summary["imported"] + summary["rejected"] and summary["rejected"] > 0
    report = Path(summary["report"]).read_text(encoding="utf-8-sig").splitlines()
    assert report[0] == "类别,数据来源,文件,工作表,行号,列,统一社会信用代码,字段,原因"
    assert len([line for line in report if line.startswith("数据有误（未导入）")]) >= summary["rejected"]
    engine = open_database(url)
    with engine.connect() as conn:
        rows = conn.execute(select(RegistryEnterprise)).all()
    assert len(rows) == summary["imported"]
    hired = next(r for r in rows if r.profile.get("hires") and r.profile.get("employees"))
    assert hired.provenance["employees"]["department"] == "市市场监管局"
    assert hired.provenance["hires[0]"]["department"] == "市人社局"
    console.add_staff(engine, "wang", PASSWORD, admin=True)
    with TestClient(create_app(db_url=url), follow_redirects=False) as staff:
        assert login(staff).status_code == 303
        form = staff.get(f"/console/form?code={hired.credit_code}")
        prefilled = re.search(r'id="prefilled">(.*?)</p>', form.text).group(1)  # type: ignore[union-attr]
        assert "信息来自 " in prefilled and "市市场监管局" in prefilled and "市人社局" in prefilled
        values, _ = form_fields(form.text, "/console/evaluate")
        page = staff.post("/console/evaluate", data={**values, "as_of": AS_OF, "label": "", "action": "check"})
    assert page.status_code == 200
    rows_html = re.findall(r'<tr class="(\w+)" data-path="([^"]+)"><td>[^<]*</td><td>[^<]*</td><td>(.*?)</td></tr>',
                           page.text)
    shown = {path: (kind, cell) for kind, path, cell in rows_html}
    assert shown["employees"][0] == "registry" and "（市市场监管局）" in shown["employees"][1]
    birth = next(path for path in shown if path.startswith("hires[0].birth_date"))
    assert shown[birth][0] == "registry" and "（市人社局）" in shown[birth][1]

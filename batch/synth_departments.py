"""``huiqi synth --style departments``: the enterprises of ``huiqi synth`` as departments hand them over.

The same seed gives the same enterprises as the plain registry (``batch.synth.profiles``), written
the way departments export them: an xlsx registry with a merged title row above the header, a GBK
hires CSV, a designations workbook, loans, procurement contracts and exhibitions; Chinese headers
and words, money in 万元 (and in 元 with thousands separators), dates in the four usual forms
(2025-01-15, 2025/1/15, 2025年1月15日, an Excel serial). With each file its mapping, and a
``sources.yaml`` listing them: ready for ``huiqi batch --sources DIR/sources.yaml``.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable, Iterable
from decimal import Decimal
from pathlib import Path
from typing import Any

from batch.schema import KEY
from batch.synth import profiles
from sources.values import EXCEL_EPOCH

ENTITY = {"enterprise": "企业", "individual_business": "个体工商户"}
SIZE = {"large": "大型", "medium": "中型", "small": "小型", "micro": "微型"}
DESIGNATION = {"little_giant": "专精特新“小巨人”企业", "specialized_sme": "省级专精特新中小企业",
               "innovative_sme": "创新型中小企业"}
LOAN = {"key_tech_upgrade": "省重点技改项目固定资产贷款", "equipment_renewal": "设备更新贷款",
        "working_capital": "流动资金贷款", "other": "其他"}
EXPORTED_ON = "2026-01-01"


def written_date(iso: str | None, n: int, in_excel: bool) -> Any:
    """One of the four forms departments write, by row: ISO, slashes, 年月日, an Excel serial."""
    if iso is None:
        return None
    day = dt.date.fromisoformat(iso)
    form = n % 4
    if form == 0:
        return iso
    if form == 1:
        return f"{day.year}/{day.month}/{day.day}"
    if form == 2:
        return f"{day.year}年{day.month}月{day.day}日"
    serial = (day - EXCEL_EPOCH).days
    return serial if in_excel else str(serial)


def wan(yuan: Any, n: int, in_excel: bool) -> Any:
    """Yuan as 万元: exact (a float's shortest repr is its decimal digits), some rows as text with separators."""
    if yuan is None:
        return None
    value = Decimal(yuan) / 10_000
    if in_excel and n % 3:
        return float(value)
    return f"{value:,f}" if n % 3 == 0 else format(value.normalize(), "f")


def yuan_text(yuan: Any) -> str | None:
    return None if yuan is None else f"{Decimal(yuan):,}"


def yes_no(flag: bool | None) -> str | None:
    return None if flag is None else ("是" if flag else "否")


def district(name: str | None, n: int) -> str | None:
    if name is None or not name.endswith("区") or n % 5:
        return name
    return name[:-1]  # some exports drop the 区 (思明)


# --- the files ---------------------------------------------------------------------------------

REGISTRY_HEADER = ["序号", "统一社会信用代码", "企业名称", "主体类型", "行业代码", "从业人数", "营业收入（万元）",
                   "资产总额（万元）", "成立日期", "所属区", "功能区", "企业规模"]


def _registry_row(n: int, e: dict[str, Any]) -> list[Any]:
    return [n, e[KEY], e.get("name"), ENTITY.get(e.get("entity_type", ""), e.get("entity_type")),
            e.get("industry_code"), e.get("employees"), wan(e.get("revenue_yuan"), n, True),
            wan(e.get("total_assets_yuan"), n, True), written_date(e.get("founded_on"), n, True),
            district(e.get("district"), n), e.get("zone"), SIZE.get(e.get("declared_size_class") or "")]


HIRES_HEADER = ["统一社会信用代码", "单位名称", "出生日期", "入职日期", "是否登记失业人员", "劳动合同期限（月）",
                "失业保险缴费月数", "工伤保险缴费月数", "养老保险缴费月数", "社保缴费月数"]


def _hire_row(n: int, e: dict[str, Any], h: dict[str, Any]) -> list[Any]:
    months = h.get("insurance_months") or {}
    return [e[KEY], e.get("name"), written_date(h.get("birth_date"), n, False),
            written_date(h.get("hired_on"), n + 1, False), yes_no(h.get("registered_unemployed")),
            h.get("contract_months"), months.get("unemployment"), months.get("work_injury"), months.get("pension"),
            h.get("social_insurance_months")]


DESIGNATIONS_HEADER = ["统一社会信用代码", "企业名称", "认定类型", "认定日期"]
LOANS_HEADER = ["统一社会信用代码", "借款人名称", "贷款类型", "贷款金额（万元）", "贷款期限（月）"]
CONTRACTS_HEADER = ["统一社会信用代码", "供应商名称", "合同金额（万元）", "是否约定预付款"]
EXHIBITIONS_HEADER = ["统一社会信用代码", "参展企业", "展会名称", "参展费用（元）"]


def _xlsx(path: Path, sheet: str, title: str, header: list[str], rows: Iterable[list[Any]]) -> None:
    """A workbook as departments export it: a merged title row, then the header, then the rows."""
    from openpyxl import Workbook

    from batch.xlsx_stream import column

    book = Workbook(write_only=True)
    ws = book.create_sheet(sheet)
    ws.merged_cells.add(f"A1:{column(len(header) - 1)}1")
    ws.append([title])
    ws.append(header)
    for row in rows:
        ws.append(row)
    book.save(path)


def _csv(path: Path, encoding: str, header: list[str], rows: Iterable[list[Any]]) -> None:
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(["" if v is None else v for v in row] for row in rows)


def _items(enterprises: list[dict[str, Any]], field: str,
           line: Callable[[int, dict[str, Any], dict[str, Any]], list[Any]]) -> Iterable[list[Any]]:
    n = 0
    for e in enterprises:
        for item in e.get(field) or []:
            n += 1
            yield line(n, e, item)


MAPPINGS: dict[str, str] = {
    "登记库": """\
# 市场监管局导出的企业登记信息（第 1 行为合并的标题行，表头在第 2 行，自动识别）
name: 登记库
department: 市市场监管局
file: 登记库.xlsx
sheet: 企业登记信息
role: registry
priority: 100
key: 统一社会信用代码
columns:
  企业名称: name
  主体类型: entity_type
  行业代码: industry_code
  从业人数: employees
  营业收入（万元）: {field: revenue_yuan, unit: 万元}
  资产总额（万元）: {field: total_assets_yuan, unit: 万元}
  成立日期: founded_on
  所属区: district
  功能区: zone
  企业规模: declared_size_class
ignore: [序号]
""",
    "人社_招用人员": """\
# 人社局的新招用人员及参保记录（GBK 编码的 CSV，编码自动识别）
name: 人社招用
department: 市人社局
file: 人社_招用人员.csv
list: hires
priority: 50
key: 统一社会信用代码
columns:
  出生日期: birth_date
  入职日期: hired_on
  是否登记失业人员: registered_unemployed
  劳动合同期限（月）: contract_months
  失业保险缴费月数: insurance_months.unemployment
  工伤保险缴费月数: insurance_months.work_injury
  养老保险缴费月数: insurance_months.pension
  社保缴费月数: social_insurance_months
ignore: [单位名称]
""",
    "工信_认定名单": """\
# 工信局的专精特新、创新型中小企业认定名单
name: 工信认定
department: 市工信局
file: 工信_认定名单.xlsx
list: designations
priority: 50
key: 统一社会信用代码
columns:
  认定类型: kind
  认定日期: recognized_on
ignore: [企业名称]
""",
    "金融_贷款": """\
# 地方金融管理部门汇总的企业贷款（UTF-8 带 BOM 的 CSV）
name: 金融贷款
department: 市金融监管局
file: 金融_贷款.csv
list: loans
priority: 50
key: 统一社会信用代码
columns:
  贷款类型: kind
  贷款金额（万元）: {field: principal_yuan, unit: 万元}
  贷款期限（月）: term_months
ignore: [借款人名称]
""",
    "财政_采购合同": """\
# 财政局的政府采购合同（GBK 编码的 CSV）
name: 财政采购
department: 市财政局
file: 财政_采购合同.csv
list: procurement_contracts
priority: 50
key: 统一社会信用代码
columns:
  合同金额（万元）: {field: amount_yuan, unit: 万元}
  是否约定预付款: prepayment_arranged
ignore: [供应商名称]
""",
    "商务_参展": """\
# 商务局的参展参会记录（费用以元计，带千分位）
name: 商务参展
department: 市商务局
file: 商务_参展.xlsx
list: exhibitions
priority: 50
key: 统一社会信用代码
columns:
  展会名称: program
  参展费用（元）: {field: fees_yuan, unit: 元}
ignore: [参展企业]
""",
}


def synthesize_departments(n: int, seed: int, out: Path) -> Path:
    """Write the department exports of ``huiqi synth --n N --seed S``, their mappings and sources.yaml."""
    out.mkdir(parents=True, exist_ok=True)
    enterprises = list(profiles(n, seed))
    title = f"厦门市市场主体登记信息（导出日期：{EXPORTED_ON}）"
    _xlsx(out / "登记库.xlsx", "企业登记信息", title, REGISTRY_HEADER,
          (_registry_row(i, e) for i, e in enumerate(enterprises, start=1)))
    _csv(out / "人社_招用人员.csv", "gbk", HIRES_HEADER, _items(enterprises, "hires", _hire_row))
    _xlsx(out / "工信_认定名单.xlsx", "认定名单", "专精特新及创新型中小企业认定名单", DESIGNATIONS_HEADER,
          _items(enterprises, "designations", lambda i, e, d: [
              e[KEY], e.get("name"), DESIGNATION.get(d.get("kind", ""), d.get("kind")),
              written_date(d.get("recognized_on"), i, True)]))
    _csv(out / "金融_贷款.csv", "utf-8-sig", LOANS_HEADER, _items(enterprises, "loans", lambda i, e, loan: [
        e[KEY], e.get("name"), LOAN.get(loan.get("kind", ""), loan.get("kind")),
        wan(loan.get("principal_yuan"), i, False), loan.get("term_months")]))
    _csv(out / "财政_采购合同.csv", "gbk", CONTRACTS_HEADER, _items(enterprises, "procurement_contracts",
         lambda i, e, c: [e[KEY], e.get("name"), wan(c.get("amount_yuan"), i, False),
                          yes_no(c.get("prepayment_arranged"))]))
    _xlsx(out / "商务_参展.xlsx", "参展记录", "企业参展参会费用汇总", EXHIBITIONS_HEADER,
          _items(enterprises, "exhibitions", lambda i, e, x: [
              e[KEY], e.get("name"), x.get("program"), yuan_text(x.get("fees_yuan"))]))
    for name, text in MAPPINGS.items():
        (out / f"{name}.mapping.yaml").write_text(text, encoding="utf-8")
    listing = "\n".join(f"  - {name}.mapping.yaml" for name in MAPPINGS)
    (out / "sources.yaml").write_text(
        f"# 部门数据来源：huiqi batch --sources {out.name}/sources.yaml\nsources:\n{listing}\n", encoding="utf-8")
    return out

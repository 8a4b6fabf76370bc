"""``huiqi synth``: a deterministic synthetic enterprise registry for tests and benchmarks.

Realistic enough to exercise every rule path: an industry mix, a long-tailed size distribution,
the six districts and two zones, hires with ages around the 16–24 boundary, loans, procurement
contracts, exhibitions, designations, unknown (blank) facts, and a share of deliberately bad rows.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from stdnum.cn import uscc

from batch.schema import ENTERPRISES, KEY, child_columns, enterprise_columns, list_fields

REFERENCE = dt.date(2026, 1, 1)  # "today" of the synthetic registry
DISTRICTS = [("思明区", "350203", 24), ("湖里区", "350206", 22), ("集美区", "350211", 16),
             ("海沧区", "350205", 12), ("同安区", "350212", 13), ("翔安区", "350213", 13)]
# (industry code, label, weight, typical employees, revenue per employee in yuan)
INDUSTRIES = [
    ("C3911", "电子", 10, 60, 600_000), ("C3419", "机械", 8, 45, 500_000), ("C1810", "服装", 5, 80, 250_000),
    ("F5211", "商贸", 16, 8, 1_500_000), ("F5191", "贸易", 8, 6, 3_000_000), ("I6513", "软件", 12, 25, 400_000),
    ("E4700", "建设", 6, 40, 800_000), ("G5810", "物流", 6, 20, 700_000), ("H6210", "餐饮", 10, 12, 200_000),
    ("L7211", "咨询", 8, 10, 300_000), ("M7320", "科技", 6, 15, 350_000), ("K7010", "置业", 2, 30, 2_000_000),
    ("J6620", "小贷", 1, 20, 1_000_000), ("A0141", "农业", 2, 15, 200_000),
]
SYLLABLES = "鹭岛海湾嘉禾同心鼓浪筼筜五缘天马云顶金鸡凤凰东渡高崎杏林灌口翔鹭银城华盛瑞丰恒信宏达"
PROGRAMS = ["闽货华夏行", "中国国际投资贸易洽谈会", "广交会", "海峡两岸交易会", "数字中国建设峰会"]
LOAN_KINDS = ["key_tech_upgrade", "equipment_renewal", "working_capital", "other"]
DESIGNATIONS = ["little_giant", "specialized_sme", "innovative_sme"]
BAD_SHARE = 0.015


def credit_code(rng: random.Random, division: str, individual: bool) -> str:
    """A USCC with a valid GB 32100 check character (and a GB 11714 organisation code)."""
    body = "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(8))
    org = body + _org_check(body)
    head = ("92" if individual else "91") + division + org
    return head + uscc.calc_check_digit(head)


def _org_check(body: str) -> str:
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    total = sum(alphabet.index(c) * w for c, w in zip(body, (3, 7, 9, 10, 5, 8, 4, 2), strict=True))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def _date(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randrange(max(1, (end - start).days)))


def _maybe(rng: random.Random, value: Any, unknown: float = 0.04) -> Any:
    return None if rng.random() < unknown else value


def _hire(rng: random.Random, founded: dt.date) -> dict[str, Any]:
    hired = _date(rng, max(founded + dt.timedelta(days=30), dt.date(2024, 7, 1)), REFERENCE)
    age = rng.choice([rng.gauss(16, 0.6), rng.gauss(25, 0.6), rng.uniform(17, 24), rng.uniform(25, 45)])
    age_days = int(age * 365.25)
    insured = rng.choice([1, 2, 3, 3, 4, 6, 8, 12])
    return {
        "birth_date": _maybe(rng, (hired - dt.timedelta(days=max(age_days, 5000))).isoformat()),
        "hired_on": hired.isoformat(),
        "registered_unemployed": _maybe(rng, rng.random() < 0.55),
        "contract_months": _maybe(rng, rng.choice([6, 11, 12, 12, 24, 36])),
        "insurance_months": {
            "unemployment": _maybe(rng, insured), "work_injury": _maybe(rng, insured),
            "pension": _maybe(rng, max(0, insured - rng.choice([0, 0, 0, 1]))),
        },
        "social_insurance_months": _maybe(rng, rng.choice([3, 5, 6, 6, 9, 12])),
    }


def _items(rng: random.Random, mean: float) -> int:
    n = 0
    while rng.random() < mean / (mean + 1) and n < 12:
        n += 1
    return n


def enterprise(rng: random.Random) -> dict[str, Any]:
    district, division, _ = rng.choices(DISTRICTS, weights=[d[2] for d in DISTRICTS])[0]
    code, label, _, typical, per_head = rng.choices(INDUSTRIES, weights=[i[2] for i in INDUSTRIES])[0]
    individual = code[0] in "FH" and rng.random() < 0.25
    employees = max(1, int(rng.lognormvariate(0, 1.0) * (3 if individual else typical)))
    revenue = int(employees * per_head * rng.lognormvariate(0, 0.5)) // 1000 * 1000
    founded = _date(rng, dt.date(1995 if rng.random() < 0.6 else 2022, 1, 1), REFERENCE)
    name = "".join(rng.choice(SYLLABLES) for _ in range(2))
    data: dict[str, Any] = {
        KEY: credit_code(rng, division, individual),
        "name": f"厦门{name}{label}{'店' if individual else '有限公司'}",
        "entity_type": "individual_business" if individual else "enterprise",
        "industry_code": code,
        "employees": _maybe(rng, employees),
        "revenue_yuan": _maybe(rng, revenue),
        "total_assets_yuan": _maybe(rng, int(revenue * rng.uniform(0.3, 2.0)) // 1000 * 1000),
        "founded_on": founded.isoformat(),
        "district": district,
        "zone": rng.choices([None, "自贸区", "火炬高新区"], weights=[85, 6, 9])[0],
        "declared_size_class": rng.choice(["small", "micro", "medium"]) if code[0] == "J" else None,
        "hires": [_hire(rng, founded) for _ in range(_items(rng, 1.2))],
        "loans": [{"kind": rng.choice(LOAN_KINDS), "principal_yuan": rng.randrange(10, 2000) * 10_000,
                   "term_months": rng.choice([6, 12, 24, 36, 60])} for _ in range(_items(rng, 0.3))],
        "procurement_contracts": [{"amount_yuan": rng.randrange(5, 500) * 10_000,
                                   "prepayment_arranged": _maybe(rng, rng.random() < 0.5)}
                                  for _ in range(_items(rng, 0.15))],
        "exhibitions": [{"program": rng.choice(PROGRAMS), "fees_yuan": rng.randrange(2, 80) * 1000}
                        for _ in range(_items(rng, 0.2))],
        "designations": [{"kind": rng.choice(DESIGNATIONS),
                          "recognized_on": _date(rng, dt.date(2019, 1, 1), REFERENCE).isoformat()}
                         for _ in range(_items(rng, 0.08))],
    }
    if rng.random() < 0.05:  # lists unknown
        data[rng.choice(["hires", "loans", "procurement_contracts"])] = None
    if rng.random() < BAD_SHARE:
        _spoil(rng, data)
    return _drop_none(data)


def _spoil(rng: random.Random, data: dict[str, Any]) -> None:
    """A deliberately bad row: one value a registry export really gets wrong (type-valid in every format)."""
    kind = rng.randrange(6)
    if kind == 0:
        code = data[KEY]
        data[KEY] = code[:-1] + ("0" if code[-1] != "0" else "1")  # wrong check character
    elif kind == 1:
        data["employees"] = -rng.randrange(1, 50)
    elif kind == 2:
        data["district"] = rng.choice(["鼓浪屿区", "厦门市", "开元区"])
    elif kind == 3 and data.get("hires"):
        data["hires"][0]["birth_date"] = data["hires"][0]["hired_on"]  # born the day of hiring
    elif kind == 4:
        data["industry_code"] = rng.choice(["3911", "C39111", "XX"])
    else:
        data["hires"] = [*(data.get("hires") or []), {**_hire(rng, dt.date(2020, 1, 1)), "contract_months": 5000}]


def _drop_none(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _drop_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_drop_none(v) for v in value]
    return value


def profiles(n: int, seed: int) -> Iterator[dict[str, Any]]:
    rng = random.Random(seed)
    for _ in range(n):
        yield enterprise(rng)


def _flat(data: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, dict):
            out.update(_flat(value, f"{prefix}{key}."))
        elif not isinstance(value, list):
            out[f"{prefix}{key}"] = value
    return out


def _cell(value: Any) -> Any:
    return "true" if value is True else "false" if value is False else value


def write_csv(rows: Iterator[dict[str, Any]], out: Path) -> None:
    lists = list(list_fields())
    handles = {name: (out / f"{name}.csv").open("w", encoding="utf-8", newline="") for name in [ENTERPRISES, *lists]}
    try:
        writers = {ENTERPRISES: csv.DictWriter(handles[ENTERPRISES], [c.path for c in enterprise_columns()])}
        writers.update({name: csv.DictWriter(handles[name], [c.path for c in child_columns(name)]) for name in lists})
        for writer in writers.values():
            writer.writeheader()
        for data in rows:
            writers[ENTERPRISES].writerow({k: _cell(v) for k, v in _flat(data).items()})
            for name in lists:
                for item in data.get(name) or []:
                    writers[name].writerow({KEY: data[KEY], **{k: _cell(v) for k, v in _flat(item).items()}})
    finally:
        for handle in handles.values():
            handle.close()


def write_jsonl(rows: Iterator[dict[str, Any]], out: Path) -> None:
    with (out / "registry.jsonl").open("w", encoding="utf-8") as handle:
        for data in rows:
            handle.write(json.dumps(data, ensure_ascii=False) + "\n")


def write_parquet(rows: Iterator[dict[str, Any]], out: Path, rows_per_file: int = 100_000,
                  row_group: int = 10_000) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from batch.arrow import profile_schema, to_arrow_row

    schema = profile_schema()
    part, batch, writer = 0, [], None

    def flush() -> None:
        nonlocal batch
        if batch and writer is not None:
            writer.write_table(pa.Table.from_pylist(batch, schema=schema), row_group_size=row_group)
        batch = []

    for written, data in enumerate(rows, start=1):
        if writer is None:
            writer = pq.ParquetWriter(out / f"part-{part:05d}.parquet", schema)
        batch.append(to_arrow_row(data))
        if len(batch) >= row_group:
            flush()
        if written % rows_per_file == 0:
            flush()
            writer.close()
            writer, part = None, part + 1
    flush()
    if writer is not None:
        writer.close()


def synthesize(n: int, seed: int, out: Path, fmt: str = "csv") -> Path:
    out.mkdir(parents=True, exist_ok=True)
    rows = profiles(n, seed)
    {"csv": write_csv, "jsonl": write_jsonl, "parquet": write_parquet}[fmt](rows, out)
    return out

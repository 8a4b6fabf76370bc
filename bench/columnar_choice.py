"""Polars or DuckDB for the columnar engine: the same plan, measured on the same frames.

    python bench/columnar_choice.py --n 200000

Both evaluate what ``engine.columnar`` evaluates for every enterprise: the derived facts (industry
group, size class), the state code of every enterprise condition of the 50 measures, and the
grouping of enterprises by state signature per measure. Polars runs the expressions of
``engine.columnar``; DuckDB runs the same intermediate form translated to SQL (three-valued logic
is SQL's own: a comparison with NULL is NULL, AND/OR are Kleene's), reading the same Arrow data.
Prints the median of ``--repeat`` runs for each, in one process.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import time
from typing import Any

import duckdb
import polars as pl

from batch.synth import profiles as synthetic
from engine import ProfileError, default_rules, parse_profile
from engine.columnar.evaluate import compiled
from engine.columnar.frames import build_frames
from engine.ir import All, Any_, Attr, Compare, Derived, Node, Shifted
from engine.plan import MeasurePlan

AS_OF = dt.date(2026, 1, 15)
SQL_OP = {"eq": "=", "ne": "<>", "ge": ">=", "gt": ">", "le": "<=", "lt": "<"}


def _literal(value: Any) -> str:
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    return str(value)


def _sql_operand(operand: Any) -> str:
    if isinstance(operand, Attr):
        return f'"{operand.name}"'
    if isinstance(operand, Derived):
        return f'"@{operand.name}"'
    if isinstance(operand, Shifted):  # engine.dates: from 29 February, 28 February in a common year
        date, years = f'"{operand.name}"', operand.years
        year = f"({date} // 10000 + {years})"
        leap = f"({year} % 4 = 0 AND ({year} % 100 <> 0 OR {year} % 400 = 0))"
        return f"(CASE WHEN {date} % 10000 = 229 AND NOT {leap} THEN {date} + {years * 10_000 - 1} " \
               f"ELSE {date} + {years * 10_000} END)"
    return _literal(operand)


def sql(node: Node) -> str:
    if isinstance(node, Compare):
        return f"({_sql_operand(node.left)} {SQL_OP[node.op]} {_sql_operand(node.right)})"
    joiner = " AND " if isinstance(node, All) else " OR "
    assert isinstance(node, All | Any_)
    return "(" + joiner.join(sql(part) for part in node.parts) + ")"


def _mask(attributes: tuple[str, ...]) -> str:
    return " + ".join(f'(CASE WHEN "{a}" IS NULL THEN {1 << k} ELSE 0 END)' for k, a in enumerate(attributes)) or "0"


def duckdb_run(ent: pl.DataFrame, plans: dict[str, tuple[MeasurePlan, dict[str, Node]]]) -> int:
    book = default_rules()
    con = duckdb.connect()
    con.register("facts", ent.to_arrow())
    frame = "facts"
    for k, spec in enumerate(book.ir.derived):
        cases = " ".join(f"WHEN {sql(node)} THEN {_literal(value)}" for value, node in spec.values)
        con.execute(f'CREATE TEMP TABLE d{k} AS SELECT *, CASE {cases} END AS "@{spec.name}" FROM {frame}')
        frame = f"d{k}"
    columns = []
    for measure_id, (plan, nodes) in plans.items():
        for cid, condition in plan.conditions.items():
            attributes = tuple(dict.fromkeys(a for a, _ in condition.reads.fields))
            truth = sql(nodes[cid])
            columns.append(f'CASE WHEN {truth} THEN -1 WHEN NOT {truth} THEN -2 ELSE {_mask(attributes)} END '
                           f'AS "{measure_id}:{cid}"')
    con.execute(f"CREATE TEMP TABLE states AS SELECT e, {', '.join(columns)} FROM {frame}")
    groups = 0
    for measure_id, (plan, _) in plans.items():
        keys = ", ".join(f'"{measure_id}:{cid}"' for cid in plan.conditions)
        groups += con.sql(f"SELECT {keys}, list(e) FROM states GROUP BY {keys}").fetch_arrow_table().num_rows
    con.close()
    return groups


def polars_run(ent: pl.DataFrame, plans: dict[str, tuple[MeasurePlan, dict[str, Node]]]) -> int:
    book = compiled()
    for step in book.derived_columns():
        ent = ent.with_columns(step)
    chosen = [book.measures[m] for m in plans]
    ent = ent.with_columns([expr.alias(c.column(cid)) for c in chosen for cid, expr in c.conditions.items()])
    groups = 0
    for c in chosen:
        keys = [c.column(cid) for cid in c.plan.conditions]
        groups += ent.group_by(keys).agg(pl.col("e")).height
    return groups


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    profiles = []
    for data in synthetic(args.n, 1):
        try:
            profiles.append(parse_profile(data))
        except ProfileError:
            continue
    frames = build_frames([p.model_dump(exclude_none=True) for p in profiles], AS_OF)
    book = default_rules()
    plans = {m.id: (book.plans[m.id], {c.id: c.node for c in m.conditions})
             for m in book.ir.measures if m.id in compiled().measures and m.conditions}
    timings: dict[str, list[float]] = {"polars": [], "duckdb": []}
    answers = {}
    for _ in range(args.repeat):
        for name, run in (("polars", polars_run), ("duckdb", duckdb_run)):
            started = time.perf_counter()
            answers[name] = run(frames.ent, plans)
            timings[name].append(time.perf_counter() - started)
    assert answers["polars"] == answers["duckdb"], answers  # the same signatures
    print(f"{len(profiles):,} enterprises, {len(plans)} measures, {answers['polars']:,} signatures")
    for name, values in timings.items():
        median = statistics.median(values)
        print(f"{name}: median {median:.2f} s ({median / len(profiles) * 1e6:.2f} µs per enterprise)")
    print(f"duckdb / polars: {statistics.median(timings['duckdb']) / statistics.median(timings['polars']):.2f}x")


if __name__ == "__main__":
    main()

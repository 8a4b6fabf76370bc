"""Reading department sources through their mappings: rows/s for a GBK CSV and an xlsx source.

Writes ``huiqi synth --style departments`` files once, then, in this one process, times (median of
``--repeat`` runs; wall clock, and CPU seconds of this process, which is what "per core" means on a
machine other work shares — the merge's loader processes are not in its CPU time):

* the GBK hires CSV read through its mapping (detect the encoding, decode, split, parse 8 cells
  per row into contract values, each row's facts as the JSON the merge stores), column by column
  (``sources.columns``, what a batch uses for a regular CSV) and row by row (``sources.rows``),
  against a plain ``csv.reader`` over the same file in the same encoding; pyarrow runs with one
  thread, so every figure is for one core;
* the xlsx registry read through its mapping (python-calamine, 11 mapped cells per row), column by
  column (what a batch uses) and row by row, against a bare calamine iteration, and against
  openpyxl read-only iteration of the same sheet;
* the whole merge of all six sources into enterprises (``sources.merge``), per registry row.

    python bench/sources_bench.py --n 100000 --repeat 3
"""

from __future__ import annotations

import argparse
import csv
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from batch.synth_departments import synthesize_departments  # noqa: E402
from sources.columns import read_columns  # noqa: E402
from sources.mapping import load_sources  # noqa: E402
from sources.merge import LOADERS, Merger, stored_rows  # noqa: E402
from sources.rows import plan  # noqa: E402


def timed(run: Callable[[], int], repeat: int) -> tuple[float, float, int]:
    """(median wall seconds, median CPU seconds of this process, rows) over ``repeat`` runs."""
    spans, cpu, rows = [], [], 0
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        rows = run()
        spans.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return statistics.median(spans), statistics.median(cpu), rows


def plain_csv(path: Path, encoding: str) -> int:
    with path.open(encoding=encoding, newline="") as handle:
        return sum(1 for _ in csv.reader(handle)) - 1


def mapped(folder: Path, name: str) -> int:
    """Row by row (sources.rows): what irregular CSV files take."""
    source = next(s for s in load_sources(folder / "sources.yaml") if s.name == name)
    return sum(1 for _ in stored_rows(plan(source)))


def mapped_columns(folder: Path, name: str) -> int:
    """Column by column (sources.columns): what a regular CSV file and every sheet take."""
    source = next(s for s in load_sources(folder / "sources.yaml") if s.name == name)
    columns = read_columns(plan(source))
    assert columns is not None
    return len(columns.data())  # what the merge stores, as arrow arrays: no Python object per row


def bare_calamine(path: Path) -> int:
    from python_calamine import CalamineWorkbook

    return sum(1 for _ in CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).iter_rows()) - 2


def openpyxl_read_only(path: Path) -> int:
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True, data_only=True)
    try:
        return sum(1 for _ in book.worksheets[0].iter_rows(values_only=True)) - 2
    finally:
        book.close()


def merge_all(folder: Path) -> int:
    merger = Merger(load_sources(folder / "sources.yaml"))
    try:
        return sum(1 for record in merger.records() if record.counted)
    finally:
        merger.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=100_000, help="enterprises (the hires CSV has about 1.1 per)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--folder", type=Path, help="keep the department files here, and reuse them when present")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="huiqi-sources-bench-") as tmp:
        folder = args.folder or Path(tmp) / "departments"
        if not (folder / "sources.yaml").exists():
            start = time.perf_counter()
            synthesize_departments(args.n, args.seed, folder)
            print(f"wrote {args.n:,} enterprises as department files in {time.perf_counter() - start:.1f} s")
        hires, registry = folder / "人社_招用人员.csv", folder / "登记库.xlsx"
        figures = {
            "csv.reader, GBK hires CSV (baseline)": timed(lambda: plain_csv(hires, "gb18030"), args.repeat),
            "mapped GBK hires CSV, column by column (8 cells/row)":
                timed(lambda: mapped_columns(folder, "人社招用"), args.repeat),
            "mapped GBK hires CSV, row by row (8 cells/row)": timed(lambda: mapped(folder, "人社招用"), args.repeat),
            "calamine iteration, xlsx registry (baseline)": timed(lambda: bare_calamine(registry), args.repeat),
            "mapped xlsx registry, column by column (11 cells/row)":
                timed(lambda: mapped_columns(folder, "登记库"), args.repeat),
            "mapped xlsx registry, row by row (11 cells/row)": timed(lambda: mapped(folder, "登记库"), args.repeat),
            "openpyxl read-only iteration, xlsx registry": timed(lambda: openpyxl_read_only(registry), args.repeat),
            f"merge of all 6 sources ({LOADERS} loader processes), per registry row":
                timed(lambda: merge_all(folder), args.repeat),
        }
        print(f"{'':<70} {'rows':>9}  {'wall s':>7} {'rows/s':>9}  {'CPU s':>7} {'rows/CPU-s':>10}")
        for label, (seconds, cpu, rows) in figures.items():
            print(f"{label:<70} {rows:>9,}  {seconds:7.3f} {rows / seconds:>9,.0f}  {cpu:7.3f} {rows / cpu:>10,.0f}")
        csv_base, csv_mapped, csv_rows = (figures[k] for k in list(figures)[:3])
        xlsx_base, xlsx_mapped, _, xlsx_openpyxl = (figures[k] for k in list(figures)[3:7])
        for what, at in (("wall", 0), ("CPU", 1)):
            print(f"{what}: mapped GBK CSV / csv.reader: "
                  f"{csv_mapped[at] / csv_base[at]:.2f}x the time column by column, "
                  f"{csv_rows[at] / csv_base[at]:.2f}x row by row; "
                  f"mapped xlsx / calamine: {xlsx_mapped[at] / xlsx_base[at]:.2f}x; "
                  f"openpyxl read-only / calamine: {xlsx_openpyxl[at] / xlsx_base[at]:.2f}x")
        print(f"load average (1, 5, 15 min) at the end: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()

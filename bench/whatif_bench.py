"""Benchmark ``huiqi batch what-if`` against the batch it replays, on the same machine, back to back.

    python bench/whatif_bench.py --n 100000 --workers 2

Steps (each the real command in a subprocess, timed with its peak memory of the process tree):
``huiqi synth --n N --seed 1`` (once, cached under ``--data``), ``huiqi batch`` into a fresh SQLite
file, then ``huiqi batch what-if`` of that run under the revised release of tests/releases.py (M30
raised from 1,500 to 2,000 元 per hire, M31 ended on 2025-12-31), once per ``--engines`` (columnar,
the default, and rete: durable-rules), in the same run. Prints the times, enterprises/s, peak memory,
the ratio of each what-if to the batch's evaluation, and of the rete what-if to the columnar one.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

from batch_bench import run  # bench/ is the script's directory

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.releases import revised_rules  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description="huiqi batch what-if 压测")
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--data", type=Path, default=ROOT / "var" / "bench")
    parser.add_argument("--engines", nargs="+", choices=("columnar", "rete"), default=["columnar", "rete"])
    args = parser.parse_args()
    python = sys.executable
    data = args.data / f"registry-{args.n}-{args.seed}-csv"
    if not data.exists():
        seconds, _, _ = run([python, "-m", "api.cli", "synth", "--n", str(args.n), "--seed", str(args.seed),
                             "--out", str(data)])
        print(f"synth n={args.n}: {seconds:.1f} s", flush=True)
    rules = args.data / "rules-revised"
    shutil.rmtree(rules, ignore_errors=True)
    revised_rules(rules)
    db_file = args.data / f"whatif-{args.n}.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db_file}{suffix}").unlink(missing_ok=True)
    db, out, workers = f"sqlite:///{db_file}", str(args.data / "out"), str(args.workers)
    batch_wall, batch_peak, batch_out = run([python, "-m", "api.cli", "batch", str(data), "--as-of", "2026-01-15",
                                             "--workers", workers, "--db", db, "--out", out, "--no-progress"])
    batch = json.loads(batch_out.strip().splitlines()[-1])
    rows = [("batch", batch_wall, batch["seconds"], batch_peak, batch["total"])]
    whatifs: dict[str, dict[str, object]] = {}
    for engine in args.engines:
        wall, peak, printed = run([python, "-m", "api.cli", "batch", "what-if", batch["run_id"], "--rules", str(rules),
                                   "--workers", workers, "--db", db, "--out", f"{out}-{engine}", "--no-progress",
                                   "--engine", engine])
        whatifs[engine] = whatif = json.loads(printed.strip().splitlines()[-1])
        rows.append((f"what-if ({engine})", wall, whatif["seconds"], peak, whatif["evaluated"]))
        shown = {k: whatif[k] for k in ("evaluated", "gained", "lost", "changed", "difference_yuan")}
        print(f"what-if ({engine}): {json.dumps(shown, ensure_ascii=False)}", flush=True)
    print(f"| n={args.n:,}, workers={args.workers}, batch engine {batch.get('engine')} | wall s (process)"
          " | s (command's own) | enterprises/s | peak tree MiB |")
    print("|---|---|---|---|---|")
    for name, wall, own, peak, count in rows:
        print(f"| {name} | {wall:.1f} | {own} | {count / own:,.0f} | {peak / 2**20:.0f} |")
    for engine, whatif in whatifs.items():
        print(f"what-if ({engine}) ÷ batch evaluation: {whatif['seconds'] / batch['evaluate_seconds']:.2f}")
    if len(whatifs) == 2:
        print(f"rete ÷ columnar what-if time: {whatifs['rete']['seconds'] / whatifs['columnar']['seconds']:.2f}")


if __name__ == "__main__":
    main()

#!/usr/bin/env bash
# Instructions per enterprise of a batch worker's merge and validate stages, counted by valgrind
# (cachegrind): unlike time, the count does not move with the load of a shared machine.
# usage: bash bench/validate_instructions.sh [N] [REV]
# A synthetic CSV registry of N enterprises (default 3000, seed 1) is indexed; then each stage is
# counted as the difference of two runs (imports only; + the index, loaded in this process; + records_of
# of every chunk; + _validated of every record), divided by N. With REV (e.g. main), the same for that revision (git archive into a temporary
# directory); HUIQI_FAST_VALIDATE=0 in the environment counts this tree without the credit-code shortcut.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-3000}
PY=$PWD/.venv/bin/python
export PYTHONHASHSEED=${PYTHONHASHSEED:-0}  # string hashes move dict and set layouts: one seed, counts that repeat
data=$(mktemp -d); trap 'rm -rf "$data"' EXIT
"$PY" -m api.cli synth --n "$N" --seed 1 --format csv --out "$data/registry" > /dev/null 2>&1
count() {  # $1: source tree, $2: stages (-1 imports, 0 + index, 1 + merge, 2 + validate)
  (cd "$1" && PYTHONPATH="$1" valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null "$PY" -c "
from pathlib import Path
import batch.csv_index
from batch.csv_index import CsvIndex, records_of
from batch.worker import ChunkOutcome, _validated, tune_gc
tune_gc()
batch.csv_index.INDEX_LOADERS = 1  # loaded here, not in processes valgrind does not follow
if $2 < 0:
    raise SystemExit
index = CsvIndex(Path('$data/registry'))
parts = index.slices(1000)
if $2 >= 1:
    chunks = [records_of(index.files, part) for part in parts]
if $2 >= 2:
    out = ChunkOutcome(0)
    for records in chunks:
        for record in records:
            _validated(record, out)
index.close()
" 2>&1 | awk '/I *refs/ {gsub(",", "", $4); print $4}')
}
report() {  # $1: label, $2: source tree
  "$PY" -m compileall -q -x '/\.venv/' "$2" > /dev/null  # no module compiled inside a counted stage
  z=$(count "$2" -1); a=$(count "$2" 0); b=$(count "$2" 1); c=$(count "$2" 2)
  echo "$1: index $(( (a - z) / N )), merge $(( (b - a) / N )), validate $(( (c - b) / N )) instructions per enterprise"
}
report "$(git rev-parse --short HEAD)$(git diff --quiet || echo +)${HUIQI_FAST_VALIDATE:+ HUIQI_FAST_VALIDATE=$HUIQI_FAST_VALIDATE}" "$PWD"
if [ $# -ge 2 ]; then
  tree=$(mktemp -d); trap 'rm -rf "$tree" "$data"' EXIT
  git archive "$2" | tar -x -C "$tree"
  report "$2" "$tree"
fi

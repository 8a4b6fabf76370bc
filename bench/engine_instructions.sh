#!/usr/bin/env bash
# Instructions per full evaluation, counted by valgrind (cachegrind): unlike time, the count does not
# move with the load of a shared machine. usage: bash bench/engine_instructions.sh [K] [REV]
# K evaluations (default 300) of bench/engine_bench.py's profiles, minus a run that only warms up;
# with REV (e.g. main), the same for that revision (git archive into a temporary directory).
set -euo pipefail
cd "$(dirname "$0")/.."
K=${1:-300}
PY=$PWD/.venv/bin/python
export PYTHONHASHSEED=${PYTHONHASHSEED:-0}  # string hashes move dict and set layouts: one seed, counts that repeat
count() {  # $1: source tree, $2: evaluations, $3: near_miss 1/0
  (cd "$1" && PYTHONPATH="$1" valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null "$PY" -c "
import random, sys
sys.path.insert(0, 'bench')
from engine_bench import synthetic_profile, AS_OF
from engine import default_rules, evaluate, parse_profile
rng = random.Random(1)
raw = [synthetic_profile(rng) for _ in range(100 + $2)]
book = default_rules()
for d in raw[:100]:
    evaluate(parse_profile(d), AS_OF, book)
for d in raw[100:]:
    evaluate(parse_profile(d), AS_OF, book, near_miss=$3 == 1)
" 2>&1 | awk '/I *refs/ {gsub(",", "", $4); print $4}')
}
report() {  # $1: label, $2: source tree
  for nm in 1 0; do
    a=$(count "$2" 0 $nm); b=$(count "$2" "$K" $nm)
    echo "$1 near_miss=$nm: $(( (b - a) / K )) instructions per evaluation"
  done
}
report "$(git rev-parse --short HEAD)$(git diff --quiet || echo +)" "$PWD"
if [ $# -ge 2 ]; then
  tree=$(mktemp -d); trap 'rm -rf "$tree"' EXIT
  git archive "$2" | tar -x -C "$tree"
  report "$2" "$tree"
fi

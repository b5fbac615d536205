#!/usr/bin/env bash
# Runs `make test` N times in a row (default 5) with a CPU-bound process beside it, to show the
# tests pass on a busy machine (no wall-clock bounds, no fixed sleeps before asserts). Stops at
# the first failure. Usage: scripts/soak-test.sh [N] [LOGDIR]
set -uo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
logs=${2:-$(mktemp -d -t hearthmind-soak-XXXX)}
mkdir -p "$logs"
# One core kept busy for the whole soak: a pure-Python loop, as another job on the machine would.
python3 -c 'while True: pass' &
burner=$!
trap 'kill $burner 2>/dev/null' EXIT
for i in $(seq 1 "$runs"); do
  start=$(date +%s)
  if make test >"$logs/run$i.log" 2>&1; then
    echo "run $i/$runs passed in $(( $(date +%s) - start )) s (load $(cut -d' ' -f1-3 /proc/loadavg)): $(grep -E '[0-9]+ passed' "$logs/run$i.log" | tail -1)"
  else
    echo "run $i/$runs FAILED after $(( $(date +%s) - start )) s; log: $logs/run$i.log"
    grep -E '^(FAILED|ERROR)' "$logs/run$i.log" | head -20
    exit 1
  fi
done
echo "all $runs runs passed beside a CPU-bound process; logs in $logs"

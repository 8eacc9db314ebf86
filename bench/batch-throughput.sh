#!/usr/bin/env bash
# Batch throughput: N submissions (default 1000) across the five core challenges, graded by
# `pygrade batch` at --jobs 1 and --jobs 2. Prints submissions per second and where the time goes
# (the grader process itself vs the fork servers and workers, user vs system CPU).
#
# Usage: bench/batch-throughput.sh [N]     (from the repository root; builds release first)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1000}
cargo build --release --locked -q
WORK=$(mktemp -d /tmp/pygrade-bench-XXXXXX)
trap 'rm -rf "$WORK"' EXIT
# A private copy, so a rebuild during the run cannot swap the binary under it.
cp target/release/pygrade "$WORK/pygrade"
BIN=$WORK/pygrade
CHALLENGES=(change_dir group_anagrams lru_cache memoize_ttl pipeline)
PER=$((N / ${#CHALLENGES[@]}))
# The corpus: each challenge's fixtures (correct, wrong and runaway answers) cycled to PER
# submissions, each made unique by a comment line.
for c in "${CHALLENGES[@]}"; do
  mkdir -p "$WORK/$c"
  mapfile -t files < <(find "fixtures/$c" -name '*.py' | sort)
  for ((i = 0; i < PER; i++)); do
    f=${files[$((i % ${#files[@]}))]}
    { printf '# candidate %d\n' "$i"; cat "$f"; } > "$WORK/$c/$(printf 'c%04d' "$i")_$(basename "$f")"
  done
done
echo "corpus: $((PER * ${#CHALLENGES[@]})) submissions ($PER per challenge) in $WORK"
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
printf '| jobs | submissions | wall s | subs/s | total CPU s (user+sys) | grader CPU s | CPU s per submission |\n|---|---|---|---|---|---|---|\n'
for jobs in 1 2; do
  start=$(date +%s.%N); cpu=0; grader=0; user=0; sys=0
  for c in "${CHALLENGES[@]}"; do
    out=$( { PYGRADE_STATS=1 /usr/bin/time -f 'TIME %U %S' "$BIN" batch "$c" "$WORK/$c" -j "$jobs" -q --format json > "$WORK/$c-$jobs.json"; } 2>&1 )
    g=$(sed -n 's/.*cpu_ms=\([0-9]*\).*/\1/p' <<< "$out")
    read -r u s < <(sed -n 's/^TIME //p' <<< "$out")
    user=$(echo "$user + $u" | bc); sys=$(echo "$sys + $s" | bc); grader=$((grader + g))
  done
  end=$(date +%s.%N)
  wall=$(echo "$end - $start" | bc)
  total=$((PER * ${#CHALLENGES[@]}))
  printf '| %d | %d | %.1f | %.1f | %.1f (%.1f + %.1f) | %.2f | %.3f |\n' "$jobs" "$total" "$wall" \
    "$(echo "$total / $wall" | bc -l)" "$(echo "$user + $sys" | bc)" "$user" "$sys" \
    "$(echo "$grader / 1000" | bc -l)" "$(echo "($user + $sys) / $total" | bc -l)"
done
# Same verdicts at both job counts (CPU times aside).
for c in "${CHALLENGES[@]}"; do
  python3 - "$WORK/$c-1.json" "$WORK/$c-2.json" <<'PY'
import json, sys
def strip(v):
    if isinstance(v, dict):
        v.pop("cpu_ms", None); [strip(x) for x in v.values()]
    elif isinstance(v, list):
        [strip(x) for x in v]
    return v
a, b = (strip(json.load(open(p))) for p in sys.argv[1:])
assert a == b, f"reports differ between --jobs 1 and 2: {sys.argv[1]}"
PY
done
echo "reports identical at --jobs 1 and 2 (CPU times aside)"

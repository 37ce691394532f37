#!/usr/bin/env bash
# Times grove-schedule on generated topologies: wall time and peak memory (/usr/bin/time), the solver's
# own phase breakdown and packing path (--stats: greedy fast path or exact fallback), and the independent
# check of every plan (with its own wall time and peak memory). Prints a Markdown table.
#
#   perf/solver_bench.sh [BIN_DIR]          BIN_DIR defaults to build/release/bin
#   SOLVER_BENCH_BIG=1 perf/solver_bench.sh also runs 128 x DGX-H100 (1024 ranks)
#   SOLVER_BENCH_TIMEOUT=600                seconds allowed per case (default 900)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-build/release/bin}
TIMEOUT=${SOLVER_BENCH_TIMEOUT:-900}
for tool in grove-topo grove-schedule; do
  [[ -x "$BIN/$tool" ]] || { echo "solver_bench: $BIN/$tool not found (build first)" >&2; exit 1; }
done
[[ -x /usr/bin/time ]] || { echo "solver_bench: /usr/bin/time missing (apt-get install time)" >&2; exit 1; }
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# name | generator args | trees per root | quoted Python reference time (not run here)
CASES=(
  "dgx-a100 x1|dgx-a100 --boxes 1|1|-"
  "dgx-a100 x2|dgx-a100 --boxes 2|1|2.9 s (README: ~2 s)"
  "dgx-a100 x2|dgx-a100 --boxes 2|auto|3.8 s"
  "dgx-a100 x4|dgx-a100 --boxes 4|1|35 s (README: ~22 s)"
  "dgx-a100 x8|dgx-a100 --boxes 8|1|307 s"
  "mi250 x1|mi250 --boxes 1|auto|0.55 s"
  "mi250 x2|mi250 --boxes 2|1|11 s"
  "mi250 x2|mi250 --boxes 2|auto|-"
  "dgx-h100 x32|dgx-h100 --boxes 32|1|-"
  "fat-tree 16x16 over. 2|fat-tree --leaves 16 --spines 4 --hosts-per-leaf 16 --oversubscription 2|1|-"
)
if [[ "${SOLVER_BENCH_BIG:-0}" == 1 ]]; then
  CASES+=("dgx-h100 x128|dgx-h100 --boxes 128|1|-" "dgx-a100 x128|dgx-a100 --boxes 128|1|-")
fi

echo "| topology | ranks | k | trees | packing | optimal GB/s | schedule GB/s | wall | peak RSS | check (wall, RSS) | Python ref (quoted) |"
echo "|---|---|---|---|---|---|---|---|---|---|---|"
for c in "${CASES[@]}"; do
  IFS='|' read -r name gen k ref <<<"$c"
  topo="$WORK/${gen// /_}.dot"
  # shellcheck disable=SC2086
  "$BIN/grove-topo" generate $gen -o "$topo"
  plan="$WORK/plan.json"
  if ! timeout "$TIMEOUT" /usr/bin/time -f "%e s %M KB" -o "$WORK/time" \
      "$BIN/grove-schedule" --topology "$topo" --trees-per-root "$k" --summary --stats -o "$plan" \
      >"$WORK/summary" 2>"$WORK/stderr"; then
    echo "| $name | | $k | | | | | > ${TIMEOUT} s or failed | | | $ref |"
    tail -3 "$WORK/stderr" >&2
    continue
  fi
  grep -E 'grove-schedule: (optimum|packing path)' "$WORK/stderr" | sed "s/^/# $name k=$k: /" >&2
  packing=$(sed -nE 's/.*packing path: (greedy|exact).*/\1/p' "$WORK/stderr")
  s=$(cat "$WORK/summary")
  field() { sed -E "s/.*\"$1\":([^,}]*).*/\1/" <<<"$s"; }
  wall=$(cut -d' ' -f1,2 "$WORK/time")
  kb=$(cut -d' ' -f3 "$WORK/time")
  if /usr/bin/time -f "%e s %M KB" -o "$WORK/ctime" "$BIN/grove-schedule" check "$plan" --topology "$topo" \
      >"$WORK/check" 2>&1; then ok=OK; else ok=FAILED; fi
  ok="$ok ($(cut -d' ' -f1,2 "$WORK/ctime"), $(($(cut -d' ' -f3 "$WORK/ctime") / 1024)) MB)"
  printf '| %s | %s | %s | %s | %s | %.3f | %.3f | %s | %s MB | %s | %s |\n' "$name" "$(field ranks)" \
    "$(field trees_per_root)" "$(field trees)" "$packing" "$(field optimal_algbw)" "$(field schedule_algbw)" \
    "$wall" "$((kb / 1024))" "$ok" "$ref"
done

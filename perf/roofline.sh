#!/usr/bin/env bash
# perf/roofline.sh: how close each allreduce algorithm gets to the memory system of the same cores.
#
# Runs membench (copy/triad on 1 and 2 threads) and pingpong, then all_reduce_perf on 2 ranks for the
# one-shot, two-shot and zero-copy (groveMemAlloc) paths and for MPI_Allreduce, alternating. For each
# row it prints the bytes the algorithm must move through memory per call (model below, all ranks
# together), that figure divided by the measured time ("effective GB/s"), and its ratio to the 2-thread
# triad bandwidth.
#
# Model, n ranks, S message bytes, per rank (reads + writes):
#   one-shot   (n+3)S        copy in (2S), read every input (nS), write output (S)
#   two-shot   (5-2/n)S      stage 2(n-1)S/n, reduce S + 2S/n, gather 2(n-1)S/n
#   zero-copy  (2+(n-1)/n)S  read every input slice (S), write my slice (S/n), copy the others 2(n-1)S/n
#   MPI        not modelled (reported as 4S per rank, the minimum for private buffers, for comparison)
#
# usage: perf/roofline.sh [--bindir build/release/bin] [--sizes "4K 256K 16M 128M"] [--iters 20]
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bindir=$repo/build/release/bin
sizes="4K 64K 1M 16M 128M"
iters=20
while [ $# -gt 0 ]; do
  case $1 in
    --bindir) bindir=$2; shift 2 ;;
    --sizes) sizes=$2; shift 2 ;;
    --iters) iters=$2; shift 2 ;;
    *) echo "usage: $0 [--bindir DIR] [--sizes \"4K 16M\"] [--iters N]" >&2; exit 1 ;;
  esac
done
source "$repo/scripts/common.sh"
membench=$("$bindir/membench")
echo "$membench" | sed 's/^/# /'
"$bindir/pingpong" | sed 's/^/# /'
# The 2-thread triad figure: the number before "GB/s" on the "triad threads 2:" line.
triad2=$(echo "$membench" | awk '/triad/ && /threads 2:/ { for (i = 1; i < NF; i++) if ($(i + 1) == "GB/s") { print $i; exit } }')
[ -n "$triad2" ] || { echo "roofline.sh: cannot read the triad bandwidth from membench" >&2; exit 1; }
echo "# 2-thread triad: $triad2 GB/s"
printf "%-10s %10s %12s %12s %10s %8s\n" algo bytes time_us model_bytes eff_GBps of_triad
run() {  # run LABEL MODEL_FACTOR_PER_RANK ARGS...
  local label=$1 factor=$2; shift 2
  for s in $sizes; do
    # One-shot only applies up to the call slot size (64 KiB by default).
    if [ "$label" = one-shot ] && [ "$(numfmt --from=iec "$s")" -gt 65536 ]; then continue; fi
    out=$(mpirun -np 2 --bind-to core "$bindir/all_reduce_perf" -b "$s" -e "$s" -n "$iters" -w 3 -z 1 "$@" 2>&1 || true)
    echo "$out" | awk -v label="$label" -v f="$factor" -v triad="$triad2" '
      NF == 13 && $1 ~ /^[0-9]+$/ {
        bytes = $1; t = $6; model = 2 * f * bytes; eff = model / (t * 1e3);
        printf "%-10s %10d %12.2f %12d %10.2f %7.0f%%\n", label, bytes, t, model, eff, 100 * eff / triad }'
  done
}
run one-shot 5 -A oneshot
run two-shot 4 -A twoshot
run zero-copy 2.5 -M shm
run mpi 4 -B mpi

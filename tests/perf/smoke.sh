#!/usr/bin/env bash
# smoke.sh BINDIR BACKEND [MPIRUN]: runs each perf binary briefly on 2 ranks and fails unless every
# table row has #wrong 0 in both placements and the footer says OK.
set -u
bindir=$1
backend=$2
mpirun=${3:-mpirun}
[ -n "$mpirun" ] || mpirun=mpirun
failures=0

# run NAME ARGS...: one binary, checked row by row.
run() {
  local name=$1
  shift
  local out rc
  out=$(timeout 60 "$mpirun" --oversubscribe -np 2 "$bindir/$name" -B "$backend" -n 3 -w 1 -c 1 "$@" 2>&1)
  rc=$?
  local rows bad
  rows=$(printf '%s\n' "$out" | awk 'NF == 13 && $1 ~ /^[0-9]+$/ && $2 ~ /^[0-9]+$/' | wc -l)
  bad=$(printf '%s\n' "$out" | awk 'NF == 13 && $1 ~ /^[0-9]+$/ && ($9 != "0" || $13 != "0")' | wc -l)
  if [ "$rc" -ne 0 ] || [ "$rows" -eq 0 ] || [ "$bad" -ne 0 ] ||
    ! printf '%s\n' "$out" | grep -q '^# Out of bounds values : 0 OK$'; then
    echo "FAIL: $name $* (-B $backend): exit $rc, $rows rows, $bad with wrong elements"
    printf '%s\n' "$out" | sed 's/^/    /'
    failures=$((failures + 1))
  else
    echo "ok:   $name $* (-B $backend): $rows rows"
  fi
}

run all_reduce_perf -b 8 -e 1M -f 8
run all_reduce_perf -b 1K -e 1K -d all -o all
for name in all_gather_perf reduce_scatter_perf broadcast_perf reduce_perf alltoall_perf sendrecv_perf; do
  run "$name" -b 8 -e 64K -f 16
done
run reduce_scatter_perf -b 4K -e 4K -d all -o all
run reduce_perf -b 4K -e 4K -d all -o all -r 1
run broadcast_perf -b 4K -e 4K -r 1 -z 1

# -B both: a grove row and an #mpi row for every size, all correct.
if [ "$backend" = grove ]; then
  out=$(timeout 60 "$mpirun" --oversubscribe -np 2 "$bindir/all_reduce_perf" -B both -b 8 -e 64K -f 16 -n 3 -w 1 -c 1 2>&1)
  g=$(printf '%s\n' "$out" | awk 'NF == 13 && $1 ~ /^[0-9]+$/ && $9 == "0" && $13 == "0"' | wc -l)
  m=$(printf '%s\n' "$out" | awk '$1 == "#mpi" && NF == 14 && $10 == "0" && $14 == "0"' | wc -l)
  if [ "$g" -ne 4 ] || [ "$m" -ne 4 ]; then
    echo "FAIL: all_reduce_perf -B both: $g correct grove rows and $m correct MPI rows, expected 4 each (8, 128, 2048, 32768 bytes)"
    printf '%s\n' "$out" | sed 's/^/    /'
    failures=$((failures + 1))
  else
    echo "ok:   all_reduce_perf -B both: 4 grove rows, 4 MPI rows"
  fi
fi

[ "$failures" -eq 0 ] || { echo "$failures perf smoke run(s) failed"; exit 1; }
echo "all perf smoke runs passed"

#!/usr/bin/env bash
# The main job: build the release preset, run allreduce across the local cores, then generate a schedule.
set -euo pipefail
cd "$(dirname "$0")"
source scripts/common.sh
grove_install_packages
grove_build release
bin=build/release/bin
np=$(nproc)
[ "$np" -lt 2 ] && np=2
echo "== all_reduce_perf on $np ranks (float32 sum, 8 B .. 64 MiB)"
mpirun -np "$np" --bind-to core "$bin/all_reduce_perf" -b 8 -e 64M -f 4 | tee build/run-allreduce.txt
grep "Avg bus bandwidth" build/run-allreduce.txt | sed 's/^#/summary: allreduce/'
echo "== ForestColl schedule for 2 x DGX-A100"
"$bin/grove-topo" generate dgx-a100 --boxes 2 -o build/dgx-a100-x2.dot
"$bin/grove-schedule" --topology build/dgx-a100-x2.dot --collective allgather --trees-per-root auto \
  --format plan -o build/dgx-a100-x2.plan.json --summary | sed 's/^/summary: schedule /'

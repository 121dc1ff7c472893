#!/usr/bin/env bash
# `ganbench probe-metrics` on mnist5k (mnist-classifier features) and grid25 (the points as their own features):
# every damage that applies, every metric the dataset can give, 5 draws per strength, seed 0, on the CPU.
# Each folder gets the command's own files (probe-metrics.md / .csv / .json, one curves figure per damage) and
# timing.txt: the wall and CPU time of the command and the machine's load before and after.
#
# Usage (from the repository root): bash benchmarks/probe-metrics/run.sh [mnist5k|grid25 ...]   (default: both)
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
export OMP_NUM_THREADS=1
for dataset in "${@:-mnist5k grid25}"; do
  for name in $dataset; do
    out="$HERE/$name"
    mkdir -p "$out"
    {
      echo "load before: $(uptime)"
      start=$(date +%s)
      /usr/bin/time -f "command: %e s wall, %U s user CPU, %S s system CPU" \
        nice -n 5 python -m ganbench probe-metrics --dataset "$name" --repeats 5 --seed 0 --device cpu --quiet \
        --out "$out" > "$out/stdout.txt"
      echo "wall: $(( $(date +%s) - start )) s"
      echo "load after: $(uptime)"
    } 2> "$out/timing.err" > "$out/timing.txt"
    cat "$out/timing.err" >> "$out/timing.txt" && rm "$out/timing.err" "$out/stdout.txt"
  done
done

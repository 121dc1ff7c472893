#!/bin/bash
# How benchmarks/veegan-grid/ is made: VEEGAN Table 1, 2D Grid, at its FULL protocol (suite veegan-grid: 4 rows x 5
# seeds, each row with the settings that produced it, nothing set on top), on a 2-core CPU, one thread per cell.
# The run lives in /work/runs/veegan-grid (code: branch veegan at 38a3fd7, frozen in /work/runs/veegan-code;
# driver: /work/runs/veegan-driver.sh). From 02:57 UTC on 2026-12-07 it ran two seeds at a time with --jobs 2
# (veegan-driver.helper-original.sh); from 03:25 the lead's driver resumed it as below: the three rows the claims
# compare, all 5 seeds side by side, then ALI, the ring before the grid (veegan-ring is the other suite). Any
# order and any --jobs give the same rows, and rerunning a stopped command resumes it: finished cells are skipped,
# the others continue from their last checkpoint.
# Not finished: the run folder (/work/runs/veegan-grid, with the grid's first checkpoints) was lost with its machine
# when the session running it was cut off on 2026-12-07; it starts again from nothing. Cost from the ring's measured
# rates (RESULTS.md): about 6.3 CPU-hours for the 20 cells, a little over 3 hours on 2 idle cores.
set -eu
export OMP_NUM_THREADS=1
OUT=${OUT:-runs/veegan-grid}
ganbench run --suite veegan-grid --models veegan_gan,veegan,unrolled --seeds 0-4 --out "$OUT" --jobs 15 --yes
ganbench run --suite veegan-grid --models veegan_ali --seeds 0-4 --out "$OUT" --jobs 5 --yes
# once every cell has reached its last step (5 seeds per row): publish
ganbench suite compare "$OUT" --suite veegan-grid --out benchmarks/veegan-grid/

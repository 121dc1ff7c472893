#!/bin/bash
# How benchmarks/veegan-ring/ is made: VEEGAN Table 1, 2D Ring, at its FULL protocol (suite veegan-ring: 4 rows x 5
# seeds, each row with the settings that produced it, nothing set on top), on a 2-core CPU, one thread per cell.
# The run lives in /work/runs/veegan-ring (code: branch veegan at 38a3fd7, frozen in /work/runs/veegan-code;
# driver: /work/runs/veegan-driver.sh). From 02:57 UTC on 2026-12-07 it ran two seeds at a time with --jobs 2
# (veegan-driver.helper-original.sh); from 03:25 the lead's driver resumed it as below: the three rows the claims
# compare, all 5 seeds side by side, then ALI, the ring before the grid (veegan-grid is the other suite). Any
# order and any --jobs give the same rows, and rerunning a stopped command resumes it: finished cells are skipped,
# the others continue from their last checkpoint.
set -eu
export OMP_NUM_THREADS=1
OUT=${OUT:-runs/veegan-ring}
ganbench run --suite veegan-ring --models veegan_gan,veegan,unrolled --seeds 0-4 --out "$OUT" --jobs 15 --yes
ganbench run --suite veegan-ring --models veegan_ali --seeds 0-4 --out "$OUT" --jobs 5 --yes
# What is published here: all four rows at their FULL protocol, 5 seeds each, every cell at its last step (100,000;
# Unrolled GAN 25,000). The three claim rows finished 2026-12-07 07:58 UTC (second session); ALI's row ran in the
# third session (08:26-09:21 UTC, resumed from its cells' last checkpoints, steps 4,000-5,000; 5 cells at once). Published with
ganbench suite compare "$OUT" --suite veegan-ring --out benchmarks/veegan-ring/
# (the interim before it, 10% of the steps: ganbench suite compare "$OUT" --suite veegan-ring --out
# benchmarks/veegan-ring/ --at-step 10000).

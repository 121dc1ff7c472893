#!/bin/bash
# How benchmarks/veegan-grid/ is made: VEEGAN Table 1, 2D Grid, at its FULL protocol (suite veegan-grid: 4 rows x 5
# seeds, each row with the settings that produced it, nothing set on top), on a 2-core CPU, one thread per cell.
# The run: /work/runs/veegan-grid (outside git), from main at cd5c95c frozen in /work/runs/veegan-code (run with
# PYTHONPATH pointing there, so that work on main during the run could not change its code), on a 2-core AMD EPYC,
# --jobs 2, the driver at nice 19 in its own autogroup (nice 19) so that the session's other work went first.
# Started 2026-12-07 13:42 UTC: the three rows the claims compare, then ALI, as below. Any order and any --jobs
# give the same rows, and rerunning a stopped command resumes it: finished cells are skipped, the others continue
# from their last checkpoint. (Its first run, begun 2026-12-07 09:21 UTC on an Intel Xeon, was lost with its
# machine.)
set -eu
export OMP_NUM_THREADS=1
OUT=${OUT:-runs/veegan-grid}
ganbench run --suite veegan-grid --models veegan_gan,veegan,unrolled --seeds 0-4 --out "$OUT" --jobs 2 --yes
# ALI's row ran beside the claim rows (from 14:52 UTC, on the CPU they left), in its own folder:
ganbench run --suite veegan-grid --models veegan_ali --seeds 0-4 --out "$OUT-ali" --jobs 5 --yes
# ALI's cells were stopped with the session at about step 27,000 and resumed from their checkpoints by rerunning
# the same command (2026-12-07 16:39 UTC, --jobs 5, in its own autogroup beside the session's work); they reached
# step 100,000 at 17:47 UTC. What is published here: all four rows at their FULL protocol, 5 seeds each, every cell
# at its last step (100,000; Unrolled GAN 25,000), with
ganbench suite compare "$OUT" "$OUT-ali" --suite veegan-grid --out benchmarks/veegan-grid/

#!/usr/bin/env bash
# One command on a bare CUDA machine with this repository: installs what is missing (first minute), then runs every
# GPU check of benchmarks/RESULTS.md in order of value within 9 minutes, writing gpu_check.json and gpu_check.md
# into $OUT (or --out). Options are benchmarks/gpu_check.py's (--wheels DIR without a package index).
set -uo pipefail
cd "$(dirname "$0")/.."
exec "${PYTHON:-python3}" benchmarks/gpu_check.py "$@"

"""`ganbench plot`: remake a run's figures from its result rows and saved samples.

matplotlib is imported when the command runs, so `--help` stays fast.
"""

from __future__ import annotations

import argparse

#: where the figures go by default (ganbench.report.plots.common.FIGURES_DIR, named here without importing it)
FIGURES_DIR = "figures"


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "plot",
        help="remake a run's figures (training curves, leaderboard bars, precision/recall, samples)",
        description="Remake a run's figures as PNG and SVG from RUN_DIR/results.jsonl and the sample grids "
        f"under RUN_DIR/cells/, into RUN_DIR/{FIGURES_DIR}/ unless --out is given.",
    )
    parser.add_argument("run_dir", metavar="RUN_DIR", help="the run directory")
    parser.add_argument("--out", metavar="DIR", help=f"where the figures go (default RUN_DIR/{FIGURES_DIR})")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from ganbench.paths import writable_folder
    from ganbench.report.plots.make import make_all

    if Path(args.run_dir).is_dir():
        writable_folder(args.out or Path(args.run_dir) / FIGURES_DIR, "--out" if args.out else "the figures folder")
    paths = make_all(args.run_dir, args.out)
    for path in paths:
        print(path)
    if not paths:
        print("no figures made")
    return 0

"""`ganbench report`: one self-contained HTML page (leaderboards, figures, protocol) for run directories.

pandas and matplotlib are imported when the command runs, so `--help` stays fast.
"""

from __future__ import annotations

import argparse


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "report",
        help="write one self-contained HTML page: leaderboards, curves, precision vs recall, samples, protocol",
        description="Write OUT/index.html for one or more run directories: every ranked metric's leaderboard "
        "(sortable; mean ± std, 95% CI, seeds, Welch's test), the training curves, precision vs recall, each "
        "model's samples, memorization figures and a suite's paper comparison when present, and every protocol "
        "fingerprint in full. The page loads nothing from the network: style, script and figures are inside it.",
    )
    parser.add_argument("runs", nargs="+", metavar="RUN_DIR", help="run directories made by `ganbench run`")
    parser.add_argument("--out", metavar="DIR", required=True, help="folder for index.html (created if needed)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ganbench.paths import writable_folder
    from ganbench.report.html import write_report

    out = writable_folder(args.out, "--out")
    path = write_report(args.runs, out)
    print(f"wrote {path}")
    return 0

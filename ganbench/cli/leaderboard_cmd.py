"""`ganbench leaderboard`: rank models across seeds from the result rows of one or more runs.

pandas and scipy are imported when the command runs, so `--help` stays fast.
"""

from __future__ import annotations

import argparse


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "leaderboard",
        help="rank models across seeds (mean, std, 95%% CI, Welch's t-test) from runs' results.jsonl",
        description="Rank models per metric across training seeds. Rows measured under different protocols "
        "are ranked separately; failed and diverged seeds are listed and left out of the statistics.",
    )
    parser.add_argument(
        "runs", nargs="+", metavar="RUN_DIR", help="run directories (their results.jsonl) or .jsonl files"
    )
    parser.add_argument(
        "--metric",
        help="metric key(s) to rank by, comma-separated (default: every ranked metric present in the rows)",
    )
    parser.add_argument(
        "--step",
        choices=("last", "best"),
        default="last",
        help="last: each seed's value at its final step (default); best: each seed's best step (optimistic)",
    )
    parser.add_argument("--out", metavar="FILE", help="also write the leaderboard as .csv, .md or .html")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ganbench.errors import GanbenchError
    from ganbench.paths import writable_file
    from ganbench.report.leaderboard import leaderboard, ranked_keys
    from ganbench.report.results import load

    if args.out:
        writable_file(args.out, "--out")
    frame = load(args.runs)
    metrics = args.metric or ranked_keys(frame)
    if not metrics:
        raise GanbenchError("these results hold no successful rows of a ranked metric yet; nothing to rank")
    table = leaderboard(frame, metrics, args.step)
    if args.out:  # check the suffix before printing anything
        path = table.write(args.out)
    print(table.to_text(), end="")
    if args.out:
        print(f"wrote {path}")
    return 0

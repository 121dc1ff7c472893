"""`ganbench suite`: list the benchmark suites, show one (protocol and published rows), compare a run with it.

The suites, runner and report are imported when a sub-command runs, so `--help` stays fast.
"""

from __future__ import annotations

import argparse

from ganbench.cli.options import positive_int


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "suite",
        help="benchmark suites: published tables' protocols and rows (list, show, compare a run with a paper)",
        description="Suites pin a published table's protocol (dataset, models and settings, sample counts, metric "
        "settings) and hold its rows with their sources. Run one with `ganbench run --suite NAME`.",
    )
    verbs = parser.add_subparsers(dest="verb", metavar="VERB", required=True)
    verbs.add_parser("list", help="every suite with its dataset, models and source").set_defaults(func=run_list)
    show = verbs.add_parser("show", help="a suite's protocol, pinned settings and published rows")
    show.add_argument("name", help="suite name (see `ganbench suite list`)")
    show.set_defaults(func=run_show)
    comp = verbs.add_parser(
        "compare",
        help="compare runs with a suite's published table; write rows, leaderboard, comparison and figures",
        description="For every published row: the paper's mean +- s.e. (n) beside ours (mean +- s.e., 95% CI, n "
        "seeds), on point data beside chance baselines scored at the suite's protocol, and a verdict (too few seeds, "
        "at / below chance, inconclusive, higher / lower, agrees); the paper's claims tested across seeds. The first line "
        "says what fraction of the protocol was run; every file says the protocol (full or reduced: read from the "
        "rows), machine, ganbench version and wall time.",
    )
    comp.add_argument("runs", nargs="+", metavar="RUN_DIR", help="run directories (their results.jsonl)")
    comp.add_argument("--suite", help="suite name (default: the one the rows record, or the run's dataset's only one)")
    comp.add_argument("--out", metavar="DIR", help="write the published files here (default: print only)")
    comp.add_argument("--no-plots", action="store_true", help="do not draw the figures")
    comp.add_argument(
        "--at-step",
        type=positive_int,
        metavar="N",
        help="compare the runs as they stood at step N (each seed's last evaluation at or before it): a run still "
        "training can be compared at an evaluation every seed has reached",
    )
    comp.set_defaults(func=run_compare)


def run_list(args: argparse.Namespace) -> int:
    from ganbench.suites.base import SUITES

    for name in SUITES:
        suite = SUITES.get(name)
        print(f"{name:<27} {suite.dataset:<14} {', '.join(suite.model_names)}")
        print(f"{'':<27} {suite.title}")
    return 0


def run_show(args: argparse.Namespace) -> int:
    from ganbench.suites.base import SUITES
    from ganbench.suites.show import describe

    print(describe(SUITES.get(args.name)), end="")
    return 0


def run_compare(args: argparse.Namespace) -> int:
    from ganbench.report.comparison_table import to_markdown
    from ganbench.report.publish import publish, which_suite

    suite = which_suite(args.runs, args.suite)
    if args.out:
        comparison, files = publish(args.runs, suite, args.out, figures=not args.no_plots, at_step=args.at_step)
        print(to_markdown(comparison), end="")
        print(f"\nwrote {len(files)} files to {args.out}")
        return 0
    from ganbench.devices import machine_description
    from ganbench.report.comparison import compare
    from ganbench.report.publish import load_suite_rows

    print(to_markdown(compare(load_suite_rows(args.runs, suite, args.at_step), suite, machine_description())), end="")
    return 0

"""`ganbench probe-metrics`: damage a dataset's held-out real samples in controlled ways (mode dropping, invented
modes, outliers, memorization, blur / noise / spread, truncation), score each damaged set against the reference
with every selected metric, and say which metric detects which damage.

The probe modules (torch, the extractors, scipy) are imported when the command runs, so `--help` stays fast.
"""

from __future__ import annotations

import argparse
import sys

from ganbench.cli.options import (
    add_data_options,
    add_extractor_options,
    add_metric_options,
    int_at_least,
    positive_int,
    score_config_from,
)


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "probe-metrics",
        help="test the metrics themselves: score controlled damages of held-out real data, verdict per metric x damage",
        description="Draw sets of held-out real samples, damage them with a strength sweep (0 = the real-vs-real "
        "floor), score every set against the reference R times with different draws, and write OUT/probe-metrics.md "
        "(metric x damage: detects / weak / blind / wrong direction, with effect sizes against the floor's spread and "
        "p-values), probe-metrics.csv, probe-metrics.json and one curves figure per damage. Cells that disagree with "
        "the literature (Kynkäänniemi 2019, Sajjadi 2018, Naeem 2020, Alaa 2022) are marked.",
    )
    parser.add_argument("--dataset", required=True, help="dataset to probe (see `ganbench list datasets`)")
    parser.add_argument(
        "--metrics", default="", help="comma-separated metrics (default: every registered metric the dataset can give)"
    )
    parser.add_argument("--damages", default="", help="comma-separated damages (default: every one that applies)")
    parser.add_argument(
        "--n", type=positive_int, help="samples per set (default: a fifth of the held-out split, at most the protocol's)"
    )
    parser.add_argument(
        "--repeats", type=int_at_least(3), default=5, help="draws per strength, each with its own samples (default 5)"
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of every draw (default 0)")
    parser.add_argument("--split", help="reference split (default: the protocol's)")
    parser.add_argument("--n-reference", type=positive_int, help="reference samples (default: the protocol's)")
    parser.add_argument("--out", required=True, metavar="DIR", help="output folder (created if needed)")
    parser.add_argument("--quiet", action="store_true", help="no progress lines")
    add_extractor_options(parser)
    add_metric_options(parser)
    add_data_options(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ganbench.devices import resolve_device
    from ganbench.metrics.spec import METRICS
    from ganbench.paths import writable_folder
    from ganbench.probe.damage import DAMAGES
    from ganbench.probe.document import probe_document
    from ganbench.probe.outputs import TABLE_MD, write_probe
    from ganbench.probe.scorer import probe_target
    from ganbench.probe.sweep import ProbePlan, run_probe

    out = writable_folder(args.out, "--out")
    config = score_config_from(
        args,
        str(resolve_device(args.device)),
        metrics=tuple(METRICS.parse_list(args.metrics)) if args.metrics.strip() else (),
        dataset=args.dataset,
        split=args.split,
        n_reference=args.n_reference,
    )
    damages = tuple(DAMAGES.parse_list(args.damages)) if args.damages.strip() else ()
    plan = ProbePlan(n=args.n, repeats=args.repeats, damages=damages, seed=args.seed)
    target = probe_target(config)
    say = (lambda line: None) if args.quiet else (lambda line: print(f"probe-metrics: {line}", file=sys.stderr))
    run_ = run_probe(target, plan, say)
    doc = probe_document(target, plan, run_)
    write_probe(doc, out)
    print((out / TABLE_MD).read_text(), end="")
    print(f"wrote {out} ({run_.seconds:.0f} s of scoring)")
    return 0

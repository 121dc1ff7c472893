"""`ganbench stats`: reference statistics (mean, covariance, n, protocol) of a folder / .npz of images."""

from __future__ import annotations

import argparse

from ganbench.cli.common import add_extractor_options, extractor_config
from ganbench.config import ScoreConfig
from ganbench.features.base import build_extractor
from ganbench.score import reference_stats


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser("stats", help="compute reference statistics (mean, cov, n, protocol) into an .npz")
    parser.add_argument("--samples", required=True, help="folder of images or .npz with a uint8 'images' array")
    parser.add_argument("--out", required=True, help="output .npz file")
    add_extractor_options(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    extractor = build_extractor(args.extractor, extractor_config(args))
    config = ScoreConfig(samples=args.samples, metrics=(), extractor=args.extractor, batch_size=args.batch_size)
    stats = reference_stats(args.samples, extractor, config)
    stats.save(args.out)
    print(f"wrote statistics of {stats.n} images ({extractor.name}, {len(stats.mean)}-d) to {args.out}")
    return 0

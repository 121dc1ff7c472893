"""`ganbench stats`: reference statistics of a folder / .npz, of a dataset split (cached), or a dataset's floor.

The scoring modules (torch, the extractors) are imported when the command runs, so `--help` stays fast.
"""

from __future__ import annotations

import argparse

from ganbench.cli.options import (
    add_data_options,
    add_extractor_options,
    add_metric_options,
    positive_int,
    score_config_from,
    write_json,
)
from ganbench.cli.score_cmd import format_table
from ganbench.errors import GanbenchError
from ganbench.metrics.spec import METRICS
from ganbench.scoring.config import ScoreConfig


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "stats",
        help="reference statistics of images or a dataset split (cached), or a dataset's real-vs-real floor",
        description="Compute the reference statistics (mean and covariance of the extractor's pool features) of "
        "a folder / .npz of images (--samples, written to --out) or of a dataset split (--dataset, kept in the "
        "cache and optionally written to --out); with --floor, score the dataset's held-out split against its "
        "reference split, which shows what a perfect generator would score under the same protocol.",
    )
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--samples", help="folder of images or .npz with a uint8 'images' array")
    source.add_argument("--dataset", help="a dataset name (see `ganbench list datasets`)")
    parser.add_argument("--split", help="dataset split (default: the protocol's reference split)")
    parser.add_argument("--n", type=positive_int, help="number of reference images (default: the protocol's)")
    parser.add_argument("--out", help="write the statistics .npz here (required with --samples)")
    parser.add_argument("--floor", action="store_true", help="score the held-out split against the reference split")
    parser.add_argument("--metrics", default="", help="metrics for --floor (default: the dataset protocol's)")
    parser.add_argument("--json", metavar="OUT", help="with --floor: also write the result as JSON")
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    add_extractor_options(parser)
    add_metric_options(parser)
    add_data_options(parser)
    parser.set_defaults(func=run)


def config_from(args: argparse.Namespace) -> ScoreConfig:
    from ganbench.devices import resolve_device

    return score_config_from(
        args,
        str(resolve_device(args.device)),
        metrics=tuple(METRICS.parse_list(args.metrics)) if args.metrics.strip() else (),
        dataset=args.dataset,
        split=args.split,
        n_reference=args.n,
    )


def run(args: argparse.Namespace) -> int:
    from ganbench.paths import writable_file

    config = config_from(args)
    for option, path in (("--out", args.out), ("--json", args.json)):
        if path and path != "-":
            writable_file(path, option)  # before the features are computed, not after
    if args.floor:
        return run_floor(args, config)
    if args.samples:
        return run_file_stats(args, config)
    return run_dataset_stats(args, config)


def run_file_stats(args: argparse.Namespace, config: ScoreConfig) -> int:
    from ganbench.features.base import build_extractor
    from ganbench.scoring.config import DEFAULT_EXTRACTOR
    from ganbench.scoring.files import reference_stats

    if not args.out:
        raise GanbenchError("--samples needs --out FILE.npz for the statistics")
    extractor = build_extractor(args.extractor or DEFAULT_EXTRACTOR, config.extractor_config)
    stats = reference_stats(args.samples, extractor, config.batch_size, config.progress)
    stats.save(args.out)
    print(f"wrote statistics of {stats.n} images ({extractor.name}, {len(stats.mean)}-d) to {args.out}")
    return 0


def run_dataset_stats(args: argparse.Namespace, config: ScoreConfig) -> int:
    from ganbench.scoring.job import plan_jobs
    from ganbench.scoring.plan import job_extractor
    from ganbench.scoring.reference_cache import cache_key, cache_path, reference_features
    from ganbench.stats import ReferenceStats

    job = plan_jobs(config)[0]  # the statistics of the main protocol's extractor
    spec = job.dataset
    extractor = job_extractor(job)
    split = config.split or spec.info.protocol.reference_split
    reference = reference_features(
        spec,
        split,
        config.n_reference,
        extractor,
        config.data_config,
        need_features=False,
        batch_size=config.batch_size,
        progress=config.progress,
    )
    where = cache_path(cache_key(spec.info.name, split, reference.n, extractor), config.data_config.cache_dir)
    print(f"statistics of {spec.info.name}/{split}: {reference.n} images, {extractor.name} {len(reference.mean)}-d")
    print(f"cached at {where}" if where.exists() else "from the statistics shipped with ganbench")
    if args.out:
        ReferenceStats(reference.mean, reference.cov, reference.n, reference.protocol).save(args.out)
        print(f"wrote {args.out}")
    return 0


def run_floor(args: argparse.Namespace, config: ScoreConfig) -> int:
    from ganbench.scoring.real_floor import real_floor

    if not args.dataset:
        raise GanbenchError("--floor needs --dataset NAME")
    result = real_floor(config)
    print(f"real-vs-real floor of {args.dataset} (held-out split scored as if generated):")
    print(format_table(result))
    if args.json:
        write_json(args.json, result.to_json())
    return 0

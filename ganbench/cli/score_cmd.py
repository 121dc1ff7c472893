"""`ganbench score`: metrics of generated samples against a dataset, reference samples or statistics."""

from __future__ import annotations

import argparse

from ganbench.cli.common import (
    add_data_options,
    add_extractor_options,
    add_metric_options,
    data_config,
    extractor_config,
    metric_config,
    positive_int,
    write_json,
)
from ganbench.config import ScoreConfig
from ganbench.metrics.presets import METRICS, direction_of
from ganbench.score import ScoreResult, score

ARROWS = {"lower": "(lower is better)", "higher": "(higher is better)", "spread": ""}


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser("score", help="score generated samples (FID, IS, KID, precision/recall, density/coverage, ...)")
    parser.add_argument("--samples", required=True, help="generated images (folder or .npz with a uint8 'images' array), or points .npz for 2-D sets")
    reference = parser.add_mutually_exclusive_group(required=True)
    reference.add_argument("--dataset", help="reference dataset (see `ganbench list datasets`); its protocol sets the defaults")
    reference.add_argument("--ref-samples", help="reference images: folder or .npz")
    reference.add_argument("--ref-stats", help="reference statistics .npz from `ganbench stats` (enough for fid and is)")
    parser.add_argument("--split", help="reference split of --dataset (default: the protocol's, usually train)")
    parser.add_argument("--n-reference", type=positive_int, help="reference images from --dataset (default: the protocol's)")
    parser.add_argument("--metrics", default="", help="comma-separated metric names (default: the dataset protocol's, else fid,is,kid,pr,dc)")
    parser.add_argument("--json", metavar="OUT", help="also write {metrics, protocol} as JSON (- for stdout)")
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    add_extractor_options(parser)
    add_metric_options(parser)
    add_data_options(parser)
    parser.set_defaults(func=run)


def format_table(result: ScoreResult) -> str:
    """Readable table of metric values with their direction, and the protocol in one line."""
    lines = [f"{'metric':<22} {'value':>12}"]
    for key, value in result.metrics.items():
        lines.append(f"{key:<22} {value:>12.6g}  {ARROWS[direction_of(key)]}".rstrip())
    protocol = result.protocol
    split = f"/{protocol['reference_split']}" if protocol.get("reference_split") else ""
    lines.append(
        f"({protocol['extractor']} {protocol['extractor_weights_sha256'][:12]}; {protocol['n_generated']} generated vs "
        f"{protocol['n_reference']} of {protocol['reference']}{split}; {protocol['device']})"
    )
    return "\n".join(lines)


def score_config(args: argparse.Namespace) -> ScoreConfig:
    names = tuple(METRICS.parse_list(args.metrics)) if args.metrics.strip() else ()
    extractor_cfg = extractor_config(args)
    return ScoreConfig(
        samples=args.samples,
        metrics=names,
        ref_samples=args.ref_samples,
        ref_stats=args.ref_stats,
        dataset=args.dataset,
        split=args.split,
        n_reference=args.n_reference,
        extractor=args.extractor,
        batch_size=args.batch_size,
        extractor_config=extractor_cfg,
        metric_config=metric_config(args, extractor_cfg.device),
        data_config=data_config(args),
        progress=not args.quiet,
    )


def run(args: argparse.Namespace) -> int:
    result = score(score_config(args))
    print(format_table(result))
    if args.json:
        write_json(args.json, result.to_json())
    return 0

"""`ganbench score`: metrics of generated samples against reference samples or statistics."""

from __future__ import annotations

import argparse

from ganbench.cli.common import add_extractor_options, add_metric_options, extractor_config, metric_config, write_json
from ganbench.config import ScoreConfig
from ganbench.metrics.presets import METRICS
from ganbench.score import ScoreResult, score


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser("score", help="score generated samples with FID, IS, KID, precision/recall, density/coverage")
    parser.add_argument("--samples", required=True, help="generated images: folder or .npz with a uint8 'images' array")
    reference = parser.add_mutually_exclusive_group(required=True)
    reference.add_argument("--ref-samples", help="reference images: folder or .npz")
    reference.add_argument("--ref-stats", help="reference statistics .npz from `ganbench stats` (enough for fid and is)")
    parser.add_argument("--metrics", default="fid,is,kid,pr,dc", help="comma-separated metric names (default fid,is,kid,pr,dc)")
    parser.add_argument("--json", metavar="OUT", help="also write {metrics, protocol} as JSON (- for stdout)")
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    add_extractor_options(parser)
    add_metric_options(parser)
    parser.set_defaults(func=run)


def format_table(result: ScoreResult) -> str:
    """Readable two-column table of metric values with their direction."""
    arrows = {"lower": "(lower is better)", "higher": "(higher is better)", "spread": ""}
    from ganbench.metrics.presets import direction_of

    lines = [f"{'metric':<12} {'value':>14}"]
    for key, value in result.metrics.items():
        lines.append(f"{key:<12} {value:>14.6g}  {arrows[direction_of(key)]}".rstrip())
    protocol = result.protocol
    lines.append(
        f"({protocol['extractor']} {protocol['extractor_weights_sha256'][:12]}, "
        f"{protocol['n_generated']} generated vs {protocol['n_reference']} reference, {protocol['device']})"
    )
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    names = tuple(METRICS.parse_list(args.metrics))
    extractor_cfg = extractor_config(args)
    config = ScoreConfig(
        samples=args.samples,
        metrics=names,
        ref_samples=args.ref_samples,
        ref_stats=args.ref_stats,
        extractor=args.extractor,
        batch_size=args.batch_size,
        extractor_config=extractor_cfg,
        metric_config=metric_config(args, extractor_cfg.device),
        progress=not args.quiet,
    )
    result = score(config)
    print(format_table(result))
    if args.json:
        write_json(args.json, result.to_json())
    return 0

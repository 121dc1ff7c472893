"""`ganbench score`: metrics of generated samples against a dataset, reference samples or statistics.

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
from ganbench.errors import GanbenchError
from ganbench.metrics.spec import METRICS, direction_of
from ganbench.scoring.config import ScoreConfig

ARROWS = {"lower": "(lower is better)", "higher": "(higher is better)", "spread": ""}


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "score", help="score generated samples (FID, IS, KID, precision/recall, density/coverage, ...)"
    )
    generated = parser.add_mutually_exclusive_group(required=True)
    generated.add_argument(
        "--samples", help="generated images (folder or .npz with a uint8 'images' array), or points .npz for 2-D sets"
    )
    generated.add_argument(
        "--generator",
        help="a generator: TorchScript or ONNX file, ganbench checkpoint (run dir or step_*.json), "
        "package.module:factory (importable, or a module in the current folder), or, with --trust-checkpoint, a "
        "torch.export .pt2 program or a whole pickled model (torch.save(G))",
    )
    reference = parser.add_mutually_exclusive_group(required=True)
    reference.add_argument(
        "--dataset", help="reference dataset (see `ganbench list datasets`); its protocol sets the defaults"
    )
    reference.add_argument("--ref-samples", help="reference images: folder or .npz")
    reference.add_argument(
        "--ref-stats", help="reference statistics .npz from `ganbench stats` (enough for fid and is)"
    )
    parser.add_argument("--split", help="reference split of --dataset (default: the protocol's, usually train)")
    parser.add_argument(
        "--n-reference", type=positive_int, help="reference images from --dataset (default: the protocol's)"
    )
    parser.add_argument(
        "--metrics",
        default="",
        help="comma-separated metric names (default: the dataset protocol's, else fid,is,kid,pr,dc)",
    )
    parser.add_argument("--json", metavar="OUT", help="also write {metrics, protocol} as JSON (- for stdout)")
    parser.add_argument(
        "--append", metavar="RESULTS.jsonl", help="append the scores as result rows (see `ganbench leaderboard`)"
    )
    parser.add_argument("--name", help="model name for --append rows (default: the generator or samples path)")
    parser.add_argument(
        "--allow-resize",
        action="store_true",
        help="score --samples images whose resolution is not the dataset's (resized by the extractor; recorded "
        "in the protocol); without it that is an error",
    )
    group = parser.add_argument_group("generator sampling (with --generator)")
    group.add_argument("--checkpoint", help="weights for package.module:factory (safetensors or a torch state dict)")
    group.add_argument(
        "--trust-checkpoint", action="store_true", help="allow files that can run code on load: torch.export .pt2 programs, checkpoints that need full unpickling"
    )
    group.add_argument("--n", type=positive_int, help="samples to draw (default: the dataset protocol's)")
    group.add_argument(
        "--yes", action="store_true", help="draw more than 1,000,000 samples with --n (refused without it: a typo guard)"
    )
    group.add_argument("--seed", type=int, default=0, help="evaluation noise seed (default 0)")
    group.add_argument("--z-dim", type=positive_int, help="noise size when the generator has no z_dim attribute")
    group.add_argument(
        "--output-range",
        choices=["auto", "-1,1", "0,1", "uint8"],
        default="auto",
        help="generator output range (default: detected)",
    )
    group.add_argument(
        "--sample-batch-size", type=positive_int, default=250, help="samples per generator batch (default 250)"
    )
    group.add_argument(
        "--save-samples", metavar="DIR", help="also write the generated images as PNGs (points as points.npz)"
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    add_extractor_options(parser)
    add_metric_options(parser)
    add_data_options(parser)
    parser.set_defaults(func=run)


def format_table(result) -> str:
    """Readable table of a ScoreResult's values with their direction, each protocol's values under its own line."""
    lines = [f"{'metric':<22} {'value':>12}"]
    for part in result.parts():
        for key, value in part.metrics.items():
            lines.append(f"{key:<22} {value:>12.6g}  {ARROWS.get(direction_of(key), '')}".rstrip())
        protocol = part.protocol
        split = f"/{protocol['reference_split']}" if protocol.get("reference_split") else ""
        lines.append(
            f"({protocol['extractor']} {protocol['extractor_weights_sha256'][:12]}; {protocol['n_generated']} "
            f"generated vs {protocol['n_reference']} of {protocol['reference']}{split}; {protocol['device']})"
        )
    return "\n".join(lines)


def score_config(args: argparse.Namespace) -> ScoreConfig:
    from ganbench.devices import resolve_device

    return score_config_from(
        args,
        str(resolve_device(args.device)),
        samples=args.samples,
        metrics=tuple(METRICS.parse_list(args.metrics)) if args.metrics.strip() else (),
        dataset=args.dataset,
        split=args.split,
        ref_samples=args.ref_samples,
        ref_stats=args.ref_stats,
        n_reference=args.n_reference,
        allow_resize=args.allow_resize,
    )


def run(args: argparse.Namespace) -> int:
    from ganbench.data.sampling import SamplingConfig, check_sample_count
    from ganbench.scoring.pipeline import score
    from ganbench.scoring.score_generator import score_generator
    from ganbench.scoring.user_generators import GeneratorSource

    check_sample_count(args.n, args.yes, "--n")
    config = score_config(args)
    check_outputs(args)  # before any work: a score is never computed and then lost
    if args.generator:
        source = GeneratorSource(args.generator, args.checkpoint, args.trust_checkpoint, config.extractor_config.device)
        sampling = SamplingConfig(
            n=args.n,
            seed=args.seed,
            batch_size=args.sample_batch_size,
            z_dim=args.z_dim,
            output_range=args.output_range,
        )
        result = score_generator(config, source, sampling, args.save_samples)
    else:
        result = score(config)
    print(format_table(result))
    if args.json:
        write_json(args.json, result.to_json())
    if args.append:
        append_result(args, result)
    return 0


def append_name(args: argparse.Namespace) -> str:
    return args.name or args.generator or args.samples


def check_outputs(args: argparse.Namespace) -> None:
    """Every output the command will write is writable, and --append rows will not collide, before any work."""
    from ganbench.paths import writable_file

    if args.json and args.json != "-":
        writable_file(args.json, "--json")
    if args.save_samples:
        from ganbench.scoring.score_generator import check_samples_folder

        if not args.generator:
            raise GanbenchError("--save-samples needs --generator (the samples come from it)")
        check_samples_folder(args.save_samples)
    if args.append:
        from ganbench.report.results import check_appendable, results_path

        writable_file(results_path(args.append), "--append")
        check_appendable(args.append, append_name(args), args.dataset)


def append_result(args: argparse.Namespace, result) -> None:
    """Append one result row per metric key (each with its own protocol) so the scored generator joins
    `ganbench leaderboard`."""
    from ganbench.report.results import ResultRow, append_rows, check_appendable

    name = append_name(args)
    dataset = args.dataset or result.protocol.get("reference", "custom")
    check_appendable(args.append, name, dataset)
    seed = args.seed if args.generator else 0
    rows = [
        ResultRow(
            model=name,
            dataset=dataset,
            seed=seed,
            step=0,
            metric=key,
            value=value,
            protocol=part.protocol,
            run_name=name,
        )
        for part in result.parts()
        for key, value in part.metrics.items()
    ]
    path = append_rows(args.append, rows)
    print(f"appended {len(rows)} rows to {path}")

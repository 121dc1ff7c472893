"""`ganbench features`: write the pool features of a folder / .npz of images to a .npy file.

The extractors (torch) are imported when the command runs, so `--help` stays fast.
"""

from __future__ import annotations

import argparse

from ganbench.atomic import atomic_path
from ganbench.cli.options import add_extractor_options, extractor_config


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser("features", help="write pool features (float32, N x D) of images to a .npy file")
    parser.add_argument("--samples", required=True, help="folder of images or .npz with a uint8 'images' array")
    parser.add_argument("--out", required=True, help="output .npy file")
    add_extractor_options(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import numpy as np

    from ganbench.devices import resolve_device
    from ganbench.features.base import build_extractor
    from ganbench.paths import writable_file
    from ganbench.scoring.config import DEFAULT_EXTRACTOR
    from ganbench.scoring.files import pool_features

    writable_file(args.out, "--out")
    config = extractor_config(args, str(resolve_device(args.device)))
    extractor = build_extractor(args.extractor or DEFAULT_EXTRACTOR, config)
    features = pool_features(args.samples, extractor, args.extractor_batch_size)
    with atomic_path(args.out) as tmp, open(tmp, "wb") as handle:
        np.save(handle, features.astype(np.float32))
    print(f"wrote {features.shape[0]} x {features.shape[1]} {extractor.name} pool features to {args.out}")
    return 0

"""`ganbench features`: write the pool features of a folder / .npz of images to a .npy file."""

from __future__ import annotations

import argparse

import numpy as np

from ganbench.atomic import atomic_path
from ganbench.cli.common import add_extractor_options, extractor_config
from ganbench.config import ScoreConfig
from ganbench.features.base import build_extractor
from ganbench.score import DEFAULT_EXTRACTOR, pool_features


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser("features", help="write pool features (float32, N x D) of images to a .npy file")
    parser.add_argument("--samples", required=True, help="folder of images or .npz with a uint8 'images' array")
    parser.add_argument("--out", required=True, help="output .npy file")
    add_extractor_options(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    extractor = build_extractor(args.extractor or DEFAULT_EXTRACTOR, extractor_config(args))
    config = ScoreConfig(samples=args.samples, metrics=(), extractor=args.extractor, batch_size=args.batch_size)
    features = pool_features(args.samples, extractor, config)
    with atomic_path(args.out) as tmp, open(tmp, "wb") as handle:
        np.save(handle, features.astype(np.float32))
    print(f"wrote {features.shape[0]} x {features.shape[1]} {extractor.name} pool features to {args.out}")
    return 0

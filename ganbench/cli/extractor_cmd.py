"""`ganbench extractor`: rebuild ganbench's own feature-extractor weights and check them.

ganbench extractor train --name mnist-classifier [--out PATH]
ganbench extractor accuracy --name mnist-classifier [--weights PATH] [--dataset mnist5k --split test]

The training and extractor modules (torch) are imported when the command runs, so `--help` stays fast.
"""

from __future__ import annotations

import argparse
from pathlib import Path

#: extractors whose weights ganbench trains itself (InceptionV3 is downloaded, never trained here)
TRAINABLE = ("mnist-classifier",)


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Register `extractor train` and `extractor accuracy`."""
    parser = subparsers.add_parser("extractor", help="retrain or check ganbench's own feature extractors")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)

    train = actions.add_parser(
        "train", help="retrain the weights and say whether they match the shipped file bit for bit"
    )
    train.add_argument("--name", choices=TRAINABLE, required=True, help="extractor to train")
    train.add_argument(
        "--out",
        type=Path,
        default=None,
        help="where to write the weights (default: <cache>/weights/mnist_classifier.safetensors)",
    )
    train.set_defaults(func=run_train)

    check = actions.add_parser("accuracy", help="classification accuracy of the weights on a labelled digit split")
    check.add_argument("--name", choices=TRAINABLE, required=True, help="extractor to check")
    check.add_argument("--weights", default=None, help="weights file to check instead of the shipped one")
    check.add_argument("--dataset", default="mnist5k", help="a 10-class digit dataset (default: mnist5k)")
    check.add_argument("--split", default="test", help="split to score (default: test)")
    check.add_argument("--data-dir", default=None, help="root of download-backed datasets (default: $GANBENCH_DATA)")
    check.set_defaults(func=run_accuracy)


def run_train(args: argparse.Namespace) -> int:
    """Train, save, and report sha256, test accuracy and bit-exactness against the shipped weights."""
    from ganbench.features.mnist_classifier import WEIGHTS_PATH, WEIGHTS_SHA256
    from ganbench.features.mnist_classifier_train import TrainConfig, train_and_save
    from ganbench.paths import cache_dir

    out = args.out or cache_dir() / "weights" / WEIGHTS_PATH.name
    config = TrainConfig()
    print(
        f"training {args.name} on mnist5k train ({config.epochs} epochs, seed {config.seed}, {config.num_threads} thread)"
    )
    result = train_and_save(out, config, print)
    print(f"wrote {result.weights_path} and {result.sidecar_path}")
    print(f"trained in {result.seconds:.0f} s; mnist5k test accuracy {result.test_accuracy:.4f}")
    print(f"sha256 {result.sha256}")
    if result.sha256 == WEIGHTS_SHA256:
        print("bit-for-bit identical to the shipped weights: yes")
    else:
        print(f"bit-for-bit identical to the shipped weights: no (shipped sha256 {WEIGHTS_SHA256})")
    return 0


def run_accuracy(args: argparse.Namespace) -> int:
    """Print the fraction of the split the classifier labels correctly."""
    from ganbench.data.base import DataConfig
    from ganbench.data.resolve import resolve_dataset
    from ganbench.errors import GanbenchError
    from ganbench.features.config import ExtractorConfig
    from ganbench.features.mnist_classifier import build_mnist_classifier
    from ganbench.features.mnist_classifier_train import accuracy

    config = DataConfig(data_dir=args.data_dir)
    spec = resolve_dataset(args.dataset)
    if spec.info.kind != "image" or spec.info.num_classes != 10:
        raise GanbenchError(f"dataset {args.dataset!r} is not a 10-class digit dataset; pass mnist5k, digits or mnist")
    split = spec.load(args.split, config)
    if split.labels is None:
        raise GanbenchError(
            f"split {args.split!r} of {args.dataset!r} has no labels; pass a labelled split such as test"
        )
    classifier = build_mnist_classifier(ExtractorConfig(weights_path=args.weights, allow_custom_weights=True))
    score = accuracy(classifier, split)
    print(
        f"{args.name} accuracy on {args.dataset} {args.split}: {score:.4f} ({len(split)} images, weights sha256 {classifier.weights_sha256})"
    )
    return 0

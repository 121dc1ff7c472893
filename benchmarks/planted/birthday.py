"""Planted supports for the birthday-paradox estimate on mnist5k: a 'generator' drawing with replacement from K
test digits (K = 50, 200, 1000), 2000 samples each, mnist-classifier features, threshold from the train split.

    python benchmarks/planted/birthday.py [--out benchmarks/planted]

Prints a markdown table of the estimates with their 95% intervals and writes OUT/birthday_pairs.png: the closest
pairs of the K = 200 set (mnist-classifier features of the images, so drawn twice means distance 0).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests"))

from support.mnist_features import mnist_features  # noqa: E402

from ganbench.data.base import DATASETS, DataConfig  # noqa: E402
from ganbench.metrics.birthday import birthday_support  # noqa: E402
from ganbench.report.plots.birthday import plot_closest_pairs  # noqa: E402

SAMPLES = 2000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=str(Path(__file__).resolve().parent))
    args = parser.parse_args()
    reference, _ = mnist_features("train")
    test, _ = mnist_features("test")
    images = DATASETS.get("mnist5k").load("test", DataConfig()).data
    print("| true support K | estimate | 95% interval | batch size read | duplicate rates by batch size |")
    print("|---|---|---|---|---|")
    for support in (50, 200, 1000):
        rng = np.random.default_rng(support)
        drawn = rng.choice(len(test), support, replace=False)[rng.integers(0, support, SAMPLES)]
        estimate = birthday_support(test[drawn], reference)
        rates = ", ".join(f"{s}: {r:.2f}" for s, r in zip(estimate.sizes, estimate.rates, strict=True))
        print(
            f"| {support} | {estimate.support:.0f} | {estimate.support_low:.0f} to {estimate.support_high:.0f} | "
            f"{estimate.size} | {rates} |"
        )
        if support == 200:
            path = plot_closest_pairs(
                Path(args.out) / "birthday_pairs.png",
                images[drawn],
                test[drawn],
                estimate.threshold,
                title="mnist5k, planted support K = 200 (2000 draws)",
            )
    print(f"wrote {path}")


if __name__ == "__main__":
    main()

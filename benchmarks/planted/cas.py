"""Planted conditional generators for GAN-train / CAS and GAN-test on mnist5k: real train digits handed over as a
generator's samples with a class input each, scored by `ganbench.scoring.pipeline.score_batches` as any
generator's samples are (the full CAS recipe: 30 epochs of the mnist-classifier recipe, tested on the 1,000 test
digits).

    python benchmarks/planted/cas.py [--n 2000] [--epochs 30]

Cases (N digits each, seeded draws without replacement from the train split): all 10 classes with their true
labels; 9 and 5 classes kept (a generator that drops 1 or 5 classes); all 10 classes with shuffled labels (a
generator that ignores its class input). Prints a markdown table. With the whole train split in its order and
its true labels CAS is the shipped classifier's own test accuracy (tests/test_cas.py, slow).
"""

from __future__ import annotations

import argparse
from dataclasses import replace

import numpy as np

from ganbench.data.base import ArrayBatches, DataConfig
from ganbench.data.bundled_digits import load_mnist5k
from ganbench.metrics.config import ClassifierMetricConfig, MetricConfig
from ganbench.scoring.config import ScoreConfig
from ganbench.scoring.pipeline import score_batches

CASES = {"10 classes": 10, "9 classes (1 dropped)": 9, "5 classes (5 dropped)": 5, "10 classes, labels shuffled": 10}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--epochs", type=int, default=30)
    args = parser.parse_args()
    train = load_mnist5k("train", DataConfig())
    metric_config = replace(MetricConfig(), classifier=ClassifierMetricConfig(cas_epochs=args.epochs))
    config = ScoreConfig(dataset="mnist5k", metrics=("cas", "gan_test"), metric_config=metric_config, progress=False)
    print(f"| generator ({args.n} train digits, seed 0) | cas_accuracy | gan_test_accuracy |")
    print("|---|---|---|")
    for case, kept in CASES.items():
        rng = np.random.default_rng(0)
        rows = rng.choice(np.flatnonzero(train.labels < kept), args.n, replace=False)
        codes = train.labels[rows] if "shuffled" not in case else rng.permutation(train.labels[rows])
        batches = ArrayBatches(train.data[rows]).batches(config.batch_size)
        values = score_batches(config, batches, len(rows), gen_codes=codes).metrics
        print(f"| {case} | {values['cas_accuracy']:.3f} | {values['gan_test_accuracy']:.3f} |", flush=True)


if __name__ == "__main__":
    main()

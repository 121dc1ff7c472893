"""Planted mode dropping on mnist5k: the mode-dropping metrics of the test split with 0, 1 and 5 of the 10 digit
classes left out (450 digits each, three draws), against the train split, on mnist-classifier features.

    python benchmarks/planted/mode_dropping.py [--metrics prd,ndb,c2st] [--out benchmarks/planted]

Prints a markdown table (mean and min-max over the three draws of each case) and writes OUT/prd_curves.png:
one PRD curve per case, the band over the draws. The planted sets are tests/support/mnist_features.py's, the
ones tests assert the directions on. `parzen` fits its kernels on 450 train digits of the kept classes instead and
reads the whole test split as its held-out samples (validation and test), as tests/test_parzen.py does.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests"))

from support.mnist_features import DROPPED, PLANTED_ROWS, mnist_features, planted  # noqa: E402

from ganbench.metrics.config import MetricConfig  # noqa: E402
from ganbench.metrics.presets.prd import prd_curve  # noqa: E402
from ganbench.metrics.spec import METRICS, MetricInputs  # noqa: E402
from ganbench.report.plots.prd import plot_prd_curves  # noqa: E402

DRAWS = (0, 1, 2)


def inputs(gen: np.ndarray, ref: np.ndarray, metrics: tuple[str, ...], heldout=None) -> MetricInputs:
    return MetricInputs(
        n_gen=len(gen), n_ref=len(ref), gen_features=gen, ref_features=ref, heldout_features=heldout, requested=metrics
    )


def planted_train(case: str, seed: int) -> np.ndarray:
    """PLANTED_ROWS train-split features of the classes `case` keeps (the kernels of the Parzen case)."""
    train, labels = mnist_features("train")
    kept = np.flatnonzero(~np.isin(labels, DROPPED[case]))
    return train[np.sort(np.random.default_rng(seed).choice(kept, PLANTED_ROWS, replace=False))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--metrics", default="prd")
    parser.add_argument("--out", default=str(Path(__file__).resolve().parent))
    args = parser.parse_args()
    metrics = tuple(args.metrics.split(","))
    ref, _ = mnist_features("train")
    heldout, _ = mnist_features("test")
    config = MetricConfig()
    values: dict[str, dict[str, list[float]]] = {}
    curves = {}
    for case in DROPPED:
        for draw in DRAWS:
            gen = planted(case, seed=draw)
            for name in metrics:
                given = inputs(planted_train(case, draw), ref, metrics, heldout) if name == "parzen" else inputs(gen, ref, metrics)
                for key, value in METRICS.get(name).compute(given, config).items():
                    values.setdefault(key, {}).setdefault(case, []).append(value)
            if "prd" in metrics:
                curves.setdefault(case, []).append(prd_curve(inputs(gen, ref, metrics), config))
    print(f"| key | {' | '.join(DROPPED)} |")
    print(f"|---|{'---|' * len(DROPPED)}")
    for key, by_case in values.items():
        cells = [f"{np.mean(v):.4g} ({min(v):.4g} to {max(v):.4g})" for v in by_case.values()]
        print(f"| `{key}` | {' | '.join(cells)} |")
    if curves:
        for path in plot_prd_curves(curves, args.out, ("png",), title="PRD on mnist5k, planted mode dropping (band: 3 draws)"):
            print(f"wrote {path}")


if __name__ == "__main__":
    main()

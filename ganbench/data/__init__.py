"""Datasets. Importing this package registers the built-in ones."""

from ganbench.data.base import DATASETS, ArraySplit, DataConfig, DatasetInfo, DatasetSpec, EvalProtocol

__all__ = ["DATASETS", "ArraySplit", "DataConfig", "DatasetInfo", "DatasetSpec", "EvalProtocol"]

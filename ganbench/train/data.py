"""The split a model trains on, with the shape its networks are built for, loaded once per process."""

from __future__ import annotations

from ganbench.data.base import ArraySplit, DataConfig, DatasetInfo, DataShape
from ganbench.data.resolve import resolve_dataset
from ganbench.errors import GanbenchError

_LOADED: dict[tuple[str, str | None, DataConfig], tuple[ArraySplit, DataShape, DatasetInfo]] = {}


def load_training_split(
    dataset: str, data_config: DataConfig, split: str | None = None
) -> tuple[ArraySplit, DataShape, DatasetInfo]:
    """(samples, shape, info) of `dataset`'s `split` (None: the dataset's training split, `info.train_split`); a
    missing download or split is one GanbenchError.

    The shape's class count is the dataset's declared one when the split has labels (so a split that misses a
    class still builds the full conditional network), else 0. Loaded once per process: a worker that trains
    several cells reads the data once.
    """
    key = (dataset, split, data_config)
    if key not in _LOADED:
        spec = resolve_dataset(dataset)
        split = split or spec.info.train_split
        if split not in spec.info.splits:
            raise GanbenchError(
                f"dataset {dataset!r} has no split {split!r}; choose one of: {', '.join(spec.info.splits)}"
            )
        samples = spec.load(split, data_config)
        num_classes = (spec.info.num_classes or None) if samples.labels is not None else 0
        _LOADED[key] = (samples, DataShape.of(samples.data, samples.labels, num_classes), spec.info)
    return _LOADED[key]

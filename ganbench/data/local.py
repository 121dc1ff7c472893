"""Your own images as a dataset: `folder:PATH` (a folder of image files) or `npz:PATH` (an .npz archive).

A local dataset has one split, "train". Its DatasetInfo is read off the data:
resolution and channels from the images, num_classes from the labels if any
(class subfolders, or a `labels` array in the .npz). It is scored with the
InceptionV3 extractor by default; pass another extractor explicitly for digits.
"""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np

from ganbench.data.base import ArraySplit, DataConfig, DatasetInfo, DatasetSpec, EvalProtocol
from ganbench.data.image_files import load_images
from ganbench.data.splits import check_split, fresh_copy
from ganbench.errors import GanbenchError

LOCAL_PREFIXES = ("folder:", "npz:")
LOCAL_METRICS = ("fid", "kid", "pr", "dc")


@functools.lru_cache(maxsize=2)
def _load(path: str, mtime_ns: int) -> ArraySplit:
    return load_images(path)


def local_dataset(name: str) -> DatasetSpec:
    """The DatasetSpec for `folder:PATH` or `npz:PATH`; the images are read (once per process) to describe them."""
    prefix, _, raw_path = name.partition(":")
    path = Path(raw_path).expanduser()
    if not raw_path:
        raise GanbenchError(f"dataset {name!r} names no path; write {prefix}:PATH")
    if prefix == "folder" and path.exists() and not path.is_dir():
        raise GanbenchError(f"{path} is not a folder; use npz:{raw_path} for an .npz file or point folder: at a folder")
    if prefix == "npz" and path.is_dir():
        raise GanbenchError(f"{path} is a folder; use folder:{raw_path} for a folder of images or point npz: at a file")
    resolved = path.resolve()
    mtime_ns = resolved.stat().st_mtime_ns if resolved.exists() else 0
    split = _load(str(resolved), mtime_ns)
    _, channels, height, width = split.data.shape
    if height != width:
        raise GanbenchError(f"images in {path} are {height}x{width}; crop or resize them to a square size first")
    info = DatasetInfo(
        name=name,
        kind="image",
        description=f"local images from {resolved} ({len(split)} images)",
        splits=("train",),
        protocol=EvalProtocol(
            n_generated=len(split), n_reference=len(split), reference_split="train", metrics=LOCAL_METRICS
        ),
        resolution=height,
        channels=channels,
        num_classes=None if split.labels is None else int(len(np.unique(split.labels))),
        default_extractor="inception-v3-compat",
    )

    def load(split_name: str, config: DataConfig) -> ArraySplit:
        """All the local images as uint8 NCHW (with int64 labels if known); only "train" exists."""
        check_split(info, split_name)
        return fresh_copy(split)

    return DatasetSpec(info=info, load=load)

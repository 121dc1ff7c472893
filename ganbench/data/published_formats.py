"""Readers for the files CIFAR-10, CIFAR-100, STL-10 and CelebA are published as, with their md5 checks.

The layouts and md5 sums are torchvision's (torchvision/datasets/{cifar,stl10,celeba}.py), so a folder torchvision
downloaded is read as is, and a file that does not match its published md5 (a corrupted or partial download) is
refused in one sentence before anything is unpickled:
- CIFAR-10 `cifar-10-batches-py/`: data_batch_1..5, test_batch, batches.meta; CIFAR-100 `cifar-100-python/`: train,
  test, meta. Each batch is a Python 2 pickle of a dict: "data" uint8 (N, 3072) rows of [R | G | B] 32x32 planes,
  "labels" (CIFAR-100: "fine_labels"). Keys may load as bytes or str; only numpy's array reconstruction is unpickled.
- STL-10 `stl10_binary/`: {train,test,unlabeled}_X.bin, headerless uint8 images of 3 x 96 x 96 with each channel
  plane stored column-major; {train,test}_y.bin labels 1..10.
- CelebA `celeba/`: img_align_celeba/*.jpg and five annotation files (md5-checked like torchvision; the images are
  not hashed); list_eval_partition.txt maps each image to 0 train, 1 valid, 2 test.
"""

from __future__ import annotations

import hashlib
import io
import pickle
from pathlib import Path

import numpy as np

from ganbench.data.base import ArraySplit

CIFAR10_FILES = {
    "data_batch_1": "c99cafc152244af753f735de768cd75f",
    "data_batch_2": "d4bba439e000b95fd0a9bffe97cbabec",
    "data_batch_3": "54ebc095f3ab1f0389bbae665268c751",
    "data_batch_4": "634d18415352ddfa80567beed471001a",
    "data_batch_5": "482c414d41f54cd18b22e5b47cb7c3cb",
    "test_batch": "40351d587109b95175f43aff81a1287e",
    "batches.meta": "5ff9c542aee3614f3951f8cda6e48888",
}
CIFAR100_FILES = {
    "train": "16019d7e3df5f24257cddd939b257f8d",
    "test": "f0ef6b0ae62326f3e7ffdfab6717acfc",
    "meta": "7973b15100ade9c7d40fb424638fde48",
}
STL10_FILES = {
    "train_X.bin": "918c2871b30a85fa023e0c44e0bee87f",
    "train_y.bin": "5a34089d4802c674881badbb80307741",
    "unlabeled_X.bin": "5242ba1fed5e4be9e1e742405eb56ca4",
    "test_X.bin": "7f263ba9f9e0b06b93213547f721ac82",
    "test_y.bin": "36f9794fa4beb8a2c72628de14fa638e",
}
CELEBA_FILES = {
    "list_attr_celeba.txt": "75e246fa4810816ffd6ee81facbd244c",
    "identity_CelebA.txt": "32bd1bd63d3c78cd57e08160ec5ed1e2",
    "list_bbox_celeba.txt": "00566efa6fedff7a56946cd1c10f1c16",
    "list_landmarks_align_celeba.txt": "cc24ecafdb5b50baae59b03474781f8c",
    "list_eval_partition.txt": "d32c9cbf5e040fd4025c592c306e6668",
}
CIFAR_SIDE = 32
STL10_SIDE = 96
CELEBA_PARTITIONS = {"train": 0, "valid": 1, "test": 2}


class DatasetFilesError(Exception):
    """A published dataset file is missing, damaged or not in its format (one sentence naming the file)."""


def md5_of(path: Path, chunk: int = 1 << 20) -> str:
    digest = hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def verify_files(folder: Path, files: dict[str, str]) -> None:
    """Raise DatasetFilesError unless every file of `files` (name -> md5) is in `folder` with that md5."""
    for name, md5 in files.items():
        path = folder / name
        if not path.is_file():
            raise DatasetFilesError(f"{path} is missing")
        if md5_of(path) != md5:
            raise DatasetFilesError(f"{path} does not match its published md5 (a corrupted or partial download)")


class _ArrayUnpickler(pickle.Unpickler):
    """Unpickles plain containers and numpy arrays only: a CIFAR batch needs nothing else."""

    def find_class(self, module: str, name: str):
        if name == "_reconstruct" and module in ("numpy.core.multiarray", "numpy._core.multiarray"):
            from numpy._core.multiarray import _reconstruct

            return _reconstruct
        if module == "numpy" and name in ("ndarray", "dtype"):
            return getattr(np, name)
        if (module, name) == ("_codecs", "encode"):  # how Python 3 pickles bytes at protocol 2
            import codecs

            return codecs.encode
        raise pickle.UnpicklingError(f"{module}.{name} is not part of a CIFAR batch")


def load_cifar_batch(path: Path) -> dict[str, object]:
    """One CIFAR python batch as a dict with str keys, whichever way its keys were pickled."""
    try:
        entry = _ArrayUnpickler(io.BytesIO(path.read_bytes()), encoding="latin1").load()
    except Exception as error:  # any unpickling failure means the file is not a CIFAR batch
        raise DatasetFilesError(f"{path} is not a CIFAR python batch ({type(error).__name__})") from None
    if not isinstance(entry, dict):
        raise DatasetFilesError(f"{path} is not a CIFAR python batch (no dict inside)")
    return {key.decode("latin1") if isinstance(key, bytes) else key: value for key, value in entry.items()}


def read_cifar(folder: Path, split: str, classes: int) -> ArraySplit:
    """CIFAR-10 (`classes` 10) or CIFAR-100 split "train" / "test" as uint8 (N, 3, 32, 32) with int64 labels
    (CIFAR-100: the 100 fine labels), after checking every file's md5 as torchvision does."""
    files = CIFAR10_FILES if classes == 10 else CIFAR100_FILES
    verify_files(folder, files)
    if classes == 10:
        names = [f"data_batch_{i}" for i in range(1, 6)] if split == "train" else ["test_batch"]
    else:
        names = [split]
    images, labels = [], []
    for name in names:
        entry = load_cifar_batch(folder / name)
        key = "labels" if "labels" in entry else "fine_labels"
        if "data" not in entry or key not in entry:
            raise DatasetFilesError(f"{folder / name} has no 'data' and '{key}' entries")
        data = np.asarray(entry["data"], dtype=np.uint8)
        images.append(data.reshape(-1, 3, CIFAR_SIDE, CIFAR_SIDE))
        labels.append(np.asarray(entry[key], dtype=np.int64))
    return ArraySplit(np.ascontiguousarray(np.concatenate(images)), np.concatenate(labels))


def read_stl10(folder: Path, split: str) -> ArraySplit:
    """STL-10 split "train" / "test" / "unlabeled" at 96x96 as uint8 (N, 3, 96, 96); labels 0..9 (None for
    unlabeled), after checking every binary's md5 as torchvision does."""
    verify_files(folder, STL10_FILES)
    raw = np.fromfile(folder / f"{split}_X.bin", dtype=np.uint8)
    record = 3 * STL10_SIDE * STL10_SIDE
    if raw.size % record:
        raise DatasetFilesError(f"{folder / f'{split}_X.bin'} is not a whole number of 96x96 colour images")
    # each channel plane is stored column-major: swap the last two axes to get rows first
    images = np.ascontiguousarray(raw.reshape(-1, 3, STL10_SIDE, STL10_SIDE).transpose(0, 1, 3, 2))
    if split == "unlabeled":
        return ArraySplit(images)
    labels = np.fromfile(folder / f"{split}_y.bin", dtype=np.uint8).astype(np.int64) - 1
    if len(labels) != len(images):
        raise DatasetFilesError(f"{folder / f'{split}_y.bin'} has {len(labels)} labels for {len(images)} images")
    return ArraySplit(images, labels)


def celeba_paths(folder: Path, split: str) -> list[Path]:
    """The aligned CelebA jpgs of `split` ("train", "valid", "test" or "all") in list_eval_partition.txt order,
    after checking the annotation files' md5s and that every listed image exists."""
    verify_files(folder, CELEBA_FILES)
    images = folder / "img_align_celeba"
    wanted = CELEBA_PARTITIONS.get(split)
    paths = []
    for line in (folder / "list_eval_partition.txt").read_text().splitlines():
        fields = line.split()
        if len(fields) != 2:
            continue
        if wanted is None or int(fields[1]) == wanted:
            paths.append(images / fields[0])
    missing = next((p for p in paths if not p.is_file()), None)
    if missing is not None:
        raise DatasetFilesError(f"{missing} is missing (img_align_celeba.zip not fully extracted)")
    return paths

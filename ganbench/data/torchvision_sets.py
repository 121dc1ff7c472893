"""Download-backed datasets: cifar10, cifar100, mnist, fashion_mnist, stl10, celeba.

CIFAR-10/100, STL-10 and CelebA are read from their published files by ganbench.data.published_formats (md5s
checked as torchvision checks them); torchvision downloads them and reads MNIST / Fashion-MNIST.

All live under one data root (DataConfig.data_dir, else $GANBENCH_DATA, else
<cache>/data) in torchvision's own layout, so an existing torchvision data folder
can be reused as is. A local copy is always tried first; see ganbench.data.fetch.

Resolution choices:
- stl10 is resized 96 -> 48 (antialiased bilinear), the size SNGAN introduced and
  most later GAN papers report STL-10 FID at; "unlabeled" (100k) is the reference.
- celeba is centre-cropped to 178x178 and resized to 64x64 (PIL bilinear, which
  antialiases), the usual DCGAN/WGAN-GP protocol; no labels are exposed.
Both derived arrays are cached on disk (ganbench.data.array_cache) after the first build.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

import numpy as np

from ganbench.data.array_cache import cached_split
from ganbench.data.base import DATASETS, ArraySplit, DataConfig, DatasetInfo, DatasetSpec, EvalProtocol
from ganbench.data.fetch import Source, open_local_or_download
from ganbench.data.published_formats import celeba_paths, read_cifar, read_stl10
from ganbench.data.splits import check_split, fresh_copy

T = TypeVar("T")

INCEPTION = "inception-v3-compat"
FULL_METRICS = ("fid", "is", "kid", "pr", "dc")
STL10_RESOLUTION = 48
CELEBA_CROP = 178
CELEBA_RESOLUTION = 64

SOURCES = {
    "cifar10": Source(
        "cifar10",
        "cifar-10-batches-py",
        "download cifar-10-python.tar.gz from https://www.cs.toronto.edu/~kriz/cifar.html and extract it in the data root",
    ),
    "cifar100": Source(
        "cifar100",
        "cifar-100-python",
        "download cifar-100-python.tar.gz from https://www.cs.toronto.edu/~kriz/cifar.html and extract it in the data root",
    ),
    "mnist": Source(
        "mnist",
        "MNIST/raw",
        "put the four unzipped MNIST files (train-images-idx3-ubyte, train-labels-idx1-ubyte, "
        "t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte) in that folder",
    ),
    "fashion_mnist": Source(
        "fashion_mnist",
        "FashionMNIST/raw",
        "put the four unzipped files from https://github.com/zalandoresearch/fashion-mnist "
        "(train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte) in that folder",
    ),
    "stl10": Source(
        "stl10",
        "stl10_binary",
        "download stl10_binary.tar.gz from https://ai.stanford.edu/~acoates/stl10/ and extract it in the data root",
    ),
    "celeba": Source(
        "celeba",
        "celeba",
        "download img_align_celeba.zip, list_eval_partition.txt, list_attr_celeba.txt, identity_CelebA.txt, "
        "list_bbox_celeba.txt and list_landmarks_align_celeba.txt from the CelebA Google Drive "
        "(https://mmlab.ie.cuhk.edu.hk/projects/CelebA.html) into that folder and unzip the images there",
    ),
}


# --- readers: (split, config) -> ArraySplit, uncached -------------------------------------------


def _read_published(name: str, config: DataConfig, read: Callable[[Path], T], download: Callable[[Path], object]) -> T:
    """`read(folder)` on the dataset's folder under the data root (ganbench.data.published_formats); when that
    fails and downloading is allowed, torchvision's `download(root)` fetches and md5-checks the archive first."""

    def open_dataset(root: Path, allowed: bool) -> T:
        if allowed:
            download(root)
        return read(root / SOURCES[name].folder)

    return open_local_or_download(SOURCES[name], config, open_dataset)


def _read_cifar(name: str, split: str, config: DataConfig) -> ArraySplit:
    from torchvision.datasets import CIFAR10, CIFAR100

    cls = CIFAR10 if name == "cifar10" else CIFAR100
    classes = 10 if name == "cifar10" else 100
    return _read_published(
        name, config, lambda folder: read_cifar(folder, split, classes), lambda root: cls(str(root), download=True)
    )


def _read_mnist_like(name: str, split: str, config: DataConfig) -> ArraySplit:
    from torchvision.datasets import MNIST, FashionMNIST

    cls = MNIST if name == "mnist" else FashionMNIST
    dataset = open_local_or_download(
        SOURCES[name], config, lambda root, download: cls(str(root), train=split == "train", download=download)
    )
    return ArraySplit(dataset.data.numpy()[:, None].copy(), dataset.targets.numpy().astype(np.int64))


def _read_stl10(split: str, config: DataConfig) -> ArraySplit:
    from torchvision.datasets import STL10

    data = _read_published(
        "stl10", config, lambda folder: read_stl10(folder, split), lambda root: STL10(str(root), download=True)
    )
    return ArraySplit(resize_uint8(data.data, STL10_RESOLUTION), data.labels)


def _read_celeba(split: str, config: DataConfig) -> ArraySplit:
    from torchvision.datasets import CelebA

    paths = _read_published(
        "celeba",
        config,
        lambda folder: celeba_paths(folder, split),
        lambda root: CelebA(str(root), split=split, target_type=[], download=True),
    )
    # PIL releases the GIL while decoding, so threads give a real speed-up here.
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        images = np.stack(list(pool.map(celeba_image, paths, chunksize=256)))
    return ArraySplit(images)


def celeba_image(path: Path) -> np.ndarray:
    """One aligned CelebA photo, centre-cropped to 178x178 and resized to 64x64, as uint8 CHW RGB."""
    from PIL import Image

    with Image.open(path) as image:
        image = image.convert("RGB")
        width, height = image.size
        left, top = round((width - CELEBA_CROP) / 2), round((height - CELEBA_CROP) / 2)
        image = image.crop((left, top, left + CELEBA_CROP, top + CELEBA_CROP))
        image = image.resize((CELEBA_RESOLUTION, CELEBA_RESOLUTION), Image.BILINEAR)
        return np.asarray(image, dtype=np.uint8).transpose(2, 0, 1)


def resize_uint8(images: np.ndarray, size: int, chunk: int = 1_000) -> np.ndarray:
    """uint8 NCHW images resized to `size` x `size` with antialiased bilinear interpolation, rounded back to uint8."""
    import torch
    import torch.nn.functional as F

    out = np.empty((len(images), images.shape[1], size, size), dtype=np.uint8)
    for start in range(0, len(images), chunk):
        batch = torch.from_numpy(np.ascontiguousarray(images[start : start + chunk])).float()
        resized = F.interpolate(batch, size=(size, size), mode="bilinear", antialias=True, align_corners=False)
        out[start : start + chunk] = resized.round().clamp(0, 255).to(torch.uint8).numpy()
    return out


# --- caching and registration -------------------------------------------------------------------


@functools.lru_cache(maxsize=4)
def _read_in_memory(name: str, split: str, config: DataConfig) -> ArraySplit:
    if name in ("cifar10", "cifar100"):
        return _read_cifar(name, split, config)
    return _read_mnist_like(name, split, config)


def _register_in_memory(info: DatasetInfo) -> None:
    def load(split: str, config: DataConfig) -> ArraySplit:
        """The split as uint8 NCHW with int64 labels, read from the data root (downloaded there if allowed)."""
        check_split(info, split)
        return fresh_copy(_read_in_memory(info.name, split, config))

    DATASETS.add(info.name, DatasetSpec(info=info, load=load))


def load_stl10(split: str, config: DataConfig) -> ArraySplit:
    """uint8 (N, 3, 48, 48) STL-10 images (int64 labels except for "unlabeled"), cached on disk once resized."""
    check_split(STL10_INFO, split)
    return cached_split(config, f"stl10-{STL10_RESOLUTION}-v1-{split}", lambda: _read_stl10(split, config))


def load_celeba(split: str, config: DataConfig) -> ArraySplit:
    """uint8 (N, 3, 64, 64) CelebA faces (crop 178, resize 64), no labels, cached on disk once built."""
    check_split(CELEBA_INFO, split)
    return cached_split(
        config, f"celeba-crop{CELEBA_CROP}-{CELEBA_RESOLUTION}-v1-{split}", lambda: _read_celeba(split, config)
    )


def _image_info(
    name: str,
    description: str,
    splits: tuple[str, ...],
    protocol: EvalProtocol,
    resolution: int,
    channels: int,
    num_classes: int | None,
    extractor: str,
) -> DatasetInfo:
    return DatasetInfo(
        name=name,
        kind="image",
        description=description,
        splits=splits,
        protocol=protocol,
        resolution=resolution,
        channels=channels,
        num_classes=num_classes,
        default_extractor=extractor,
        downloads=True,
    )


FIFTY_K = EvalProtocol(n_generated=50_000, n_reference=50_000, reference_split="train", metrics=FULL_METRICS)
TEN_K = EvalProtocol(n_generated=10_000, n_reference=10_000, reference_split="train", metrics=FULL_METRICS)

STL10_INFO = _image_info(
    "stl10",
    "STL-10 (torchvision download) resized 96->48 as in SNGAN; 5k train, 8k test, 100k unlabeled",
    ("train", "test", "unlabeled"),
    EvalProtocol(n_generated=50_000, n_reference=50_000, reference_split="unlabeled", metrics=FULL_METRICS),
    STL10_RESOLUTION,
    3,
    10,
    INCEPTION,
)
CELEBA_INFO = _image_info(
    "celeba",
    "CelebA aligned faces (torchvision download), centre crop 178 then resize to 64x64; no labels",
    ("train", "valid", "test"),
    EvalProtocol(n_generated=50_000, n_reference=50_000, reference_split="train", metrics=("fid", "kid", "pr", "dc")),
    CELEBA_RESOLUTION,
    3,
    None,
    INCEPTION,
)

_register_in_memory(
    _image_info(
        "cifar10",
        "CIFAR-10 32x32 colour images (torchvision download); 50k train, 10k test",
        ("train", "test"),
        FIFTY_K,
        32,
        3,
        10,
        INCEPTION,
    )
)
_register_in_memory(
    _image_info(
        "cifar100",
        "CIFAR-100 32x32 colour images (torchvision download); 50k train, 10k test",
        ("train", "test"),
        FIFTY_K,
        32,
        3,
        100,
        INCEPTION,
    )
)
_register_in_memory(
    _image_info(
        "mnist",
        "MNIST 28x28 handwritten digits (torchvision download); 60k train, 10k test",
        ("train", "test"),
        TEN_K,
        28,
        1,
        10,
        "mnist-classifier",
    )
)
# Inception, not the digit classifier: features of a digit network say little about clothes, and
# FID on Fashion-MNIST is conventionally reported with InceptionV3. IS is left out (ImageNet classes).
_register_in_memory(
    _image_info(
        "fashion_mnist",
        "Fashion-MNIST 28x28 grayscale clothes (torchvision download); 60k train, 10k test",
        ("train", "test"),
        EvalProtocol(
            n_generated=10_000, n_reference=10_000, reference_split="train", metrics=("fid", "kid", "pr", "dc")
        ),
        28,
        1,
        10,
        INCEPTION,
    )
)
DATASETS.add("stl10", DatasetSpec(info=STL10_INFO, load=load_stl10))
DATASETS.add("celeba", DatasetSpec(info=CELEBA_INFO, load=load_celeba))

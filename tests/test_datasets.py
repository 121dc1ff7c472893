"""Built-in, download-backed and local datasets: shapes, ranges, balance, determinism and clean offline failures."""

from __future__ import annotations

import socket
import struct
import time
from pathlib import Path

import numpy as np
import pytest

from ganbench.data.array_cache import cached_split
from ganbench.data.base import DATASETS, ArraySplit, DataConfig
from ganbench.data.fetch import NETWORK_TIMEOUT_S, Source, open_local_or_download
from ganbench.data.resolve import resolve_dataset
from ganbench.data.torchvision_sets import SOURCES, celeba_image, resize_uint8
from ganbench.errors import GanbenchError

SYNTHETIC = ("ring8", "grid25")
DOWNLOAD_BACKED = ("cifar10", "cifar100", "mnist", "fashion_mnist", "stl10", "celeba")


@pytest.fixture
def offline(tmp_path: Path) -> DataConfig:
    """A data root with nothing in it (so no real MNIST is found and nothing is cached outside tmp_path)."""
    return DataConfig(data_dir=str(tmp_path / "data"), cache_dir=str(tmp_path / "cache"), download=False)


def write_idx(path: Path, array: np.ndarray) -> None:
    """Write a uint8 array in the MNIST idx format torchvision reads."""
    path.parent.mkdir(parents=True, exist_ok=True)
    header = struct.pack(">I", 0x0800 + array.ndim) + b"".join(struct.pack(">I", d) for d in array.shape)
    path.write_bytes(header + array.astype(np.uint8).tobytes())


@pytest.fixture
def fake_mnist(tmp_path: Path) -> tuple[DataConfig, np.ndarray, np.ndarray]:
    """A tiny MNIST in torchvision's layout (30 train images, digit d drawn as value 10 + d), and its config."""
    rng = np.random.default_rng(0)
    labels = np.arange(30) % 10
    images = rng.integers(0, 10, size=(30, 28, 28)).astype(np.uint8)
    images[:, 0, 0] = 10 + labels  # makes every image unique and its label readable from the pixels
    raw = tmp_path / "data" / "MNIST" / "raw"
    write_idx(raw / "train-images-idx3-ubyte", images)
    write_idx(raw / "train-labels-idx1-ubyte", labels)
    write_idx(raw / "t10k-images-idx3-ubyte", images[:10])
    write_idx(raw / "t10k-labels-idx1-ubyte", labels[:10])
    config = DataConfig(data_dir=str(tmp_path / "data"), cache_dir=str(tmp_path / "cache"), download=False)
    return config, images, labels


# --- every registered dataset ---------------------------------------------------------------------


@pytest.mark.parametrize("name", DATASETS.names())
def test_info_is_complete(name: str) -> None:
    info = DATASETS.get(name).info
    assert info.name == name and info.description and info.splits
    assert info.protocol.reference_split in info.splits
    assert info.protocol.n_generated > 0 and info.protocol.n_reference > 0 and info.protocol.metrics
    if info.kind == "image":
        assert info.resolution and info.channels in (1, 3) and info.default_extractor
    else:
        assert info.modes.shape == (info.num_classes, 2) and info.mode_std > 0
        assert not info.modes.flags.writeable


@pytest.mark.parametrize("name", ("ring8", "grid25", "mnist5k", "digits", "stacked_mnist"))
def test_unknown_split_lists_valid_ones(name: str, offline: DataConfig) -> None:
    with pytest.raises(GanbenchError, match="choose one of: train, test"):
        DATASETS.get(name).load("validation", offline)


def test_unknown_dataset_lists_valid_names() -> None:
    with pytest.raises(GanbenchError) as error:
        resolve_dataset("cifar11")
    message = str(error.value)
    assert "cifar11" in message and "folder:PATH" in message
    assert all(name in message for name in DATASETS.names())


def test_loaders_return_copies(offline: DataConfig) -> None:
    first = DATASETS.get("ring8").load("test", offline)
    first.data[:] = 0
    assert np.any(DATASETS.get("ring8").load("test", offline).data != 0)


# --- synthetic mixtures ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", SYNTHETIC)
@pytest.mark.parametrize("split,size", [("train", 50_000), ("test", 10_000)])
def test_mixture_shape_balance_and_closeness(name: str, split: str, size: int) -> None:
    info = DATASETS.get(name).info
    data = DATASETS.get(name).load(split, DataConfig())
    assert data.data.shape == (size, 2) and data.data.dtype == np.float32 and data.labels.dtype == np.int64
    counts = np.bincount(data.labels, minlength=info.num_classes)
    assert counts.min() == counts.max() == size // info.num_classes
    distances = np.linalg.norm(data.data[:, None, :] - info.modes[None], axis=2)
    assert np.mean(distances.min(axis=1) < 4 * info.mode_std) > 0.99
    assert np.array_equal(np.unique(distances.argmin(axis=1)), np.arange(info.num_classes))
    # the label is the mode the point was drawn from
    assert np.mean(distances.argmin(axis=1) == data.labels) > 0.999


def test_mixture_geometry() -> None:
    ring = DATASETS.get("ring8").info
    assert np.allclose(np.linalg.norm(ring.modes, axis=1), 2.0) and ring.mode_std == 0.02
    grid = DATASETS.get("grid25").info
    assert sorted(set(grid.modes[:, 0].tolist())) == [-4, -2, 0, 2, 4] and grid.mode_std == 0.05


@pytest.mark.parametrize("name", SYNTHETIC)
def test_mixture_determinism(name: str) -> None:
    load = DATASETS.get(name).load
    a, b = load("train", DataConfig(seed=0)), load("train", DataConfig(seed=0))
    assert np.array_equal(a.data, b.data) and np.array_equal(a.labels, b.labels)
    assert not np.array_equal(a.data, load("train", DataConfig(seed=1)).data)
    assert not np.array_equal(a.data[:10_000], load("test", DataConfig(seed=0)).data)


def test_negative_seed_is_a_user_error() -> None:
    with pytest.raises(GanbenchError, match="seed"):
        DATASETS.get("ring8").load("train", DataConfig(seed=-1))


# --- offline digit sets ---------------------------------------------------------------------------


def _rows(images: np.ndarray) -> set[bytes]:
    return {image.tobytes() for image in images}


def test_mnist5k_split() -> None:
    train, test = (DATASETS.get("mnist5k").load(s, DataConfig()) for s in ("train", "test"))
    assert train.data.shape == (4_000, 1, 28, 28) and test.data.shape == (1_000, 1, 28, 28)
    assert train.data.dtype == np.uint8 and train.labels.dtype == np.int64
    assert train.data.max() == 255 and train.data.min() == 0
    assert np.array_equal(np.bincount(train.labels), [400] * 10)
    assert np.array_equal(np.bincount(test.labels), [100] * 10)
    assert not _rows(train.data) & _rows(test.data)
    again = DATASETS.get("mnist5k").load("test", DataConfig(seed=5))
    assert np.array_equal(again.data, test.data), "the split is fixed, whatever the seed"


def test_digits_split() -> None:
    train, test = (DATASETS.get("digits").load(s, DataConfig()) for s in ("train", "test"))
    assert train.data.shape == (1_437, 1, 8, 8) and test.data.shape == (360, 1, 8, 8)
    assert train.data.dtype == np.uint8 and train.data.max() == 255
    allowed = {round(v * 255 / 16) for v in range(17)}
    assert set(np.unique(train.data).tolist()) <= allowed
    assert np.bincount(test.labels).min() >= 35 and np.bincount(test.labels).max() <= 37


# --- stacked MNIST --------------------------------------------------------------------------------


def test_stacked_mnist_from_mnist5k(offline: DataConfig) -> None:
    stacked = DATASETS.get("stacked_mnist")
    train, test = stacked.load("train", offline), stacked.load("test", offline)
    assert train.data.shape == (25_600, 3, 28, 28) and test.data.shape == (2_560, 3, 28, 28)
    assert train.data.dtype == np.uint8 and train.labels.dtype == np.int64
    assert np.array_equal(np.unique(train.labels), np.arange(1_000)), "every one of the 1,000 modes is present"
    for split, stacked_split in (("train", train), ("test", test)):
        source = DATASETS.get("mnist5k").load(split, offline)
        label_of = {image.tobytes(): label for image, label in zip(source.data, source.labels, strict=True)}
        for image, label in zip(stacked_split.data[:300], stacked_split.labels[:300], strict=True):
            digits = [label_of[image[c : c + 1].tobytes()] for c in range(3)]
            assert label == 100 * digits[0] + 10 * digits[1] + digits[2]


def test_stacked_mnist_determinism(offline: DataConfig, tmp_path: Path) -> None:
    load = DATASETS.get("stacked_mnist").load
    a = load("test", offline)
    same = load("test", DataConfig(data_dir=offline.data_dir, cache_dir=offline.cache_dir, download=True))
    other = load("test", DataConfig(data_dir=offline.data_dir, seed=1))
    assert np.array_equal(a.data, same.data) and np.array_equal(a.labels, same.labels)
    assert not np.array_equal(a.labels, other.labels)


def test_stacked_mnist_prefers_local_full_mnist(fake_mnist) -> None:
    config, images, labels = fake_mnist
    mnist = DATASETS.get("mnist").load("train", config)
    assert mnist.data.shape == (30, 1, 28, 28) and np.array_equal(mnist.labels, labels)
    stacked = DATASETS.get("stacked_mnist").load("test", config)
    assert stacked.data.shape == (10_000, 3, 28, 28)
    # every channel is a fake MNIST test image, whose digit is written in its corner pixel
    corners = stacked.data[:, :, 0, 0].astype(np.int64)
    assert corners.min() >= 10 and corners.max() <= 19
    digits = stacked.data[:, :, 0, 0].astype(np.int64) - 10
    assert np.array_equal(stacked.labels, digits @ np.array([100, 10, 1]))


# --- download-backed datasets offline -------------------------------------------------------------


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make every name lookup fail at once, as on a machine without network (and never download for real)."""

    def fail(*args, **kwargs):
        raise socket.gaierror(-2, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", fail)


@pytest.mark.parametrize("download", [False, True])
@pytest.mark.parametrize("name", DOWNLOAD_BACKED)
def test_offline_download_backed_fails_cleanly(name: str, download: bool, tmp_path: Path, no_network) -> None:
    config = DataConfig(data_dir=str(tmp_path), cache_dir=str(tmp_path / "cache"), download=download)
    started = time.perf_counter()
    with pytest.raises(GanbenchError) as error:
        DATASETS.get(name).load(DATASETS.get(name).info.splits[0], config)
    message = str(error.value)
    assert time.perf_counter() - started < 30
    assert "\n" not in message and repr(name) in message
    assert str(tmp_path / SOURCES[name].folder) in message
    assert ("could not be downloaded" if download else "downloading is turned off") in message


@pytest.mark.parametrize("name", ["mnist", "cifar10"])
def test_cli_offline_dataset_request_is_one_line_and_exit_2(
    name: str, tmp_path: Path, no_network, capsys, random_inception_weights
) -> None:
    """What a user sees: `ganbench stats --dataset NAME` with an empty data dir and no network (cifar10 with
    InceptionV3 weights at hand, so the dataset is what is missing)."""
    from ganbench.cli import main

    args = ["stats", "--dataset", name, "--data-dir", str(tmp_path / "data"), "--cache-dir", str(tmp_path / "c")]
    if name == "cifar10":
        args += ["--inception-weights", random_inception_weights, "--allow-custom-weights"]
    assert main([*args, "--quiet"]) == 2
    err = [line for line in capsys.readouterr().err.splitlines() if not line.startswith("ganbench: warning:")]
    assert len(err) == 1 and err[0].startswith(f"ganbench: error: dataset {name!r} is missing")
    assert "Traceback" not in err[0] and str(tmp_path / "data" / SOURCES[name].folder) in err[0]


def test_downloads_run_under_a_socket_timeout(tmp_path: Path) -> None:
    seen: list[float | None] = []

    def open_dataset(root: Path, download: bool) -> str:
        if not download:
            raise RuntimeError("Dataset not found")
        seen.append(socket.getdefaulttimeout())
        return "opened"

    before = socket.getdefaulttimeout()
    source = Source("demo", "demo", "put it there")
    assert open_local_or_download(source, DataConfig(data_dir=str(tmp_path)), open_dataset) == "opened"
    assert seen == [NETWORK_TIMEOUT_S] and socket.getdefaulttimeout() == before


def test_download_backed_infos() -> None:
    cifar10 = DATASETS.get("cifar10").info
    assert cifar10.downloads and cifar10.default_extractor == "inception-v3-compat"
    assert (cifar10.protocol.n_generated, cifar10.protocol.n_reference) == (50_000, 50_000)
    assert cifar10.protocol.metrics == ("fid", "is", "kid", "pr", "dc")
    assert DATASETS.get("mnist").info.default_extractor == "mnist-classifier"
    assert DATASETS.get("stl10").info.resolution == 48 and DATASETS.get("celeba").info.resolution == 64


def test_resize_and_celeba_crop(tmp_path: Path) -> None:
    from PIL import Image

    flat = np.full((2, 3, 96, 96), 77, dtype=np.uint8)
    assert np.array_equal(resize_uint8(flat, 48), np.full((2, 3, 48, 48), 77, dtype=np.uint8))
    photo = np.zeros((218, 178, 3), dtype=np.uint8)
    photo[20:198] = 200  # only the centre 178x178 is bright: the crop must keep exactly that
    Image.fromarray(photo).save(tmp_path / "face.png")
    face = celeba_image(tmp_path / "face.png")
    assert face.shape == (3, 64, 64) and face.min() == face.max() == 200


def test_array_cache_builds_once(tmp_path: Path) -> None:
    config = DataConfig(cache_dir=str(tmp_path))
    calls = []

    def build() -> ArraySplit:
        calls.append(1)
        return ArraySplit(np.arange(12, dtype=np.uint8).reshape(1, 3, 2, 2))

    first = cached_split(config, "demo-v1-train", build)
    second = cached_split(config, "demo-v1-train", build)
    assert len(calls) == 1 and np.array_equal(first.data, second.data) and second.labels is None


# --- local datasets -------------------------------------------------------------------------------


def test_npz_dataset(tmp_path: Path) -> None:
    images = np.random.default_rng(0).integers(0, 256, size=(12, 16, 16, 3), dtype=np.uint8)
    np.savez(tmp_path / "set.npz", images=images, labels=np.arange(12) % 4)
    spec = resolve_dataset(f"npz:{tmp_path / 'set.npz'}")
    assert (spec.info.resolution, spec.info.channels, spec.info.num_classes, spec.info.splits) == (16, 3, 4, ("train",))
    split = spec.load("train", DataConfig())
    assert split.data.shape == (12, 3, 16, 16) and np.array_equal(split.data, images.transpose(0, 3, 1, 2))
    with pytest.raises(GanbenchError, match="choose one of: train"):
        spec.load("test", DataConfig())


def test_folder_dataset_with_class_subfolders(tmp_path: Path) -> None:
    from PIL import Image

    for label in ("cat", "dog"):
        (tmp_path / label).mkdir()
        for i in range(3):
            Image.fromarray(np.full((8, 8), 40 * i, dtype=np.uint8)).save(tmp_path / label / f"{i}.png")
    spec = resolve_dataset(f"folder:{tmp_path}")
    assert (spec.info.resolution, spec.info.channels, spec.info.num_classes) == (8, 1, 2)
    split = spec.load("train", DataConfig())
    assert split.data.shape == (6, 1, 8, 8) and split.data.dtype == np.uint8
    assert np.array_equal(split.labels, [0, 0, 0, 1, 1, 1])


def test_local_dataset_errors(tmp_path: Path) -> None:
    np.savez(tmp_path / "wide.npz", images=np.zeros((2, 1, 8, 12), dtype=np.uint8))
    with pytest.raises(GanbenchError, match="square"):
        resolve_dataset(f"npz:{tmp_path / 'wide.npz'}")
    with pytest.raises(GanbenchError, match="not a folder"):
        resolve_dataset(f"folder:{tmp_path / 'wide.npz'}")
    with pytest.raises(GanbenchError, match="is a folder"):
        resolve_dataset(f"npz:{tmp_path}")
    with pytest.raises(GanbenchError, match="no such file"):
        resolve_dataset(f"npz:{tmp_path / 'missing.npz'}")
    with pytest.raises(GanbenchError, match="names no path"):
        resolve_dataset("folder:")

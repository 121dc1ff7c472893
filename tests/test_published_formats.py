"""CIFAR-10/100, STL-10 and CelebA read from tiny folders written in their exact published formats: pixel-exact
arrays, torchvision's md5 tables and readers agreeing, a damaged or partial download refused in one sentence, and
`ganbench stats` computing reference statistics offline from such a folder."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from support import tiny_datasets as tiny

from ganbench.data import published_formats as formats
from ganbench.data.base import DATASETS, DataConfig
from ganbench.data.torchvision_sets import celeba_image, resize_uint8
from ganbench.errors import GanbenchError

TABLES = {
    "cifar-10-batches-py": "CIFAR10_FILES",
    "cifar-100-python": "CIFAR100_FILES",
    "stl10_binary": "STL10_FILES",
    "celeba": "CELEBA_FILES",
}


@pytest.fixture
def accept_written(monkeypatch):
    """Make the md5 table of a tiny folder the md5s of the files just written there (the real tables stay
    checked against torchvision's in test_md5_tables_are_torchvisions)."""

    def accept(folder: Path) -> None:
        table = TABLES[folder.name]
        files = getattr(formats, table)
        monkeypatch.setattr(formats, table, {name: formats.md5_of(folder / name) for name in files})

    return accept


def config_for(tmp_path: Path) -> DataConfig:
    return DataConfig(data_dir=str(tmp_path / "data"), cache_dir=str(tmp_path / "cache"), download=False)


def test_md5_tables_are_torchvisions():
    from torchvision.datasets import CIFAR10, CIFAR100, STL10, CelebA

    assert formats.CIFAR10_FILES == dict(CIFAR10.train_list + CIFAR10.test_list) | {"batches.meta": CIFAR10.meta["md5"]}
    assert formats.CIFAR100_FILES == dict(CIFAR100.train_list + CIFAR100.test_list) | {"meta": CIFAR100.meta["md5"]}
    assert formats.STL10_FILES == {name: md5 for name, md5 in STL10.train_list + STL10.test_list}
    assert formats.CELEBA_FILES == {name: md5 for _, md5, name in CelebA.file_list if name.endswith(".txt")}


def test_cifar10_batches_read_pixel_exact_and_as_torchvision_reads_them(tmp_path, accept_written):
    written = tiny.write_cifar10(str(tmp_path / "data"), n_per_batch=40)  # 200 train, 40 test images
    accept_written(tmp_path / "data" / "cifar-10-batches-py")
    train = DATASETS.get("cifar10").load("train", config_for(tmp_path))
    names = [f"data_batch_{i}" for i in range(1, 6)]
    expected = np.concatenate([written[n][0] for n in names]).transpose(0, 3, 1, 2)
    assert train.data.shape == (200, 3, 32, 32) and train.data.dtype == np.uint8
    assert np.array_equal(train.data, expected)
    assert train.labels.tolist() == sum((written[n][1] for n in names), [])
    test = DATASETS.get("cifar10").load("test", config_for(tmp_path))
    assert np.array_equal(test.data, written["test_batch"][0].transpose(0, 3, 1, 2))

    from torchvision.datasets import CIFAR10

    class Unhashed(CIFAR10):
        train_list = [[name, None] for name, _ in CIFAR10.train_list]
        test_list = [[name, None] for name, _ in CIFAR10.test_list]
        meta = dict(CIFAR10.meta, md5=None)

    theirs = Unhashed(str(tmp_path / "data"), train=True)
    assert np.array_equal(theirs.data.transpose(0, 3, 1, 2), train.data) and theirs.targets == train.labels.tolist()


def test_cifar_batches_with_bytes_keys_load_too(tmp_path):
    path = tmp_path / "batch"
    tiny.py2_pickle_dump({tiny._s("data"): np.arange(3072, dtype=np.uint8)[None], tiny._s("labels"): [7]}, path)
    assert set(formats.load_cifar_batch(path)) == {"data", "labels"}
    import pickle

    path.write_bytes(pickle.dumps({b"data": np.zeros((1, 3072), np.uint8), b"labels": [1]}, protocol=2))
    assert set(formats.load_cifar_batch(path)) == {"data", "labels"}
    path.write_bytes(pickle.dumps({"data": __import__("os").system}, protocol=2))
    with pytest.raises(formats.DatasetFilesError, match="not a CIFAR python batch"):
        formats.load_cifar_batch(path)


def test_cifar100_reads_fine_labels(tmp_path, accept_written):
    written = tiny.write_cifar100(str(tmp_path / "data"), n=30)
    accept_written(tmp_path / "data" / "cifar-100-python")
    train = DATASETS.get("cifar100").load("train", config_for(tmp_path))
    assert np.array_equal(train.data, written["train"][0].transpose(0, 3, 1, 2))
    assert train.labels.tolist() == written["train"][1]


@pytest.mark.parametrize("damage", ["flip", "truncate", "remove"])
def test_damaged_or_partial_cifar_download_is_one_sentence(tmp_path, accept_written, damage):
    tiny.write_cifar10(str(tmp_path / "data"), n_per_batch=4)
    folder = tmp_path / "data" / "cifar-10-batches-py"
    accept_written(folder)
    target = folder / "data_batch_3"
    if damage == "flip":
        raw = bytearray(target.read_bytes())
        raw[-5] ^= 0xFF
        target.write_bytes(bytes(raw))
    elif damage == "truncate":
        target.write_bytes(target.read_bytes()[:100])
    else:
        target.unlink()
    with pytest.raises(GanbenchError) as error:
        DATASETS.get("cifar10").load("test", config_for(tmp_path))  # every file is checked, whatever the split
    message = str(error.value)
    assert "\n" not in message and "downloading is turned off" in message and str(target) in message
    assert ("is missing" if damage == "remove" else "does not match its published md5") in message


def test_stl10_binaries_read_column_major_with_zero_based_labels(tmp_path, accept_written):
    written = tiny.write_stl10(str(tmp_path / "data"), n_train=6, n_test=4, n_unl=8)
    folder = tmp_path / "data" / "stl10_binary"
    accept_written(folder)
    raw = formats.read_stl10(folder, "train")
    assert np.array_equal(raw.data, written["train"][0].transpose(0, 3, 1, 2))
    assert raw.labels.tolist() == (written["train"][1].astype(int) - 1).tolist()
    unlabeled = DATASETS.get("stl10").load("unlabeled", config_for(tmp_path))
    assert unlabeled.labels is None and unlabeled.data.shape == (8, 3, 48, 48)
    assert np.array_equal(unlabeled.data, resize_uint8(written["unlabeled"][0].transpose(0, 3, 1, 2), 48))

    from torchvision.datasets import STL10

    class Unhashed(STL10):
        train_list = [[name, None] for name, _ in STL10.train_list]
        test_list = [[name, None] for name, _ in STL10.test_list]

    theirs = Unhashed(str(tmp_path / "data"), split="train")
    assert np.array_equal(theirs.data, raw.data) and theirs.labels.tolist() == raw.labels.tolist()


def test_celeba_reads_the_partition_file(tmp_path, accept_written):
    names = tiny.write_celeba(str(tmp_path / "data"), partitions=(0, 0, 0, 1, 1, 2, 2))
    folder = tmp_path / "data" / "celeba"
    accept_written(folder)
    valid = DATASETS.get("celeba").load("valid", config_for(tmp_path))
    expected = np.stack([celeba_image(folder / "img_align_celeba" / n) for n in names[3:5]])
    assert valid.data.shape == (2, 3, 64, 64) and np.array_equal(valid.data, expected)
    (folder / "img_align_celeba" / names[5]).unlink()
    with pytest.raises(GanbenchError, match="000006.jpg is missing"):
        DATASETS.get("celeba").load("test", config_for(tmp_path))


def test_stats_of_a_cifar10_folder_offline(tmp_path, accept_written, random_inception_weights, capsys, one_thread):
    from ganbench.cli import main

    tiny.write_cifar10(str(tmp_path / "data"), n_per_batch=40)
    accept_written(tmp_path / "data" / "cifar-10-batches-py")
    out = tmp_path / "cifar10-train.npz"
    args = ["stats", "--dataset", "cifar10", "--data-dir", str(tmp_path / "data"), "--cache-dir", str(tmp_path / "c")]
    args += ["--n", "64", "--inception-weights", random_inception_weights, "--allow-custom-weights", "--no-download"]
    assert main([*args, "--out", str(out), "--quiet"]) == 0
    printed = capsys.readouterr().out
    assert "statistics of cifar10/train: 64 images" in printed
    with np.load(out) as saved:
        assert saved["mean"].shape == (2048,) and np.isfinite(saved["cov"]).all() and int(saved["n"]) == 64

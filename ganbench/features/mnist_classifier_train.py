"""Training and checking the `mnist-classifier` weights, reproducibly, on the mnist5k train split.

Determinism: one seed drives initialisation, dropout, shuffling and the
augmentation; torch runs with deterministic algorithms and a fixed thread count,
so the same torch build on the same kind of CPU writes the same bytes.
"""

from __future__ import annotations

import contextlib
import json
import platform
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from ganbench.atomic import atomic_path
from ganbench.data.base import ArraySplit, DataConfig
from ganbench.data.bundled_digits import load_mnist5k
from ganbench.features.mnist_classifier import DigitNet, MnistClassifier, to_network_input
from ganbench.hashing import sha256_of


@dataclass(frozen=True)
class TrainConfig:
    """Everything that determines the trained weights (recorded in the JSON sidecar)."""

    seed: int = 0
    epochs: int = 30
    batch_size: int = 64
    learning_rate: float = 2e-3
    weight_decay: float = 1e-4
    dropout: float = 0.3
    #: random translation of up to this many pixels in x and y (zero padding), drawn per image per epoch
    max_shift: int = 2
    #: fixed so float reductions happen in the same order on every run
    num_threads: int = 1


@dataclass(frozen=True)
class TrainResult:
    """What a training run produced."""

    weights_path: Path
    sidecar_path: Path
    sha256: str
    test_accuracy: float
    seconds: float


@contextlib.contextmanager
def deterministic_torch(num_threads: int) -> Iterator[None]:
    """Deterministic algorithms and a fixed thread count inside the block; the caller's settings come back after."""
    saved = torch.are_deterministic_algorithms_enabled(), torch.get_num_threads()
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(num_threads)
    try:
        yield
    finally:
        torch.use_deterministic_algorithms(saved[0])
        torch.set_num_threads(saved[1])


def random_shifts(images: np.ndarray, max_shift: int, rng: np.random.Generator) -> np.ndarray:
    """Each uint8 (N, 1, H, W) image translated by its own random (dy, dx) in [-max_shift, max_shift], zero-filled."""
    n, _, height, width = images.shape
    padded = np.pad(images, ((0, 0), (0, 0), (max_shift, max_shift), (max_shift, max_shift)))
    offsets = rng.integers(0, 2 * max_shift + 1, size=(n, 2))
    out = np.empty_like(images)
    for i, (dy, dx) in enumerate(offsets):
        out[i] = padded[i, :, dy : dy + height, dx : dx + width]
    return out


def train_network(train: ArraySplit, config: TrainConfig, log: Callable[[str], None]) -> DigitNet:
    """A DigitNet trained on `train` with Adam and a cosine learning-rate schedule, returned in eval mode."""
    with deterministic_torch(config.num_threads):
        torch.manual_seed(config.seed)
        rng = np.random.default_rng(config.seed)
        network = DigitNet(dropout=config.dropout)
        optimiser = torch.optim.AdamW(network.parameters(), lr=config.learning_rate, weight_decay=config.weight_decay)
        steps_per_epoch = -(-len(train) // config.batch_size)
        schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimiser, T_max=config.epochs * steps_per_epoch)
        labels = torch.from_numpy(train.labels)
        for epoch in range(config.epochs):
            network.train()
            images = torch.from_numpy(random_shifts(train.data, config.max_shift, rng))
            order = torch.from_numpy(rng.permutation(len(train)))
            total_loss = 0.0
            for start in range(0, len(train), config.batch_size):
                batch = order[start : start + config.batch_size]
                _, logits = network(to_network_input(images[batch]))
                loss = F.cross_entropy(logits, labels[batch])
                optimiser.zero_grad(set_to_none=True)
                loss.backward()
                optimiser.step()
                schedule.step()
                total_loss += loss.item() * len(batch)
            log(f"epoch {epoch + 1}/{config.epochs}: train loss {total_loss / len(train):.4f}")
    return network.eval()


def accuracy(classifier: MnistClassifier, split: ArraySplit, batch_size: int = 1_000) -> float:
    """Fraction of `split` whose arg-max logit is the true label."""
    correct = 0
    for start in range(0, len(split), batch_size):
        images = torch.from_numpy(split.data[start : start + batch_size])
        logits = classifier.extract(images, ("logits",))["logits"]
        correct += int((logits.argmax(dim=1).cpu().numpy() == split.labels[start : start + batch_size]).sum())
    return correct / len(split)


def mnist5k_test_accuracy(classifier: MnistClassifier) -> float:
    """Accuracy on the 1,000-image mnist5k test split, the figure the shipped weights are published with."""
    return accuracy(classifier, load_mnist5k("test", DataConfig()))


def save_weights(network: DigitNet, path: Path) -> str:
    """Write the network's state dict as safetensors (no metadata, so the bytes depend on the weights only); its sha256."""
    from safetensors.torch import save_file

    state = {name: tensor.detach().contiguous() for name, tensor in network.state_dict().items()}
    with atomic_path(path) as tmp:
        save_file(state, str(tmp))
        tmp.chmod(0o644)  # the shipped copy is package data: every user must be able to read it
    return sha256_of(path)


def train_and_save(out: Path, config: TrainConfig, log: Callable[[str], None]) -> TrainResult:
    """Train on mnist5k train, save weights to `out` and a JSON sidecar beside it, and measure test accuracy."""
    started = time.perf_counter()
    network = train_network(load_mnist5k("train", DataConfig()), config, log)
    seconds = time.perf_counter() - started
    sha256 = save_weights(network, out)
    test_accuracy = mnist5k_test_accuracy(MnistClassifier(out, "cpu"))
    sidecar = out.with_suffix(".json")
    record = {
        "name": "mnist-classifier",
        "architecture": "conv3x3(1->32)-relu-maxpool2, conv3x3(32->64)-relu-maxpool2, fc(3136->128)-relu=pool, fc(128->10)=logits",
        "preprocessing": MnistClassifier.preprocessing,
        "train_data": "mnist5k train split (4,000 images, stratified, sklearn random_state=0)",
        "test_data": "mnist5k test split (1,000 images)",
        "training": asdict(config),
        "optimiser": "AdamW, cosine learning-rate decay to 0 over all steps, cross-entropy",
        "test_accuracy": test_accuracy,
        "train_seconds": round(seconds, 1),
        "sha256": sha256,
        "torch_version": torch.__version__,
        "machine": platform.machine(),
        "command": "ganbench extractor train --name mnist-classifier --out PATH",
    }
    with atomic_path(sidecar) as tmp:
        tmp.write_text(json.dumps(record, indent=2) + "\n")
        tmp.chmod(0o644)
    return TrainResult(out, sidecar, sha256, test_accuracy, seconds)

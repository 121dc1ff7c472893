"""GAN-train / the Classification Accuracy Score's classifier: the `mnist-classifier` network and training recipe,
trained on a conditional generator's samples with the class input each was drawn with as its label.

Ravuri & Vinyals (2019) train the same ResNet-50 recipe on generated data as on real data; Shmelkov et al. (2018)
do the same for GAN-train. Here the recipe is the domain classifier's (`ganbench.features.mnist_classifier_train`:
AdamW, cosine decay, dropout, random shifts, one seed, deterministic torch on one thread), so a generator that
returns the real train split scores exactly the shipped classifier's test accuracy.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import torch

from ganbench.data.base import ArraySplit
from ganbench.features.mnist_classifier import DigitNet, check_images, to_network_input
from ganbench.features.mnist_classifier_train import TrainConfig, deterministic_torch, train_network

PREDICT_BATCH = 1_000


def train_on_generated(images: np.ndarray, labels: np.ndarray, epochs: int, seed: int) -> DigitNet:
    """A DigitNet trained with the mnist-classifier recipe (`epochs`, `seed`, the rest TrainConfig's defaults) on
    uint8 (N, C, H, W) `images` labelled by `labels` (int, 0..9); the same inputs give the same network, bit
    for bit, whatever batches the images arrived in."""
    check_images(torch.as_tensor(images[:1]))
    labels = np.asarray(labels, dtype=np.int64)
    if len(labels) != len(images) or labels.min(initial=0) < 0 or labels.max(initial=0) > 9:
        raise ValueError(f"need one label in 0..9 per image, got {len(labels)} labels for {len(images)} images")
    config = replace(TrainConfig(), epochs=epochs, seed=seed)
    return train_network(ArraySplit(np.ascontiguousarray(images), labels), config, log=lambda line: None)


@torch.no_grad()
def network_logits(network: DigitNet, images: np.ndarray) -> np.ndarray:
    """The network's float32 logits (N, 10) of uint8 (N, C, H, W) images, in eval mode on the CPU."""
    network.eval()
    with deterministic_torch(1):
        parts = [
            network(to_network_input(torch.from_numpy(images[start : start + PREDICT_BATCH])))[1].numpy()
            for start in range(0, len(images), PREDICT_BATCH)
        ]
    return np.concatenate(parts) if parts else np.zeros((0, 10), np.float32)

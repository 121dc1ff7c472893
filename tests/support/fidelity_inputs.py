"""Images the way torch-fidelity takes a dataset: a Dataset of uint8 3 x H x W tensors."""

from __future__ import annotations

import numpy as np
import torch


class UInt8Dataset(torch.utils.data.Dataset):
    """uint8 N x 3 x H x W images, one tensor per item."""

    def __init__(self, images: np.ndarray) -> None:
        self.images = torch.from_numpy(images)

    def __len__(self) -> int:
        return len(self.images)

    def __getitem__(self, index: int) -> torch.Tensor:
        return self.images[index]

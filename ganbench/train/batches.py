"""Real batches for training: checked data, seeded epoch-wise shuffling, data kept on the training device."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from ganbench.data.base import ArraySplit, DataShape
from ganbench.data.kinds import kind_of
from ganbench.errors import GanbenchError
from ganbench.models.step import Batch
from ganbench.seeding import numpy_stream


def check_data(data: ArraySplit, shape: DataShape) -> None:
    """Raise a GanbenchError unless `data` holds samples of `shape` in the dtype training expects."""
    expected = shape.sample_shape
    if tuple(data.data.shape[1:]) != expected:
        raise GanbenchError(
            f"data samples have shape {tuple(data.data.shape[1:])} but the model expects {expected}; check the dataset"
        )
    kind_of(shape).check_training_data(data)
    if data.labels is not None and len(data.labels) != len(data.data):
        raise GanbenchError(f"{len(data.labels)} labels for {len(data.data)} samples; give one label per sample")


class BatchSampler:
    """Batches drawn without replacement, a fresh seeded permutation per epoch (the last partial batch is dropped).

    Samples become training tensors as their kind says (images: uint8 to float32 in [-1, 1]; points: float32).
    The order depends only on (seed, dataset size, batch size), and `state()` /
    `set_state()` resume it exactly.
    """

    def __init__(self, data: ArraySplit, shape: DataShape, batch_size: int, seed: int, device: torch.device) -> None:
        if len(data) < batch_size:
            raise GanbenchError(
                f"the dataset has {len(data)} samples, fewer than the batch size {batch_size}; lower --batch-size"
            )
        self.kind = kind_of(shape)
        array = data.data if data.data.dtype == np.uint8 else data.data.astype(np.float32, copy=False)
        self.x = torch.from_numpy(np.ascontiguousarray(array)).to(device)
        self.y = None if data.labels is None else torch.from_numpy(np.asarray(data.labels, dtype=np.int64)).to(device)
        self.batch_size, self.device = batch_size, device
        self.rng = numpy_stream(seed, "data_order")
        self._new_epoch()

    def _new_epoch(self) -> None:
        self.epoch_state = self.rng.bit_generator.state
        self.order = torch.from_numpy(self.rng.permutation(len(self.x))).to(self.device)
        self.position = 0

    def next(self) -> Batch:
        """The next real batch."""
        if self.position + self.batch_size > len(self.x):
            self._new_epoch()
        index = self.order[self.position : self.position + self.batch_size]
        self.position += self.batch_size
        return self._batch(index)

    def preview(self) -> Batch:
        """A batch of the first samples in storage order, without moving the sampler."""
        return self._batch(torch.arange(self.batch_size, device=self.device))

    def _batch(self, index: torch.Tensor) -> Batch:
        return Batch(self.kind.training_batch(self.x[index]), None if self.y is None else self.y[index])

    def state(self) -> dict[str, Any]:
        """JSON-able position: the generator state that drew this epoch's order, and the offset into it."""
        return {"epoch_state": self.epoch_state, "position": self.position}

    def set_state(self, state: dict[str, Any]) -> None:
        """Continue exactly where `state()` was taken."""
        self.rng.bit_generator.state = state["epoch_state"]
        self._new_epoch()
        self.position = state["position"]

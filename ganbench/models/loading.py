"""A trained generator back from a ganbench checkpoint, without unpickling anything."""

from __future__ import annotations

from pathlib import Path

import torch
from torch import nn

from ganbench.checkpoint import read_checkpoint
from ganbench.data.base import DataShape
from ganbench.models.base import MODELS
from ganbench.settings import config_from_dict


def load_generator(checkpoint_path: str | Path, device: str | torch.device = "cpu", ema: bool = True) -> nn.Module:
    """The generator of a checkpoint, in eval mode on `device`, its weights' gradients off.

    Uses the EMA weights when the run kept them and `ema` is True. The result has
    `z_dim` and `num_classes` and maps (z, labels) to samples in the data's range.
    """
    checkpoint = read_checkpoint(checkpoint_path)
    meta = checkpoint.meta
    family = MODELS.get(meta["family"])
    config = config_from_dict(family.config_type, meta["model_config"])
    shape = DataShape(**meta["data_shape"])
    generator, _ = family.build_networks(shape, config)
    prefix = "ema" if ema and meta.get("has_ema") else "generator"
    generator.load_state_dict(checkpoint.module_state(prefix))
    return generator.to(device).eval().requires_grad_(False)

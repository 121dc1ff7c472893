"""A trained generator back from a ganbench checkpoint, without unpickling anything."""

from __future__ import annotations

from pathlib import Path

import torch
from torch import nn

from ganbench.checkpoint import misfit, read_checkpoint
from ganbench.config_parsing import config_from_dict
from ganbench.data.base import DataShape
from ganbench.errors import GanbenchError
from ganbench.models.base import MODELS


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
    prefix = "ema" if ema and meta.get("has_ema") else "generator"
    state = checkpoint.module_state(prefix)
    check_fits(family, shape, config, state, Path(checkpoint_path))
    generator, _ = family.build_networks(shape, config)
    generator.load_state_dict(state)
    return generator.to(device).eval().requires_grad_(False)


def check_fits(family, shape: DataShape, config, state: dict[str, torch.Tensor], path: Path) -> None:
    """The generator the sidecar describes has exactly the tensors of the checkpoint, checked on the meta device
    (nothing allocated) before it is built: an edited sidecar ("width": 1000) must not allocate hundreds of GB."""
    with torch.device("meta"):
        skeleton, _ = family.build_networks(shape, config)
    mismatch = misfit(skeleton.state_dict(), state)
    if mismatch:
        raise GanbenchError(
            f"{path}: the {family.name} generator its sidecar describes does not fit its tensors ({mismatch}); the "
            f"sidecar was edited, belongs to another checkpoint, or was written by a ganbench whose {family.name} "
            "networks differ from this one's: score it with the ganbench version that trained it"
        )

"""What every GAN family declares: its data shape, its typed config, and its registry entry."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from torch import nn

from ganbench.errors import GanbenchError
from ganbench.registry import Registry

if TYPE_CHECKING:
    import torch

    from ganbench.models.step import Batch, GanModules, StepNoise

#: Noise size for 2-D point data: Gulrajani et al.'s toy experiments (gan_toy.py) feed a 2-D Gaussian.
POINTS_Z_DIM = 2
#: Batch size for 2-D point data, also from Gulrajani et al.'s toy experiments.
POINTS_BATCH_SIZE = 256


@dataclass(frozen=True)
class DataShape:
    """The data a network is built for.

    kind "image": `channels` x `resolution` x `resolution` images.
    kind "points": vectors of `channels` coordinates (2 for ring8/grid25); `resolution` is 0.
    `num_classes` is the number of labels (0 when the data is unlabelled).
    """

    kind: Literal["image", "points"]
    channels: int
    resolution: int = 0
    num_classes: int = 0

    @property
    def sample_shape(self) -> tuple[int, ...]:
        """Shape of one sample: (C, H, W) for images, (dim,) for points."""
        if self.kind == "image":
            return (self.channels, self.resolution, self.resolution)
        return (self.channels,)

    @classmethod
    def of(cls, data: np.ndarray, labels: np.ndarray | None = None, num_classes: int | None = None) -> DataShape:
        """The shape of an array of samples: uint8 NCHW square images or float (N, dim) points.

        `num_classes` defaults to max(label) + 1 when labels are given, else 0.
        """
        if num_classes is None:
            num_classes = int(labels.max()) + 1 if labels is not None and len(labels) else 0
        if data.ndim == 2:
            return cls("points", int(data.shape[1]), 0, num_classes)
        if data.ndim == 4 and data.shape[2] == data.shape[3]:
            return cls("image", int(data.shape[1]), int(data.shape[2]), num_classes)
        raise GanbenchError(
            f"cannot train on data of shape {tuple(data.shape)}; give square images (N, C, H, H) or points (N, dim)"
        )


@dataclass(frozen=True)
class ModelConfig:
    """Hyper-parameters shared by every family; each family subclasses it with its paper's defaults.

    lr_g / lr_d: learning rates of generator and discriminator; beta1 / beta2: Adam betas
    (ignored by RMSProp); n_critic: discriminator steps per generator step, each on a fresh
    real batch; z_dim: noise size; width: multiplier on every hidden layer's width;
    ema: decay of the generator weight average (0 = off); steps: generator steps.
    """

    steps: int = 10_000
    batch_size: int = 64
    lr_g: float = 2e-4
    lr_d: float = 2e-4
    beta1: float = 0.5
    beta2: float = 0.999
    n_critic: int = 1
    z_dim: int = 128
    width: float = 1.0
    # None of the seven papers averaged generator weights, so EMA is off unless asked for.
    ema: float = 0.0

    def for_shape(self, shape: DataShape) -> ModelConfig:
        """The defaults that depend on the data: small noise and larger batches for 2-D points."""
        if shape.kind == "points":
            return dataclasses.replace(self, z_dim=POINTS_Z_DIM, batch_size=POINTS_BATCH_SIZE)
        return self

    def validate(self) -> None:
        """Raise a GanbenchError naming the first out-of-range value."""
        checks = [
            (self.steps >= 1, "steps must be at least 1"),
            (self.batch_size >= 1, "batch_size must be at least 1"),
            (self.n_critic >= 1, "n_critic must be at least 1"),
            (self.z_dim >= 1, "z_dim must be at least 1"),
            (self.width > 0, "width must be positive"),
            (0.0 <= self.ema < 1.0, "ema must be in [0, 1), 0 meaning off"),
            (self.lr_g > 0 and self.lr_d > 0, "learning rates must be positive"),
        ]
        for ok, message in checks:
            if not ok:
                raise GanbenchError(f"bad model setting: {message}; fix the --set/--flag value")


@dataclass(frozen=True)
class Family:
    """A registered GAN family: its paper, config type and the three functions the loop calls.

    build_networks(shape, config) -> (generator, discriminator); the generator has int
    attributes `z_dim` and `num_classes` and maps (z, labels) to samples.
    make_optimizers(generator, discriminator, config, device) -> (g_opt, d_opt).
    train_step(modules, batches, noise, config, amp) -> {loss name: 0-d tensor}; it
    receives `config.n_critic` real batches.
    """

    name: str
    paper: str
    config_type: type[ModelConfig]
    build_networks: Callable[[DataShape, Any], tuple[nn.Module, nn.Module]]
    make_optimizers: Callable[[nn.Module, nn.Module, Any, torch.device], tuple[Any, Any]]
    train_step: Callable[[GanModules, list[Batch], StepNoise, Any, bool], dict[str, torch.Tensor]]
    conditional: bool = False
    #: True when the step differentiates through gradients (gradient penalty), which torch.compile cannot.
    double_backward: bool = False

    def __post_init__(self) -> None:
        # Listings show an object's docstring; a family's most useful one-liner is its paper.
        object.__setattr__(self, "__doc__", self.paper)

    def default_config(self, shape: DataShape) -> ModelConfig:
        """The family's paper defaults, adapted to `shape`."""
        return self.config_type().for_shape(shape)


#: name -> Family. Importing ganbench.models registers the built-in families.
MODELS: Registry[Family] = Registry("model")


def require_labels(family: str, shape: DataShape) -> None:
    """Raise a GanbenchError when a conditional family is asked to train on unlabelled data."""
    if shape.num_classes < 1:
        raise GanbenchError(
            f"model {family!r} is class-conditional but the dataset has no labels; "
            f"pick a labelled dataset or an unconditional model such as 'sngan'"
        )

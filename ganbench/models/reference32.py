"""The published 32x32 architectures and training recipes of two CIFAR-10 reproductions, as a typed `arch` setting.

A family whose config derives from `ArchConfig` (dcgan, wgan_gp, sngan, cgan) has a setting `arch`:
- "standard": ganbench's generic networks (ganbench.models.blocks), the default for every other data shape;
- "mimicry-resnet": kwotsin/mimicry's SNGAN-CIFAR ResNet as `nets/{dcgan,wgan_gp,sngan,cgan_pd}/*_32.py` build it
  (ganbench.models.resnet32), trained with mimicry's baseline recipe (README "Baselines": batch 64, Adam 2e-4 with
  betas 0/0.9, 5 D steps, linear decay to 0 over 100k generator steps; `examples/sngan_example.py`);
- "collections-dcgan" / "collections-cnn" / "collections-resnet": w86763777/pytorch-gan-collections'
  `source/models/{dcgan,wgangp,sngan}.py` nets with the settings of its `configs/*_CIFAR10_*.txt` (generator batch
  twice the discriminator's, `LambdaLR(1 - step / total_steps)`);
- "auto" (the default): the family's best-published reference on 32x32 colour images; on 48x48 and 64x64 colour
  images mimicry's ResNet for the families mimicry publishes at that size (sngan, wgan_gp:
  `nets/{sngan,wgan_gp}/*_{48,64}.py`, ganbench.models.resnet48_64, README "Baselines" STL-10 48 and CelebA 64 rows:
  the same recipe); "standard" otherwise.

On colour images of a size the chosen reference is built for (the data its recipe was published on), its recipe
replaces the family's paper defaults (`for_shape`); a registered variant (e.g. `sngan_mimicry`) fixes `arch`, so
its recipe is applied the same way. On grey images of such a size (mnist5k padded to 32 x 32 in the learning tests)
the reference network is built but trained with the family's paper defaults, as no recipe was published there.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

from torch import nn

from ganbench.data.base import DataShape
from ganbench.errors import GanbenchError
from ganbench.models.base import ModelConfig
from ganbench.models.cnn32 import (
    CollectionsCnnDiscriminator32,
    CollectionsCnnGenerator32,
    CollectionsDcganDiscriminator32,
    CollectionsDcganGenerator32,
)
from ganbench.models.resnet32 import (
    CollectionsResDiscriminator32,
    CollectionsResGenerator32,
    MimicryDiscriminator32,
    MimicryGenerator32,
)
from ganbench.models.resnet48_64 import MimicryDiscriminatorLarge, MimicryGeneratorLarge

#: The resolution every reference architecture is built for; mimicry's ResNet also exists at LARGE_RESOLUTIONS.
REFERENCE_RESOLUTION = 32
LARGE_RESOLUTIONS = (48, 64)
STEPS_100K = 100_000

#: mimicry's baseline recipe (README "Baselines": the CIFAR-10 32x32, STL-10 48x48 and CelebA 64x64 rows are the same;
#: examples/sngan_example.py).
MIMICRY_RECIPE: dict[str, Any] = {
    "steps": STEPS_100K,
    "batch_size": 64,
    "lr_g": 2e-4,
    "lr_d": 2e-4,
    "beta1": 0.0,
    "beta2": 0.9,
    "n_critic": 5,
    "z_dim": 128,
    "lr_decay": "linear",
    "lr_decay_steps": STEPS_100K,
    "g_batch_mult": 1,
}
#: pytorch-gan-collections' configs/{WGANGP,SNGAN}_CIFAR10_RES.txt (betas: the scripts' defaults).
COLLECTIONS_RESNET_RECIPE: dict[str, Any] = {**MIMICRY_RECIPE, "g_batch_mult": 2}
#: pytorch-gan-collections' configs/{WGANGP,SNGAN}_CIFAR10_CNN.txt.
COLLECTIONS_CNN_RECIPE: dict[str, Any] = {**MIMICRY_RECIPE, "batch_size": 128, "n_critic": 1, "z_dim": 100, "g_batch_mult": 2}
#: pytorch-gan-collections' configs/DCGAN_CIFAR10.txt; betas 0.5/0.9 are dcgan.py's defaults.
COLLECTIONS_DCGAN_RECIPE: dict[str, Any] = {**COLLECTIONS_CNN_RECIPE, "beta1": 0.5}

RECIPES: dict[str, dict[str, Any]] = {
    "mimicry-resnet": MIMICRY_RECIPE,
    "collections-resnet": COLLECTIONS_RESNET_RECIPE,
    "collections-cnn": COLLECTIONS_CNN_RECIPE,
    "collections-dcgan": COLLECTIONS_DCGAN_RECIPE,
}


def is_colour32(shape: DataShape) -> bool:
    """Whether `shape` is the data the references were published on: 32x32 colour images."""
    return is_colour(shape, REFERENCE_RESOLUTION)


def is_colour(shape: DataShape, resolution: int) -> bool:
    """Whether `shape` is colour images of `resolution` x `resolution` pixels."""
    return shape.kind == "image" and shape.resolution == resolution and shape.channels == 3


@dataclass(frozen=True)
class ArchConfig(ModelConfig):
    """A config with a network choice (`arch`, see the module docstring), a learning-rate schedule and a generator
    batch multiplier.

    lr_decay "linear": both learning rates fall linearly to 0 over `lr_decay_steps` generator steps (0: over
    `steps`); generator step k, 1-based, uses lr * (1 - (k - 1) / lr_decay_steps), as mimicry's `LinearDecay` and
    collections' LambdaLR; "none": constant. The horizon is its own setting because the runner trains a run in
    segments (steps = each evaluation step in turn); shortening a run with --steps keeps the recipe's horizon, so
    it trains the first steps of the published schedule (set lr_decay_steps too to compress it).
    g_batch_mult: the generator step draws g_batch_mult times the discriminator's batch of noise (2 in
    pytorch-gan-collections). Subclasses narrow `arch` to the architectures they have, name their best-published
    one on 32x32 colour images in BEST_32 and the larger sizes mimicry builds their ResNet at in MIMICRY_LARGE.
    """

    arch: str = "auto"
    lr_decay: Literal["none", "linear"] = "none"
    lr_decay_steps: int = 0
    g_batch_mult: int = 1

    BEST_32: ClassVar[str] = "standard"
    MIMICRY_LARGE: ClassVar[tuple[int, ...]] = ()

    def resolved_arch(self, shape: DataShape) -> str:
        """`arch` with "auto" replaced by what it stands for on `shape`."""
        if self.arch != "auto":
            return self.arch
        if is_colour32(shape):
            return self.BEST_32
        large = any(is_colour(shape, size) for size in self.MIMICRY_LARGE)
        return "mimicry-resnet" if large else "standard"

    def resolutions(self, arch: str) -> tuple[int, ...]:
        """The image sizes `arch` is built at for this family."""
        return (REFERENCE_RESOLUTION, *self.MIMICRY_LARGE) if arch == "mimicry-resnet" else (REFERENCE_RESOLUTION,)

    def for_shape(self, shape: DataShape) -> ArchConfig:
        config = super().for_shape(shape)
        arch = self.resolved_arch(shape)
        if arch == "standard" or not any(is_colour(shape, size) for size in self.resolutions(arch)):
            return dataclasses.replace(config, arch=arch)
        return dataclasses.replace(config, arch=arch, **RECIPES[arch])

    def validate(self) -> None:
        super().validate()
        if self.g_batch_mult < 1:
            raise GanbenchError("bad model setting: g_batch_mult must be at least 1; fix the --set value")
        if self.lr_decay_steps < 0:
            raise GanbenchError("bad model setting: lr_decay_steps must be 0 (= steps) or positive; fix the --set value")

    def lr_scale(self, step: int) -> float | None:
        if self.lr_decay == "linear":
            return max(0.0, 1.0 - (step - 1) / (self.lr_decay_steps or self.steps))
        return None

    def unsupported(self, shape: DataShape) -> str | None:
        arch = self.resolved_arch(shape)
        sizes = self.resolutions(arch)
        if arch == "standard" or (shape.kind == "image" and shape.resolution in sizes):
            return None
        built = ", ".join(f"{size}x{size}" for size in sizes)
        examples = "cifar10" if sizes == (REFERENCE_RESOLUTION,) else "cifar10, stl10 (48) or celeba (64)"
        return (
            f"arch {arch!r} is a published architecture for {built} images but the data is "
            f"{shape.kind} at resolution {shape.resolution}; use arch=standard or a dataset of that size such as {examples}"
        )


def reference_networks(family: str, shape: DataShape, config: ArchConfig) -> tuple[nn.Module, nn.Module] | None:
    """The authors' (generator, discriminator) of `family` ("dcgan", "wgan_gp", "sngan", "cgan") for `config.arch`,
    or None for arch "standard" (the family builds its generic networks). Conditional (cgan): the data's classes."""
    arch = config.resolved_arch(shape)
    if arch == "standard":
        return None
    z, c, w = config.z_dim, shape.channels, config.width
    if arch == "mimicry-resnet" and shape.resolution in LARGE_RESOLUTIONS:
        wgan = family == "wgan_gp"
        generator = MimicryGeneratorLarge(z, c, shape.resolution, w, wgan=wgan)
        return generator, MimicryDiscriminatorLarge(c, shape.resolution, w, spectral=family == "sngan", wgan=wgan)
    if arch == "mimicry-resnet":
        classes = shape.num_classes if family == "cgan" else 0
        wgan = family == "wgan_gp"
        generator = MimicryGenerator32(z, c, w, classes, wgan=wgan)
        spectral = family in ("sngan", "cgan")
        return generator, MimicryDiscriminator32(c, w, spectral, mean_pool=wgan, num_classes=classes, wgan=wgan)
    if arch == "collections-resnet":
        return CollectionsResGenerator32(z, c, w), CollectionsResDiscriminator32(c, w, spectral=family == "sngan")
    if arch == "collections-cnn":
        return CollectionsCnnGenerator32(z, c, w), CollectionsCnnDiscriminator32(c, w, spectral=family == "sngan")
    if arch == "collections-dcgan":
        return CollectionsDcganGenerator32(z, c, w), CollectionsDcganDiscriminator32(c, w)
    raise GanbenchError(f"unknown arch {arch!r} for model {family!r}")

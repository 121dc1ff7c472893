"""What every GAN family declares: its typed config with the paper's defaults, its networks, its step, and its
registry entry."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, NamedTuple

from torch import nn

from ganbench.data.base import DataShape
from ganbench.errors import GanbenchError
from ganbench.models.optim import adam_each, adam_pair
from ganbench.models.packing import PackedDiscriminator, packed_shape
from ganbench.registry import Registry

if TYPE_CHECKING:
    import torch

    from ganbench.models.step import Batch, GanModules, StepNoise

#: Noise size for 2-D point data: Gulrajani et al.'s toy experiments (gan_toy.py) feed a 2-D Gaussian.
POINTS_Z_DIM = 2
#: Batch size for 2-D point data, also from Gulrajani et al.'s toy experiments.
POINTS_BATCH_SIZE = 256


@dataclass(frozen=True)
class ModelConfig:
    """Hyper-parameters shared by every family; each family subclasses it with its paper's defaults.

    lr_g / lr_d: learning rates of generator and discriminator; beta1 / beta2: Adam betas
    (ignored by RMSProp); n_critic: discriminator steps per generator step, each on a fresh
    real batch; z_dim: noise size; width: multiplier on every hidden layer's width;
    ema: decay of the generator weight average (0 = off); steps: generator steps;
    pack: PacGAN packing degree (Lin et al. 2018): the discriminator judges `pack` samples at once,
    concatenated along features (points) or channels (images), and `batch_size` counts packs, so a
    discriminator step sees batch_size * pack real samples (1 = no packing).
    Overrides accept "lr" for both learning rates and "betas" as "b1,b2" (ALIASES, PAIRS).
    """

    ALIASES: ClassVar[dict[str, tuple[str, ...]]] = {"lr": ("lr_g", "lr_d")}
    PAIRS: ClassVar[dict[str, tuple[str, str]]] = {"betas": ("beta1", "beta2")}

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
    pack: int = 1

    def for_shape(self, shape: DataShape) -> ModelConfig:
        """The defaults that depend on the data: small noise and larger batches for 2-D points."""
        if shape.kind == "points":
            return dataclasses.replace(self, z_dim=POINTS_Z_DIM, batch_size=POINTS_BATCH_SIZE)
        return self

    def lr_scale(self, step: int) -> float | None:
        """The factor on both initial learning rates at generator step `step` (1-based); None: constant rates,
        left as the optimizers hold them."""
        return None

    def unsupported(self, shape: DataShape) -> str | None:
        """Why these settings cannot build networks for `shape` (one sentence), or None when they can."""
        return None

    def validate(self) -> None:
        """Raise a GanbenchError naming the first out-of-range value."""
        checks = [
            (self.steps >= 1, "steps must be at least 1"),
            (self.batch_size >= 1, "batch_size must be at least 1"),
            (self.n_critic >= 1, "n_critic must be at least 1"),
            (self.pack >= 1, "pack must be at least 1 (1 = no packing)"),
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
    """A registered GAN family: its paper, config type and the functions the loop calls.

    build_networks(shape, config) -> (generator, discriminator); the generator has int
    attributes `z_dim` and `num_classes` and maps (z, labels) to samples; the discriminator
    is None for a non-adversarial family (the VAE).
    train_step(modules, batches, noise, config, amp) -> {curve name: 0-d tensor}; it
    receives `config.n_critic` real batches. Every name it returns is logged each step
    (losses.csv, TensorBoard) and drawn as a training curve.
    make_optimizers(generator, discriminator, config, device) -> (g_opt, d_opt); Adam for both
    networks (ganbench.models.optim.adam_pair) unless the family says otherwise.
    build_extras(shape, config) -> {name: network}: networks beyond the two (an encoder), each with
    its own optimizer from make_extra_optimizers(extras, config, device) -> {name: optimizer}
    (default: Adam at lr_g and the config's betas); the loop moves, checkpoints and resumes them
    like the generator and discriminator, under "extra.{name}" / "extra_opt.{name}".
    fixed: settings this registered name stands for (see `variant`); a run may not change them.
    packable: False when the discriminator does not judge samples alone (ALI's joint discriminator), so
    packing (`pack` > 1, see ganbench.models.packing) cannot widen it.
    simultaneous_losses(modules, batch, noise, config, amp) -> (d_loss, g_loss): the losses of the family's
    simultaneous update (ganbench.models.simultaneous: both networks step from the same parameters), drawing the
    step's noise from `noise`; its train_step applies their gradients (when the config's `simultaneous` is not
    False). Runs of such a family trained together on CUDA take one step for all: ganbench.train.stacked batches
    this function over the runs' stacked parameters with torch.func.vmap. None for a family without one.
    """

    name: str
    paper: str
    config_type: type[ModelConfig]
    build_networks: Callable[[DataShape, Any], tuple[nn.Module, nn.Module | None]]
    train_step: Callable[[GanModules, list[Batch], StepNoise, Any, bool], dict[str, torch.Tensor]]
    make_optimizers: Callable[[nn.Module, nn.Module | None, Any, torch.device], tuple[Any, Any]] | None = None
    conditional: bool = False
    #: True when the step differentiates through gradients (gradient penalty), which torch.compile cannot.
    double_backward: bool = False
    build_extras: Callable[[DataShape, Any], dict[str, nn.Module]] | None = None
    make_extra_optimizers: Callable[[dict[str, nn.Module], Any, torch.device], dict[str, Any]] | None = None
    fixed: tuple[tuple[str, Any], ...] = ()
    packable: bool = True
    simultaneous_losses: Callable[[GanModules, Batch, StepNoise, Any, bool], tuple[torch.Tensor, torch.Tensor]] | None = None

    def __post_init__(self) -> None:
        # Listings show an object's docstring; a family's most useful one-liner is its paper.
        object.__setattr__(self, "__doc__", self.paper)
        if self.make_optimizers is None:
            object.__setattr__(self, "make_optimizers", adam_pair)
        if self.make_extra_optimizers is None:
            object.__setattr__(self, "make_extra_optimizers", adam_each)

    def variant(self, name: str, paper: str | None = None, **fixed: Any) -> Family:
        """This family registered under another name with some settings fixed: `fgan_kl` is the f-GAN family
        with divergence="kl", `pacgan2` is `gan` with pack=2. Rows, checkpoints and leaderboards
        carry the variant's name; its fixed settings are its paper defaults and cannot be overridden."""
        fields = {f.name for f in dataclasses.fields(self.config_type)}
        unknown = sorted(set(fixed) - fields)
        if unknown:
            raise ValueError(f"variant {name!r} fixes {unknown}, which {self.config_type.__name__} does not have")
        settings = ", ".join(f"{k}={v!r}" for k, v in fixed.items())
        paper = paper or f"{self.paper} ({settings})"
        return dataclasses.replace(self, name=name, paper=paper, fixed=(*self.fixed, *fixed.items()))

    def default_config(self, shape: DataShape) -> ModelConfig:
        """The family's paper defaults (with a variant's fixed settings), adapted to `shape`."""
        fixed = dict(self.fixed)
        # applied before for_shape (defaults may depend on them) and after it (so a shape default cannot undo them)
        return dataclasses.replace(dataclasses.replace(self.config_type(), **fixed).for_shape(shape), **fixed)

    def check_shape(self, config: ModelConfig, shape: DataShape) -> None:
        """A GanbenchError saying why `config` cannot build networks for data of `shape`, if it cannot."""
        problem = config.unsupported(shape)
        if problem is not None:
            raise GanbenchError(problem)

    def check_config(self, config: ModelConfig) -> None:
        """`config.validate()`, and a GanbenchError when it packs a discriminator that cannot be packed or
        changes a setting this name fixes."""
        config.validate()
        if config.pack > 1 and (self.conditional or not self.packable):
            why = "class-conditional" if self.conditional else "its discriminator judges (sample, code) pairs"
            raise GanbenchError(f"model {self.name!r} cannot use packing ({why}); drop pack={config.pack}")
        changed = [(key, value) for key, value in self.fixed if getattr(config, key) != value]
        if changed:
            key, value = changed[0]
            wanted = getattr(config, key)
            others = [
                name
                for name in MODELS.names()
                if MODELS.get(name).config_type is self.config_type and dict(MODELS.get(name).fixed).get(key) == wanted
            ]
            instead = f"use model {others[0]!r}" if others else "no registered model has that setting"
            raise GanbenchError(
                f"model {self.name!r} stands for {key}={value!r}, so it cannot be run with {key}={wanted!r}; {instead}"
            )

    def build_all(self, shape: DataShape, config: ModelConfig) -> tuple[nn.Module, nn.Module | None, dict[str, nn.Module]]:
        """(generator, discriminator or None, extra networks by name), built in that order (see `build_pair`
        for packing)."""
        generator, discriminator = build_pair(self, shape, config)
        extras = self.build_extras(shape, config) if self.build_extras is not None else {}
        return generator, discriminator, extras


#: name -> Family; the built-in families register from ganbench.models.catalog.
MODELS: Registry[Family] = Registry("model", builtins="ganbench.models.catalog")


class Variant(NamedTuple):
    """A further registered name for a family, with the settings it stands for (see `Family.variant`)."""

    name: str
    paper: str | None
    fixed: dict[str, Any]


def variant(name: str, paper: str | None = None, **fixed: Any) -> Variant:
    """`name` stands for the family with `fixed` settings; `paper` (default: the family's paper and the settings)
    is what listings show."""
    return Variant(name, paper, fixed)


def register(family: Family, *variants: Variant, own_name: bool = True) -> Family:
    """Register `family` under its own name (unless `own_name` is False: only its variants are runs, as for f-GAN's
    divergences) and each of `variants` under theirs; returns the family."""
    if own_name:
        MODELS.add(family.name, family)
    for name, paper, fixed in variants:
        MODELS.add(name, family.variant(name, paper, **fixed))
    return family


def build(family_name: str, shape: DataShape, config: ModelConfig | None = None) -> tuple[nn.Module, nn.Module | None]:
    """(generator, discriminator or None) of family `family_name` for data of `shape`; `config` defaults to the
    paper's."""
    family = MODELS.get(family_name)
    return build_pair(family, shape, config if config is not None else family.default_config(shape))


def build_pair(family: Family, shape: DataShape, config: ModelConfig) -> tuple[nn.Module, nn.Module | None]:
    """The family's networks; with pack m > 1 the discriminator is the family's own one built for m times the
    channels, judging packs (`PackedDiscriminator`). The generator is the same, and initialised the same, for
    every m."""
    family.check_config(config)
    family.check_shape(config, shape)
    generator, discriminator = family.build_networks(shape, config)
    if config.pack > 1 and discriminator is not None:
        _, inner = family.build_networks(packed_shape(shape, config.pack), config)
        discriminator = PackedDiscriminator(inner, config.pack)
    return generator, discriminator


def require_labels(family: str, shape: DataShape) -> None:
    """Raise a GanbenchError when a conditional family is asked to train on unlabelled data."""
    if shape.num_classes < 1:
        raise GanbenchError(
            f"model {family!r} is class-conditional but the dataset has no labels; "
            f"pick a labelled dataset or an unconditional model such as 'sngan'"
        )

"""The 2-D networks of the mode-collapse literature, as their authors' code builds them.

- PacGAN (Lin et al. 2018, `synthetic_data_experiments/*/pacgan_task.py`): generator of 4 hidden layers of 400
  (linear without bias, batch norm eps 1e-4 with Blocks' population-statistics decay 0.05, ReLU), a linear
  output with bias; discriminator of 3 maxout layers of 200 units x 5 pieces and a linear output; every weight
  N(0, 0.02), biases 0. The same generator and maxout stack serve its ALI baseline.
- gan_toy.py (Gulrajani et al. 2017): 3 ReLU layers of 512 in both networks, no normalisation; ReLU layers
  initialised U(+-sqrt(3) sqrt(2 / fan_in)) ('he'), output layers U(+-sqrt(3) sqrt(2 / (fan_in + fan_out)))
  ('glorot'), biases 0. The authors divide the data by its standard deviation; here the networks carry that
  scale (`scale`): the generator multiplies its output by it and the critic divides its input by it, so the
  samples stay in data units while the networks see standardised data.
- Unrolled GAN demo (Metz et al. 2017, poole's reference notebook): 2 tanh layers of 128 in both networks,
  orthogonal initialisation with gain 1.4, biases 0.

Every generator maps (z, labels) to (N, dim) points and has `z_dim` and `num_classes` (0); every
discriminator maps (x, labels) to (N,) logits. `width` multiplies the hidden sizes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
from torch import nn

from ganbench.models.blocks import scaled

#: PacGAN's 2-D settings (config.py and pacgan_task.py of both 2-D experiments), for its GAN and ALI baselines.
PACGAN_POINTS = {"z_dim": 2, "batch_size": 100, "lr_g": 1e-4, "lr_d": 1e-4, "beta1": 0.8, "beta2": 0.999}
#: PacGAN's batch norm: Blocks' epsilon, and its population statistics updated as 0.05 new + 0.95 old.
PACGAN_BN = {"eps": 1e-4, "momentum": 0.05}
PACGAN_INIT_STD = 0.02


class Maxout(nn.Module):
    """Blocks' LinearMaxout: a linear map to units x pieces outputs, then the max over each unit's pieces."""

    def __init__(self, in_features: int, units: int, pieces: int) -> None:
        super().__init__()
        self.units, self.pieces = units, pieces
        self.linear = nn.Linear(in_features, units * pieces)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.linear(x).view(-1, self.units, self.pieces).amax(dim=2)


class BatchNormMlpGenerator(nn.Module):
    """PacGAN's generator: [linear (no bias) -> batch norm -> ReLU] per hidden layer, then a linear output."""

    def __init__(self, z_dim: int, hidden: Sequence[int], out_features: int) -> None:
        super().__init__()
        self.z_dim, self.num_classes = z_dim, 0
        layers: list[nn.Module] = []
        for a, b in zip([z_dim, *hidden], hidden, strict=False):
            layers += [nn.Linear(a, b, bias=False), nn.BatchNorm1d(b, **PACGAN_BN), nn.ReLU()]
        self.hidden = nn.Sequential(*layers)
        self.out = nn.Linear(hidden[-1], out_features)

    def forward(self, z: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        return self.out(self.hidden(z))


class MaxoutDiscriminator(nn.Module):
    """PacGAN's discriminator: maxout layers (no normalisation, no dropout), then a linear logit."""

    def __init__(self, in_features: int, units: int, pieces: int, layers: int) -> None:
        super().__init__()
        sizes = [in_features] + [units] * layers
        self.features = nn.Sequential(*[Maxout(a, units, pieces) for a in sizes[:-1]])
        self.out = nn.Linear(units, 1)

    def forward(self, x: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        return self.out(self.features(x.flatten(1))).squeeze(1)


def normal_init(module: nn.Module, std: float = PACGAN_INIT_STD) -> nn.Module:
    """Blocks' IsotropicGaussian(std) for every linear weight, Constant(0) for biases (batch norm: gain 1, shift 0)."""
    for m in module.modules():
        if isinstance(m, nn.Linear):
            nn.init.normal_(m.weight, 0.0, std)
            if m.bias is not None:
                nn.init.zeros_(m.bias)
    return module


def pacgan_networks(z_dim: int, dim: int, width: float) -> tuple[nn.Module, nn.Module]:
    """PacGAN's 2-D generator (4 x 400, batch norm) and maxout discriminator (3 x 200 units x 5 pieces)."""
    generator = BatchNormMlpGenerator(z_dim, [scaled(400, width)] * 4, dim)
    discriminator = MaxoutDiscriminator(dim, scaled(200, width), 5, 3)
    return normal_init(generator), normal_init(discriminator)


def _tflib_uniform(layer: nn.Linear, stdev: float) -> nn.Linear:
    bound = math.sqrt(3) * stdev
    nn.init.uniform_(layer.weight, -bound, bound)
    nn.init.zeros_(layer.bias)
    return layer


def relu_mlp(in_features: int, hidden: int, layers: int, out_features: int) -> nn.Sequential:
    """gan_toy.py's ReLULayer stack ('he' init) and a final 'glorot' linear layer."""
    modules: list[nn.Module] = []
    size = in_features
    for _ in range(layers):
        modules += [_tflib_uniform(nn.Linear(size, hidden), math.sqrt(2 / size)), nn.ReLU()]
        size = hidden
    modules.append(_tflib_uniform(nn.Linear(size, out_features), math.sqrt(2 / (size + out_features))))
    return nn.Sequential(*modules)


class ScaledGenerator(nn.Module):
    """A generator network whose output is multiplied by `scale` (it learns standardised data)."""

    def __init__(self, net: nn.Module, z_dim: int, scale: float) -> None:
        super().__init__()
        self.net, self.z_dim, self.num_classes, self.scale = net, z_dim, 0, float(scale)

    def forward(self, z: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        out = self.net(z)
        return out * self.scale if self.scale != 1.0 else out


class ScaledDiscriminator(nn.Module):
    """A discriminator network that divides its input by `input_scale` (it judges standardised data)."""

    def __init__(self, net: nn.Module, input_scale: float) -> None:
        super().__init__()
        self.net, self.input_scale = net, float(input_scale)

    def forward(self, x: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        x = x.flatten(1)
        return self.net(x / self.input_scale if self.input_scale != 1.0 else x).squeeze(1)


def toy_networks(z_dim: int, dim: int, width: float, scale: float) -> tuple[nn.Module, nn.Module]:
    """gan_toy.py's generator and critic (3 ReLU layers of 512 each), on data standardised by `scale`."""
    hidden = scaled(512, width)
    return (
        ScaledGenerator(relu_mlp(z_dim, hidden, 3, dim), z_dim, scale),
        ScaledDiscriminator(relu_mlp(dim, hidden, 3, 1), scale),
    )


def tanh_mlp(in_features: int, hidden: int, layers: int, out_features: int, gain: float = 1.4) -> nn.Sequential:
    """slim.stack(fully_connected, [hidden] * layers, tanh) + a linear layer, orthogonal(gain) weights, zero biases."""
    sizes = [in_features] + [hidden] * layers
    modules: list[nn.Module] = []
    for a, b in zip(sizes[:-1], sizes[1:], strict=True):
        modules += [nn.Linear(a, b), nn.Tanh()]
    modules.append(nn.Linear(sizes[-1], out_features))
    for m in modules:
        if isinstance(m, nn.Linear):
            nn.init.orthogonal_(m.weight, gain)
            nn.init.zeros_(m.bias)
    return nn.Sequential(*modules)


def unrolled_demo_networks(z_dim: int, dim: int, width: float) -> tuple[nn.Module, nn.Module]:
    """The Unrolled GAN demo's generator and discriminator (2 tanh layers of 128 each)."""
    hidden = scaled(128, width)
    return (
        ScaledGenerator(tanh_mlp(z_dim, hidden, 2, dim), z_dim, 1.0),
        ScaledDiscriminator(tanh_mlp(dim, hidden, 2, 1), 1.0),
    )

"""InceptionV3 weights with the exact architecture and seeded random values, for offline tests.

Default initialisation makes activations vanish through 90-odd layers, so every
image would get the same features (FID 0, IS 1 whatever the input) and a
comparison would prove nothing. Here each batch-norm layer's statistics are set
from a calibration batch, and the classifier is scaled so that logits vary
between images: different image sets then get clearly different features.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from ganbench.atomic import atomic_path
from ganbench.features.inception import build_inception_network


def smooth_images(n: int, size: int, seed: int, low_frequency: int = 4) -> np.ndarray:
    """`n` uint8 RGB images (N, 3, size, size): random low-resolution colour fields upsampled bilinearly."""
    generator = torch.Generator().manual_seed(seed)
    coarse = torch.rand((n, 3, low_frequency, low_frequency), generator=generator)
    fine = torch.nn.functional.interpolate(coarse, size=(size, size), mode="bilinear", align_corners=False)
    return (fine * 255).round().clamp(0, 255).to(torch.uint8).numpy()


def striped_images(n: int, size: int, seed: int) -> np.ndarray:
    """`n` uint8 RGB images of random oriented stripes: a distribution clearly unlike `smooth_images`."""
    generator = torch.Generator().manual_seed(seed)
    coords = torch.linspace(0, 1, size)
    yy, xx = torch.meshgrid(coords, coords, indexing="ij")
    angle = torch.rand(n, generator=generator) * np.pi
    frequency = 3 + torch.rand(n, generator=generator) * 8
    phase = (xx * angle.cos()[:, None, None] + yy * angle.sin()[:, None, None]) * frequency[:, None, None] * 2 * np.pi
    colour = torch.rand((n, 3, 1, 1), generator=generator)
    images = (0.5 + 0.5 * torch.sin(phase))[:, None] * colour
    return (images * 255).round().clamp(0, 255).to(torch.uint8).numpy()


@torch.no_grad()
def random_inception_state_dict(seed: int = 0, calibration: np.ndarray | None = None) -> dict[str, torch.Tensor]:
    """A calibrated random state dict for torch-fidelity's InceptionV3 (see the module docstring)."""
    torch.manual_seed(seed)
    network = build_inception_network(None)
    for module in network.modules():
        if isinstance(module, torch.nn.Conv2d):
            torch.nn.init.kaiming_normal_(module.weight, nonlinearity="relu")
        elif isinstance(module, torch.nn.BatchNorm2d):
            module.weight.copy_(1 + 0.1 * torch.randn_like(module.weight))
            module.bias.copy_(0.2 * torch.randn_like(module.bias))
            module.reset_running_stats()
            module.momentum = None  # cumulative average: one batch sets the statistics to that batch's
    if calibration is None:
        calibration = np.concatenate([smooth_images(12, 32, seed + 1), striped_images(12, 32, seed + 2)])
    images = torch.from_numpy(calibration)
    network.train()
    network(images)
    network.eval()
    pool, _ = network(images)
    torch.nn.init.normal_(network.fc.weight)
    spread = ((pool - pool.mean(0)) @ network.fc.weight.T).std()
    network.fc.weight.mul_(3.0 / spread)
    torch.nn.init.normal_(network.fc.bias, std=0.1)
    for module in network.modules():
        if isinstance(module, torch.nn.BatchNorm2d):
            module.momentum = 0.1
    return {name: tensor.clone() for name, tensor in network.state_dict().items()}


def write_random_inception_weights(path: str | Path, seed: int = 0) -> Path:
    """Write calibrated random InceptionV3 weights to `path` (a torch state dict, like torch-fidelity's file)."""
    state = random_inception_state_dict(seed)
    with atomic_path(path) as tmp:
        torch.save(state, tmp)
    return Path(path)


if __name__ == "__main__":
    import sys

    print(write_random_inception_weights(sys.argv[1] if len(sys.argv) > 1 else "random-inception.pth"))

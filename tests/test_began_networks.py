"""`began` builds Berthelot et al.'s own networks on images (issue 26), where it used to build a DCGAN-shaped pair: the
paper's architecture is what a user of a reference BEGAN expects. On mnist5k neither pair learns (tests/test_zoo.py,
NOT_LEARNING: the generator collapses onto 1s on both), but on the paper's networks it passes through more varied
shapes first"""

from __future__ import annotations

import dataclasses
import math

import pytest
import torch
from torch import nn

from ganbench.config_parsing import config_from_dict
from ganbench.data.base import DataShape
from ganbench.models.base import MODELS, build
from ganbench.models.began import BeganConfig
from ganbench.models.began_networks import BeganDecoder, BeganEncoder, scales

GREY = DataShape("image", 1, 28, 10)


def convs(module: nn.Module) -> list[tuple[int, int, int, int]]:
    """(in, out, kernel, stride) of every convolution in `module`, in order."""
    return [
        (m.in_channels, m.out_channels, m.kernel_size[0], m.stride[0])
        for m in module.modules()
        if isinstance(m, nn.Conv2d)
    ]


@pytest.mark.parametrize(
    ("resolution", "expected"), [(28, (7, 3)), (32, (8, 3)), (64, (8, 4)), (48, (12, 3)), (8, (8, 1))]
)
def test_scales_halve_to_a_base_of_at_least_seven(resolution, expected):
    base, count = scales(resolution)
    assert (base, count) == expected and base * 2 ** (count - 1) == resolution


def test_began_defaults_to_the_papers_networks_on_images():
    config = MODELS.get("began").default_config(GREY)
    assert (config.arch, config.resolved_arch(GREY)) == ("auto", "paper")
    assert (config.gamma, config.lambda_k, config.lr_g, config.lr_d, config.batch_size, config.z_dim, config.code_dim) == (
        0.5, 0.001, 1e-4, 1e-4, 16, 64, 64
    )  # fmt: skip
    generator, discriminator = build("began", GREY, config)
    assert isinstance(generator.net, BeganDecoder)
    assert isinstance(discriminator.encoder, BeganEncoder) and isinstance(discriminator.decoder, BeganDecoder)
    # decoder: linear to 7 x 7 x 64, two 3x3 ELU convs per scale, nearest-neighbour upsampling, linear 3x3 output
    decoder = discriminator.decoder
    assert (decoder.project.in_features, decoder.project.out_features) == (64, 7 * 7 * 64)
    assert convs(decoder) == [(64, 64, 3, 1)] * 6 + [(64, 1, 3, 1)]
    assert [m.mode for m in decoder.body if isinstance(m, nn.Upsample)] == ["nearest", "nearest"]
    assert sum(isinstance(m, nn.ELU) for m in decoder.body) == 6 and isinstance(decoder.body[-1], nn.Conv2d)
    # encoder: filters n, 2n, 3n over the scales, stride-2 sub-sampling between them, a linear embedding
    encoder = discriminator.encoder
    assert convs(encoder) == [
        (1, 64, 3, 1), (64, 64, 3, 1), (64, 64, 3, 1), (64, 64, 3, 2),
        (64, 128, 3, 1), (128, 128, 3, 1), (128, 128, 3, 2),
        (128, 192, 3, 1), (192, 192, 3, 1),
    ]  # fmt: skip
    assert sum(isinstance(m, nn.ELU) for m in encoder.body) == len(convs(encoder))
    assert (encoder.embed.in_features, encoder.embed.out_features) == (7 * 7 * 192, 64)
    # the generator: the decoder's shape, not its weights
    assert convs(generator.net) == convs(decoder) and generator.net is not decoder


def test_the_papers_generator_draws_uniform_noise_and_is_clipped_only_when_scored():
    generator = build("began", GREY, dataclasses.replace(MODELS.get("began").default_config(GREY), width=0.125))[0]
    z = torch.randn(5, 64, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        generator.train()
        raw = generator(z)
        assert torch.equal(raw, generator.net(torch.erf(z / math.sqrt(2.0))))
        generator.eval()
        assert torch.equal(generator(z), raw.clamp(-1, 1))
    uniform = torch.erf(torch.randn(200_000, generator=torch.Generator().manual_seed(1)) / math.sqrt(2.0))
    assert float(uniform.min()) > -1 and float(uniform.max()) < 1
    assert float(uniform.mean()) == pytest.approx(0.0, abs=0.01) and float(uniform.var()) == pytest.approx(
        1 / 3, rel=0.01
    )


@pytest.mark.parametrize(
    "shape", [DataShape("image", 3, 32, 10), DataShape("image", 3, 64), DataShape("image", 1, 8, 10)]
)
def test_the_papers_networks_fit_other_image_sizes_and_packing(shape):
    config = dataclasses.replace(MODELS.get("began").default_config(shape), width=0.125)
    for pack in (1, 2):
        generator, discriminator = build("began", shape, dataclasses.replace(config, pack=pack))
        samples = generator(torch.randn(4, config.z_dim))
        assert samples.shape == (4, shape.channels, shape.resolution, shape.resolution)
        assert discriminator(samples.detach()).shape == (4 // pack,)


def test_a_began_config_written_before_the_arch_setting_means_the_standard_networks():
    stored = dataclasses.asdict(MODELS.get("began").default_config(GREY))
    del stored["arch"]
    config = config_from_dict(BeganConfig, stored)
    assert config.resolved_arch(GREY) == "standard"
    generator, discriminator = build("began", GREY, config)
    assert not isinstance(generator.net, BeganDecoder) and not isinstance(discriminator.encoder, BeganEncoder)


def test_the_papers_networks_on_points_are_refused_in_one_sentence():
    points = DataShape("points", 2)
    config = dataclasses.replace(MODELS.get("began").default_config(points), arch="paper")
    assert "use arch=standard" in config.unsupported(points)
    assert MODELS.get("began").default_config(points).resolved_arch(points) == "standard"
    assert MODELS.get("began").default_config(points).unsupported(points) is None

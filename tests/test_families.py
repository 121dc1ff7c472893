"""The mode-collapse families: packing, the simultaneous update, the Unrolled GAN's functional Adam and its second
order gradient, ALI's pair, the authors' 2-D networks and defaults, and the datasets' scales."""

from __future__ import annotations

import copy
import dataclasses
import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from ganbench.data.base import DATASETS, ArraySplit, DataConfig, DataShape
from ganbench.errors import GanbenchError
from ganbench.models import unrolled
from ganbench.models.base import MODELS, build, build_pair
from ganbench.models.checkpoint_generator import load_generator
from ganbench.models.losses import cross_entropy_d_loss, non_saturating_g_loss
from ganbench.models.packing import PackedDiscriminator, generate_packed
from ganbench.models.points import ScaledDiscriminator, relu_mlp, toy_networks
from ganbench.models.simultaneous import simultaneous_step
from ganbench.models.step import Batch, GanModules, Objective, StepNoise, gradient_penalty
from ganbench.train.config import RunConfig
from ganbench.train.loop import train

pytestmark = pytest.mark.usefixtures("one_thread")
POINTS = DataShape("points", 2, 0, 8, 1.5)


class Linear(nn.Module):
    """A discriminator whose output is a fixed linear function of its (flattened) input."""

    def __init__(self, weights: torch.Tensor) -> None:
        super().__init__()
        self.w = nn.Parameter(weights.clone())

    def forward(self, x, labels=None):
        return x.flatten(1) @ self.w


def test_a_pack_is_consecutive_samples_concatenated_along_features_and_channels():
    x = torch.arange(12.0).view(6, 2)
    packed = PackedDiscriminator(Linear(torch.arange(6.0)), 3)
    expected = torch.stack([x[0:3].flatten() @ torch.arange(6.0), x[3:6].flatten() @ torch.arange(6.0)])
    assert torch.equal(packed(x), expected)

    images = torch.randn(4, 3, 2, 2)  # 2 packs of 2 images: channels j*3 + k come from image j of the pack
    inner = Linear(torch.randn(6 * 4))
    flat = torch.cat([images[0], images[1]], dim=0).flatten() @ inner.w
    assert torch.allclose(PackedDiscriminator(inner, 2)(images)[0], flat)
    with pytest.raises(GanbenchError, match="multiple of 3"):
        packed(x[:5])


def test_the_generator_runs_once_per_slot_and_packs_interleave_the_slots():
    calls = []

    def generator(z, labels=None):
        calls.append(len(z))
        return z * 10

    z = torch.arange(6.0).view(6, 1)  # 3 slots of 2 rows
    out = generate_packed(generator, z, None, 3)
    assert calls == [2, 2, 2]
    # pack 0 = row 0 of slots 0, 1, 2 = z rows 0, 2, 4
    assert out.flatten().tolist() == [0, 20, 40, 10, 30, 50]


def test_packing_keeps_the_generator_and_widens_only_the_discriminator():
    torch.manual_seed(3)
    g1, d1 = build("gan", POINTS)
    torch.manual_seed(3)
    g4, d4 = build("pacgan4", POINTS)
    assert all(torch.equal(a, b) for a, b in zip(g1.state_dict().values(), g4.state_dict().values(), strict=True))
    assert d1.features[0].linear.in_features == 2 and d4.inner.features[0].linear.in_features == 8
    assert MODELS.get("pacgan3").default_config(POINTS).pack == 3
    assert MODELS.get("pacdcgan2").default_config(DataShape("image", 3, 28)).pack == 2


def test_packing_is_refused_where_it_is_undefined():
    shape = DataShape("points", 2, 0, 3)
    with pytest.raises(GanbenchError, match="cannot use packing"):
        build_pair(MODELS.get("cgan"), shape, dataclasses.replace(MODELS.get("cgan").default_config(shape), pack=2))
    with pytest.raises(GanbenchError, match="cannot use packing"):
        build_pair(MODELS.get("ali"), shape, dataclasses.replace(MODELS.get("ali").default_config(shape), pack=2))
    with pytest.raises(GanbenchError, match="pack must be at least 1"):
        MODELS.get("gan").check_config(dataclasses.replace(MODELS.get("gan").default_config(shape), pack=0))


def test_packed_gradient_penalty_takes_one_weight_and_one_norm_per_pack():
    torch.manual_seed(0)
    d = PackedDiscriminator(ScaledDiscriminator(relu_mlp(4, 8, 2, 1), 1.0), 2)
    real, fake = torch.randn(6, 2), torch.randn(6, 2)
    noise = StepNoise(0, torch.device("cpu"))
    got = gradient_penalty(d, Batch(real), fake, None, noise)

    alpha = StepNoise(0, torch.device("cpu")).uniform(3).repeat_interleave(2).view(-1, 1)
    mixed = (alpha * real + (1 - alpha) * fake).requires_grad_(True)
    (grad,) = torch.autograd.grad(d(mixed).sum(), mixed)
    expected = ((grad.view(3, 4).norm(dim=1) - 1) ** 2).mean()
    assert torch.allclose(got, expected)


def test_standardised_critic_is_penalised_in_standardised_units_as_gan_toy():
    torch.manual_seed(1)
    net = relu_mlp(2, 16, 3, 1)
    scale = 2.828
    real, fake = torch.randn(8, 2) * scale, torch.randn(8, 2) * scale
    scaled = gradient_penalty(ScaledDiscriminator(net, scale), Batch(real), fake, None, StepNoise(0, torch.device("cpu")))
    plain = gradient_penalty(
        ScaledDiscriminator(net, 1.0), Batch(real / scale), fake / scale, None, StepNoise(0, torch.device("cpu"))
    )
    assert torch.allclose(scaled, plain, rtol=1e-5)


def test_toy_networks_follow_tflib_init_and_scale_their_ends():
    torch.manual_seed(0)
    g, d = toy_networks(2, 2, 1.0, 4.0)
    first, out = g.net[0], g.net[-1]
    assert first.weight.abs().max() <= math.sqrt(3) * math.sqrt(2 / 2) and first.weight.abs().max() > 1.5
    assert out.weight.abs().max() <= math.sqrt(3) * math.sqrt(2 / 514)
    z = torch.randn(5, 2)
    assert torch.allclose(g(z), g.net(z) * 4.0)
    x = torch.randn(5, 2)
    assert torch.allclose(d(x), d.net(x / 4.0).squeeze(1))


def test_simultaneous_step_updates_both_networks_from_the_old_parameters():
    torch.manual_seed(0)
    g, d = build("gan", POINTS, dataclasses.replace(MODELS.get("gan").default_config(POINTS), width=0.05))
    g_opt, d_opt = torch.optim.SGD(g.parameters(), lr=0.1), torch.optim.SGD(d.parameters(), lr=0.1)
    real = torch.randn(16, 2)
    g_old, d_old = copy.deepcopy(g), copy.deepcopy(d)
    simultaneous_step(GanModules(g, d, g_opt, d_opt), Batch(real), StepNoise(5, torch.device("cpu")),
                      Objective(cross_entropy_d_loss, non_saturating_g_loss), 2, False)

    z = StepNoise(5, torch.device("cpu")).normal(16, 2)
    fake = g_old(z)
    real_logits, fake_logits = d_old(real), d_old(fake)
    d_grads = torch.autograd.grad(cross_entropy_d_loss(real_logits, fake_logits), list(d_old.parameters()), retain_graph=True)
    g_grads = torch.autograd.grad(non_saturating_g_loss(fake_logits), list(g_old.parameters()))
    for new, old, grad in zip(d.parameters(), d_old.parameters(), d_grads, strict=True):
        assert torch.allclose(new, old - 0.1 * grad, atol=1e-6)
    for new, old, grad in zip(g.parameters(), g_old.parameters(), g_grads, strict=True):
        assert torch.allclose(new, old - 0.1 * grad, atol=1e-6)


def test_functional_adam_matches_torch_adam():
    torch.manual_seed(0)
    param = nn.Parameter(torch.randn(5))
    optimizer = torch.optim.Adam([param], lr=0.01, betas=(0.5, 0.99))
    params, moments = {"p": param.detach().clone()}, {"p": (0.0, torch.zeros(5), torch.zeros(5))}
    for _ in range(3):
        grad = torch.randn(5)
        param.grad = grad.clone()
        optimizer.step()
        params, moments = unrolled.adam_update(params, {"p": grad}, moments, optimizer.param_groups[0])
    state = optimizer.state[param]
    assert torch.allclose(params["p"], param.detach(), atol=1e-6)
    assert torch.allclose(moments["p"][1], state["exp_avg"]) and torch.allclose(moments["p"][2], state["exp_avg_sq"])
    assert unrolled.adam_moments(optimizer, {"p": param})["p"][0] == 3.0


def _tiny_unrolled(k: int):
    torch.manual_seed(0)
    d = nn.Sequential(nn.Linear(2, 4), nn.Tanh(), nn.Linear(4, 1), nn.Flatten(0)).double()
    d_opt = torch.optim.Adam(d.parameters(), lr=0.05, betas=(0.5, 0.999))
    d_opt.zero_grad()
    cross_entropy_d_loss(d(torch.randn(4, 2).double()), d(torch.randn(4, 2).double())).backward()
    d_opt.step()  # non-trivial moments to start the unroll from
    config = dataclasses.replace(unrolled.UnrolledConfig(), unroll_steps=k)
    return d, d_opt, config


def test_unrolled_loss_is_the_loss_after_k_real_adam_steps():
    d, d_opt, config = _tiny_unrolled(3)
    real, fake = torch.randn(6, 2).double(), torch.randn(6, 2).double()
    got = unrolled.unrolled_generator_loss(d, d_opt, real, fake, config)
    copy_d = copy.deepcopy(d)
    copy_opt = torch.optim.Adam(copy_d.parameters(), lr=0.05, betas=(0.5, 0.999))
    copy_opt.load_state_dict(d_opt.state_dict())
    for _ in range(3):
        copy_opt.zero_grad()
        cross_entropy_d_loss(copy_d(real), copy_d(fake)).backward()
        copy_opt.step()
    assert torch.allclose(got, non_saturating_g_loss(copy_d(fake)), atol=1e-6)
    assert all(torch.equal(a, b) for a, b in zip(d.state_dict().values(), _tiny_unrolled(3)[0].state_dict().values(),
                                                 strict=True))  # the real network is untouched


def test_unrolled_gradient_flows_through_the_unrolled_updates():
    d, d_opt, config = _tiny_unrolled(2)
    real = torch.randn(5, 2).double()
    fake = torch.randn(5, 2).double().requires_grad_(True)
    assert torch.autograd.gradcheck(lambda f: unrolled.unrolled_generator_loss(d, d_opt, real, f, config), (fake,))
    first_order = dataclasses.replace(config, unroll_steps=0)
    (g2,) = torch.autograd.grad(unrolled.unrolled_generator_loss(d, d_opt, real, fake, config), fake)
    (g0,) = torch.autograd.grad(unrolled.unrolled_generator_loss(d, d_opt, real, fake, first_order), fake)
    assert not torch.allclose(g2, g0)


def test_ali_keeps_its_encoder_in_the_generator_checkpoint(tmp_path):
    data = ArraySplit(np.random.default_rng(0).normal(size=(64, 2)).astype(np.float32))
    config = dataclasses.replace(MODELS.get("ali").default_config(POINTS), steps=2, batch_size=8, width=0.05)
    run = RunConfig(seed=0, device="cpu", progress=False, tensorboard=False, checkpoint_every=2)
    assert train("ali", config, run, data, tmp_path).status == "ok"
    generator = load_generator(tmp_path)
    assert any(name.startswith("encoder.") for name in generator.state_dict())
    codes = generator.encode(torch.randn(3, 2), torch.randn(3, 2))
    assert codes.shape == (3, config.z_dim) and generator(torch.randn(3, config.z_dim)).shape == (3, 2)


def test_two_d_defaults_are_the_authors_own():
    gan_config = MODELS.get("gan").default_config(POINTS)
    assert (gan_config.batch_size, gan_config.lr_g, gan_config.beta1, gan_config.z_dim) == (100, 1e-4, 0.8, 2)
    assert gan_config.simultaneous and not MODELS.get("gan").default_config(DataShape("image", 1, 28)).simultaneous
    g, d = build("gan", POINTS)
    assert [m.out_features for m in g.modules() if isinstance(m, nn.Linear)] == [400] * 4 + [2]
    # the parameter counts of PacGAN's Blocks networks (batch-norm gains and shifts included)
    assert sum(p.numel() for p in g.parameters()) == 484_802
    assert sum(p.numel() for p in d.parameters()) == 405_201
    assert sum(p.numel() for p in build("pacgan4", POINTS)[1].parameters()) == 411_201
    assert [m.units * m.pieces for m in d.features] == [1000] * 3

    toy = MODELS.get("wgan_gp").default_config(POINTS)
    assert (toy.gp_weight, toy.n_critic, toy.beta1, toy.beta2, toy.batch_size, toy.standardize) == (
        0.1, 5, 0.5, 0.9, 256, True,
    )
    assert build("wgan_gp", POINTS)[0].scale == 1.5  # the data's std from the shape
    demo = MODELS.get("unrolled").default_config(POINTS)
    assert (demo.z_dim, demo.batch_size, demo.lr_g, demo.lr_d, demo.unroll_steps, demo.saturating) == (
        256, 512, 1e-3, 1e-4, 5, True,
    )
    assert MODELS.get("unrolled10").default_config(POINTS).unroll_steps == 10


def test_point_sets_at_the_papers_scales():
    def load(name):
        split = DATASETS.get(name).load("train", DataConfig())
        return split, DataShape.of(split.data, split.labels), DATASETS.get(name).info

    ring, ring_shape, ring_info = load("ring8")
    small, small_shape, small_info = load("ring8_r1")
    grid, grid_shape, _ = load("grid25")
    assert np.allclose(ring_info.modes, 2 * small_info.modes) and ring_info.mode_std == 2 * small_info.mode_std
    assert len(small) == 100_000 and np.allclose(np.linalg.norm(small_info.modes, axis=1), 1.0)
    # gan_toy.py divides its rings by 1.414 and its grid by 2.828 "(stdev)"
    assert abs(ring_shape.scale / 1.414 - 1) < 1e-3 and abs(grid_shape.scale / 2.828 - 1) < 1e-3
    assert abs(small_shape.scale - ring_shape.scale / 2) < 1e-3


def test_loss_helpers_are_the_cross_entropies():
    real, fake = torch.tensor([2.0, -1.0]), torch.tensor([0.5, -3.0])
    expected = -(torch.log(torch.sigmoid(real)).mean() + torch.log(1 - torch.sigmoid(fake)).mean())
    assert torch.allclose(cross_entropy_d_loss(real, fake), expected)
    assert torch.allclose(non_saturating_g_loss(fake), -torch.log(torch.sigmoid(fake)).mean())
    assert torch.allclose(F.softplus(-fake).mean(), non_saturating_g_loss(fake))

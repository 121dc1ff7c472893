"""VEEGAN (`veegan`, and its Table 1 baselines `veegan_gan`, `veegan_ali`): the notebook's networks and settings,
its losses in closed form and against a transcription of the notebook's TensorFlow formulas, gradients that reach
only the networks Algorithm 1 says, bit-identical resume, and the suites of VEEGAN Table 1."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
import torch
from torch import nn

from ganbench.checkpoint import list_checkpoints, read_checkpoint
from ganbench.data.base import ArraySplit, DataShape
from ganbench.errors import GanbenchError
from ganbench.models import veegan
from ganbench.models.base import MODELS, build
from ganbench.suites.base import SUITES, deviations
from ganbench.train.config import RunConfig
from ganbench.train.loop import train

pytestmark = pytest.mark.usefixtures("one_thread")

POINTS = DataShape("points", 2, 0)
VARIANTS = ("veegan", "veegan_gan", "veegan_ali")


def linear_sizes(network: nn.Module) -> list[tuple[int, int]]:
    return [(m.in_features, m.out_features) for m in network.modules() if isinstance(m, nn.Linear)]


def test_defaults_and_networks_are_the_notebooks():
    config = MODELS.get("veegan").default_config(POINTS)
    assert (config.z_dim, config.eps_dim, config.batch_size, config.steps) == (254, 1, 500, 100_000)
    assert (config.lr_g, config.lr_d, config.beta1, config.beta2, config.objective) == (1e-3, 1e-3, 0.5, 0.999, "veegan")
    g, d = build("veegan", POINTS)
    assert g.z_dim == 255 and g.noise_dim == 254  # 254 reconstructed noise dims + 1 extra input
    assert linear_sizes(g.generator) == [(255, 128), (128, 128), (128, 2)]
    assert linear_sizes(g.reconstructor) == [(2, 128), (128, 128), (128, 254)]
    assert linear_sizes(d) == [(256, 128), (128, 1)]  # ONE hidden layer, as data_network builds it
    assert sum(p.numel() for p in g.parameters()) == 49_538 + 49_662 and sum(p.numel() for p in d.parameters()) == 33_025
    # slim.fully_connected: Glorot-uniform weights, zero biases
    first = g.generator[0]
    bound = math.sqrt(6 / (255 + 128))
    assert first.weight.abs().max() <= bound and first.weight.abs().max() > 0.9 * bound and not first.bias.any()
    gan_g, gan_d = build("veegan_gan", POINTS)
    assert gan_g.reconstructor is None and linear_sizes(gan_d) == [(2, 128), (128, 1)]
    assert MODELS.get("veegan_ali").default_config(POINTS).objective == "ali"


def test_images_and_bad_settings_are_refused_in_one_sentence():
    config = MODELS.get("veegan").default_config(DataShape("image", 1, 28))
    assert "2-D points only" in config.unsupported(DataShape("image", 1, 28))
    with pytest.raises(GanbenchError, match="objective must be one of"):
        dataclasses.replace(MODELS.get("veegan").default_config(POINTS), objective="wgan").validate()
    with pytest.raises(GanbenchError, match="stands for objective='gan'"):
        MODELS.get("veegan_gan").check_config(MODELS.get("veegan").default_config(POINTS))


def constant_networks(objective: str, d_bias: float, f_bias: list[float]):
    """Tiny networks whose weights are all zero: D's logit is `d_bias`, F's output the constant `f_bias`."""
    config = dataclasses.replace(MODELS.get("veegan").default_config(POINTS), z_dim=2, eps_dim=1, objective=objective)
    g, d = veegan.build_networks(POINTS, config)
    with torch.no_grad():
        for network in (g.generator, g.reconstructor, d.net) if g.reconstructor is not None else (g.generator, d.net):
            for p in network.parameters():
                p.zero_()
        d.net[-1].bias.fill_(d_bias)
        if g.reconstructor is not None:
            g.reconstructor[-1].bias.copy_(torch.tensor(f_bias))
    return g, d


def test_losses_in_closed_form():
    # all weights 0: every logit is b and F(anything) = c, so the losses are functions of b, c and z alone
    b, c = 0.7, [0.5, -1.0]
    z = torch.tensor([[1.0, 2.0, 9.0], [-1.0, 0.0, 9.0]])  # the last column is eps: never reconstructed
    x, z_eps = torch.zeros(2, 2), torch.zeros(2, 2)
    softplus = lambda t: math.log1p(math.exp(t))  # noqa: E731
    # ||z - c||^2 per row: (0.5^2 + 3^2) = 9.25 and (1.5^2 + 1^2) = 3.25, mean / 2 = 3.125
    reconstruction = 3.125 + math.log(2 * math.pi)  # + K/2 log 2 pi with K = 2
    d_loss, g_loss = veegan.losses(*constant_networks("veegan", b, c), x, z, z_eps, "veegan")
    assert d_loss.item() == pytest.approx(softplus(-b) + softplus(b), abs=1e-6)
    assert g_loss.item() == pytest.approx(b + reconstruction, abs=1e-5)
    d_loss, g_loss = veegan.losses(*constant_networks("ali", b, c), x, z, z_eps, "ali")
    assert d_loss.item() == pytest.approx(softplus(-b) + softplus(b), abs=1e-6)
    assert g_loss.item() == pytest.approx(softplus(b) + softplus(-b), abs=1e-6)
    d_loss, g_loss = veegan.losses(*constant_networks("gan", b, c), x, z, None, "gan")
    assert (d_loss.item(), g_loss.item()) == pytest.approx((softplus(-b) + softplus(b), softplus(-b)), abs=1e-6)


def tf_sigmoid_ce(logits: np.ndarray, labels: float) -> np.ndarray:
    """tf.nn.sigmoid_cross_entropy_with_logits as TensorFlow documents its stable form."""
    return np.maximum(logits, 0) - logits * labels + np.log1p(np.exp(-np.abs(logits)))


def numpy_mlp(network: nn.Sequential, h: np.ndarray) -> np.ndarray:
    linears = [m for m in network if isinstance(m, nn.Linear)]
    for index, layer in enumerate(linears):
        h = h @ layer.weight.detach().double().numpy().T + layer.bias.detach().double().numpy()
        h = np.maximum(h, 0) if index < len(linears) - 1 else h
    return h


def test_losses_match_a_transcription_of_the_notebook():
    torch.manual_seed(0)
    config = dataclasses.replace(MODELS.get("veegan").default_config(POINTS), z_dim=6, eps_dim=1, width=0.25)
    g, d = veegan.build_networks(POINTS, config)
    x, z, z_eps = torch.randn(5, 2), torch.randn(5, 7), torch.randn(5, 6)
    d_loss, g_loss = veegan.losses(g, d, x, z, z_eps, "veegan")
    xn, zn, en = (t.double().numpy() for t in (x, z, z_eps))
    noise = zn[:, :6]
    q_z = numpy_mlp(g.generator, zn)  # inference_network(x=noise, eps): the generated points
    p_x = numpy_mlp(g.reconstructor, xn) + en  # the StochasticTensor's sample of N(F(p_z), 1) at the data
    log_d_prior = numpy_mlp(d.net, np.concatenate([p_x, xn], 1))[:, 0]  # data_network(p_x, p_z)
    log_d_posterior = numpy_mlp(d.net, np.concatenate([noise, q_z], 1))[:, 0]  # data_network(x, q_z)
    disc = np.mean(tf_sigmoid_ce(log_d_posterior, 1.0) + tf_sigmoid_ce(log_d_prior, 0.0))
    mean = numpy_mlp(g.reconstructor, q_z)  # graph_replace(p_z -> q_z)
    recon_likelihood = np.sum(-0.5 * (noise - mean) ** 2 - 0.5 * np.log(2 * np.pi), 1)
    gen = np.mean(log_d_posterior) - np.mean(recon_likelihood)
    assert d_loss.item() == pytest.approx(disc, rel=1e-5) and g_loss.item() == pytest.approx(gen, rel=1e-5)


def test_the_reconstructor_learns_only_from_the_reconstruction_cost():
    # Algorithm 1 line 9: g_theta is the gradient of the reconstruction term alone
    torch.manual_seed(1)
    config = dataclasses.replace(MODELS.get("veegan").default_config(POINTS), z_dim=4, width=0.25)
    g, d = veegan.build_networks(POINTS, config)
    x, z, z_eps = torch.randn(6, 2), torch.randn(6, 5), torch.randn(6, 4)
    d_loss, g_loss = veegan.losses(g, d, x, z, z_eps, "veegan")
    f_params = list(g.reconstructor.parameters())
    got = torch.autograd.grad(g_loss, f_params, retain_graph=True)
    fake = g(z).detach()
    want = torch.autograd.grad(veegan.reconstruction_cost(z[:, :4], g.reconstruct(fake)), f_params)
    assert all(torch.allclose(a, b) for a, b in zip(got, want, strict=True))
    # the data's codes z_g ~ N(F(x), I) feed the discriminator's loss only: F gets nothing from it
    assert all(grad is None for grad in torch.autograd.grad(d_loss, f_params, allow_unused=True))


@pytest.mark.parametrize("family", VARIANTS)
def test_resume_is_bit_identical_to_an_uninterrupted_run(family, tmp_path):
    data = ArraySplit(np.random.default_rng(1).normal(size=(40, 2)).astype(np.float32))
    config = dataclasses.replace(
        MODELS.get(family).default_config(POINTS), steps=6, batch_size=8, z_dim=6, width=0.125, ema=0.9
    )
    run = RunConfig(seed=7, device="cpu", progress=False, tensorboard=False, checkpoint_every=3, log_every=2)
    train(family, config, run, data, tmp_path / "whole")
    train(family, dataclasses.replace(config, steps=4), run, data, tmp_path / "resumed")
    for step, sidecar in list_checkpoints(tmp_path / "resumed"):
        if step == 4:
            sidecar.unlink()
    assert train(family, config, run, data, tmp_path / "resumed").step == 6
    whole, resumed = read_checkpoint(tmp_path / "whole").tensors, read_checkpoint(tmp_path / "resumed").tensors
    assert whole.keys() == resumed.keys() and all(torch.equal(whole[k], resumed[k]) for k in whole)
    assert (tmp_path / "whole" / "losses.csv").read_text() == (tmp_path / "resumed" / "losses.csv").read_text()


#: VEEGAN Table 1 as printed (akashgit/VEEGAN tab.png): (modes, % high-quality samples) per row and column.
TABLE_1 = {
    "veegan-ring": {"GAN": (1, 99.3), "ALI": (2.8, 0.13), "Unrolled GAN": (7.6, 35.6), "VEEGAN": (8, 52.9)},
    "veegan-grid": {"GAN": (3.3, 0.5), "ALI": (15.8, 1.6), "Unrolled GAN": (23.6, 16), "VEEGAN": (24.6, 40)},
}


@pytest.mark.parametrize("name", sorted(TABLE_1))
def test_suites_hold_table_1_and_pin_each_rows_own_settings(name):
    suite = SUITES.get(name)
    rows = {row.label: (row.values["modes_covered"][0], row.values["high_quality_fraction"][0]) for row in suite.published}
    assert rows == TABLE_1[name]
    assert (suite.trials, suite.n_generated, dict(suite.metric_settings)) == (5, 2_500, {"mode_quality_stds": 3.0, "mode_min_count": 1})
    for model in suite.models:
        # every pinned setting is the family's own default for points: each row runs as its source did
        assert deviations(model.settings, dataclasses.asdict(MODELS.get(model.name).default_config(POINTS))) == {}
    assert {claim.worse for claim in suite.claims} == {"veegan_gan"}


def test_the_mode_rule_is_the_notebooks():
    # the notebook's 'Evaluation' cell: nearest of the 25 grid means, high quality when sqrt(distance) <= 0.15 (= 3 x 0.05)
    from ganbench.data.base import DATASETS
    from ganbench.metrics.modes import count_point_modes

    info = DATASETS.get("grid25").info
    points = np.array([[4.0, 4.149], [4.0, -4.151], [0.0, 0.0], [0.07, 0.07], [1.0, 1.0]])
    counts = count_point_modes(points, info.modes, info.mode_std, quality_stds=3.0, min_count=1)
    assert counts.high_quality.tolist() == [True, False, True, True, False]
    assert counts.modes_covered == 2 and counts.high_quality_fraction == pytest.approx(0.6)

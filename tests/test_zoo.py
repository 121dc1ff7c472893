"""The lectures' zoo beyond the seven GANs: f-GAN divergences, EBGAN, BEGAN, InfoGAN, VAE and VAE-GAN pieces
against closed forms and planted cases; family variants and extra networks."""

from __future__ import annotations

import csv
import dataclasses
import math

import numpy as np
import pytest
import torch

from ganbench.config_parsing import apply_overrides
from ganbench.data.base import ArraySplit, DataShape
from ganbench.errors import GanbenchError
from ganbench.models import began, ebgan, infogan, vae, vaegan
from ganbench.models.aux_blocks import uniform_codes
from ganbench.models.base import MODELS
from ganbench.models.fgan import DIVERGENCES, objective
from ganbench.models.step import StepNoise
from ganbench.train.config import RunConfig
from ganbench.train.loop import train

pytestmark = pytest.mark.usefixtures("one_thread")
D = torch.float64

#: v = g_f^{-1}(t): the raw output that the activation maps to t.
INVERSE_ACTIVATION = {
    "kl": lambda t: t,
    "rkl": lambda t: -torch.log(-t),
    "js": lambda t: -torch.log(torch.exp(math.log(2) - t) - 1),
    "pearson": lambda t: t,
    "hellinger": lambda t: -torch.log(1 - t),
    "tv": lambda t: torch.atanh(2 * t),
}


@pytest.mark.parametrize("name", sorted(DIVERGENCES))
def test_conjugate_of_activation_is_the_composition_and_the_fenchel_conjugate(name):
    row = DIVERGENCES[name]
    v = torch.linspace(-3, 3, 61, dtype=D)
    t = row.activation(v)
    assert torch.allclose(row.conjugate_of_activation(v), row.conjugate(t), rtol=1e-9, atol=1e-12)
    # f*(t) = sup_u u t - f(u), by brute force over a fine grid of u; as in the paper's table, the polynomial
    # f of Pearson chi-square and TV is taken on the whole line (else f* of Pearson would be -1 below t = -2)
    u = torch.logspace(-6, 4, 400_001, dtype=D)
    if name in ("pearson", "tv"):
        u = torch.cat([-u.flip(0), u])
    for value in t[::6]:
        brute = (u * value - row.f(u)).max()
        assert float(row.conjugate(value)) == pytest.approx(float(brute), abs=2e-4), (name, float(value))


@pytest.mark.parametrize("name", sorted(DIVERGENCES))
def test_discriminator_loss_at_the_optimal_critic_is_minus_the_divergence(name):
    # P and Q on three atoms, as exactly weighted samples; the optimal T is f'(p/q) (Nowozin et al., eq. 5)
    p, q = torch.tensor([0.5, 0.3, 0.2], dtype=D), torch.tensor([0.2, 0.2, 0.6], dtype=D)
    row = DIVERGENCES[name]
    divergence = float((q * row.f(p / q)).sum())
    t = row.derivative(p / q)
    if name == "tv":  # T* = +-1/2 sits on the boundary of 1/2 tanh: approach it
        t = t * (1 - 1e-9)
    v = INVERSE_ACTIVATION[name](t)
    real, fake = v.repeat_interleave((p * 100).round().long()), v.repeat_interleave((q * 100).round().long())
    loss = objective(name).d_loss(real, fake)
    assert -float(loss) == pytest.approx(divergence, rel=1e-6, abs=1e-8)
    # any other critic gives a smaller bound
    worse = objective(name).d_loss(real + 0.3, fake + 0.3)
    assert -float(worse) < divergence


#: Nowozin et al. 2016, Table 6 (and Table 2), transcribed independently of ganbench.models.fgan: the output
#: activation g_f(v) and the conjugate f*(t) of each divergence the benchmark registers.
TABLE_6 = {
    "kl": (lambda v: v, lambda t: torch.exp(t - 1)),
    "rkl": (lambda v: -torch.exp(-v), lambda t: -1 - torch.log(-t)),
    "pearson": (lambda v: v, lambda t: 0.25 * t**2 + t),
    "hellinger": (lambda v: 1 - torch.exp(-v), lambda t: t / (1 - t)),
    "js": (lambda v: math.log(2) - torch.log(1 + torch.exp(-v)), lambda t: -torch.log(2 - torch.exp(t))),
    "tv": (lambda v: 0.5 * torch.tanh(v), lambda t: t),
}


@pytest.mark.parametrize("name", sorted(DIVERGENCES))
def test_activation_and_conjugate_are_nowozin_table_6(name):
    """The registered rows are the paper's, read from Table 6 (the audit of issue 26: no row is wrong)."""
    activation, conjugate = TABLE_6[name]
    row = DIVERGENCES[name]
    v = torch.linspace(-4, 4, 81, dtype=D)
    assert torch.allclose(row.activation(v), activation(v), rtol=1e-12, atol=1e-12)
    assert torch.allclose(row.conjugate_of_activation(v), conjugate(activation(v)), rtol=1e-9, atol=1e-12)


def test_kl_is_the_only_divergence_whose_critic_runs_away_on_real_samples():
    """Why fgan_kl did not learn on mnist5k with DCGAN's conv pair (issue 26). The critic maximises E_P[g_f(v)] - E_Q[f*(g_f(v))]. For KL
    (Table 6: g_f(v) = v, f*(g_f(v)) = exp(v - 1)) the reward on real samples is unbounded while the penalty on
    samples vanishes, with its slope, as the critic rejects them: once data and samples are apart, as early in
    training, nothing anchors the critic's output and it runs away. Pearson chi-square also rewards v without bound
    but its penalty v^2/4 + v holds rejected samples at v = -2; the other rows cap the reward (log 2, 0, 1, 1/2).
    Measured at width 0.25, seed 0: fgan_kl's d_loss falls linearly to -64 by step 360, then blows up to +3,800
    through exp(v - 1) once samples reach the high-v region, and the generator ends on one confident digit; FID
    1707 / 3296 / 3833 at 400 / 800 / 1,600 steps against 2168 untrained, worse with training. (fgan_pearson,
    FID 1217 at 400 steps, reaches 655 at 800: too few steps, not a runaway.) On the paper's own MNIST networks
    (fully connected, ELU critic without normalisation; the family's default on 28x28 grey images since) the same
    objective learns: FID 964 at 2,000 steps, 440 at 6,000 (test_zoo_family_learns_mnist5k[fgan_kl])."""
    v = torch.tensor([1.0, 10.0, 100.0, 1000.0], dtype=D)
    caps = {"rkl": 0.0, "js": math.log(2), "hellinger": 1.0, "tv": 0.5}
    rejected = torch.tensor([-10.0, -30.0], dtype=D, requires_grad=True)
    for name, row in DIVERGENCES.items():
        reward = row.activation(v)
        penalty = row.conjugate_of_activation(rejected)
        (slope,) = torch.autograd.grad(penalty.sum(), rejected)
        if name in ("kl", "pearson"):
            assert torch.equal(reward, v), name  # unbounded reward on real samples
        else:
            assert float(reward.max()) <= caps[name] + 1e-12 and float(reward[-1]) == pytest.approx(caps[name]), name
        if name == "kl":  # the penalty and its pull on rejected samples vanish
            assert float(penalty.detach().abs().max()) < 2e-5 and float(slope.abs().max()) < 2e-5
        if name == "pearson":  # rejected samples are pulled back towards v = -2
            assert torch.allclose(slope, rejected.detach() / 2 + 1)


def test_total_variation_is_the_only_divergence_whose_generator_gradient_vanishes():
    """Why fgan_tv does not learn (issue 26): the generator minimises -g_f(v) on its samples. Once the critic
    rejects them (v << 0) the slope of g_f is at least 1/2 for every divergence but total variation, whose bounded
    1/2 tanh saturates: 1/2 sech^2(v), 2e-8 at v = -10. Measured: fgan_tv's d_loss reaches -0.999 (the bound's
    maximum, -1) by step 100 and g_loss stays at 0.4999; FID 2123 / 2112 / 2102 at 400 / 800 / 1,600 steps against
    2168 untrained. The paper's alternative generator objective (maximise E_Q[g_f(v)], its Section 3.2) is
    the same function for TV (f*(t) = t), so no choice the paper offers avoids it."""
    v = torch.tensor([-1.0, -3.0, -10.0], dtype=D, requires_grad=True)
    for name, row in DIVERGENCES.items():
        (slope,) = torch.autograd.grad(row.activation(v).sum(), v)
        if name == "tv":
            assert torch.allclose(slope, 0.5 / torch.cosh(v.detach()) ** 2)
            assert float(slope[-1]) < 1e-7
            assert torch.allclose(row.conjugate(row.activation(v)), row.activation(v))  # minimax G loss is the same
        else:
            assert bool((slope >= 0.5).all()), name


@pytest.mark.slow
def test_total_variation_saturates_its_critic_on_the_ring_too(tmp_path):
    """fgan_tv's saturation is not a property of images: on the 2-D ring (ring8_r1, the family's 2-D defaults, seed
    0) its critic output T = 1/2 tanh(v) sits on the lower bound for real and generated points alike within 1,000
    steps (the generator's -E_Q[T] at +1/2, d_loss near 0), and no sample lands on a mode. Measured: 0.0% high
    quality at 2,000 / 5,000 / 10,000 steps (0 modes), g_loss 0.49999997 at step 10,000; 18 s CPU to 1,000 steps."""
    import pandas as pd

    from ganbench.data.base import DATASETS, DataConfig
    from ganbench.data.sampling import generate
    from ganbench.metrics.modes import count_point_modes
    from ganbench.models.checkpoint_generator import load_generator

    spec = DATASETS.get("ring8_r1")
    data = spec.load("train", DataConfig())
    shape = DataShape.of(data.data, data.labels)
    config = dataclasses.replace(MODELS.get("fgan_tv").default_config(shape), steps=1000)
    run = RunConfig(seed=0, device="cpu", progress=False, tensorboard=False, checkpoint_every=1000)
    assert train("fgan_tv", config, run, data, tmp_path).status == "ok"
    last = pd.read_csv(tmp_path / "losses.csv").tail(20)
    assert bool((last["g_loss"] > 0.4995).all())  # E_Q[T] within 1e-3 of the lower bound -1/2
    assert bool((last["d_loss"].abs() < 2e-3).all())  # E_P[T] on the same bound
    with torch.no_grad():
        points = generate(load_generator(tmp_path), 2500, seed=0).numpy()
    assert count_point_modes(points, spec.info.modes, spec.info.mode_std).high_quality_fraction < 0.005


def test_fgan_variants_fix_their_divergence():
    shape = DataShape("image", 1, 28)
    assert {f"fgan_{k}" for k in DIVERGENCES} <= set(MODELS.names())
    for name in DIVERGENCES:
        family = MODELS.get(f"fgan_{name}")
        assert family.default_config(shape).divergence == name and f"divergence={name!r}" in family.paper
    family = MODELS.get("fgan_rkl")
    changed = apply_overrides(family.default_config(shape), {"divergence": "kl"})
    with pytest.raises(GanbenchError, match="stands for divergence='rkl'.*use model 'fgan_kl'"):
        family.check_config(changed)
    data = ArraySplit(np.random.default_rng(0).normal(size=(32, 2)).astype(np.float32))
    with pytest.raises(GanbenchError, match="fgan_kl"):
        train("fgan_rkl", changed, RunConfig(device="cpu", progress=False, tensorboard=False), data, "unused")
    with pytest.raises(ValueError, match="does not have"):
        family.variant("bad", nonsense=1)


def test_pulling_away_term_closed_forms():
    eye = torch.eye(4)
    assert float(ebgan.pulling_away(eye)) == pytest.approx(0.0)
    assert float(ebgan.pulling_away(torch.ones(5, 3))) == pytest.approx(1.0)
    angle = 0.7
    pair = torch.tensor([[1.0, 0.0], [math.cos(angle), math.sin(angle)]]) * torch.tensor([[2.0], [0.5]])
    assert float(ebgan.pulling_away(pair)) == pytest.approx(math.cos(angle) ** 2, rel=1e-6)
    real, fake = torch.tensor([1.0, 3.0]), torch.tensor([4.0, 12.0])
    assert float(ebgan.discriminator_loss(real, fake, margin=10.0)) == pytest.approx(2.0 + 3.0)


def test_began_controller_and_convergence_measure():
    k = began.next_k(torch.tensor(0.5), torch.tensor(2.0), torch.tensor(0.4), gamma=0.5, gain=0.1)
    assert float(k) == pytest.approx(0.5 + 0.1 * (1.0 - 0.4))
    assert float(began.next_k(torch.tensor(0.99), torch.tensor(9.0), torch.tensor(0.0), 0.5, 1.0)) == 1.0
    assert float(began.next_k(torch.tensor(0.01), torch.tensor(0.0), torch.tensor(9.0), 0.5, 1.0)) == 0.0
    assert float(began.convergence(torch.tensor(2.0), torch.tensor(1.5), 0.5)) == pytest.approx(2.5)


@pytest.mark.parametrize("arch", ["paper", "standard"])
def test_began_generator_is_linear_in_training_so_a_blank_image_does_not_trap_it(arch):
    """Issue 26: the paper's generator and decoder end in a linear layer. With a tanh there, BEGAN on mnist5k (k_t near
    0 for its first thousand steps) drove its samples to the blank image, pre-tanh outputs near -8 where the
    gradient through tanh is ~1e-4..1e-6, and stayed there (FID 2336 at 2,000 and 3,000 steps). Planted: a generator
    sitting on the blank image keeps a unit gradient in training; scored samples are clipped to [-1, 1]."""
    shape = DataShape("image", 1, 28)
    config = dataclasses.replace(MODELS.get("began").default_config(shape), width=0.125, arch=arch)
    generator, discriminator = MODELS.get("began").build_networks(shape, config)
    last = [m for m in generator.modules() if isinstance(m, (torch.nn.ConvTranspose2d, torch.nn.Conv2d))][-1]
    with torch.no_grad():
        last.bias.fill_(-8.0)  # the blank-image collapse: every pixel far below the background value -1
    z = torch.randn(4, config.z_dim, generator=torch.Generator().manual_seed(0))
    generator.train()
    out = generator(z)
    (grad,) = torch.autograd.grad(out.sum(), last.bias)
    assert float(grad) == pytest.approx(out.numel())  # d out / d bias = 1 per pixel: nothing saturates
    assert float(out.detach().max()) < -1.0  # training sees the unclipped values
    generator.eval()
    with torch.no_grad():
        assert float(generator(z).min()) == -1.0 and float(generator(z).max()) == -1.0
    # the auto-encoder's decoder is linear too, as in the paper
    if arch == "paper":
        assert isinstance(discriminator.decoder.body[-1], torch.nn.Conv2d)
    else:
        assert not discriminator.decoder.tanh


def test_began_logs_k_and_the_convergence_measure_it_steps_with(tmp_path):
    """The logged curve follows the controller: k_{t+1} = clip(k_t + lambda_k (gamma L(x)_t - L(G(z))_t), 0, 1)."""
    rng = np.random.default_rng(0)
    data = ArraySplit(rng.integers(0, 256, (32, 1, 28, 28), dtype=np.uint8))
    config = MODELS.get("began").default_config(DataShape("image", 1, 28))
    config = dataclasses.replace(config, steps=6, width=0.125, batch_size=8, lambda_k=0.05, gamma=0.7)
    run = RunConfig(device="cpu", progress=False, tensorboard=False, log_every=1)
    train("began", config, run, data, tmp_path)
    with open(tmp_path / "losses.csv") as handle:
        rows = [{k: float(v) for k, v in row.items()} for row in csv.DictReader(handle)]
    assert rows[0]["k"] == 0.0
    for before, after in zip(rows, rows[1:], strict=False):
        expected = min(max(before["k"] + 0.05 * (0.7 * before["real_loss"] - before["g_loss"]), 0.0), 1.0)
        assert after["k"] == pytest.approx(expected, abs=1e-6)
        assert before["convergence"] == pytest.approx(
            before["real_loss"] + abs(0.7 * before["real_loss"] - before["g_loss"]), rel=1e-5
        )


def test_uniform_codes_come_from_normal_noise_exactly():
    z = torch.randn(200_000, generator=torch.Generator().manual_seed(0), dtype=D)
    codes = uniform_codes(z).sort().values
    cdf = (codes + 1) / 2
    empirical = torch.arange(1, len(codes) + 1, dtype=D) / len(codes)
    assert float((cdf - empirical).abs().max()) < 0.005  # Kolmogorov-Smirnov distance to Uniform(-1, 1)


def test_information_loss_is_cross_entropy_and_unit_gaussian_nll():
    codes = torch.tensor([0, 2, 1])
    continuous = torch.tensor([[0.5, -0.5], [0.0, 0.2], [0.9, -0.9]])
    q = torch.cat([torch.eye(3)[codes] * 50.0, continuous + 1.0], dim=1)
    categorical, gaussian = infogan.information_loss(q, codes, continuous)
    assert float(categorical) == pytest.approx(0.0, abs=1e-12)
    assert float(gaussian) == pytest.approx(2 * (0.5 + 0.5 * math.log(2 * math.pi)), rel=1e-6)


def test_vae_terms_match_torch_distributions():
    g = torch.Generator().manual_seed(0)
    x, mean = torch.randn(4, 1, 3, 3, generator=g), torch.randn(4, 1, 3, 3, generator=g)
    log_scale = torch.tensor(-0.3)
    reference = -torch.distributions.Normal(mean, log_scale.exp()).log_prob(x).flatten(1).sum(1)
    assert torch.allclose(vae.gaussian_nll(x, mean, log_scale), reference, rtol=1e-5)
    mu, logvar = torch.randn(4, 5, generator=g), torch.randn(4, 5, generator=g)
    posterior = torch.distributions.Normal(mu, (0.5 * logvar).exp())
    prior = torch.distributions.Normal(torch.zeros(5), torch.ones(5))
    assert torch.allclose(vae.kl_to_prior(mu, logvar), torch.distributions.kl_divergence(posterior, prior).sum(1))


def test_calibrated_sigma_maximises_the_decoder_likelihood():
    g = torch.Generator().manual_seed(1)
    x, mean = torch.randn(8, 1, 4, 4, generator=g), torch.randn(8, 1, 4, 4, generator=g) * 0.3
    best = vae.calibrated_log_scale(x, mean)
    assert float(best.exp() ** 2) == pytest.approx(float((x - mean).square().mean()), rel=1e-6)
    nll = vae.gaussian_nll(x, mean, best).sum()
    for factor in (0.9, 1.1):
        assert vae.gaussian_nll(x, mean, best + math.log(factor)).sum() > nll


def test_elbo_with_the_exact_posterior_is_the_log_likelihood():
    """Linear-Gaussian model z ~ N(0, 1), x | z ~ N(a z, s^2): with q = the true posterior, the ELBO the VAE's
    terms compute averages to log p(x) = log N(x; 0, a^2 + s^2)."""
    a, s, x = 1.5, 0.4, torch.tensor([[0.8]], dtype=torch.float32)
    variance = 1 / (1 + a**2 / s**2)
    mu = torch.full((200_000, 1), variance * a * float(x) / s**2)
    logvar = torch.full_like(mu, math.log(variance))
    z = vae.reparameterize(mu, logvar, StepNoise(0, torch.device("cpu")))
    elbo = -(vae.gaussian_nll(x.expand(len(z), 1), a * z, torch.tensor(math.log(s))) + vae.kl_to_prior(mu, logvar))
    log_px = -0.5 * (math.log(2 * math.pi * (a**2 + s**2)) + float(x) ** 2 / (a**2 + s**2))
    assert float(elbo.mean()) == pytest.approx(log_px, abs=5e-3)
    # a worse posterior (mean off by 0.5) gives a lower bound
    shifted = vae.reparameterize(mu + 0.5, logvar, StepNoise(1, torch.device("cpu")))
    worse = -(vae.gaussian_nll(x.expand(len(z), 1), a * shifted, torch.tensor(math.log(s))) + vae.kl_to_prior(mu + 0.5, logvar))
    assert float(worse.mean()) < log_px - 0.1


def test_vaegan_balance_rule():
    config = MODELS.get("vaegan").default_config(DataShape("image", 1, 28))
    assert vaegan.balance(0.7, 0.7, config) == (True, True)
    assert vaegan.balance(0.2, 0.7, config) == (False, True)  # D too good on reals: let it rest
    assert vaegan.balance(0.7, 1.2, config) == (True, False)  # D too bad on fakes: decoder waits
    assert vaegan.balance(0.2, 1.2, config) == (True, True)  # both would wait: both step
    assert vaegan.balance(0.0, 5.0, dataclasses.replace(config, balance_margin=0.0)) == (True, True)


def test_families_without_discriminator_or_with_extras_build_them():
    shape = DataShape("image", 3, 32)
    generator, discriminator, extras = MODELS.get("vae").build_all(shape, MODELS.get("vae").default_config(shape))
    assert discriminator is None and set(extras) == {"encoder"}
    vae_z = MODELS.get("vae").default_config(shape).z_dim
    standard = dataclasses.replace(MODELS.get("dcgan").default_config(shape), arch="standard", z_dim=vae_z)
    dcgan_generator, _ = MODELS.get("dcgan").build_networks(shape, standard)
    # the VAE's decoder is the GANs' generic generator network at this resolution (dcgan's own default on 32x32
    # colour images is pytorch-gan-collections' DCGAN since issue 19; arch=standard is the shared conv net)
    assert [p.shape for p in generator.parameters()] == [p.shape for p in dcgan_generator.parameters()]
    mu, logvar = extras["encoder"](torch.zeros(2, 3, 32, 32))
    assert mu.shape == logvar.shape == (2, 128)
    with pytest.raises(GanbenchError, match="n_critic"):
        dataclasses.replace(MODELS.get("vae").default_config(shape), n_critic=2).validate()


#: The families of the lectures' zoo added beside the seven GANs.
ZOO = ["acgan", "began", "ebgan", *(f"fgan_{name}" for name in sorted(DIVERGENCES)), "infogan", "vae", "vaegan"]
#: The learning tests' budget: paper settings, width 0.25, 400 generator steps (benchmarks/zoo-mnist5k, the board,
#: trains every family 2,000 steps at the same width).
LEARNING = {"steps": 400, "width": 0.25}
#: Families measured to need more generator steps than LEARNING's (issue 26; seed 0, width 0.25, trained FID
#: against ~2170 untrained): ebgan 1842 at 400, 399 at 2,000 when first measured (493 on 2026-12-08, at 2bf1230 and
#: after: some change in between moved it; it still passes): until about step 1,400 its samples' energy stays
#: above the margin (g_loss 11-12 > m = 10), so the hinge on them is 0, d_loss equals the real energy and the
#: discriminator trains as a plain auto-encoder of the data; once the samples cross below m the contrastive term
#: engages and the pulling-away term falls from ~0.8 to ~0.07.
#: vae (Bernoulli decoder, tests/test_vae_likelihood.py): 1439 / 1010 / 643 / 568 at 500 / 1,000 / 1,500 / 2,000
#: steps against ~2170 (zoo board run, 4,000 samples): it draws one blurred mean digit per class first.
LONGER = {"ebgan": 2000, "vae": 2000}
#: The f-GAN rows train the paper's own MNIST networks (Nowozin et al. 2016, Section 4; the family's default on
#: 28x28 grey images) at full width, as the paper gives them: fully connected, a step costs about what a quarter-width
#: conv step does. Generator steps measured (seed 0, batch 64, one thread, AMD EPYC, trained / untrained FID ~2176):
#: js 880 and rkl 786 at 2,000 steps; kl 1836 / 964 / 440 at 400 / 2,000 / 6,000; pearson 1261 / 462 at 2,000 /
#: 6,000; hellinger 1325 / 719 at 2,000 / 6,000. At width 0.25 kl reaches only 1653 at 2,000.
FGAN = {"fgan_js": 2000, "fgan_rkl": 2000, "fgan_kl": 6000, "fgan_pearson": 6000, "fgan_hellinger": 6000, "fgan_tv": 2000}


@pytest.fixture(scope="module")
def mnist_judge():
    from support.mnist_check import MnistJudge

    return MnistJudge()


#: Families that do not learn at the paper's settings under any budget measured here, each with its cause (issue 26;
#: seed 0, width 0.25, 2-core CPU): strictly expected to fail, so one that starts learning shows up as XPASS.
NOT_LEARNING = {
    "began": "its generator settles on what an L1 auto-encoder reconstructs most cheaply, thin 1s "
    "(tests/test_zoo_causes.py: they have 0.59 of the mean ink): once the auto-encoder has learned the data, BEGAN's "
    "controller sits at its equilibrium, L(G(z)) about gamma L(x) with k_t near 0.05, met by 1s, and nothing pushes "
    "the samples off them; they are varied only while k_t is high (0.25-0.33 around steps 3,000-4,000) and pushes "
    "their error above gamma L(x). On the paper's networks (the default; width 0.25, seed 0, FID against 2131 "
    "untrained): 1998 / 1898 / 1710 / 2247 at 2,000 / 4,000 / 6,000 / 8,000 steps (k_t 0.035 at 8,000); at reference MNIST code's gamma 0.75 "
    "(eriklindernoren/PyTorch-GAN) 1920 / 1097 / 1863 / 2140 and gamma 1 (znxlwm/pytorch-generative-model-collections) "
    "1734 / 958 / 2071 / 2123, one digit from 6,000 on; at width 0.5 1936 / 2384 / 2468 at 2,000 / 4,000 / 6,000 (against "
    "2175), thin 1s from 4,000. On the DCGAN-shaped pair (arch standard) it never left one thin "
    "digit: 2118 / 2149 / 1902 / 2012 / 1957 at 400 / 2,000 / 4,000 / 6,000 / 8,000 steps, 1941 / 2204 at 5,000 / "
    "20,000 (tests/test_zoo_causes.py), and 1483 / 1661 at 2,000 / 6,000 with znxlwm's whole MNIST recipe (gamma 1, "
    "batch 64, Adam 2e-4)",
    "fgan_tv": "total variation is constant (1) between distributions with disjoint supports, as generated and real "
    "images start out (Arjovsky et al. 2017, WGAN, Example 1), and its optimal critic 1/2 sign(p - q) sits on the "
    "bounds of 1/2 tanh(v); the paper's generator objective E[1/2 tanh(v(G(z)))] is that same saturating function "
    "(unlike JS's, which becomes GAN's non-saturating loss), so neither network gets a gradient: on the paper's "
    "MNIST networks the critic sits on the upper bound for real and generated images alike within 200 steps "
    "(test_total_variation_saturates_its_critic_on_the_papers_mnist_networks_too), FID 1939 / 1936 at 2,000 / 6,000 "
    "steps against 2176 untrained; on DCGAN's pair it separated instead, on the lower bound (test_total_variation_is_"
    "the_only_divergence_whose_generator_gradient_vanishes), FID 2123 / 2112 / 2102 at 400 / 800 / 1,600 steps; on "
    "the 2-D ring too (test_total_variation_saturates_its_critic_on_the_ring_too: 0 modes at 10,000 steps). Nowozin's "
    "own later f-GAN code (nowozin/mlss2018-madrid-gan, 2018) offers KL, reverse KL, Pearson, Neyman, squared "
    "Hellinger, JS and GAN, and not TV",
}


@pytest.mark.slow
@pytest.mark.parametrize(
    "family",
    [
        pytest.param(name, marks=pytest.mark.xfail(strict=True, reason=NOT_LEARNING[name]))
        if name in NOT_LEARNING
        else name
        for name in ZOO
    ],
)
def test_zoo_family_learns_mnist5k(family, mnist_judge, tmp_path):
    """Each zoo family, at its paper settings under LEARNING's budget (width 0.25, 400 steps, seed 0; more steps
    for those in LONGER; the f-GAN rows on the paper's MNIST networks at full width, FGAN), moves the
    mnist-classifier FID of 1,000 samples far below its untrained generator's; the class-conditional ACGAN and InfoGAN's unsupervised code also pick the digit well above chance
    (0.1). The families measured not to learn are in NOT_LEARNING, with their causes."""
    data = mnist_judge.data
    shape = DataShape.of(data.data, data.labels)
    budget = {**LEARNING, "steps": LONGER.get(family, LEARNING["steps"])}
    if family in FGAN:
        budget = {"width": 1.0, "steps": FGAN[family]}
    config = dataclasses.replace(MODELS.get(family).default_config(shape), **budget)
    untrained, trained = mnist_judge.before_and_after(family, config, data, tmp_path)
    assert trained["fid"] < 0.5 * untrained["fid"]
    if family in ("acgan", "infogan"):
        assert trained["code_accuracy"] > 0.3

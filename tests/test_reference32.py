"""The authors' 32x32 networks and recipes: parameter counts and per-layer shapes equal to mimicry's and
pytorch-gan-collections' code, their initialisations, the linear learning-rate decay and the doubled generator batch."""

from __future__ import annotations

import dataclasses
import json

import pytest
import torch
import torch.nn.functional as F
from support import reference32_tables as T
from support.layer_tables import block_names, expected, layer_table, params
from torch import nn

from ganbench.checkpoint import checkpoint_path, read_checkpoint
from ganbench.data.base import ArraySplit, DataShape
from ganbench.errors import GanbenchError
from ganbench.models.base import MODELS, build
from ganbench.models.checkpoint_generator import load_generator
from ganbench.models.resnet32 import MimicryDBlock
from ganbench.models.step import Batch, GanModules, Objective, StepNoise, alternating_step
from ganbench.train.config import RunConfig
from ganbench.train.loop import LearningRates, train

CIFAR = DataShape("image", 3, 32, num_classes=10)

# model -> (generator table, generator params, discriminator table, discriminator params)
REFERENCES = {
    "dcgan_mimicry": (T.MIMICRY_G, T.MIMICRY_G_PARAMS, T.MIMICRY_D, T.MIMICRY_D_PARAMS),
    "wgan_gp_mimicry": (T.MIMICRY_WGANGP_G, T.MIMICRY_WGANGP_G_PARAMS, T.MIMICRY_D, T.MIMICRY_D_PARAMS),
    "sngan_mimicry": (T.MIMICRY_G, T.MIMICRY_G_PARAMS, T.MIMICRY_D, T.MIMICRY_D_PARAMS),
    "cgan_mimicry": (T.MIMICRY_CGANPD_G, T.MIMICRY_CGANPD_G_PARAMS, T.MIMICRY_CGANPD_D, T.MIMICRY_CGANPD_D_PARAMS),
    "dcgan_collections": (
        T.COLLECTIONS_DCGAN_G,
        T.COLLECTIONS_DCGAN_G_PARAMS,
        T.COLLECTIONS_DCGAN_D,
        T.COLLECTIONS_DCGAN_D_PARAMS,
    ),
    "wgan_gp_collections_cnn": (T.COLLECTIONS_CNN_G, T.COLLECTIONS_CNN_G_PARAMS, T.COLLECTIONS_CNN_D, T.COLLECTIONS_CNN_D_PARAMS),
    "sngan_collections_cnn": (T.COLLECTIONS_CNN_G, T.COLLECTIONS_CNN_G_PARAMS, T.COLLECTIONS_CNN_D, T.COLLECTIONS_CNN_D_PARAMS),
    "wgan_gp_collections_resnet": (
        T.COLLECTIONS_RES_G,
        T.COLLECTIONS_RES_G_PARAMS,
        T.COLLECTIONS_WGANGP_RES_D,
        T.COLLECTIONS_WGANGP_RES_D_PARAMS,
    ),
    "sngan_collections_resnet": (
        T.COLLECTIONS_RES_G,
        T.COLLECTIONS_RES_G_PARAMS,
        T.COLLECTIONS_SNGAN_RES_D,
        T.COLLECTIONS_SNGAN_RES_D_PARAMS,
    ),
}


@pytest.mark.parametrize("model", sorted(REFERENCES))
def test_parameter_counts_and_layer_shapes_equal_the_authors(model):
    g_table, g_params, d_table, d_params = REFERENCES[model]
    config = MODELS.get(model).default_config(CIFAR)
    generator, discriminator = build(model, CIFAR, config)
    assert (params(generator), params(discriminator)) == (g_params, d_params)

    torch.manual_seed(0)
    z, x, y = torch.randn(1, config.z_dim), torch.randn(1, 3, 32, 32), torch.tensor([3])
    g_blocks, d_blocks = block_names(g_table), block_names(d_table)
    assert layer_table(generator, z, y, blocks=g_blocks) == expected(g_table, g_blocks)
    assert layer_table(discriminator, x, y, blocks=d_blocks) == expected(d_table, d_blocks)
    assert discriminator(x.repeat(2, 1, 1, 1), y.repeat(2)).shape == (2,)


def test_cifar100_projection_sizes():
    shape = dataclasses.replace(CIFAR, num_classes=100)
    generator, discriminator = build("cgan", shape)
    # mimicry's CGANPDGenerator32(num_classes=100) / CGANPDDiscriminator32(num_classes=100)
    assert (params(generator), params(discriminator)) == (4_580_867, 1_066_625)


def test_cifar10_defaults_are_the_best_published_references():
    archs = {name: MODELS.get(name).default_config(CIFAR).arch for name in ("dcgan", "wgan_gp", "sngan", "cgan")}
    assert archs == {
        "dcgan": "collections-dcgan",
        "wgan_gp": "collections-resnet",
        "sngan": "collections-resnet",
        "cgan": "mimicry-resnet",
    }
    sngan = MODELS.get("sngan").default_config(CIFAR)
    assert (sngan.steps, sngan.batch_size, sngan.g_batch_mult, sngan.n_critic, sngan.z_dim) == (100_000, 64, 2, 5, 128)
    assert (sngan.lr_g, sngan.lr_d, sngan.beta1, sngan.beta2, sngan.lr_decay) == (2e-4, 2e-4, 0.0, 0.9, "linear")
    cnn = MODELS.get("wgan_gp_collections_cnn").default_config(CIFAR)
    assert (cnn.batch_size, cnn.g_batch_mult, cnn.n_critic, cnn.z_dim, cnn.gp_weight) == (128, 2, 1, 100, 10.0)
    dcgan = MODELS.get("dcgan").default_config(CIFAR)
    assert (dcgan.beta1, dcgan.beta2, dcgan.batch_size, dcgan.n_critic) == (0.5, 0.9, 128, 1)
    mimicry = MODELS.get("wgan_gp_mimicry").default_config(CIFAR)
    assert (mimicry.batch_size, mimicry.g_batch_mult, mimicry.n_critic, mimicry.lr_g) == (64, 1, 5, 2e-4)
    # other shapes keep the papers' defaults and the generic networks
    for shape in (DataShape("image", 1, 28, num_classes=10), DataShape("points", 2), DataShape("image", 3, 128)):
        config = MODELS.get("wgan_gp").default_config(shape)
        assert (config.arch, config.lr_decay, config.g_batch_mult) == ("standard", "none", 1)
    assert MODELS.get("wgan_gp").default_config(DataShape("image", 1, 28)).lr_g == 1e-4


def test_grey_images_of_the_reference_size_get_the_network_with_the_familys_paper_defaults():
    """The recipes were published on colour images; on grey 32 x 32 images (mnist5k padded, the learning tests)
    the variant builds its reference network and trains it with its family's defaults (sngan: setting C)."""
    grey = MODELS.get("sngan_mimicry").default_config(DataShape("image", 1, 32))
    colour = MODELS.get("sngan_mimicry").default_config(CIFAR)
    assert grey.arch == colour.arch == "mimicry-resnet"
    assert (grey.n_critic, grey.beta1, grey.beta2, grey.lr_decay, grey.steps) == (1, 0.5, 0.999, "none", 10_000)
    assert (colour.n_critic, colour.beta1, colour.beta2, colour.lr_decay, colour.steps) == (5, 0.0, 0.9, "linear", 100_000)
    build("sngan_mimicry", DataShape("image", 1, 32))


def test_reference_arch_on_other_resolutions_is_refused_in_one_sentence():
    with pytest.raises(GanbenchError, match="published architecture for 32x32.*resolution 28"):
        build("sngan_mimicry", DataShape("image", 1, 28))
    assert MODELS.get("sngan_mimicry").default_config(DataShape("image", 1, 28)).unsupported(DataShape("image", 1, 28))


def test_initialisations_follow_the_authors():
    torch.manual_seed(0)
    sngan_g, _ = build("sngan_mimicry", CIFAR)
    wgan_g, wgan_d = build("wgan_gp_mimicry", CIFAR)
    # c5: xavier-uniform gain 1 (bound sqrt(6 / (9 * 256 + 9 * 3)) = 0.0507) in SNGANGenerator32; PyTorch's default
    # (bound 1 / sqrt(9 * 256) = 0.0208) in WGANGPGenerator32, and for WGAN-GP's re-created shortcut convs.
    assert sngan_g.c5.weight.abs().max() > 0.04 and wgan_g.c5.weight.abs().max() < 0.021
    assert wgan_d.block2.c_sc.weight.abs().max() <= 1 / (128**0.5)
    gain = sngan_g.block2.b1.weight
    assert torch.equal(gain, torch.ones_like(gain))
    cgan_g, cgan_d = build("cgan_mimicry", CIFAR)
    embed = cgan_g.block2.b1.embed.weight
    assert abs(embed[:, :256].mean().item() - 1) < 0.01 and torch.equal(embed[:, 256:], torch.zeros(10, 256))
    coll_g, coll_d = build("sngan_collections_cnn", CIFAR)
    assert abs(coll_g.linear.weight.std().item() - 0.02) < 0.001 and torch.equal(coll_g.linear.bias, torch.zeros(8192))
    assert coll_d.linear.parametrizations.weight.original.std().item() == pytest.approx(0.02, abs=0.002)


def test_mimicry_dblock_shortcut_reads_the_relu_of_its_input():
    torch.manual_seed(0)
    block = MimicryDBlock(4, 4, downsample=False, spectral=False).eval()
    x = torch.randn(2, 4, 8, 8)
    residual = block.c2(F.relu(block.c1(F.relu(x))))
    assert torch.allclose(block(x), residual + F.relu(x), atol=1e-6)


def test_generator_step_draws_twice_the_batch():
    generator, discriminator = build("sngan_collections_cnn", CIFAR, dataclasses.replace(
        MODELS.get("sngan_collections_cnn").default_config(CIFAR), width=0.125
    ))
    sizes: list[int] = []
    generator.register_forward_hook(lambda m, i, o: sizes.append(len(o)))
    g_opt = torch.optim.Adam(generator.parameters())
    d_opt = torch.optim.Adam(discriminator.parameters())
    modules = GanModules(generator, discriminator, g_opt, d_opt)
    batch = Batch(torch.rand(6, 3, 32, 32) * 2 - 1)
    objective = Objective(lambda r, f: f.mean() - r.mean(), lambda f: -f.mean())
    alternating_step(modules, [batch, batch], StepNoise(0, torch.device("cpu")), objective, 100, False, 2)
    assert sizes == [6, 6, 12]


def tiny_run(run_dir, steps: int, **changes) -> tuple:
    rng = torch.Generator().manual_seed(0)
    data = ArraySplit(torch.randint(0, 256, (20, 3, 32, 32), generator=rng, dtype=torch.uint8).numpy())
    config = MODELS.get("sngan_mimicry").default_config(CIFAR)
    config = dataclasses.replace(config, width=0.0625, batch_size=4, n_critic=2, steps=steps, **changes)
    run = RunConfig(device="cpu", progress=False, tensorboard=False, checkpoint_every=2, log_every=1)
    return train("sngan_mimicry", config, run, data, run_dir)


def test_linear_decay_is_per_step_and_survives_resume(tmp_path):
    config = MODELS.get("sngan_mimicry").default_config(CIFAR)
    assert config.lr_decay_steps == 100_000 and config.lr_scale(50_001) == pytest.approx(0.5)
    config = dataclasses.replace(config, lr_decay_steps=4)
    assert [config.lr_scale(k) for k in (1, 2, 3, 4, 6)] == [1.0, 0.75, 0.5, 0.25, 0.0]
    assert dataclasses.replace(config, lr_decay_steps=0, steps=8).lr_scale(5) == 0.5
    assert MODELS.get("sngan").default_config(DataShape("image", 1, 28)).lr_scale(3) is None
    net = nn.Linear(1, 1)
    modules = GanModules(net, None, torch.optim.Adam(net.parameters(), lr=2e-4), None)
    LearningRates(modules, config).apply(3)
    assert modules.g_opt.param_groups[0]["lr"] == pytest.approx(1e-4)

    # the runner's pattern: train to the first evaluation step, then resume to the next (steps grows, the horizon
    # stays); the result equals one uninterrupted run, whose rates follow the schedule
    whole = tiny_run(tmp_path / "whole", 4, lr_decay_steps=4)
    tiny_run(tmp_path / "resumed", 2, lr_decay_steps=4)
    resumed = tiny_run(tmp_path / "resumed", 4, lr_decay_steps=4)
    assert whole.status == resumed.status == "ok"
    a, b = read_checkpoint(tmp_path / "whole").tensors, read_checkpoint(tmp_path / "resumed").tensors
    assert a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a if not k.startswith("rng."))
    generator = load_generator(tmp_path / "resumed", "cpu")
    assert type(generator).__name__ == "MimicryGenerator32" and generator(torch.randn(2, 128)).shape == (2, 3, 32, 32)
    groups = json.loads(checkpoint_path(tmp_path / "whole", 4).read_text())["optimizers"]
    # the rates the last step (k = 4 of 4) trained with: 2e-4 * (1 - 3/4)
    assert [groups[o]["param_groups"][0]["lr"] for o in ("g_opt", "d_opt")] == pytest.approx([5e-5, 5e-5])


def test_changing_steps_of_a_run_decaying_over_its_steps_is_refused(tmp_path):
    tiny_run(tmp_path, 2, lr_decay_steps=0)
    with pytest.raises(GanbenchError, match="cannot change when resuming"):
        tiny_run(tmp_path, 4, lr_decay_steps=0)


@pytest.mark.parametrize(
    ("suite", "expected"),
    [("mimicry-cifar10", ["fid 16.77 +- 0.04", "fid 22.29 +- 0.06", "fid 10.84 +- 0.03"]),
     ("collections-cifar10", ["fid 42.72", "fid 16.95", "fid 14.32", "is_mean 8.31 +- 0.1"])],
)
def test_cifar10_suites_pin_the_variants_own_defaults_and_show_their_targets(suite, expected):
    from ganbench.suites.base import SUITES, deviations
    from ganbench.suites.show import describe

    pinned = SUITES.get(suite)
    for model in pinned.models:
        recorded = dataclasses.asdict(MODELS.get(model.name).default_config(CIFAR))
        assert deviations(model.settings, recorded) == {}, model.name
    text = describe(pinned)
    assert all(value in text for value in expected)
    assert "what the protocol should reach" in text and "not results of ganbench" in text


def test_one_line_estimate_of_speed_and_grid_time(tmp_path, capsys, monkeypatch):
    import re

    from ganbench.train import loop, timing

    assert timing.estimate_line(10.0, 50, 100_000, 3) == (
        "ganbench: estimate: 100,000 steps at 5 it/s (measured over 10 s) -> 5h33m per run, 16h40m for 3 runs one "
        "after another"
    )
    monkeypatch.setattr(loop, "ESTIMATE_AFTER_S", 0.0)
    rng = torch.Generator().manual_seed(0)
    data = ArraySplit(torch.randint(0, 256, (20, 3, 32, 32), generator=rng, dtype=torch.uint8).numpy())
    config = dataclasses.replace(
        MODELS.get("dcgan_collections").default_config(CIFAR), width=0.0625, batch_size=4, steps=3
    )
    run = RunConfig(device="cpu", progress=False, tensorboard=False, estimate_runs=5, estimate_steps=100_000)
    train("dcgan_collections", config, run, data, tmp_path)
    lines = [line for line in capsys.readouterr().err.splitlines() if "estimate" in line]
    assert len(lines) == 1
    assert re.fullmatch(r"ganbench: estimate: 100,000 steps at \S+ it/s \(measured over \d+ s\) -> \S+ per run, "
                        r"\S+ for 5 runs one after another", lines[0]), lines[0]

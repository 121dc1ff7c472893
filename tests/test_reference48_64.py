"""mimicry's 48x48 (STL-10) and 64x64 (CelebA) ResNet GANs: parameter counts and per-layer shapes equal to the
authors' code, their initialisations, and the recipe they are the default with on colour images of those sizes."""

from __future__ import annotations

import dataclasses

import pytest
import torch
from support import reference48_64_tables as T
from support.layer_tables import block_names, expected, layer_table, params

from ganbench.data.base import ArraySplit, DataShape
from ganbench.errors import GanbenchError
from ganbench.models.base import MODELS, build
from ganbench.models.checkpoint_generator import load_generator
from ganbench.models.reference32 import MIMICRY_RECIPE
from ganbench.train.config import RunConfig
from ganbench.train.loop import train

STL10 = DataShape("image", 3, 48)
CELEBA = DataShape("image", 3, 64)

# (model, resolution) -> (generator table, generator params, discriminator table, discriminator params)
REFERENCES = {
    ("sngan_mimicry", 48): (T.MIMICRY_G48, T.MIMICRY_G48_PARAMS, T.MIMICRY_SNGAN_D48, T.MIMICRY_SNGAN_D48_PARAMS),
    ("wgan_gp_mimicry", 48): (
        T.MIMICRY_WGANGP_G48,
        T.MIMICRY_WGANGP_G48_PARAMS,
        T.MIMICRY_WGANGP_D48,
        T.MIMICRY_WGANGP_D48_PARAMS,
    ),
    ("sngan_mimicry", 64): (T.MIMICRY_G64, T.MIMICRY_G64_PARAMS, T.MIMICRY_SNGAN_D64, T.MIMICRY_SNGAN_D64_PARAMS),
    ("wgan_gp_mimicry", 64): (
        T.MIMICRY_WGANGP_G64,
        T.MIMICRY_WGANGP_G64_PARAMS,
        T.MIMICRY_WGANGP_D64,
        T.MIMICRY_WGANGP_D64_PARAMS,
    ),
}


@pytest.mark.parametrize(("model", "resolution"), sorted(REFERENCES))
def test_parameter_counts_and_layer_shapes_equal_the_authors(model, resolution):
    g_table, g_params, d_table, d_params = REFERENCES[model, resolution]
    shape = DataShape("image", 3, resolution)
    generator, discriminator = build(model, shape)
    assert (params(generator), params(discriminator)) == (g_params, d_params)
    # the family's own default on this size is the same network
    family = model.removesuffix("_mimicry")
    assert [params(net) for net in build(family, shape)] == [g_params, d_params]

    torch.manual_seed(0)
    z, x = torch.randn(1, 128), torch.randn(1, 3, resolution, resolution)
    g_blocks, d_blocks = block_names(g_table), block_names(d_table)
    assert layer_table(generator, z, blocks=g_blocks) == expected(g_table, g_blocks)
    assert layer_table(discriminator, x, blocks=d_blocks) == expected(d_table, d_blocks)
    assert discriminator(x.repeat(2, 1, 1, 1)).shape == (2,)


def test_published_parameter_totals():
    # closed forms of sngan_48.py / sngan_64.py (see tests/support/reference48_64_tables.py)
    def gblock(i: int, o: int) -> int:
        return 2 * i + 9 * i * o + o + 2 * o + 9 * o * o + o + i * o + o

    head = 2 * 64 + 27 * 64 + 3
    assert 129 * 36 * 512 + gblock(512, 256) + gblock(256, 128) + gblock(128, 64) + head == T.MIMICRY_G48_PARAMS
    g64 = 129 * 16 * 1024 + gblock(1024, 512) + gblock(512, 256) + gblock(256, 128) + gblock(128, 64) + head
    assert g64 == T.MIMICRY_G64_PARAMS == 12_220_675
    assert T.MIMICRY_G48_PARAMS == 4_878_083 and T.MIMICRY_SNGAN_D48_PARAMS == T.MIMICRY_SNGAN_D64_PARAMS == 10_141_441


@pytest.mark.parametrize("shape", [STL10, CELEBA], ids=["48", "64"])
def test_48_and_64_colour_defaults_are_mimicrys_recipe(shape):
    for family in ("sngan", "wgan_gp"):
        config = MODELS.get(family).default_config(shape)
        assert config.arch == "mimicry-resnet"
        assert {key: getattr(config, key) for key in MIMICRY_RECIPE} == MIMICRY_RECIPE
    assert MODELS.get("wgan_gp").default_config(shape).gp_weight == 10.0
    # mimicry publishes no DCGAN or cGAN-PD at these sizes: those families keep their papers' settings
    for family in ("dcgan", "cgan"):
        config = MODELS.get(family).default_config(dataclasses.replace(shape, num_classes=10))
        assert (config.arch, config.lr_decay) == ("standard", "none")
    grey = MODELS.get("sngan").default_config(dataclasses.replace(shape, channels=1))
    assert (grey.arch, grey.n_critic, grey.beta1) == ("standard", 1, 0.5)


def test_reference_arch_without_a_large_version_is_refused_in_one_sentence():
    with pytest.raises(GanbenchError, match="published architecture for 32x32 images but the data is image at resolution 48"):
        build("dcgan_mimicry", STL10)
    with pytest.raises(GanbenchError, match="for 32x32, 48x48, 64x64 images .* resolution 96"):
        build("sngan_mimicry", DataShape("image", 3, 96))


def test_initialisations_follow_the_authors():
    torch.manual_seed(0)
    sngan_g, sngan_d = build("sngan", CELEBA)
    wgan_g, wgan_d = build("wgan_gp", CELEBA)
    # c6: xavier-uniform gain 1 (bound sqrt(6 / (9 * 64 + 9 * 3)) = 0.0998) in sngan_64.py; PyTorch's default
    # (bound 1 / sqrt(9 * 64) = 0.0417) in wgan_gp_64.py, and for WGAN-GP's shortcut convs (wgan_gp_resblocks.py)
    assert sngan_g.c6.weight.abs().max() > 0.08 and wgan_g.c6.weight.abs().max() <= 1 / 24
    assert wgan_d.block5.c_sc.weight.abs().max() <= 1 / 512**0.5
    assert sngan_d.block5.c_sc.parametrizations.weight.original.abs().max() > 1 / 512**0.5
    assert hasattr(sngan_d.l6, "parametrizations") and not hasattr(wgan_d.l6, "parametrizations")
    # sum pooling (SNGAN) versus mean pooling (WGAN-GP): 2x2 features at 64, 3x3 at 48
    assert not sngan_d.mean_pool and wgan_d.mean_pool and build("sngan", STL10)[1].head_name == "l5"


def test_a_48x48_run_trains_and_its_generator_loads_back(tmp_path):
    rng = torch.Generator().manual_seed(0)
    data = ArraySplit(torch.randint(0, 256, (12, 3, 48, 48), generator=rng, dtype=torch.uint8).numpy())
    config = MODELS.get("sngan").default_config(STL10)
    config = dataclasses.replace(config, width=0.0625, batch_size=4, n_critic=2, steps=2)
    run = RunConfig(device="cpu", progress=False, tensorboard=False, checkpoint_every=2, log_every=1)
    assert train("sngan", config, run, data, tmp_path).status == "ok"
    generator = load_generator(tmp_path, "cpu")
    assert type(generator).__name__ == "MimicryGeneratorLarge"
    assert generator(torch.randn(3, 128)).shape == (3, 3, 48, 48)


@pytest.mark.parametrize(
    ("suite", "shape", "expected"),
    [
        ("mimicry-stl10", STL10, ["fid 43.01 +- 0.19", "fid 39.56 +- 0.1", "kid_mean 0.0369 +- 0.0002", "unlabeled"]),
        ("mimicry-celeba", CELEBA, ["fid 5.71 +- 0.02", "is_mean 2.68 +- 0.01", "kid_mean 0.0033 +- 0.0001", "DEVIATION"]),
    ],
)
def test_mimicry_suites_pin_the_defaults_at_their_size_and_show_their_targets(suite, shape, expected):
    from ganbench.data.base import DATASETS
    from ganbench.runner.suite_runs import suite_grid
    from ganbench.suites.base import SUITES, UNCHECKED_FOOTNOTE, deviations
    from ganbench.suites.show import describe

    pinned = SUITES.get(suite)
    info = DATASETS.get(pinned.dataset).info
    assert (info.resolution, info.channels) == (shape.resolution, 3)
    for model in pinned.models:
        recorded = dataclasses.asdict(MODELS.get(model.name).default_config(shape))
        assert deviations(model.settings, recorded) == {}, model.name
        family = model.name.removesuffix("_mimicry")
        assert deviations(model.settings, dataclasses.asdict(MODELS.get(family).default_config(shape))) == {}
    text = describe(pinned)
    assert all(value in text for value in expected), text
    assert "what the protocol should reach" in text and "not results of ganbench" in text
    assert all(row.checked for row in pinned.published) and UNCHECKED_FOOTNOTE not in text
    # every published column is computed (celeba's own protocol has no IS: the suite asks for it)
    grid = suite_grid(pinned)
    assert set(grid.scoring.metrics or info.protocol.metrics) >= {"fid", "is", "kid"}

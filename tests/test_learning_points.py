"""The 2-D families learn their paper's ring (issue 26): the share of samples within 3 std of a mode centre (VEEGAN's
high-quality samples) far above that of the ring smeared uniformly around its circle (the modes' positions
learned, their shapes not) and of the untrained generator. Modes covered cannot show it: points smeared around the
ring already touch nearly all 8 modes. Slow: each trains a few thousand generator steps on the CPU."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import torch

from ganbench.data.base import DATASETS, DataConfig, DataShape
from ganbench.data.sampling import generate
from ganbench.metrics.chance import smeared_modes
from ganbench.metrics.modes import count_point_modes
from ganbench.models.base import MODELS, build
from ganbench.models.checkpoint_generator import load_generator
from ganbench.train.config import RunConfig
from ganbench.train.loop import train

pytestmark = pytest.mark.usefixtures("one_thread")

#: Samples scored, as in VEEGAN and PacGAN.
N_SAMPLES = 2_500
#: A mode counts as covered with at least this many high-quality samples (within 3 std). With 1, as in the
#: papers, 2,500 uniform points over ring8_r1's box already cover about 7 of the 8 modes by chance; with 10 they
#: cover none, so coverage then says something about a trained generator.
MIN_COUNT = 10
#: How many times the larger chance share of high-quality samples a family must reach.
OVER_CHANCE = 4
#: (dataset, generator steps) per 2-D family at its 2-D defaults (the settings of the paper or code its suite
#: follows), on PacGAN's / VEEGAN's ring. Measured by this test (seed 0, 2-core CPU shared with a full run, load ~17):
#: gan 29.6% high quality at 2,000 steps against 1.7% smeared and 0% untrained (38 s CPU). pacgan3 and pacgan4 are
#: short at 2,000 steps (0.48% and 4.0%; benchmarks/pacgan-ring's 5 seeds there: 3.3% and 3.2%) and learn the ring by
#: 10,000: 85.5% and 70.9% high quality, all 8 modes with at least 10 samples (284 / 320 s CPU, AMD EPYC, one
#: thread; PacGAN itself trains 400,000 steps); pacgan2 is given their steps. Measured short of the bar: veegan
#: 0.1% / 2.4% at 2,000 / 10,000 steps (17 / 71 s CPU), unrolled 0.3% / 1.8% at 1,000 / 4,000 (33 / 118 s), wgan_gp
#: 3.4% at 2,000 (334 s). The VEEGAN and unrolled families get their suite's full protocol, at which
#: benchmarks/veegan-ring's 5 seeds reach 56.6% (veegan), 75.3% (veegan_gan) and 21.9% (unrolled, spread 25.7%)
#: high quality, wgan_gp its default 10,000 steps. Run as this test (AMD EPYC, one thread): unrolled10 42.5% (2,515 s
#: CPU), wgan_gp 27.2% (2,863 s CPU); unrolled (5 steps) 12.5% on an Intel Xeon and 6.56% on the AMD EPYC, a hair
#: under the bar of 6.72%. The family is seed-fragile at this protocol, not broken: seeds 1 / 2 / 3 / 4 reach 64.4% /
#: 2.28% / 5.16% / 12.2% on the AMD EPYC (1,259-1,494 s CPU each; 2 of its 5 seeds over the bar), and benchmarks/veegan-ring's Intel seeds 0-4 12.5 / 66.0 / 1.4 / 8.4 /
#: 21.3% (VEEGAN's Table 1: 35.6%); so its seed-0 test fails on the AMD machine and is left unmarked. unrolled1 is not a 2-D
#: family: its only published row is Metz et al.'s stacked MNIST (Table 2, pacgan-stacked-mnist-d025), so it is
#: learning-tested on mnist5k (tests/test_learning_images.py); at the demo's 2-D settings with one unrolled step it
#: reaches 2.84% here at 25,000 steps (417 s CPU). ali (PacGAN's ALI rows) is short at 2,000
#: steps (0.24%; pacgan-ring's 5 seeds 0.2%) and passes at 10,000: 16.2% high quality, 6 modes with at least 10 samples (248 s CPU); it is
#: tested on mnist5k too (tests/test_learning_images.py).
BUDGET = {
    "ali": ("ring8_r1", 10000),
    "gan": ("ring8_r1", 2000),
    "pacgan2": ("ring8_r1", 10000),
    "pacgan3": ("ring8_r1", 10000),
    "pacgan4": ("ring8_r1", 10000),
    "unrolled": ("ring8_r1", 25000),
    "unrolled10": ("ring8_r1", 25000),
    "veegan": ("ring8_r1", 100000),
    "veegan_ali": ("ring8_r1", 100000),
    "veegan_gan": ("ring8_r1", 100000),
    "wgan_gp": ("ring8_r1", 10000),
}


def high_quality(points: np.ndarray, dataset: str) -> float:
    """The share of `points` within 3 std of a mode centre of `dataset`."""
    info = DATASETS.get(dataset).info
    return count_point_modes(points, info.modes, info.mode_std).high_quality_fraction


def smeared_high_quality(dataset: str, seed: int = 0) -> float:
    """The high-quality share of N_SAMPLES points of the modes smeared (ganbench.metrics.chance: on a ring, a
    uniform angle and a radius within +- 10 mode stds)."""
    info = DATASETS.get(dataset).info
    return high_quality(smeared_modes(info.modes, info.mode_std, N_SAMPLES, np.random.default_rng(seed)), dataset)


def chance_coverage(dataset: str, seed: int = 0) -> tuple[int, float]:
    """(modes covered, high-quality fraction) of N_SAMPLES points uniform over the bounding box of the real data."""
    spec = DATASETS.get(dataset)
    real = spec.load("train", DataConfig()).data
    low, high = real.min(0), real.max(0)
    points = np.random.default_rng(seed).uniform(low, high, size=(N_SAMPLES, 2))
    counts = count_point_modes(points, spec.info.modes, spec.info.mode_std, min_count=MIN_COUNT)
    return counts.modes_covered, counts.high_quality_fraction


def test_uniform_points_cover_no_mode_at_the_min_count_and_almost_all_at_one():
    covered, quality = chance_coverage("ring8_r1")
    assert covered == 0 and quality < 0.01
    spec = DATASETS.get("ring8_r1")
    real = spec.load("train", DataConfig()).data
    points = np.random.default_rng(0).uniform(real.min(0), real.max(0), size=(N_SAMPLES, 2))
    assert count_point_modes(points, spec.info.modes, spec.info.mode_std, min_count=1).modes_covered >= 5


def test_the_smeared_ring_covers_modes_but_few_of_its_samples_are_high_quality():
    """Why the learning test reads the high-quality share: the smeared ring touches most modes at one sample each,
    yet under 2.5% of its samples lie within 3 std of a centre."""
    info = DATASETS.get("ring8_r1").info
    points = smeared_modes(info.modes, info.mode_std, N_SAMPLES, np.random.default_rng(0))
    assert count_point_modes(points, info.modes, info.mode_std).modes_covered >= 7
    assert 0.005 < smeared_high_quality("ring8_r1") < 0.025


@pytest.mark.slow
@pytest.mark.parametrize("family", sorted(BUDGET))
def test_two_d_family_learns_its_ring(family, tmp_path):
    """At its 2-D defaults and seed 0, the family puts at least OVER_CHANCE times as large a share of its samples
    within 3 std of a mode centre as both the smeared ring and its untrained generator do."""
    dataset, steps = BUDGET[family]
    data = DATASETS.get(dataset).load("train", DataConfig())
    shape = DataShape.of(data.data, data.labels)
    config = dataclasses.replace(MODELS.get(family).default_config(shape), steps=steps)
    run = RunConfig(seed=0, device="cpu", progress=False, tensorboard=False, log_every=100, checkpoint_every=steps)
    assert train(family, config, run, data, tmp_path).status == "ok"
    torch.manual_seed(0)
    untrained = build(family, shape, config)[0]
    untrained.eval()
    with torch.no_grad():
        chance = {
            "smeared": smeared_high_quality(dataset),
            "untrained": high_quality(generate(untrained, N_SAMPLES, seed=0).numpy(), dataset),
        }
        samples = generate(load_generator(tmp_path), N_SAMPLES, seed=0).numpy()
    trained = high_quality(samples, dataset)
    print(f"\n{family}: high quality {trained:.4f}; chance {chance}")
    assert trained >= OVER_CHANCE * max(chance.values())

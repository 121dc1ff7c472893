"""Each damage of `ganbench probe-metrics` is what it says: checked on the real held-out splits (mnist5k through the
domain classifier, grid25 against its known modes) with the same draw as the undamaged floor."""

from __future__ import annotations

import numpy as np
import pytest

from ganbench.data.resolve import resolve_dataset
from ganbench.probe.damage import DAMAGES, DamageInputs, plain_draw
from ganbench.probe.damages_foreign import invented_centres, photo_patches
from ganbench.probe.damages_quality import nearest_modes


def inputs_of(name: str, n: int, typicality: np.ndarray | None = None, foreign=None) -> DamageInputs:
    spec = resolve_dataset(name)
    from ganbench.data.base import DataConfig

    pool, train = spec.load("test", DataConfig()), spec.load("train", DataConfig())
    return DamageInputs(
        pool=pool.data, labels=pool.labels, train=train.data[:3000], n=n, kind=spec.info.kind,
        class_order=np.random.default_rng(7).permutation(np.unique(pool.labels)), modes=spec.info.modes,
        mode_std=spec.info.mode_std, typicality=typicality, foreign=foreign,
    )


def apply(name: str, inputs: DamageInputs, strength: float, seed: int = 3) -> np.ndarray:
    return DAMAGES.get(name).apply(inputs, strength, np.random.default_rng(seed))


def rows_in(samples: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """Whether each sample is exactly a row of `reference`."""
    known = {row.tobytes() for row in reference}
    return np.array([row.tobytes() in known for row in samples])


@pytest.fixture(scope="module")
def mnist():
    return inputs_of("mnist5k", 200)


@pytest.fixture(scope="module")
def classifier():
    from ganbench.features.config import ExtractorConfig
    from ganbench.features.mnist_classifier import build_mnist_classifier

    return build_mnist_classifier(ExtractorConfig(device="cpu"))


@pytest.mark.parametrize("removed", [0, 2, 4, 6, 8])
def test_sequential_dropping_leaves_exactly_10_minus_k_classes_by_the_classifier(mnist, classifier, removed):
    import torch

    samples = apply("drop_sequential", mnist, removed / 10)
    predicted = classifier.extract(torch.from_numpy(samples), ("logits",))["logits"].argmax(1).numpy()
    counts = np.bincount(predicted, minlength=10)
    present = set(np.flatnonzero(counts >= 0.05 * len(samples)))  # a misread digit is not a class
    assert len(samples) == 200
    assert present == set(mnist.class_order[removed:].tolist()) and len(present) == 10 - removed


def test_dropping_is_nested_and_simultaneous_thinning_keeps_one_class_at_full_weight(mnist):
    labels_of = {row.tobytes(): label for row, label in zip(mnist.pool, mnist.labels, strict=True)}
    thinned = apply("thin_simultaneous", mnist, 0.75)
    labels = np.array([labels_of[row.tobytes()] for row in thinned])
    kept = mnist.class_order[-1]
    # 9 classes at weight 0.25 and one at 1 (classes are balanced): the kept class holds 1 / 3.25 of the samples
    assert np.sum(labels == kept) == round(200 / 3.25)
    assert all(abs(np.sum(labels == c) - 200 * 0.25 / 3.25) <= 1 for c in mnist.class_order[:-1])


@pytest.mark.parametrize("fraction", [0.25, 0.5, 1.0])
def test_memorization_copies_exactly_the_fraction_and_jitter_stays_close(mnist, fraction):
    exact = apply("memorize", mnist, fraction)
    assert rows_in(exact, mnist.train).sum() == round(fraction * 200)
    jittered = apply("memorize_jittered", mnist, fraction)
    copied = ~rows_in(jittered, mnist.pool)
    assert copied.sum() == round(fraction * 200) and not rows_in(jittered, mnist.train).any()
    a = jittered[copied].reshape(copied.sum(), -1).astype(np.float64)
    b = mnist.train.reshape(len(mnist.train), -1).astype(np.float64)
    squared = (a**2).sum(1)[:, None] - 2 * a @ b.T + (b**2).sum(1)[None]
    rms = np.sqrt(np.maximum(squared.min(axis=1), 0) / a.shape[1])  # pixel change to the nearest training image
    assert rms.max() < 8 * 1.1  # the jitter's std is 8 levels; clipping at 0 and 255 only shrinks it


def test_outliers_and_invented_images_replace_exactly_the_fraction(mnist):
    foreign = photo_patches(300, 1, 28, np.random.default_rng(0))
    with_foreign = DamageInputs(**{**mnist.__dict__, "foreign": foreign})
    for name in ("outliers", "invent_modes"):
        samples = apply(name, with_foreign, 0.4)
        assert (~rows_in(samples, mnist.pool)).sum() == 80, name
    assert rows_in(apply("invent_modes", with_foreign, 0.4), foreign).sum() == 80
    # noise images are noise: about uniform pixels, unlike any digit
    noise = apply("outliers", mnist, 1.0)
    assert abs(noise.mean() - 127.5) < 2 and mnist.pool.mean() < 50


def test_blur_and_noise_keep_the_draw_and_degrade_it_monotonically(mnist):
    base = plain_draw(mnist, np.random.default_rng(3)).astype(float)
    assert np.array_equal(apply("blur", mnist, 0.0), base) and np.array_equal(apply("noise", mnist, 0.0), base)
    edges = [np.abs(np.diff(apply("blur", mnist, s).astype(float), axis=3)).mean() for s in (0.0, 0.5, 1.0, 2.0)]
    assert edges == sorted(edges, reverse=True) and edges[-1] < 0.6 * edges[0]
    interior = (base > 64) & (base < 191)  # where clipping cannot bite at std 8
    change = apply("noise", mnist, 8.0).astype(float) - base
    assert change[interior].std() == pytest.approx(8.0, rel=0.05)


@pytest.fixture(scope="module")
def grid():
    inputs = inputs_of("grid25", 1000)
    distance = np.linalg.norm(inputs.pool - nearest_modes(inputs.pool, inputs.modes), axis=1)
    return DamageInputs(**{**inputs.__dict__, "typicality": distance})


def test_point_spread_scales_offsets_and_truncation_keeps_the_most_typical(grid):
    base = plain_draw(grid, np.random.default_rng(3))
    offsets = base - nearest_modes(base, grid.modes)
    spread = apply("spread", grid, 2.0)
    assert np.allclose(spread - nearest_modes(base, grid.modes), 3 * offsets, atol=1e-5)
    truncated = apply("truncation", grid, 0.75)
    limit = np.sort(grid.typicality)[int(np.ceil(0.25 * len(grid.pool))) - 1]
    distance = np.linalg.norm(truncated - nearest_modes(truncated, grid.modes), axis=1)
    assert distance.max() <= limit + 1e-6 and len(set(map(bytes, truncated))) == 1000


def test_invented_points_sit_off_the_modes_in_exactly_the_fraction(grid):
    centres = invented_centres(grid.modes)
    assert len(centres) == 40  # the midpoints of the grid's 40 edges
    assert np.linalg.norm(centres[:, None] - grid.modes[None], axis=-1).min() == pytest.approx(1.0)
    samples = apply("invent_modes", grid, 0.2)
    far = np.linalg.norm(samples - nearest_modes(samples, grid.modes), axis=1) > 10 * grid.mode_std
    assert far.sum() == 200

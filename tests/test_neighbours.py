"""The one k-NN pass (`metrics.shared_neighbours`): every k-NN preset read from it gives bit for bit what the metric's
own pass gives, on planted inputs with exact duplicates, lattice ties and C_T cells whose members' nearest
training rows lie in other cells; each expensive structure is computed once when all presets are requested;
the cosine search is exact against brute force."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
import torch

from ganbench.errors import GanbenchError
from ganbench.metrics import memorization as memorization_module
from ganbench.metrics import shared_neighbours as neighbours_module
from ganbench.metrics.config import MemorizationConfig, MetricConfig
from ganbench.metrics.exact_knn import cross_nearest
from ganbench.metrics.manifold import manifold_scores
from ganbench.metrics.memorization import (
    authenticity,
    cosine_nearest,
    ct_test,
    memorization_distance,
    ratio_test,
    train_nearest_other,
)
from ganbench.metrics.presets import common
from ganbench.metrics.shared_neighbours import NeighbourRequest, cosine_distances
from ganbench.metrics.spec import METRICS, MetricInputs

KNN_PRESETS = ("pr", "dc", "memorization", "authpct", "ct")


def clusters_with_copies(seed: int = 0) -> dict[str, np.ndarray]:
    """A 20-cluster mixture in 16-d: training rows (the last 30 repeat the first 30 exactly), generated rows
    (exact copies of training rows -- some of them duplicated there -- near-copies, and fresh draws), held-out."""
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((20, 16)) * 4

    def draw(n):
        return (centres[rng.integers(0, 20, n)] + rng.standard_normal((n, 16))).astype(np.float32)

    train = draw(600)
    train[570:] = train[:30]
    copies = train[rng.integers(0, 600, 100)]
    near = (train[rng.integers(0, 600, 100)] + 1e-3 * rng.standard_normal((100, 16))).astype(np.float32)
    gen = np.concatenate([copies, train[:20], near, draw(180)])
    return {"gen": gen, "train": train, "heldout": draw(300)}


def lattice(seed: int = 1) -> dict[str, np.ndarray]:
    """Integer points in 3-d: many exactly equal distances, repeated rows on every side."""
    rng = np.random.default_rng(seed)
    train = rng.integers(0, 5, (300, 3)).astype(np.float32)
    gen = np.concatenate([train[:60], rng.integers(0, 6, (160, 3))]).astype(np.float32)
    return {"gen": gen, "train": train, "heldout": rng.integers(0, 5, (150, 3)).astype(np.float32)}


def config_with_blocks(block_bytes: int) -> MetricConfig:
    return MetricConfig(memorization=MemorizationConfig(block_bytes=block_bytes))


def presets_together(data, config, names=KNN_PRESETS) -> tuple[dict[str, float], MetricInputs]:
    """Every preset of `names` on one MetricInputs, as `ganbench score` runs them."""
    inputs = MetricInputs(
        n_gen=len(data["gen"]), n_ref=len(data["train"]), gen_features=data["gen"], ref_features=data["train"],
        heldout_features=data["heldout"], requested=names,
    )  # fmt: skip
    values = {}
    for name in names:
        values.update(METRICS.get(name).compute(inputs, config))
    return values, inputs


def each_on_its_own(data, config) -> dict[str, float]:
    """The same values, each metric through its own pure function and its own passes."""
    gen, train, heldout = data["gen"], data["train"], data["heldout"]
    settings, block_bytes = config.memorization, config.memorization.block_bytes
    pr = manifold_scores(train, gen, pr_k=config.pr_k, dc_k=None, block_bytes=block_bytes)
    dc = manifold_scores(train, gen, pr_k=None, dc_k=config.dc_k, block_bytes=block_bytes)
    ct = ct_test(
        train, heldout, gen, settings.ct_cells, settings.ct_min_generated, settings.ct_seed, settings.ct_kmeans_init,
        settings.ct_kmeans_fit_samples, block_bytes=block_bytes,
    )  # fmt: skip
    return {
        "precision": pr.precision,
        "recall": pr.recall,
        "density": dc.density,
        "coverage": dc.coverage,
        "memorized_fraction": ratio_test(
            gen, train, settings.ratio_neighbours, settings.ratio_threshold, block_bytes=block_bytes
        ).memorized_fraction,
        "memorization_distance": memorization_distance(gen, train, block_bytes=block_bytes),
        "authpct": authenticity(gen, train, block_bytes=block_bytes).authpct,
        "ct_score": ct.score,
    }


def own_cells(data, config) -> tuple[np.ndarray, np.ndarray]:
    """C_T's k-means cells of the training and generated rows (fitted as ct_test fits them: on all rows here)."""
    from sklearn.cluster import KMeans

    settings = config.memorization
    assert len(data["train"]) <= settings.ct_kmeans_fit_samples
    kmeans = KMeans(settings.ct_cells, n_init=settings.ct_kmeans_init, random_state=settings.ct_seed)
    kmeans.fit(data["train"])
    return kmeans.predict(data["train"]), kmeans.predict(data["gen"])


@pytest.mark.parametrize("make", [clusters_with_copies, lattice], ids=["clusters+copies", "lattice"])
@pytest.mark.parametrize("block_bytes", [4 * 600 * 37, MemorizationConfig().block_bytes], ids=["37-row", "default"])
def test_shared_pass_equals_the_per_metric_passes_bit_for_bit(make, block_bytes):
    data, config = make(), config_with_blocks(block_bytes)
    together, inputs = presets_together(data, config)
    alone = each_on_its_own(data, config)
    assert together == alone  # exact equality of every value, no tolerance

    # the structures themselves
    found = common.neighbours(inputs, config, "pr")
    gen, train = data["gen"], data["train"]
    own = cross_nearest(gen, train, config.memorization.ratio_neighbours + 1, block_bytes=block_bytes)
    np.testing.assert_array_equal(found.nearest.distances, own.distances)
    np.testing.assert_array_equal(found.nearest.indices, own.indices)
    np.testing.assert_array_equal(found.ref_radii[1], train_nearest_other(train, block_bytes=block_bytes))
    cosine = cosine_nearest(gen, train, block_bytes=block_bytes)
    for field in ("distances", "gen_rows", "indices"):
        np.testing.assert_array_equal(getattr(found.cosine, field), getattr(cosine, field))

    # C_T per cell: the global nearest answers the rows whose nearest training row is in their own cell, a
    # pass over the cell the others; both kinds occur here, and every cell's Z is the per-cell pass's
    train_cells, gen_cells = own_cells(data, config)
    outside = train_cells[found.nearest.indices[:, 0]] != gen_cells
    assert 0 < outside.sum() < len(gen)
    settings = config.memorization
    args = (train, data["heldout"], gen, settings.ct_cells, settings.ct_min_generated, settings.ct_seed)
    shortcut = ct_test(*args, block_bytes=block_bytes, gen_nearest=found.nearest)
    passes = ct_test(*args, block_bytes=block_bytes)
    assert shortcut.partitioned and passes.partitioned
    np.testing.assert_array_equal(shortcut.cell_z, passes.cell_z)
    assert shortcut.score == passes.score == together["ct_score"]


def test_ct_shortcut_covers_the_single_cell_fallback():
    data = clusters_with_copies()
    found = cross_nearest(data["gen"], data["train"], 1)
    for cells in (1, 5):
        few = data["gen"][:30]  # 30 rows fill no cell with more than 20: the single-cell test
        shortcut = ct_test(
            data["train"], data["heldout"], few, cells=cells, gen_nearest=cross_nearest(few, data["train"], 1)
        )
        assert not shortcut.partitioned
        assert shortcut.score == ct_test(data["train"], data["heldout"], few, cells=cells).score
    assert (
        ct_test(data["train"], data["heldout"], data["gen"], cells=1, gen_nearest=found).score
        == ct_test(data["train"], data["heldout"], data["gen"], cells=1).score
    )


# -------------------------------------------------------------------- each structure once


def spy(monkeypatch, owner, name: str) -> list:
    """Record the calls of `owner.name` (a function or a method), passing them through; returns the record."""
    original, calls = getattr(owner, name), []

    def recorded(*args, **kwargs):
        calls.append((args, kwargs))
        return original(*args, **kwargs)

    monkeypatch.setattr(owner, name, recorded)
    return calls


def test_each_structure_is_computed_once_for_all_presets(monkeypatch):
    from sklearn.cluster import KMeans

    data = clusters_with_copies()
    block_bytes = 4 * 600 * 37
    config = config_with_blocks(block_bytes)
    counted = {
        "shared pass": spy(monkeypatch, common, "shared_neighbours"),
        "self radii": spy(monkeypatch, neighbours_module, "knn_radii"),
        "cross block": spy(monkeypatch, neighbours_module, "fast_squared_distances"),
        "cosine sweep": spy(monkeypatch, neighbours_module.CosineSweep, "block"),
        "cross pass (C_T cells)": spy(monkeypatch, memorization_module, "cross_nearest"),
        "training self radii (AuthPct's own)": spy(monkeypatch, memorization_module, "train_nearest_other"),
        "k-means": spy(monkeypatch, KMeans, "fit"),
    }
    values, _ = presets_together(data, config)
    blocks = -(-len(data["gen"]) // 37)
    calls = Counter({label: len(record) for label, record in counted.items()})
    assert calls["shared pass"] == 1
    assert calls["self radii"] == 2  # reference rows once (k = 1, pr_k, dc_k together), generated rows once
    ks = sorted(sorted(args[1]) for args, _ in counted["self radii"])
    assert ks == [[1, 3, 5], [3]]
    assert calls["cross block"] == blocks  # one sweep over the generated rows
    assert calls["cosine sweep"] == blocks
    assert calls["training self radii (AuthPct's own)"] == 0
    assert calls["k-means"] == 1
    # C_T measures only inside its cells: one pass per used cell, over the held-out rows and the generated
    # rows whose nearest training row lies outside their cell -- never all generated rows against all training
    cell_passes = counted["cross pass (C_T cells)"]
    assert 1 <= len(cell_passes) <= config.memorization.ct_cells
    assert sum(len(args[0]) for args, _ in cell_passes) < len(data["heldout"]) + len(data["gen"]) // 2
    assert all(len(args[1]) < len(data["train"]) for args, _ in cell_passes)
    assert values == each_on_its_own(data, config)


def test_ct_alone_does_not_start_a_full_pass(monkeypatch):
    calls = spy(monkeypatch, common, "shared_neighbours")
    values, _ = presets_together(clusters_with_copies(), MetricConfig(), names=("ct",))
    assert calls == [] and np.isfinite(values["ct_score"])


def test_one_preset_with_impossible_k_does_not_fail_the_others():
    """dc_k = 5 with 5 reference rows is refused, for dc alone: pr (k = 3) still reads the shared pass."""
    rng = np.random.default_rng(0)
    data = {
        "gen": rng.standard_normal((8, 4)).astype(np.float32),
        "train": rng.standard_normal((5, 4)).astype(np.float32),
    }
    inputs = MetricInputs(
        n_gen=8, n_ref=5, gen_features=data["gen"], ref_features=data["train"], requested=("pr", "dc")
    )
    alone = manifold_scores(data["train"], data["gen"], 3, None)
    assert METRICS.get("pr").compute(inputs, MetricConfig()) == {"precision": alone.precision, "recall": alone.recall}
    with pytest.raises(GanbenchError, match="k=5 need more than 5 samples"):
        METRICS.get("dc").compute(inputs, MetricConfig())


def test_requests_combine_and_shrink_to_the_sample_counts():
    pr = NeighbourRequest(ref_balls=(3,), gen_balls=(3,))
    both = (
        pr
        | NeighbourRequest(ref_balls=(5,))
        | NeighbourRequest(nearest=51, cosine=True)
        | NeighbourRequest(nearest=1, ref_radii=(1,))
    )
    assert both == NeighbourRequest(
        ref_radii=(1, 3, 5), gen_radii=(3,), ref_balls=(3, 5), gen_balls=(3,), nearest=51, cosine=True
    )
    assert hash(both) == hash(
        NeighbourRequest(ref_balls=(5, 3), gen_balls=(3,), ref_radii=(1,), nearest=51, cosine=True)
    )
    small = both.within(n_gen=3, n_ref=5)
    assert small == NeighbourRequest(ref_radii=(1, 3), ref_balls=(3,), nearest=5, cosine=True)


# -------------------------------------------------------------------- the cosine search is exact


def brute_force_cosine(gen: np.ndarray, train: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every pair measured the way the metric measures the winner; the smallest, lowest index on ties."""
    g, t = torch.from_numpy(gen), torch.from_numpy(train)
    g_norm, t_norm = g.double().norm(dim=1), t.double().norm(dim=1)
    gen_rows, train_rows = np.flatnonzero(g_norm > 0), np.flatnonzero(t_norm > 0)
    rows = torch.as_tensor(np.repeat(gen_rows, len(train_rows)))
    cols = torch.as_tensor(np.tile(train_rows, len(gen_rows)))
    distances = cosine_distances(g, g_norm, rows, t, t_norm, cols).numpy().reshape(len(gen_rows), len(train_rows))
    best = distances.argmin(axis=1)  # the first of equal minima
    return distances[np.arange(len(gen_rows)), best], gen_rows, train_rows[best]


@pytest.mark.parametrize("case", ["clusters", "lattice", "norms spread over 8 decades"])
def test_cosine_nearest_equals_brute_force(case):
    rng = np.random.default_rng(4)
    if case == "clusters":
        data = clusters_with_copies()
        gen, train = data["gen"], data["train"]
    elif case == "lattice":
        data = lattice()
        gen, train = data["gen"], data["train"]
    else:  # tiny and huge rows make the float32 bound wide for some pairs; zero rows are dropped
        train = rng.standard_normal((300, 8)).astype(np.float32) * np.logspace(-4, 4, 300, dtype=np.float32)[:, None]
        gen = np.concatenate([-3 * train[:40], rng.standard_normal((100, 8)), np.zeros((3, 8))]).astype(np.float32)
        train[7] = 0
    found = cosine_nearest(gen, train, block_bytes=4 * len(train) * 29)
    distances, gen_rows, indices = brute_force_cosine(gen, train)
    np.testing.assert_array_equal(found.gen_rows, gen_rows)
    np.testing.assert_array_equal(found.distances, distances)
    np.testing.assert_array_equal(found.indices, indices)

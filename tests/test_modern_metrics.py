"""CMMD, FD-infinity and the Vendi score against literal NumPy ports of the papers' code, closed forms and planted
sets with known answers."""

import numpy as np
import pytest
import scipy.linalg
from sklearn.linear_model import LinearRegression
from sklearn.preprocessing import normalize

from ganbench.metrics.cmmd import CMMD_SCALE, cmmd
from ganbench.metrics.config import MetricConfig, subset_sizes
from ganbench.metrics.fd_infinity import fd_infinity
from ganbench.metrics.spec import METRICS, MetricInputs
from ganbench.metrics.vendi import vendi_score

# ---------------------------------------------------------------- literal ports of the reference code


def cmmd_reference(x, y, sigma=10.0):
    """google-research/cmmd distance.mmd, line by line, in float64 (the JAX code runs float32)."""
    x, y = np.asarray(x, np.float64), np.asarray(y, np.float64)
    x_sqnorms, y_sqnorms = np.diag(x @ x.T), np.diag(y @ y.T)
    gamma = 1 / (2 * sigma**2)
    k_xx = np.mean(np.exp(-gamma * (-2 * (x @ x.T) + x_sqnorms[:, None] + x_sqnorms[None, :])))
    k_xy = np.mean(np.exp(-gamma * (-2 * (x @ y.T) + x_sqnorms[:, None] + y_sqnorms[None, :])))
    k_yy = np.mean(np.exp(-gamma * (-2 * (y @ y.T) + y_sqnorms[:, None] + y_sqnorms[None, :])))
    return 1000 * (k_xx + k_yy - 2 * k_xy)


def frechet_sqrtm(mu1, s1, mu2, s2):
    """FD the way pytorch-fid writes it (scipy sqrtm): an implementation independent of ganbench's."""
    covmean = scipy.linalg.sqrtm(s1 @ s2).real
    return float(((mu1 - mu2) ** 2).sum() + np.trace(s1) + np.trace(s2) - 2 * np.trace(covmean))


def fd_infinity_reference(subsets, mu_r, sigma_r):
    """mchong6/FID_IS_infinity calculate_FID_infinity after the activations: FID per subset, sklearn
    LinearRegression of FID on 1/N, prediction at 0 (the subsets are given so both sides use the same draws)."""
    sizes = np.array([len(s) for s in subsets])
    fids = np.array([frechet_sqrtm(s.mean(0), np.cov(s, rowvar=False), mu_r, sigma_r) for s in subsets])
    regression = LinearRegression().fit(1 / sizes.reshape(-1, 1), fids.reshape(-1, 1))
    return float(regression.predict(np.array([[0]]))[0, 0])


def vendi_reference(x, q=1.0):
    """vertaix/Vendi-Score score_X / dgm-eval compute_vendi_score: the n x n cosine kernel's spectrum."""
    x = normalize(np.asarray(x, np.float64), axis=1)
    w = scipy.linalg.eigvalsh(x @ x.T / len(x))
    w = w[w > 0]
    entropy = -(w * np.log(w)).sum() if q == 1 else np.log((w**q).sum()) / (1 - q)
    return float(np.exp(entropy))


def unit_rows(n, d, seed, shift=0.0):
    """L2-normalised embeddings clustered around a common direction, like CLIP's."""
    rng = np.random.default_rng(seed)
    base = np.random.default_rng(99).standard_normal((1, d))
    x = rng.standard_normal((n, d)) + 3 * base + shift * np.random.default_rng(100).standard_normal((1, d))
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


# ---------------------------------------------------------------- CMMD


@pytest.mark.parametrize("n, m, shift", [(700, 500, 0.0), (1100, 1100, 0.5), (1500, 300, 2.0)])
def test_cmmd_equals_the_reference_formula(n, m, shift):
    """Blocks (1024 rows) that do not divide n or m, unequal sizes, near and far sets."""
    x, y = unit_rows(n, 96, 1), unit_rows(m, 96, 2, shift)
    assert cmmd(x, y) == pytest.approx(cmmd_reference(x, y), abs=2e-6)


def test_cmmd_of_a_set_and_its_duplicate_is_zero():
    x = unit_rows(1300, 64, 3)
    assert abs(cmmd(x, x.copy())) < 1e-9
    assert abs(cmmd_reference(x, x)) < 1e-9


def test_cmmd_of_two_gaussians_matches_the_closed_form():
    """X ~ N(0, s^2 I), Y ~ N(delta, s^2 I): with c = (1 + 2 s^2 / sigma^2)^(-d/2), E k(X, X') = c and
    E k(X, Y) = c exp(-|delta|^2 / (2 (sigma^2 + 2 s^2))); the biased estimator adds (1 - c)(1/n + 1/m)."""
    d, s, sigma, n, m = 8, 3.0, 10.0, 3000, 2000
    rng = np.random.default_rng(5)
    delta = np.zeros(d)
    delta[0] = 6.0
    x, y = rng.normal(0, s, (n, d)), delta + rng.normal(0, s, (m, d))
    c = (1 + 2 * s**2 / sigma**2) ** (-d / 2)
    population = 2 * c * (1 - np.exp(-(delta @ delta) / (2 * (sigma**2 + 2 * s**2))))
    expected = CMMD_SCALE * (population + (1 - c) * (1 / n + 1 / m))
    value = cmmd(x, y)
    assert value == pytest.approx(cmmd_reference(x, y), rel=1e-6)
    assert value == pytest.approx(expected, rel=0.05)  # sampling error of 5,000 draws, measured ~1 %


def test_cmmd_sigma_is_the_kernel_bandwidth():
    x, y = unit_rows(300, 32, 6), unit_rows(200, 32, 7, 1.0)
    assert cmmd(x, y, sigma=0.7) == pytest.approx(cmmd_reference(x, y, sigma=0.7), rel=1e-5)


def test_cmmd_refuses_mismatched_inputs():
    with pytest.raises(ValueError, match="one width"):
        cmmd(np.zeros((3, 4)), np.zeros((3, 5)))
    with pytest.raises(ValueError, match="at least one"):
        cmmd(np.zeros((0, 4)), np.zeros((3, 4)))


# ---------------------------------------------------------------- FD-infinity


def test_subset_sizes_are_the_papers_schedule():
    assert subset_sizes(50_000) == (
        5000, 8214, 11428, 14642, 17857, 21071, 24285, 27500, 30714, 33928, 37142, 40357, 43571, 46785, 50000
    )  # fmt: skip
    assert subset_sizes(1_000) == tuple(np.linspace(100, 1000, 15).astype(np.int32).tolist())  # dgm-eval's n // 10


def test_fd_infinity_equals_the_reference_code_on_the_same_subsets():
    rng = np.random.default_rng(0)
    d, n = 6, 3_000
    ref = rng.standard_normal((4_000, d))
    gen = 0.3 + 1.2 * rng.standard_normal((n, d))
    mu_r, sigma_r = ref.mean(0), np.cov(ref, rowvar=False)
    sizes = subset_sizes(n)
    result = fd_infinity(gen, mu_r, sigma_r, sizes, seed=4)
    draws = np.random.default_rng(4)
    subsets = [gen[draws.choice(n, size, replace=False)] for size in sizes]
    assert result.value == pytest.approx(fd_infinity_reference(subsets, mu_r, sigma_r), abs=1e-9)
    assert result.sizes == sizes and len(result.distances) == len(sizes)
    # the fitted line: FD_N ~ value + slope / N, and FD of all samples lies above the extrapolated value
    assert result.distances[-1] > result.value and result.slope > 0


def test_fd_infinity_of_a_set_against_its_own_statistics_extrapolates_to_zero():
    """FD_N of subsets of a set against that set's own statistics is pure subsampling error. Drawn without
    replacement from n points it scales as c (1/N - 1/n) (finite-population correction), so the line over 1/N
    meets 1/N = 0 at -c/n = -slope/n: nearly zero, while FD at the smallest subset is clearly positive."""
    rng = np.random.default_rng(1)
    ref = rng.standard_normal((5_000, 10))
    mu, sigma = ref.mean(0), np.cov(ref, rowvar=False)
    result = fd_infinity(ref.copy(), mu, sigma, subset_sizes(len(ref)), seed=0)
    assert result.distances[-1] == pytest.approx(0.0, abs=1e-9)  # the full set is the reference itself
    assert result.distances[0] > 0.05
    assert result.value == pytest.approx(-result.slope / len(ref), rel=0.1)
    assert abs(result.value) < 0.15 * result.distances[0]


def test_fd_infinity_removes_the_small_sample_bias_of_known_gaussians():
    """N(0, 1.2^2 I) against N(0, I) in 64-d: FD = 64 (1.2 - 1)^2 = 2.56; FD of 10,000 samples is ~5 % high."""
    rng = np.random.default_rng(2)
    d, n = 64, 10_000
    true_fd = d * (1.2 - 1) ** 2
    gen = 1.2 * rng.standard_normal((n, d))
    result = fd_infinity(gen, np.zeros(d), np.eye(d), subset_sizes(n), seed=0)
    biased = result.distances[-1]
    assert biased > true_fd * 1.03
    assert result.value == pytest.approx(true_fd, rel=0.01)


def test_fd_infinity_is_seeded():
    rng = np.random.default_rng(3)
    gen = rng.standard_normal((600, 4))
    sizes = subset_sizes(600)
    one = fd_infinity(gen, np.zeros(4), np.eye(4), sizes, seed=7)
    assert one == fd_infinity(gen, np.zeros(4), np.eye(4), sizes, seed=7)
    assert one.value != fd_infinity(gen, np.zeros(4), np.eye(4), sizes, seed=8).value


# ---------------------------------------------------------------- Vendi


def test_vendi_of_identical_points_is_one():
    rng = np.random.default_rng(1)
    direction = rng.standard_normal(64)
    same = np.tile(direction, (500, 1)) * rng.uniform(0.5, 2, (500, 1))  # one direction, any norm
    assert vendi_score(same) == pytest.approx(1.0, abs=1e-9)


@pytest.mark.parametrize("k", [2, 5, 10])
def test_vendi_of_k_separated_clusters_is_k(k):
    rng = np.random.default_rng(k)
    centres, _ = np.linalg.qr(rng.standard_normal((64, k)))
    labels = np.arange(1000) % k
    points = centres.T[labels] * 10 + 0.01 * rng.standard_normal((1000, 64))  # tight, well separated
    assert vendi_score(points) == pytest.approx(k, rel=1e-3)
    assert vendi_score(points) == pytest.approx(vendi_reference(points), rel=1e-10)


def test_vendi_of_unequal_orthogonal_clusters_is_the_exponentiated_entropy_of_their_shares():
    rng = np.random.default_rng(4)
    centres, _ = np.linalg.qr(rng.standard_normal((32, 3)))
    sizes = np.array([700, 200, 100])
    points = centres.T[np.repeat(np.arange(3), sizes)]
    shares = sizes / sizes.sum()
    assert vendi_score(points) == pytest.approx(np.exp(-(shares * np.log(shares)).sum()), rel=1e-10)


@pytest.mark.parametrize("n, d", [(400, 64), (150, 300)], ids=["n>d: d x d", "n<d: n x n"])
@pytest.mark.parametrize("q", [1.0, 2.0])
def test_vendi_equals_the_n_by_n_kernel_reference(n, d, q):
    rng = np.random.default_rng(5)
    x = rng.standard_normal((n, d)) + 0.5 * rng.standard_normal((1, d))
    x[3] = 0  # a zero row stays zero, as sklearn's normalize leaves it
    assert vendi_score(x, q) == pytest.approx(vendi_reference(x, q), rel=1e-10)


# ---------------------------------------------------------------- the presets


def preset(name, config=None, **fields):
    return METRICS.get(name).compute(MetricInputs(requested=(name,), **fields), config or MetricConfig())


def test_presets_compute_the_maths_with_their_settings():
    x, y = unit_rows(300, 16, 1), unit_rows(200, 16, 2, 1.0)
    assert preset("cmmd", n_gen=300, n_ref=200, gen_features=x, ref_features=y)["cmmd"] == pytest.approx(
        cmmd_reference(x, y), abs=1e-6
    )
    config = MetricConfig(cmmd_sigma=2.0)
    assert preset("cmmd", config, n_gen=300, n_ref=200, gen_features=x, ref_features=y)["cmmd"] == pytest.approx(
        cmmd_reference(x, y, 2.0), abs=1e-5
    )
    assert preset("vendi", n_gen=300, n_ref=0, gen_features=x)["vendi"] == pytest.approx(vendi_reference(x))
    resolved = MetricConfig().resolved(300, 200)
    assert resolved.fd_inf_sizes == subset_sizes(300)
    value = preset("fd_inf", resolved, n_gen=300, n_ref=200, gen_features=x, ref_mean=y.mean(0), ref_cov=np.cov(y.T))
    expected = fd_infinity(x, y.mean(0), np.cov(y.T), subset_sizes(300), MetricConfig().shuffle_seed).value
    assert value["fd_inf"] == expected
    assert METRICS.get("fd_inf").settings(resolved)["fd_inf_sizes"] == list(subset_sizes(300))


MEMORY_CHILD = """
import json, sys, numpy as np
from ganbench.metrics.cmmd import cmmd

def peak_mb():
    # VmHWM belongs to this process image; ru_maxrss would carry over the RSS of a large parent at fork
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024

n, d = int(sys.argv[1]), int(sys.argv[2])
rng = np.random.default_rng(0)
x, y = rng.standard_normal((n, d), dtype=np.float32), rng.standard_normal((n, d), dtype=np.float32) + 0.05
x /= np.linalg.norm(x, axis=1, keepdims=True)
y /= np.linalg.norm(y, axis=1, keepdims=True)
before = peak_mb()
value = cmmd(x, y)
print(json.dumps({"value": value, "before_mb": before, "peak_mb": peak_mb()}))
"""


@pytest.mark.slow
def test_cmmd_of_50k_by_50k_clip_embeddings_stays_under_2_gb():
    """The reference's full kernel matrices would take 3 x 10 GB in float32 at this size."""
    import json
    import os
    import subprocess
    import sys
    from pathlib import Path

    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    out = subprocess.run([sys.executable, "-c", MEMORY_CHILD, "50000", "768"], capture_output=True, text=True, check=True, env=env)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["peak_mb"] < 2048, result
    assert result["peak_mb"] - result["before_mb"] < 200, result  # the blocks themselves are a few MB
    assert 0 < result["value"] < 10

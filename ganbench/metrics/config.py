"""Typed settings of the metric maths: one dataclass per metric group, gathered in MetricConfig.

Every field carries its help text (`metadata["help"]`): the command line offers each one as an option of the
same name (`--mode-quality-stds`, `--ratio-threshold`, ...), so no setting exists only on paper, and every
setting a requested metric reads is recorded in the protocol fingerprint (each preset names its settings).
Defaults are torch-fidelity's and the papers'; each help says where it comes from. Fields marked
`metadata["cli"] = False` are not metric settings (where the maths run); integer settings are at least
`metadata["minimum"]` (1 unless said), float settings at least 0.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field, replace
from typing import Any

from ganbench.config_parsing import apply_overrides
from ganbench.errors import GanbenchError

#: torch-fidelity's default KID subset size
KID_SUBSET_SIZE = 1000
#: bytes of one float32 distance block in the chunked nearest-neighbour passes
DEFAULT_BLOCK_BYTES = 128 * 2**20
#: FD-infinity's schedule (Chong & Forsyth): 15 subset sizes from 5,000 up to all samples
FD_INF_POINTS = 15
FD_INF_MIN_SAMPLES = 5_000


def subset_sizes(n: int, points: int = FD_INF_POINTS, min_samples: int = FD_INF_MIN_SAMPLES) -> tuple[int, ...]:
    """FD-infinity's N schedule for n generated samples: linspace(min(min_samples, max(n // 10, 2)), n, points) as
    int32, as dgm-eval computes it (the paper's linspace(5000, n, 15) for n >= 50,000, usable for smaller sets)."""
    if n < 2:
        raise ValueError(f"FD-infinity needs at least 2 generated samples, got {n}")
    import numpy as np  # here, not at the top: `ganbench --help` builds its options from this module numpy-free

    smallest = min(min_samples, max(n // 10, 2))
    return tuple(int(size) for size in np.linspace(smallest, n, points).astype(np.int32))


def setting(default, help: str, **metadata):
    """A dataclass field with its command-line help."""
    return field(default=default, metadata={"help": help, **metadata})


@dataclass(frozen=True)
class ModeMetricConfig:
    """Settings of the mode and class-coverage metrics."""

    mode_quality_stds: float = setting(
        3.0, "a point sample is high quality within this many mode stds of its nearest mode (VEEGAN, PacGAN: 3)"
    )
    mode_min_count: int = setting(
        1, "a mode is covered by at least this many high-quality samples (VEEGAN, PacGAN: 1)"
    )
    class_min_share_ratio: float = setting(
        0.5, "a class is covered when its generated share is at least this times its real share (0: any sample)"
    )


@dataclass(frozen=True)
class MemorizationConfig:
    """Settings of the memorization metrics."""

    ratio_neighbours: int = setting(
        50, "ratio test: d1 is compared with the mean of the next k nearest training samples (Carlini et al.: 50)"
    )
    ratio_threshold: float = setting(
        1 / 3, "ratio test: flagged as memorized when d1 / mean(d2..d_k+1) is below this (Carlini et al.: 1/3)"
    )
    ct_cells: int = setting(5, "C_T: k-means cells over the training features (dgm-eval uses 3)")
    ct_min_generated: int = setting(
        20, "C_T: a cell counts when it holds more than this many generated samples (Meehan et al.: 20)"
    )
    ct_seed: int = setting(0, "C_T: seed of k-means and of its training subsample", minimum=0)
    ct_kmeans_init: int = setting(1, "C_T: k-means restarts (scikit-learn's default for k-means++: 1)")
    ct_kmeans_fit_samples: int = setting(10_000, "C_T: k-means is fitted on at most this many training samples")
    block_bytes: int = setting(
        DEFAULT_BLOCK_BYTES, "bytes of one float32 distance block in the k-NN passes (memory, not results)"
    )


@dataclass(frozen=True)
class DistributionConfig:
    """Settings of the metrics that compare the two sets as wholes: PRD, NDB / JS, the 1-NN two-sample test."""

    prd_clusters: int = setting(
        20, "PRD: mini-batch k-means clusters of the generated and reference features together (Sajjadi et al.: 20)"
    )
    prd_angles: int = setting(1001, "PRD: equiangular slopes the curve is computed at (Sajjadi et al.: 1001)", minimum=3)
    prd_runs: int = setting(10, "PRD: clusterings the curve is averaged over (Sajjadi et al.: 10)")
    prd_kmeans_batch: int = setting(
        100, "PRD: k-means mini-batch size (scikit-learn's default when the authors ran prd_score.py: 100)"
    )
    prd_seed: int = setting(0, "PRD: seed of the equal-size subsample and of the k-means runs", minimum=0)
    ndb_bins: int = setting(100, "NDB: k-means bins of the reference features (Richardson & Weiss: 100)", minimum=2)
    ndb_significance: float = setting(
        0.05, "NDB: a bin differs when its two-proportion z-test p-value is below this (Richardson & Weiss: 0.05)"
    )
    ndb_seed: int = setting(0, "NDB: seed of k-means (and of the dimensions used above 1000-d features)", minimum=0)
    c2st_permutations: int = setting(
        1000, "1-NN two-sample test: label permutations of its p-value (the smallest p-value is 1 / (1 + this))"
    )
    c2st_seed: int = setting(0, "1-NN two-sample test: seed of the equal-size subsample and the permutations", minimum=0)
    parzen_sigma_min: float = setting(
        0.01, "Parzen: smallest sigma of the grid, in units of the reference features' scale (root mean variance)"
    )
    parzen_sigma_max: float = setting(10.0, "Parzen: largest sigma of the grid, in the same units")
    parzen_sigmas: int = setting(
        31, "Parzen: log-spaced sigmas of the grid (the reference: 10 over one decade; here 10 a decade)", minimum=2
    )
    parzen_validation: int = setting(
        1000, "Parzen: held-out samples that choose sigma, at most half the split (the reference: 1000); the rest test"
    )
    parzen_seed: int = setting(0, "Parzen: seed of the held-out split into validation and test samples", minimum=0)
    birthday_quantile: float = setting(
        0.01, "birthday test: pairs closer than this quantile of the reference's nearest-neighbour distances are duplicates"
    )
    birthday_min_batch: int = setting(16, "birthday test: smallest batch size (sizes double up to half the samples)", minimum=2)
    birthday_batches: int = setting(200, "birthday test: random batches drawn at each size")
    birthday_seed: int = setting(0, "birthday test: seed of the batches", minimum=0)


@dataclass(frozen=True)
class ClassifierMetricConfig:
    """Settings of GAN-train / the Classification Accuracy Score (a classifier trained on generated samples)."""

    cas_epochs: int = setting(
        30, "CAS: epochs of the mnist-classifier recipe on the generated samples (the shipped classifier's: 30)"
    )
    cas_seed: int = setting(0, "CAS: seed of the classifier's initialisation, dropout, shuffling and shifts", minimum=0)


@dataclass(frozen=True)
class PathLengthConfig:
    """Settings of the perceptual path length (torch-fidelity's `ppl` defaults)."""

    ppl_samples: int = setting(10_000, "PPL: latent pairs (StyleGAN: 100,000; torch-fidelity takes the count given)")
    ppl_epsilon: float = setting(1e-4, "PPL: interpolation step between a pair's latents (torch-fidelity, StyleGAN: 1e-4)")
    ppl_interpolation: str = setting(
        "lerp", "PPL: latent interpolation, lerp, slerp_any or slerp_unit (torch-fidelity: lerp)"
    )
    ppl_resize: int = setting(64, "PPL: LPIPS input size, images resized to it (torch-fidelity: 64)")
    ppl_discard_lower: float = setting(1.0, "PPL: distances below this percentile are dropped (torch-fidelity: 1)")
    ppl_discard_higher: float = setting(99.0, "PPL: distances above this percentile are dropped (torch-fidelity: 99)")
    ppl_seed: int = setting(2020, "PPL: seed of the latents and class labels (torch-fidelity's rng_seed: 2020)", minimum=0)


@dataclass(frozen=True)
class MetricConfig:
    """Settings of the metric maths, passed explicitly to every preset."""

    is_splits: int = setting(10, "Inception Score splits (torch-fidelity: 10)")
    kid_subsets: int = setting(100, "KID subsets (torch-fidelity: 100)")
    kid_subset_size: int | None = setting(
        None, f"KID subset size (default {KID_SUBSET_SIZE}, or the smaller sample count; the value used is recorded)"
    )
    kid_degree: int = setting(3, "KID polynomial kernel degree (Binkowski et al.: 3)")
    kid_coef0: float = setting(1.0, "KID polynomial kernel constant (Binkowski et al.: 1)")
    pr_k: int = setting(3, "k of precision/recall (Kynkaanniemi et al.: 3)")
    dc_k: int = setting(5, "k of density/coverage (Naeem et al.: 5)")
    shuffle_seed: int = setting(
        2020, "seed of the IS shuffle, the KID subsets and the FD-infinity subsets (torch-fidelity: 2020)", minimum=0
    )
    cmmd_sigma: float = setting(10.0, "CMMD Gaussian RBF kernel bandwidth (Jayasumana et al.: 10)")
    fd_inf_points: int = setting(
        FD_INF_POINTS, "FD-infinity: number of subset sizes in the fit (Chong & Forsyth: 15)", minimum=2
    )
    fd_inf_min_samples: int = setting(
        FD_INF_MIN_SAMPLES,
        "FD-infinity: smallest subset size (Chong & Forsyth: 5000; sets under 10x this start at n // 10, as dgm-eval)",
        minimum=2,
    )
    fd_inf_sizes: tuple[int, ...] | None = setting(
        None, "FD-infinity subset sizes, fixed from the sample count when scoring (recorded)", cli=False
    )
    vendi_order: float = setting(1.0, "Vendi score order q of the Renyi entropy (Friedman & Dieng: 1, Shannon)")
    modes: ModeMetricConfig = field(default_factory=ModeMetricConfig)
    distribution: DistributionConfig = field(default_factory=DistributionConfig)
    memorization: MemorizationConfig = field(default_factory=MemorizationConfig)
    classifier: ClassifierMetricConfig = field(default_factory=ClassifierMetricConfig)
    path_length: PathLengthConfig = field(default_factory=PathLengthConfig)
    device: str = setting("cpu", "where the metric maths run (the scoring device)", cli=False)

    def resolved(self, n_generated: int, n_reference: int) -> MetricConfig:
        """This config with the KID subset size and the FD-infinity subset sizes fixed for the given sample counts."""
        config = self
        if config.kid_subset_size is None:
            config = replace(config, kid_subset_size=min(KID_SUBSET_SIZE, n_generated, n_reference))
        if config.fd_inf_sizes is None and n_generated >= 2:
            sizes = subset_sizes(n_generated, config.fd_inf_points, config.fd_inf_min_samples)
            config = replace(config, fd_inf_sizes=sizes)
        return config


def pin_metric_settings(config: MetricConfig, pinned: dict[str, Any]) -> MetricConfig:
    """`config` with the suite's pinned metric settings (fields of MetricConfig or of its nested configs)."""
    changes: dict[str, Any] = {}
    nested: dict[str, dict[str, str]] = {}
    for key, value in pinned.items():
        if key in {f.name for f in dataclasses.fields(config)}:
            changes[key] = str(value)
            continue
        for item in dataclasses.fields(config):
            inner = getattr(config, item.name)
            if dataclasses.is_dataclass(inner) and key in {f.name for f in dataclasses.fields(inner)}:
                nested.setdefault(item.name, {})[key] = str(value)
                break
        else:
            raise GanbenchError(f"suite pins an unknown metric setting {key!r}")
    config = apply_overrides(config, changes) if changes else config
    for name, values in nested.items():
        config = dataclasses.replace(config, **{name: apply_overrides(getattr(config, name), values)})
    return config

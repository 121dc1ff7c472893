"""FeatureStats: streaming float64 mean and covariance of features, with optional raw-feature capture."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch

from ganbench.atomic import atomic_path
from ganbench.errors import GanbenchError


@dataclass
class FeatureStats:
    """Running sums for mean and covariance, accumulated batch by batch in float64 on the features' device.

    Sums are taken around a shift (the first batch's mean) so the covariance does not
    lose digits to cancellation when features have a large mean. Nothing is copied
    to the host until a result is asked for, so a GPU pipeline never waits on it.
    Raw features are kept only when `keep_raw` is set (KID, precision/recall need
    them; FID does not).
    """

    dim: int
    keep_raw: bool = False
    n: int = 0
    shift: torch.Tensor | None = None
    total: torch.Tensor | None = None
    total_outer: torch.Tensor | None = None
    raw: list[torch.Tensor] = field(default_factory=list)

    def update(self, features: torch.Tensor | np.ndarray) -> None:
        """Add a batch of features (N, dim)."""
        batch = torch.as_tensor(features)
        if batch.ndim != 2 or batch.shape[1] != self.dim:
            raise ValueError(f"expected features of shape (N, {self.dim}), got {tuple(batch.shape)}")
        if len(batch) == 0:
            return
        wide = batch.to(torch.float64)
        if self.shift is None:
            self.shift = wide.mean(0)
            self.total = torch.zeros_like(self.shift)
            self.total_outer = torch.zeros((self.dim, self.dim), dtype=torch.float64, device=wide.device)
        centred = wide.to(self.shift.device) - self.shift
        self.total += centred.sum(0)
        self.total_outer.addmm_(centred.T, centred)
        self.n += len(batch)
        if self.keep_raw:
            self.raw.append(batch.detach().to(torch.float32).clone())

    def mean(self) -> np.ndarray:
        """The float64 mean of all features seen."""
        self._need(1)
        return (self.shift + self.total / self.n).cpu().numpy()

    def cov(self) -> np.ndarray:
        """The unbiased (n - 1) float64 covariance of all features seen."""
        self._need(2)
        centred_mean = self.total / self.n
        return ((self.total_outer - self.n * torch.outer(centred_mean, centred_mean)) / (self.n - 1)).cpu().numpy()

    def features(self) -> np.ndarray:
        """All raw features (N, dim) float32, in the order seen; only with keep_raw."""
        if not self.keep_raw:
            raise RuntimeError("raw features were not kept; build FeatureStats with keep_raw=True")
        if not self.raw:
            return np.zeros((0, self.dim), np.float32)
        return torch.cat([part.cpu() for part in self.raw]).numpy()

    def _need(self, count: int) -> None:
        if self.n < count:
            raise GanbenchError(f"need at least {count} samples to compute feature statistics, got {self.n}")


@dataclass(frozen=True)
class ReferenceStats:
    """Saved statistics of a reference set: mean, covariance, count and the protocol that made them."""

    mean: np.ndarray
    cov: np.ndarray
    n: int
    protocol: dict

    @classmethod
    def from_feature_stats(cls, stats: FeatureStats, protocol: dict) -> ReferenceStats:
        return cls(stats.mean(), stats.cov(), stats.n, protocol)

    def save(self, path: str | Path) -> None:
        """Write an `.npz` atomically (mean, cov, n, protocol as JSON)."""
        with atomic_path(path) as tmp:
            with open(tmp, "wb") as handle:
                np.savez(handle, mean=self.mean, cov=self.cov, n=np.int64(self.n), protocol=json.dumps(self.protocol, sort_keys=True))

    @classmethod
    def load(cls, path: str | Path) -> ReferenceStats:
        """Read statistics written by `save`; anything else is a one-line GanbenchError."""
        path = Path(path)
        if not path.is_file():
            raise GanbenchError(f"no such statistics file: {path}; make one with `ganbench stats`")
        try:
            with np.load(path, allow_pickle=False) as archive:
                mean, cov, n = archive["mean"], archive["cov"], int(archive["n"])
                protocol = json.loads(str(archive["protocol"]))
        except Exception as error:
            raise GanbenchError(
                f"{path} is not a ganbench statistics file ({type(error).__name__}: {error}); remake it with `ganbench stats`"
            ) from None
        if mean.ndim != 1 or cov.shape != (len(mean), len(mean)) or not np.isfinite(cov).all() or not np.isfinite(mean).all():
            raise GanbenchError(f"{path} holds malformed statistics (mean {mean.shape}, cov {cov.shape}); remake it")
        return cls(mean.astype(np.float64), cov.astype(np.float64), n, protocol)

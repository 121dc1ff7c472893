"""What a dataset declares about itself, and the registry datasets live in."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal, Protocol

from ganbench.errors import GanbenchError
from ganbench.registry import Registry

if TYPE_CHECKING:  # numpy only in annotations: `ganbench --help` imports this module and stays numpy-free
    import numpy as np

#: The sample kinds ganbench knows (see ganbench.data.kinds).
Kind = Literal["image", "points"]


@dataclass(frozen=True)
class FeatureProtocol:
    """A further feature space the same generated samples are scored in: an extractor and the metrics seen
    through it (e.g. fd_dinov2, pr and dc on dinov2-vit-l14 beside Inception's FID). Its numbers carry their own
    protocol fingerprint, so leaderboards rank them apart from the main protocol's."""

    extractor: str
    metrics: tuple[str, ...]


@dataclass(frozen=True)
class EvalProtocol:
    """How a dataset is evaluated by default: sample counts, reference split and metrics (seen through the
    dataset's default extractor), and optionally further feature protocols on the same samples (`also`)."""

    n_generated: int
    n_reference: int
    reference_split: str = "train"
    metrics: tuple[str, ...] = ("fid",)
    also: tuple[FeatureProtocol, ...] = ()


@dataclass(frozen=True)
class DatasetInfo:
    """Static facts about a dataset, known without loading it.

    kind "image": data is uint8 NCHW with `channels` channels and `resolution` x `resolution` pixels.
    kind "points": data is float32 (N, `channels`); `modes` holds the known mode centres and `mode_std` their std.
    train_split: the split models train on unless told otherwise (STL-10: "unlabeled", as SNGAN and mimicry).
    """

    name: str
    kind: Kind
    description: str
    splits: tuple[str, ...]
    protocol: EvalProtocol
    resolution: int | None = None
    channels: int | None = None
    num_classes: int | None = None
    default_extractor: str | None = None
    modes: np.ndarray | None = field(default=None, compare=False, repr=False)
    mode_std: float | None = None
    downloads: bool = False
    #: metric inputs this dataset gives beyond those of its kind (stacked MNIST: per-channel digit labels)
    extra_inputs: frozenset[str] = frozenset()
    train_split: str = "train"


@dataclass(frozen=True)
class DataConfig:
    """Where download-backed datasets live and whether downloading is allowed."""

    data_dir: str | None = None
    cache_dir: str | None = None
    download: bool = True
    seed: int = 0


@dataclass(frozen=True)
class DataShape:
    """The data a network is built for.

    kind "image": `channels` x `resolution` x `resolution` images.
    kind "points": vectors of `channels` coordinates (2 for ring8/grid25); `resolution` is 0.
    `num_classes` is the number of labels (0 when the data is unlabelled). `scale`: for points, the data's
    standard deviation per coordinate (pooled over coordinates, 6 significant digits), which networks that
    train on standardised data divide by (Gulrajani et al.'s toy code divides ring8 by 1.414 and grid25 by
    2.828); 1.0 for images, which train in [-1, 1].
    """

    kind: Kind
    channels: int
    resolution: int = 0
    num_classes: int = 0
    scale: float = 1.0

    @property
    def sample_shape(self) -> tuple[int, ...]:
        """Shape of one sample: (C, H, W) for images, (dim,) for points."""
        if self.kind == "image":
            return (self.channels, self.resolution, self.resolution)
        return (self.channels,)

    @classmethod
    def of(cls, data: np.ndarray, labels: np.ndarray | None = None, num_classes: int | None = None) -> DataShape:
        """The shape of an array of samples: uint8 NCHW square images or float (N, dim) points.

        `num_classes` defaults to max(label) + 1 when labels are given, else 0.
        """
        if num_classes is None:
            num_classes = int(labels.max()) + 1 if labels is not None and len(labels) else 0
        if data.ndim == 2:
            return cls("points", int(data.shape[1]), 0, num_classes, coordinate_std(data))
        if data.ndim == 4 and data.shape[2] == data.shape[3]:
            return cls("image", int(data.shape[1]), int(data.shape[2]), num_classes)
        raise GanbenchError(
            f"cannot train on data of shape {tuple(data.shape)}; give square images (N, C, H, H) or points (N, dim)"
        )


def coordinate_std(points: np.ndarray) -> float:
    """sqrt(mean over coordinates of each coordinate's variance), to 6 significant digits (1.0 for no spread)."""
    import numpy as np  # here, not at the top: `ganbench --help` imports this module and stays numpy-free

    if len(points) < 2:
        return 1.0
    std = float(np.sqrt(np.var(np.asarray(points, dtype=np.float64), axis=0).mean()))
    return float(f"{std:.6g}") if std > 0 and np.isfinite(std) else 1.0


@dataclass
class ArraySplit:
    """One split in memory: images uint8 NCHW (or points float32 (N, 2)) and optional int64 labels."""

    data: np.ndarray
    labels: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.data)


class SampleBatches(Protocol):
    """Anything that knows how many samples it holds and yields them as numpy batches in a fixed order."""

    def __len__(self) -> int: ...

    def batches(self, batch_size: int) -> Iterator[np.ndarray]: ...


@dataclass(frozen=True)
class ArrayBatches:
    """Samples already in memory (uint8 NCHW images or float points), read in batches like a folder of files."""

    data: np.ndarray
    labels_array: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.data)

    def labels(self) -> np.ndarray | None:
        return self.labels_array

    def batches(self, batch_size: int) -> Iterator[np.ndarray]:
        for start in range(0, len(self.data), batch_size):
            yield self.data[start : start + batch_size]


@dataclass(frozen=True)
class DatasetSpec:
    """A registered dataset: its static info and a loader for one split."""

    info: DatasetInfo
    load: Callable[[str, DataConfig], ArraySplit]


#: name -> DatasetSpec; the built-in datasets register from ganbench.data.catalog. Parametrised names such as
#: "folder:PATH" are resolved by ganbench.data.resolve.resolve_dataset.
DATASETS: Registry[DatasetSpec] = Registry("dataset", builtins="ganbench.data.catalog")

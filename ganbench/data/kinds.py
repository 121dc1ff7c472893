"""The kinds of samples ganbench knows: images and points. A kind is the one place that knows how its samples
are checked, converted, stored, shown and turned into training batches; everything else asks the kind.

Adding a kind (tabular rows, 1200-D mixtures, ...) is one subclass of SampleKind registered in SAMPLE_KINDS
with the name a DatasetInfo / DataShape carries in its `kind` field.
"""

from __future__ import annotations

import abc
import math
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Literal

import numpy as np
import torch

from ganbench.atomic import atomic_path
from ganbench.data.base import ArrayBatches, ArraySplit, DatasetInfo, DataShape, SampleBatches
from ganbench.data.image_files import open_images
from ganbench.errors import GanbenchError
from ganbench.registry import Registry

OutputRange = Literal["auto", "-1,1", "0,1", "uint8"]
#: how far outside its range a float output may stray before it is an error (then it is clamped)
RANGE_SLACK = 1e-3
#: real points drawn under a training scatter preview
PREVIEW_REAL_POINTS = 2000


def value_range(batch: torch.Tensor) -> tuple[float, float]:
    """(min, max) of a float batch in one host synchronisation; NaN anywhere makes both NaN."""
    low, high = torch.stack([batch.min(), batch.max()]).float().tolist()
    return low, high


class SampleKind(abc.ABC):
    """How one kind of sample is checked, converted, stored and shown.

    `provides`: the metric inputs (names of ganbench.metrics.spec.INPUTS) a dataset of this kind can supply.
    `extracted`: True when metrics see the samples through a feature extractor (images), False when they
    read the samples themselves (points). `evaluation_suffix`: the file type of the samples a benchmark
    evaluation keeps for the figures.
    """

    name: str
    #: what samples are called in messages, and the meaning of their shape's axes
    noun: str
    axes: str
    provides: frozenset[str]
    extracted: bool
    evaluation_suffix: str

    @abc.abstractmethod
    def sample_shape(self, info: DatasetInfo) -> tuple[int, ...]:
        """Shape of one sample of dataset `info`."""

    @abc.abstractmethod
    def convert(self, batch: torch.Tensor, output_range: OutputRange, seen: tuple[float, float] | None) -> torch.Tensor:
        """A checked generator batch in the form metrics and files take (uint8 images, float points)."""

    @abc.abstractmethod
    def training_batch(self, stored: torch.Tensor) -> torch.Tensor:
        """Stored samples (uint8 images, float points) as the float tensor a network trains on."""

    @abc.abstractmethod
    def check_training_data(self, data: ArraySplit) -> None:
        """A GanbenchError unless `data` is stored in this kind's dtype."""

    @abc.abstractmethod
    def save_training_preview(
        self, samples: torch.Tensor, path: Path, real: np.ndarray, modes: np.ndarray | None
    ) -> None:
        """A PNG of generated samples (training range) for people: an image grid, or points over real ones."""

    @abc.abstractmethod
    def save_evaluation_samples(self, samples: torch.Tensor, stem: Path, info: DatasetInfo) -> Path:
        """Keep an evaluation's first samples (checked, converted) beside a checkpoint for the figures; the path."""

    @abc.abstractmethod
    def draw_evaluation_samples(self, ax, path: Path, modes: np.ndarray | None, colour) -> list:
        """Draw a file written by `save_evaluation_samples` on a matplotlib axis (over the dataset's `modes`
        when known); returns legend handles for what needs explaining."""

    @abc.abstractmethod
    def write_samples(self, batches: Iterable[torch.Tensor], folder: Path) -> Iterator[torch.Tensor]:
        """Pass converted batches through unchanged while storing every sample under `folder`."""

    @abc.abstractmethod
    def read_samples(self, path: str | Path) -> SampleBatches:
        """Stored samples (what `write_samples` writes, or a user's files) as a batch reader; one GanbenchError
        sentence when the file does not hold samples of this kind."""

    def check_batch(self, batch: object, info: DatasetInfo | None, rows: int) -> tuple[float, float] | None:
        """A one-line GanbenchError unless a generator's `batch` fits dataset `info`; its (min, max) if float."""
        if not isinstance(batch, torch.Tensor):
            raise GanbenchError(f"the generator returned {type(batch).__name__}, not a torch.Tensor")
        if batch.device.type == "meta" or batch.is_complex() or batch.dtype == torch.bool:
            what = "meta-device tensor (no values)" if batch.device.type == "meta" else f"{batch.dtype} tensor"
            raise GanbenchError(
                f"the generator returned a {what}; it must return real-valued samples (float, or uint8 images)"
            )
        if len(batch) != rows:
            raise GanbenchError(f"the generator returned {len(batch)} samples for {rows} noise rows")
        seen = value_range(batch) if batch.is_floating_point() else None  # the only host sync per batch
        if seen is not None and not all(math.isfinite(v) for v in seen):
            raise GanbenchError("the generator returned NaN or inf values; check the weights (a diverged checkpoint?)")
        if info is not None:
            expected = self.sample_shape(info)
            if tuple(batch.shape[1:]) != expected:
                raise GanbenchError(
                    f"{info.name} expects {self.noun} of shape {expected} {self.axes}; "
                    f"the generator returned {tuple(batch.shape[1:])} per sample"
                )
        return seen

    def resolve_range(
        self, batch: torch.Tensor, seen: tuple[float, float] | None, requested: OutputRange
    ) -> OutputRange:
        """The output range to convert every batch with, decided once from the first batch when "auto"."""
        return requested


#: kind name -> SampleKind
SAMPLE_KINDS: Registry[SampleKind] = Registry("sample kind")


def kind_of(info_or_shape: DatasetInfo | DataShape) -> SampleKind:
    """The SampleKind of a dataset or data shape."""
    return SAMPLE_KINDS.get(info_or_shape.kind)


def grid_columns(n: int) -> int:
    """Columns of a square-ish grid of `n` images."""
    return max(1, int(math.ceil(math.sqrt(n))))


def save_image_grid(samples: torch.Tensor, path: Path) -> None:
    """Images NCHW in [-1, 1] as one square-ish PNG grid, written atomically."""
    from torchvision.utils import save_image

    with atomic_path(path) as tmp:
        save_image(samples.float().cpu() * 0.5 + 0.5, str(tmp), nrow=grid_columns(len(samples)), padding=2)


class ImageKind(SampleKind):
    """uint8 NCHW images; generators return floats in [-1, 1] or [0, 1] (or uint8), scored through an extractor."""

    name = "image"
    noun = "images"
    axes = "(C, H, W)"
    provides = frozenset(
        {
            "gen_stats",
            "ref_stats",
            "gen_features",
            "ref_features",
            "heldout_features",
            "gen_logits",
            "gen_class_logits",
            "ref_labels",
            "cas_logits",
            "ppl_distances",
        }
    )
    extracted = True
    evaluation_suffix = ".png"

    def sample_shape(self, info: DatasetInfo) -> tuple[int, ...]:
        return (info.channels, info.resolution, info.resolution)

    def resolve_range(
        self, batch: torch.Tensor, seen: tuple[float, float] | None, requested: OutputRange
    ) -> OutputRange:
        """"auto": uint8 for uint8 tensors, else [-1, 1] when any value is negative, else [0, 1]."""
        if requested != "auto":
            return requested
        if batch.dtype == torch.uint8:
            return "uint8"
        return "-1,1" if (seen or value_range(batch))[0] < 0 else "0,1"

    def convert(self, batch: torch.Tensor, output_range: OutputRange, seen: tuple[float, float] | None) -> torch.Tensor:
        """uint8 0..255 from `output_range` (resolved: not "auto"), rounding as PIL does when saving a PNG; values
        more than RANGE_SLACK outside the range are an error."""
        if output_range == "uint8":
            if batch.dtype != torch.uint8:
                raise GanbenchError(f"--output-range uint8 was given but the generator returned {batch.dtype}")
            return batch
        low, high = (-1.0, 1.0) if output_range == "-1,1" else (0.0, 1.0)
        batch = batch.float()
        seen_low, seen_high = seen or value_range(batch)
        if seen_low < low - RANGE_SLACK or seen_high > high + RANGE_SLACK:
            raise GanbenchError(
                f"generator output spans [{seen_low:.3g}, {seen_high:.3g}], outside [{low:g}, {high:g}]; end the "
                "generator in tanh ([-1, 1]) or sigmoid ([0, 1]), return uint8, or set --output-range"
            )
        scaled = (batch - low) * (255.0 / (high - low))
        return scaled.round_().clamp_(0, 255).to(torch.uint8)

    def training_batch(self, stored: torch.Tensor) -> torch.Tensor:
        """uint8 -> float32 in [-1, 1] (0 -> -1, 255 -> 1), channels-last on CUDA."""
        x = stored.float() / 127.5 - 1.0
        if x.device.type == "cuda":
            x = x.contiguous(memory_format=torch.channels_last)
        return x

    def check_training_data(self, data: ArraySplit) -> None:
        if data.data.dtype != np.uint8:
            raise GanbenchError(f"image data must be uint8 NCHW, got {data.data.dtype}; convert it to uint8 0..255")

    def save_training_preview(
        self, samples: torch.Tensor, path: Path, real: np.ndarray, modes: np.ndarray | None
    ) -> None:
        save_image_grid(samples, path)

    def save_evaluation_samples(self, samples: torch.Tensor, stem: Path, info: DatasetInfo) -> Path:
        path = stem.with_suffix(self.evaluation_suffix)
        save_image_grid(samples.float().cpu() / 127.5 - 1.0, path)
        return path

    def draw_evaluation_samples(self, ax, path: Path, modes: np.ndarray | None, colour) -> list:
        from matplotlib.image import imread

        image = imread(path)
        ax.imshow(image, cmap="gray" if image.ndim == 2 else None, interpolation="nearest")
        ax.set_xticks([])
        ax.set_yticks([])
        for spine in ax.spines.values():
            spine.set_visible(False)
        return []

    def write_samples(self, batches: Iterable[torch.Tensor], folder: Path) -> Iterator[torch.Tensor]:
        """Each image as folder/000000.png in sample order."""
        from PIL import Image

        folder.mkdir(parents=True, exist_ok=True)
        index = 0
        for batch in batches:
            for image in batch.cpu().numpy():
                array = image[0] if image.shape[0] == 1 else image.transpose(1, 2, 0)
                Image.fromarray(array).save(folder / f"{index:06d}.png")
                index += 1
            yield batch

    def read_samples(self, path: str | Path) -> SampleBatches:
        """A folder of image files (read lazily) or an .npz with a uint8 image array."""
        return open_images(path)


class PointKind(SampleKind):
    """Float vectors (2-D points for ring8 / grid25); metrics read the points themselves, against known modes."""

    name = "points"
    noun = "points"
    axes = "(dim,)"
    provides = frozenset({"gen_points", "modes", "ref_labels"})
    extracted = False
    evaluation_suffix = ".npz"
    #: what the protocol fingerprint records in place of an extractor
    fingerprint = {"extractor": "none (2-d points)", "extractor_weights_sha256": "", "preprocessing": ""}
    feature_dtype = "float64"

    def sample_shape(self, info: DatasetInfo) -> tuple[int, ...]:
        return (info.channels or 2,)

    def convert(self, batch: torch.Tensor, output_range: OutputRange, seen: tuple[float, float] | None) -> torch.Tensor:
        return batch.float()

    def training_batch(self, stored: torch.Tensor) -> torch.Tensor:
        return stored.float()

    def check_training_data(self, data: ArraySplit) -> None:
        if not np.issubdtype(data.data.dtype, np.floating):
            raise GanbenchError(f"point data must be float, got {data.data.dtype}; convert it to float32")

    def save_training_preview(
        self, samples: torch.Tensor, path: Path, real: np.ndarray, modes: np.ndarray | None
    ) -> None:
        """Generated points over real points (and the mode centres when known), written atomically."""
        # A bare Figure renders with Agg and leaves pyplot's global backend and figure list alone.
        from matplotlib.figure import Figure

        fake = samples.float().cpu().numpy()
        real = np.asarray(real[:PREVIEW_REAL_POINTS])
        fig = Figure(figsize=(5, 5), dpi=100)
        ax = fig.subplots()
        ax.scatter(real[:, 0], real[:, 1], s=2, c="0.7", label="real")
        ax.scatter(fake[:, 0], fake[:, 1], s=2, c="tab:red", label="generated")
        if modes is not None:
            ax.scatter(modes[:, 0], modes[:, 1], s=40, marker="x", c="k", label="modes")
        ax.set_aspect("equal")
        ax.legend(loc="upper right", fontsize=7)
        fig.tight_layout()
        with atomic_path(path) as tmp:
            fig.savefig(tmp, format="png")

    def save_evaluation_samples(self, samples: torch.Tensor, stem: Path, info: DatasetInfo) -> Path:
        """`points`, the dataset's `modes` (when known) and its name, as an .npz."""
        path = stem.with_suffix(self.evaluation_suffix)
        extra = {"modes": np.asarray(info.modes)} if info.modes is not None else {}
        with atomic_path(path) as tmp, open(tmp, "wb") as handle:
            np.savez(handle, points=samples.double().cpu().numpy(), dataset=info.name, **extra)
        return path

    def draw_evaluation_samples(self, ax, path: Path, modes: np.ndarray | None, colour) -> list:
        from matplotlib.lines import Line2D

        with np.load(path) as npz:
            points = np.asarray(npz["points"], dtype=float)
        handles = [Line2D([], [], ls="none", marker="o", ms=4, color="grey", label="generated points")]
        if modes is not None:
            ax.scatter(modes[:, 0], modes[:, 1], s=90, marker="o", facecolor="none", edgecolor="black", lw=1.0, zorder=2)
            handles.append(Line2D([], [], ls="none", marker="o", ms=10, mfc="none", mec="black", label="true mode centres"))
        ax.scatter(points[:, 0], points[:, 1], s=5, alpha=0.5, color=colour, lw=0, zorder=3)
        ax.set_aspect("equal", adjustable="datalim")
        ax.grid(True, alpha=0.3)
        return handles

    def write_samples(self, batches: Iterable[torch.Tensor], folder: Path) -> Iterator[torch.Tensor]:
        """All points as folder/points.npz (written once the last batch has passed)."""
        kept = []
        for batch in batches:
            kept.append(batch.double().cpu())
            yield batch
        folder.mkdir(parents=True, exist_ok=True)
        points = torch.cat(kept).numpy() if kept else np.zeros((0, 2))
        with atomic_path(folder / "points.npz") as tmp, open(tmp, "wb") as handle:
            np.savez(handle, points=points)

    def read_samples(self, path: str | Path) -> SampleBatches:
        """Points from an .npz with a `points` (N, D) float array, as float64."""
        try:
            with np.load(path, allow_pickle=False) as archive:
                if "points" not in archive:
                    raise GanbenchError(
                        f"{path} has no 'points' array; save generated points as points=(N, D) floats"
                    )
                points = archive["points"].astype(np.float64)
        except GanbenchError:
            raise
        except Exception as error:
            raise GanbenchError(
                f"cannot read {path} as an .npz file ({error}); pass a file written by numpy.savez"
            ) from None
        if points.ndim != 2 or not np.isfinite(points).all():
            raise GanbenchError(f"'points' in {path} must be finite floats of shape (N, D), got {points.shape}")
        return ArrayBatches(points)


SAMPLE_KINDS.add("image", ImageKind())
SAMPLE_KINDS.add("points", PointKind())

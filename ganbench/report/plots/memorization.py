"""Figure: generated samples flagged by the memorization ratio test, each beside its nearest training images.

One row per sample, most copy-like (smallest ratio d1 / mean(d2 .. d_{k+1})) first: the generated image
(red frame when flagged), then its nearest training images in feature space, each titled with its index
and feature distance. When nothing is flagged the figure shows the lowest-ratio samples instead and says
so in its title, so a clean model still gets an informative picture.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ganbench.metrics.config import MemorizationConfig
from ganbench.metrics.memorization import RatioTest, ratio_test

FLAGGED_COLOUR = "#d62728"


def _to_display(image: np.ndarray) -> tuple[np.ndarray, str | None]:
    """uint8 CHW -> an array imshow shows as is (HW with a gray colormap, or HWC)."""
    image = np.asarray(image)
    if image.ndim != 3 or image.shape[0] not in (1, 3):
        raise ValueError(f"expected a uint8 C x H x W image with 1 or 3 channels, got shape {image.shape}")
    if image.shape[0] == 1:
        return image[0], "gray"
    return np.transpose(image, (1, 2, 0)), None


def _check_images(images: np.ndarray, name: str) -> np.ndarray:
    images = np.asarray(images)
    if images.dtype != np.uint8 or images.ndim != 4 or images.shape[1] not in (1, 3):
        raise ValueError(f"{name}: expected uint8 images N x (1|3) x H x W, got {images.shape} {images.dtype}")
    return images


def plot_memorization(
    path: str | Path,
    gen_images: np.ndarray,
    ref_images: np.ndarray,
    test: RatioTest,
    max_rows: int = 8,
    neighbours: int = 4,
    title: str | None = None,
    dpi: int = 120,
) -> Path:
    """Write a PNG of up to `max_rows` flagged generated samples beside their `neighbours` nearest training
    images. `gen_images` / `ref_images` are uint8 NCHW, indexed like the features `test` was run on."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    gen_images = _check_images(gen_images, "gen_images")
    ref_images = _check_images(ref_images, "ref_images")
    if len(gen_images) != len(test.ratios):
        raise ValueError(f"{len(gen_images)} generated images but the ratio test covers {len(test.ratios)} samples")
    neighbours = max(1, min(neighbours, test.neighbours.indices.shape[1]))
    shown = test.flagged_indices()
    flagged_total = len(shown)
    if flagged_total == 0:
        shown = np.argsort(test.ratios, kind="stable")
    shown = shown[:max_rows]
    if len(shown) == 0:
        raise ValueError("no generated samples to show")

    rows, cols = len(shown), 1 + neighbours
    figure = Figure(figsize=(1.55 * cols + 0.3, 1.75 * rows + 0.7), layout="constrained")
    FigureCanvasAgg(figure)
    axes = np.atleast_2d(figure.subplots(rows, cols, squeeze=False))
    for row, sample in enumerate(shown):
        image, cmap = _to_display(gen_images[sample])
        ax = axes[row, 0]
        ax.imshow(image, cmap=cmap, vmin=0, vmax=255, interpolation="nearest")
        ax.set_title(f"gen {sample}\nratio {test.ratios[sample]:.3f}", fontsize=8)
        colour = FLAGGED_COLOUR if test.flagged[sample] else "0.6"
        for spine in ax.spines.values():
            spine.set_edgecolor(colour)
            spine.set_linewidth(2.5)
        for column in range(neighbours):
            train_index = int(test.neighbours.indices[sample, column])
            image, cmap = _to_display(ref_images[train_index])
            ax = axes[row, 1 + column]
            ax.imshow(image, cmap=cmap, vmin=0, vmax=255, interpolation="nearest")
            ax.set_title(f"train {train_index}\nd={test.neighbours.distances[sample, column]:.3g}", fontsize=8)
        for ax in axes[row]:
            ax.set_xticks([])
            ax.set_yticks([])
    n = len(test.ratios)
    if flagged_total:
        summary = f"{flagged_total} of {n} generated samples flagged ({100 * flagged_total / n:.1f}%), ratio < {test.threshold:.3g}; showing {rows}"
    else:
        summary = f"no sample of {n} flagged (ratio < {test.threshold:.3g}); showing the {rows} lowest ratios"
    legend = "left: generated (red frame: flagged); right: its nearest training images, d = feature distance"
    lines = [title, summary, legend] if title else [summary, legend]
    figure.suptitle("\n".join(lines), fontsize=9)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=dpi)
    return path


def memorization_figure(
    path: str | Path,
    gen_features: np.ndarray,
    ref_features: np.ndarray,
    gen_images: np.ndarray,
    ref_images: np.ndarray,
    config: MemorizationConfig | None = None,
    device: str = "cpu",
    max_rows: int = 8,
    neighbours: int = 4,
    title: str | None = None,
) -> tuple[Path, RatioTest]:
    """Run the ratio test on the features and plot it (see `plot_memorization`); returns the PNG path and the test."""
    config = config or MemorizationConfig()
    test = ratio_test(
        gen_features, ref_features, config.ratio_neighbours, config.ratio_threshold, device, config.block_bytes
    )
    return plot_memorization(path, gen_images, ref_images, test, max_rows, neighbours, title), test

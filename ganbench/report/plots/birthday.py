"""Figure: the closest pairs among generated samples, the candidates of the birthday-paradox test (Arora & Zhang
2017 look at these by eye). A red frame marks a pair closer than the duplicate threshold calibrated on real data."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ganbench.metrics.two_sample import nearest_other_with_distance

DUPLICATE_COLOUR = "#d62728"


def closest_pairs(features: np.ndarray, count: int) -> tuple[np.ndarray, np.ndarray]:
    """(pairs (k, 2), distances (k,)) of the `count` closest distinct pairs of rows (each row's nearest other row,
    deduplicated), closest first."""
    nearest, distance = nearest_other_with_distance(features)
    pairs = np.sort(np.stack([np.arange(len(nearest)), nearest], axis=1), axis=1)
    pairs, first = np.unique(pairs, axis=0, return_index=True)
    order = np.argsort(distance[first], kind="stable")[:count]
    return pairs[order], distance[first][order]


def plot_closest_pairs(
    path: str | Path,
    images: np.ndarray,
    features: np.ndarray,
    threshold: float,
    pairs: int = 8,
    title: str | None = None,
    dpi: int = 120,
) -> Path:
    """Write a PNG of the `pairs` closest pairs of generated `images` (uint8 N x (1|3) x H x W) by `features`
    (row-aligned), each pair side by side with its distance; pairs closer than `threshold` framed in red."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    images = np.asarray(images)
    if images.dtype != np.uint8 or images.ndim != 4 or images.shape[1] not in (1, 3) or len(images) != len(features):
        raise ValueError(f"expected uint8 images N x (1|3) x H x W, one per feature row, got {images.shape} {images.dtype}")
    shown, distances = closest_pairs(features, pairs)
    figure = Figure(figsize=(3.4 * 2, 1.8 * ((len(shown) + 1) // 2) + 0.8), layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.subplots((len(shown) + 1) // 2, 4, squeeze=False)
    for ax in axes.ravel():
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_axis_off()
    for k, ((i, j), distance) in enumerate(zip(shown, distances, strict=True)):
        duplicate = distance < threshold
        for side, index in enumerate((i, j)):
            ax = axes[k // 2, 2 * (k % 2) + side]
            ax.set_axis_on()
            image = images[index]
            if image.shape[0] == 1:
                ax.imshow(image[0], cmap="gray", vmin=0, vmax=255, interpolation="nearest")
            else:
                ax.imshow(np.transpose(image, (1, 2, 0)), interpolation="nearest")
            ax.set_title(f"{index}" + (f"\nd={distance:.3g}" if side == 0 else "\n"), fontsize=8)
            for spine in ax.spines.values():
                spine.set_edgecolor(DUPLICATE_COLOUR if duplicate else "0.6")
                spine.set_linewidth(2.5)
    found = int((distances < threshold).sum())
    summary = (
        f"the {len(shown)} closest pairs of {len(images)} samples; {found} closer than the duplicate threshold "
        f"{threshold:.3g} (red frame)"
    )
    figure.suptitle("\n".join(filter(None, [title, summary])), fontsize=9)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=dpi)
    return path

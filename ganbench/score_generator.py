"""Scoring a generator under a dataset's protocol: samples streamed straight into the extractor.

On a GPU, generation, the uint8 conversion, feature extraction and the running
statistics all stay on the device, batch after batch; images reach the disk
only with `save_samples`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import asdict, replace
from pathlib import Path

import numpy as np
import torch

from ganbench.config import ScoreConfig
from ganbench.errors import GanbenchError
from ganbench.generator_loading import GeneratorSource, load_generator_source
from ganbench.sampling import SamplingConfig, sample_batches
from ganbench.score import ScoreResult, dataset_spec, default_metrics, score_batches
from ganbench.seeding import NOISE_CHUNK


def saving_batches(batches: Iterable[torch.Tensor], folder: Path) -> Iterator[torch.Tensor]:
    """Pass uint8 batches through while writing each image as folder/000000.png (sample index order)."""
    from PIL import Image

    folder.mkdir(parents=True, exist_ok=True)
    index = 0
    for batch in batches:
        for image in batch.cpu().numpy():
            array = image[0] if image.shape[0] == 1 else image.transpose(1, 2, 0)
            Image.fromarray(array).save(folder / f"{index:06d}.png")
            index += 1
        yield batch


def score_generator(
    config: ScoreConfig, source: GeneratorSource, sampling: SamplingConfig, save_samples: str | None = None
) -> ScoreResult:
    """Draw `sampling.n` seeded samples (default: the dataset protocol's count) and score them under `config`."""
    config = default_metrics(config)
    spec = dataset_spec(config)
    info = spec.info if spec else None
    if sampling.n is None:
        if info is None:
            raise GanbenchError("--n is needed when the reference is not a --dataset")
        sampling = replace(sampling, n=info.protocol.n_generated)
    generator = load_generator_source(source)
    batches = sample_batches(generator, sampling, info, source.device)
    if info is not None and info.kind == "points":
        points = torch.cat(list(batches)).double().cpu().numpy()
        if save_samples:
            Path(save_samples).mkdir(parents=True, exist_ok=True)
            np.savez(Path(save_samples) / "points.npz", points=points)
        result = score_batches(config, None, 0, points=points)
    else:
        stream = saving_batches(batches, Path(save_samples)) if save_samples else batches
        result = score_batches(config, stream, sampling.n)
    generator_record = {
        "generator": source.spec,
        "checkpoint": source.checkpoint,
        "seed": sampling.seed,
        "noise": f"ganbench.seeding eval_noise, standard normal, chunks of {NOISE_CHUNK}",
        **{k: v for k, v in asdict(sampling).items() if k in ("output_range", "z_dim")},
    }
    return ScoreResult(result.metrics, {**result.protocol, "sampling": generator_record})

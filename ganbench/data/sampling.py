"""Drawing seeded samples from any generator: one loop for training previews, evaluations and user generators.

Noise comes from ganbench.seeding in fixed chunks and conditional generators get balanced labels, so sample
i is the same whatever the batch size. `sample_batches` also checks every batch and converts it with the
dataset's sample kind (images to uint8, with the output range decided once from the first batch).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from ganbench.data.base import DatasetInfo
from ganbench.data.kinds import SAMPLE_KINDS, OutputRange, kind_of
from ganbench.errors import GanbenchError
from ganbench.seeding import class_labels, noise

#: Above this many samples per score only --yes goes on: the largest protocol draws 50,000, and a typo such as
#: --n 1000000000000 must not start a job of years.
MAX_SAMPLES_WITHOUT_YES = 1_000_000


def check_sample_count(n: int | None, yes: bool, option: str) -> None:
    """Refuse `n` samples above MAX_SAMPLES_WITHOUT_YES unless `yes`, in one sentence naming `option`."""
    if n is not None and n > MAX_SAMPLES_WITHOUT_YES and not yes:
        raise GanbenchError(
            f"{option} {n:,} asks for more than {MAX_SAMPLES_WITHOUT_YES:,} samples (the largest protocol draws "
            f"50,000); pass --yes to draw that many, or a smaller {option}"
        )


@dataclass(frozen=True)
class SamplingConfig:
    """How many samples (None: the dataset protocol's count, filled in before sampling), from which evaluation
    seed, in batches of what size; `z_dim` and `output_range` for generators that do not say (None: the
    generator's `z_dim` attribute; "auto": detected from the first batch)."""

    n: int | None = None
    seed: int = 0
    batch_size: int = 250
    z_dim: int | None = None
    output_range: OutputRange = "auto"


def generator_z_dim(generator: nn.Module, z_dim: int | None = None) -> int:
    """`z_dim`, else the generator's own `z_dim` attribute; a GanbenchError when neither is a positive int."""
    z_dim = z_dim or getattr(generator, "z_dim", None)
    if not isinstance(z_dim, int) or z_dim < 1:
        raise GanbenchError("the generator has no integer `z_dim` attribute; pass --z-dim N")
    return z_dim


def raw_batches(
    generator: nn.Module, n: int, seed: int, batch_size: int, device: torch.device | str, z_dim: int | None = None, start: int = 0
) -> Iterator[tuple[torch.Tensor, int]]:
    """(generator output, rows asked for) for samples `start` .. `start + n` of evaluation seed `seed`.

    The generator is called as it is (train or eval mode); its errors become one GanbenchError.
    """
    z_dim = generator_z_dim(generator, z_dim)
    num_classes = int(getattr(generator, "num_classes", 0) or 0)
    for first in range(start, start + n, batch_size):
        size = min(batch_size, start + n - first)
        z = noise(seed, size, z_dim, start=first, device=device)
        labels = class_labels(size, num_classes, first, device) if num_classes else None
        try:
            batch = generator(z, labels) if labels is not None else generator(z)
        except GanbenchError:  # already one sentence (e.g. from a loader's wrapper)
            raise
        except SystemExit as error:  # the user's code ended the process: it would exit 0 with nothing scored
            raise GanbenchError(
                f"the generator called sys.exit({error.code!r}) on noise of shape {tuple(z.shape)}; its forward must "
                "return samples"
            ) from None
        except Exception as error:  # the user's code: report it in one line, whatever it raised
            first_line = (str(error).strip().splitlines() or [""])[-1]
            raise GanbenchError(
                f"the generator failed on noise of shape {tuple(z.shape)} ({type(error).__name__}: {first_line}); "
                "check --z-dim and the generator's forward(z[, labels])"
            ) from None
        yield batch, size


@torch.no_grad()
def sample_batches(
    generator: nn.Module, config: SamplingConfig, info: DatasetInfo | None, device: torch.device | str
) -> Iterator[torch.Tensor]:
    """Checked, converted batches of samples 0 .. n-1 on `device`: uint8 NCHW images, or float points.

    Without a dataset (`info` None) the samples are images of whatever shape the generator gives.
    """
    kind = SAMPLE_KINDS.get("image") if info is None else kind_of(info)
    output_range = config.output_range
    for batch, rows in raw_batches(generator, config.n, config.seed, config.batch_size, device, config.z_dim):
        seen = kind.check_batch(batch, info, rows)
        if output_range == "auto":
            output_range = kind.resolve_range(batch, seen, output_range)
        yield kind.convert(batch, output_range, seen)


def sample_codes(generator: nn.Module, n: int) -> np.ndarray | None:
    """The label (class or categorical code) samples 0 .. n-1 are drawn with by `raw_batches` — sample i gets
    i mod num_classes — or None for a generator without labels."""
    num_classes = int(getattr(generator, "num_classes", 0) or 0)
    return class_labels(n, num_classes).numpy() if num_classes else None


@torch.no_grad()
def generate(generator: nn.Module, n: int, seed: int, batch_size: int = 256, start: int = 0) -> torch.Tensor:
    """Samples `start` .. `start + n` of evaluation seed `seed` as the generator returns them, on its device."""
    device = next(generator.parameters()).device
    return torch.cat([batch for batch, _ in raw_batches(generator, n, seed, batch_size, device, start=start)])

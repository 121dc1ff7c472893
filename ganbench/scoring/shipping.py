"""Rebuild the reference statistics shipped in the repository's top-level `reference_stats/` (installed as the
package `ganbench.reference_stats`) and their manifest.

    python -m ganbench.scoring.shipping [DATASET ...]

Only offline built-in image datasets with a shipped extractor are shipped (their
statistics need no download); each entry records its cache key (dataset, split,
n, extractor, weights sha256, preprocessing) and the file's sha256.
"""

from __future__ import annotations

import json
import sys

import numpy as np

from ganbench.atomic import atomic_path, write_text_atomic
from ganbench.data.base import DATASETS, DataConfig
from ganbench.features.base import build_extractor
from ganbench.features.config import ExtractorConfig
from ganbench.hashing import sha256_of
from ganbench.scoring.reference_cache import SOURCE_ROOT, cache_key, compute_reference

# stacked_mnist is not shipped: it is built from full MNIST when that is downloaded, else from mnist5k,
# so one name would stand for two different reference sets.
SHIPPED = ("mnist5k", "digits")
ROOT = SOURCE_ROOT


def ship(names: tuple[str, ...] = SHIPPED) -> list[dict]:
    """Compute and write the statistics of each dataset's protocol reference split; return the manifest entries."""
    entries = []
    for name in names:
        spec = DATASETS.get(name)
        info = spec.info
        extractor = build_extractor(info.default_extractor, ExtractorConfig())
        split = info.protocol.reference_split
        n = min(len(spec.load(split, DataConfig())), info.protocol.n_reference)
        reference = compute_reference(spec, split, n, extractor, DataConfig(), batch_size=200, progress=True)
        key = {k: v for k, v in cache_key(name, split, reference.n, extractor).items() if k != "ganbench_version"}
        filename = f"{name}-{split}-{extractor.name}-n{reference.n}.npz"
        with atomic_path(ROOT / filename) as tmp, open(tmp, "wb") as handle:
            np.savez(handle, mean=reference.mean, cov=reference.cov, protocol=json.dumps(reference.protocol, sort_keys=True))
        entries.append({"file": filename, "sha256": sha256_of(ROOT / filename), "key": key})
        print(f"{filename}: n={reference.n}")
    write_text_atomic(ROOT / "manifest.json", json.dumps({"entries": entries}, indent=2, sort_keys=True) + "\n")
    return entries


if __name__ == "__main__":
    ship(tuple(sys.argv[1:]) or SHIPPED)

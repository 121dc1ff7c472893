"""The real-versus-real floor: a dataset's held-out split scored against its reference split.

It shows what a perfect generator would score under the same protocol (same extractor, sample counts capped
by the held-out split, same metrics); a labelled split's labels stand for a conditional generator's class input
(intra_fid, code_recovery).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from ganbench.data.base import ArrayBatches
from ganbench.errors import GanbenchError
from ganbench.scoring.config import ScoreConfig
from ganbench.scoring.pipeline import ScoreResult, score_batches
from ganbench.scoring.plan import planned
from ganbench.scoring.reference import heldout_split
from ganbench.scoring.reference_cache import subset_indices


def real_floor(config: ScoreConfig) -> ScoreResult:
    """Score the held-out split (as if generated) against the reference split of `config.dataset`."""
    if config.dataset is None:
        raise GanbenchError("--floor needs --dataset NAME")
    plan = planned(config)
    job = plan.main
    spec, info = job.dataset, job.info
    reference_split = config.split or info.protocol.reference_split
    data = spec.load(heldout_split(spec, reference_split), config.data_config)
    rows = subset_indices(len(data), info.protocol.n_generated)
    samples = ArrayBatches(data.data[rows])
    plan = plan.configured(lambda job_config: replace(job_config, split=reference_split)).built(plan.extractors)
    # a labelled split scores as a perfect class-conditional generator: each sample's label is its class input
    labels = None if data.labels is None else np.asarray(data.labels)[rows]
    return score_batches(plan, samples.batches(config.batch_size), len(samples), gen_codes=labels)

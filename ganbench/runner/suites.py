"""What a suite run records and pins beyond the model settings: each row's protocol status (the pinned settings
the run changed) and the suite's metric settings."""

from __future__ import annotations

import dataclasses
from typing import Any

from ganbench.metrics.spec import metric_settings
from ganbench.scoring.job import ScoringJob
from ganbench.suites.base import SUITES, describe_deviations, protocol_deviations


def suite_record(name: str, model: str, model_config: Any, n_generated: int, job: ScoringJob) -> dict:
    """What a row of suite `name` records: the suite, 'full' or 'reduced', and the pinned settings changed."""
    suite = SUITES.get(name)
    scoring = job.config
    evaluation = {
        "n_generated": n_generated,
        "metric_settings": metric_settings(scoring.metric_config, scoring.metrics),
        "extractor": job.extractor if job.kind.extracted else None,
        "n_reference": scoring.n_reference or (job.info.protocol.n_reference if job.info else None),
    }
    found = protocol_deviations(suite, model, dataclasses.asdict(model_config), evaluation)
    return {"name": name, "protocol": "reduced" if found else "full", "deviations": describe_deviations(found)}


def suite_status(suite: str, records: list[dict]) -> str:
    """'suite NAME: full protocol' or 'suite NAME: REDUCED protocol (what changed)' over the cells' records."""
    changed = sorted({record["suite"]["deviations"] for record in records if record.get("suite")} - {""})
    return f"suite {suite}: " + (f"REDUCED protocol ({'; '.join(changed)})" if changed else "full protocol")

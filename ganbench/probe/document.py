"""The probe's result as one JSON-ready document: settings, what was left out and why, every measured row, and
one cell per (metric key, damage) with its verdict and the literature's expectation where one is stored. The
tables, figures and the report section are all made from this document."""

from __future__ import annotations

import ganbench
from ganbench.probe.expectations import expectations_for
from ganbench.probe.scorer import ProbeTarget
from ganbench.probe.sweep import ProbePlan, ProbeRun
from ganbench.probe.verdicts import ALPHA, DETECTS_EFFECT, EFFECT_CAP, SEEN_EFFECT, cells_of

#: File name of the document in the output folder (`ganbench report` looks for it in run directories).
DOCUMENT_NAME = "probe-metrics.json"


def with_expectation(cell: dict) -> dict:
    """The cell with the stored claims about it and whether the verdict matches every one (None: no claim)."""
    claims = expectations_for(cell["key"], cell["damage"])
    cell["expected"] = [
        {"accepts": list(e.accepts), "claim": e.claim, "source": e.source} for e in claims
    ]
    cell["matches"] = all(cell["verdict"] in e.accepts for e in claims) if claims else None
    return cell


def probe_document(target: ProbeTarget, plan: ProbePlan, run: ProbeRun) -> dict:
    """The whole result of one probe (see the module docstring)."""
    cells = [with_expectation(cell.to_json()) for cell in cells_of(run.rows, run.keys)]
    return {
        "dataset": target.spec.info.name,
        "kind": target.kind,
        "n": run.n,
        "held_out": len(target.pool),
        "repeats": plan.repeats,
        "seed": plan.seed,
        "metrics": list(target.metrics),
        "keys": run.keys,
        "left_out_metrics": target.left_out + run.silent,
        "skipped_damages": run.skipped,
        "damages": [
            {"name": d.name, "description": d.description, "unit": d.unit, "strengths": list(d.strengths)}
            for d in run.damages
        ],
        "thresholds": {"detects_effect": DETECTS_EFFECT, "seen_effect": SEEN_EFFECT, "alpha": ALPHA, "effect_cap": EFFECT_CAP},
        "protocol": target.protocol,
        "ganbench": ganbench.__version__,
        "seconds": round(run.seconds, 1),
        "cells": cells,
        "rows": run.rows,
    }

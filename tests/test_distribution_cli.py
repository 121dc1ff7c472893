"""The issue-27 metrics end to end through `ganbench score`: every key in the JSON, every setting they read in the
protocol fingerprint, and a changed setting changing the fingerprint."""

import json

import numpy as np

from ganbench.cli import main
from ganbench.data.base import DATASETS, DataConfig

METRICS = "prd,ndb,c2st,parzen,birthday"
KEYS = {
    "prd_f8", "prd_f1_8", "ndb", "ndb_js", "nn1_accuracy", "nn1_accuracy_real", "nn1_accuracy_fake", "nn1_p_value",
    "parzen_ll", "parzen_ll_se", "birthday_support", "birthday_support_low",
}  # fmt: skip


def score(tmp_path, samples, *extra):
    out = tmp_path / f"score{len(extra)}.json"
    argv = ["score", "--samples", str(samples), "--dataset", "mnist5k", "--n-reference", "1000", "--metrics", METRICS]
    assert main([*argv, "--device", "cpu", "--quiet", "--json", str(out), *extra]) == 0
    return json.loads(out.read_text())


def test_scores_records_and_settings(tmp_path, monkeypatch):
    monkeypatch.setenv("GANBENCH_CACHE", str(tmp_path / "cache"))
    train = DATASETS.get("mnist5k").load("train", DataConfig()).data
    samples = tmp_path / "train300.npz"
    np.savez(samples, images=train[np.random.default_rng(0).choice(len(train), 300, replace=False)])
    first = score(tmp_path, samples)
    assert set(first["metrics"]) == KEYS and all(np.isfinite(v) for v in first["metrics"].values())
    settings = first["protocol"]["metric_settings"]
    assert settings["prd_clusters"] == 20 and settings["ndb_bins"] == 100 and settings["birthday_quantile"] == 0.01
    assert {"c2st_permutations", "parzen_sigmas", "prd_seed", "ndb_seed"} <= set(settings)
    # train digits scored against the train split: many are the reference's own images
    assert first["metrics"]["nn1_accuracy"] < 0.5
    second = score(tmp_path, samples, "--ndb-bins", "50")
    assert second["protocol"]["metric_settings"]["ndb_bins"] == 50 and second["metrics"]["ndb"] != first["metrics"]["ndb"]
    assert second["metrics"]["prd_f8"] == first["metrics"]["prd_f8"]

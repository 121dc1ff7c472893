"""code_recovery: how well a generator's categorical input (class or InfoGAN code) picks the classified class."""

from __future__ import annotations

import itertools
import json

import numpy as np
import pytest

from ganbench.cli import main
from ganbench.metrics.codes import code_confusion, matched_accuracy


def test_matched_accuracy_planted_cases():
    codes = np.repeat(np.arange(4), 25)
    assert matched_accuracy(code_confusion(codes, codes, 4, 4)) == (1.0, pytest.approx(np.arange(4)))
    permutation = np.array([2, 0, 3, 1])
    accuracy, matched = matched_accuracy(code_confusion(codes, permutation[codes], 4, 4))
    assert accuracy == 1.0 and matched.tolist() == permutation.tolist()
    # a generator that ignores its code and always draws class 1: one code can be matched to it
    assert matched_accuracy(code_confusion(codes, np.ones(100, int), 4, 4))[0] == pytest.approx(0.25)
    # more codes than classes: two codes per class, only one of each pair can be matched
    accuracy, matched = matched_accuracy(code_confusion(codes, codes % 2, 4, 2))
    assert accuracy == pytest.approx(0.5) and sorted(matched.tolist()) == [-1, -1, 0, 1]


def test_matched_accuracy_is_the_best_permutation():
    rng = np.random.default_rng(0)
    for _ in range(20):
        confusion = rng.integers(0, 20, (5, 5))
        best = max(sum(confusion[i, p[i]] for i in range(5)) for p in itertools.permutations(range(5)))
        assert matched_accuracy(confusion)[0] == pytest.approx(best / confusion.sum())


def score(capsys, tmp_path, generator: str) -> dict:
    out = tmp_path / f"{generator}.json"
    argv = ["score", "--generator", f"tiny_generators:{generator}", "--dataset", "mnist5k", "--metrics",
            "code_recovery,class_coverage", "--n", "500", "--device", "cpu", "--quiet", "--json", str(out)]
    assert main(argv) == 0, capsys.readouterr().err
    return json.loads(out.read_text())["metrics"]


def test_code_recovery_through_the_scoring_pipeline(capsys, tmp_path):
    """Real test digits drawn by code: the mnist-classifier recovers the code (up to a permutation) about as well
    as it classifies mnist5k (98% here); a generator without a code input gets no code_accuracy (no row)."""
    identity = score(capsys, tmp_path, "digit_lookup")
    permuted = score(capsys, tmp_path, "digit_lookup_permuted")
    assert identity["code_accuracy"] > 0.93 and identity["classes_covered"] == 10
    assert permuted["code_accuracy"] == pytest.approx(identity["code_accuracy"], abs=0.03)
    plain = score(capsys, tmp_path, "digit_lookup_unconditional")
    assert "code_accuracy" not in plain and plain["classes_covered"] == 10

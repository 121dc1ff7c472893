"""`ganbench probe-metrics` verdicts: a metric planted to be blind is `blind`, one registered with its direction
flipped is `wrong direction`, FID detects outliers; the document is reproducible from its seed; the verdict rule
on closed cases; the command's files, its one-sentence errors and the report section."""

from __future__ import annotations

import json
import zlib

import numpy as np
import pytest

from ganbench.cli import main
from ganbench.metrics.frechet import frechet_distance
from ganbench.metrics.spec import METRICS, Key, MetricInputs, MetricSpec
from ganbench.probe.document import probe_document
from ganbench.probe.scorer import probe_target
from ganbench.probe.sweep import ProbePlan, run_probe
from ganbench.probe.verdicts import cell_of, verdict_of
from ganbench.scoring.config import ScoreConfig


def planted(name: str, direction: str, fn) -> MetricSpec:
    return MetricSpec(name, "planted for a test", {name: Key(direction, name, "score")}, (frozenset({"gen_points", "gen_stats", "ref_stats"}),),
                      lambda inputs, config: {name: fn(inputs)}, lambda config: {})  # fmt: skip


def hashed_noise(inputs: MetricInputs) -> float:
    """A number that changes with every draw but knows nothing of what the damage did (chance level)."""
    return float(np.random.default_rng(zlib.crc32(inputs.gen_points.tobytes())).normal())


def flipped_fid(inputs: MetricInputs) -> float:
    return frechet_distance(inputs.gen_mean, inputs.gen_cov, inputs.ref_mean, inputs.ref_cov)


@pytest.fixture
def plants(monkeypatch):
    monkeypatch.setitem(METRICS._entries, "blind_count", planted("blind_count", "higher", lambda i: float(i.n_gen)))
    monkeypatch.setitem(METRICS._entries, "blind_noise", planted("blind_noise", "lower", hashed_noise))
    monkeypatch.setitem(METRICS._entries, "flipped_fid", planted("flipped_fid", "higher", flipped_fid))


def probe(seed: int) -> dict:
    config = ScoreConfig(dataset="grid25", metrics=("fid", "blind_count", "blind_noise", "flipped_fid"), progress=False)
    target = probe_target(config)
    plan = ProbePlan(n=300, repeats=3, damages=("outliers", "spread", "drop_sequential"), seed=seed)
    return probe_document(target, plan, run_probe(target, plan))


def test_planted_blind_metrics_are_blind_and_a_flipped_one_is_wrong_direction(plants):
    doc = probe(0)
    verdicts = {(c["key"], c["damage"]): c["verdict"] for c in doc["cells"]}
    for damage in ("outliers", "spread", "drop_sequential"):
        assert verdicts[("blind_count", damage)] == "blind"
        assert verdicts[("blind_noise", damage)] == "blind"
        assert verdicts[("flipped_fid", damage)] in ("wrong direction", "blind")
    assert verdicts[("fid", "outliers")] == "detects" and verdicts[("flipped_fid", "outliers")] == "wrong direction"
    # FID of the raw plane: the grid's layout dominates its covariance, so a 5x wider spread round each mode is
    # within the floor's spread; dropping modes moves it far, but by how much depends on which modes go
    assert verdicts[("fid", "spread")] == "blind" and verdicts[("fid", "drop_sequential")] in ("weak", "detects")
    cell = next(c for c in doc["cells"] if c["key"] == "fid" and c["damage"] == "outliers")
    assert cell["strongest"] == 0.4 and cell["monotonic"] and cell["p"] < 0.01 and cell["effect"] > 3


def test_the_document_is_reproducible_from_its_seed(plants):
    first, again, other = probe(5), probe(5), probe(6)
    for doc in (first, again, other):
        doc.pop("seconds")
    assert first == again
    assert first["rows"] != other["rows"]


def test_verdict_rule_on_closed_cases():
    floor = np.array([1.0, 1.1, 0.9, 1.0, 1.0])
    # a lower-is-better metric rising 10 floor sds step by step: detects
    values = {0.5: floor + 0.3, 1.0: floor + 0.7}
    cell = cell_of(values, floor, "fid", "blur", "lower")
    assert cell.verdict == "detects" and cell.strongest == 1.0 and cell.monotonic
    assert cell.effect == pytest.approx(0.7 / np.std(floor, ddof=1))
    # the same numbers for a higher-is-better metric: the damage makes it look better
    assert cell_of(values, floor, "precision", "blur", "higher").verdict == "wrong direction"
    # significant but back and forth: weak; a shift inside the floor's spread: blind
    assert cell_of({0.5: floor + 0.7, 1.0: floor + 0.3}, floor, "fid", "blur", "lower").verdict == "weak"
    assert cell_of({0.5: floor + 0.01, 1.0: floor - 0.01}, floor, "fid", "blur", "lower").verdict == "blind"
    # a floor with no spread (classes covered): any real change is seen, no change is blind
    constant = np.full(3, 10.0)
    assert cell_of({0.4: np.full(3, 8.0)}, constant, "classes_covered", "drop", "higher").verdict == "detects"
    assert cell_of({0.4: constant.copy()}, constant, "classes_covered", "outliers", "higher").verdict == "blind"
    wobbly = cell_of({0.4: np.array([10.0, 9.0, 10.0])}, constant, "classes_covered", "blur", "higher")
    assert wobbly.effect == pytest.approx(1 / 3 / np.std([10, 9, 10], ddof=1)) and wobbly.verdict == "blind"
    assert verdict_of(effect=50.0, p=0.2, monotonic=True) == "weak"  # large on average, not consistent across draws
    assert verdict_of(effect=-50.0, p=0.2, monotonic=True) == "blind"


def test_the_command_writes_its_files_and_marks_the_literature(tmp_path, capsys):
    out = tmp_path / "probe"
    args = ["probe-metrics", "--dataset", "grid25", "--metrics", "fid,pr", "--damages", "drop_sequential,outliers",
            "--n", "200", "--repeats", "3", "--out", str(out), "--quiet"]  # fmt: skip
    assert main(args) == 0
    printed = capsys.readouterr().out
    assert "| metric | drop_sequential | outliers |" in printed and "| recall |" in printed
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted(["probe-metrics.json", "probe-metrics.md", "probe-metrics.csv", "probe_drop_sequential.png",
                            "probe_drop_sequential.svg", "probe_outliers.png", "probe_outliers.svg"])  # fmt: skip
    doc = json.loads((out / "probe-metrics.json").read_text())
    claims = {(c["key"], c["damage"]): c for c in doc["cells"] if c["expected"]}
    assert set(claims) >= {("recall", "drop_sequential"), ("precision", "drop_sequential"), ("fid", "drop_sequential")}
    assert all(c["matches"] == (c["verdict"] in c["expected"][0]["accepts"]) for c in claims.values())
    assert "Sajjadi et al. 2018" in (out / "probe-metrics.csv").read_text()
    table = (out / "probe-metrics.md").read_text()
    assert "- damage outliers: a fraction replaced by noise" in table
    wrong = [c for c in doc["cells"] if c["matches"] is False]
    contradicted = sum(c["verdict"] not in e["accepts"] for c in wrong for e in c["expected"])
    assert f"{len(claims)} cells have a stored claim; {len(wrong)} of them disagree" in table
    assert table.count("- ≠ ") == contradicted


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--damages", "blur"], "blur applies to image datasets only; leave it out of --damages"),
        (["--metrics", "is"], "is cannot be probed on a point dataset"),
        (["--n", "20000"], "--n 20000 is more than the 10000 held-out samples of grid25"),
        (["--damages", "smudge"], "unknown damage 'smudge'"),
    ],
)
def test_bad_requests_are_one_sentence(tmp_path, capsys, extra, message):
    args = ["probe-metrics", "--dataset", "grid25", "--metrics", "fid", "--repeats", "3", "--out", str(tmp_path), *extra]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err and err.count("\n") == 1


def test_a_dataset_without_labels_skips_the_label_damages_with_a_sentence():
    from ganbench.probe.sweep import chosen_damages

    class Unlabelled:
        kind = "image"

        class pool:
            labels = None

    damages, skipped = chosen_damages(Unlabelled, ())
    assert "drop_sequential" not in [d.name for d in damages] and "blur" in [d.name for d in damages]
    assert "drop_sequential needs class or mode labels, which this dataset does not have" in skipped


def test_the_report_shows_a_probe_found_in_a_run_directory(tmp_path):
    from ganbench.report.results import ResultRow, append_rows

    run = tmp_path / "run"
    append_rows(run, [ResultRow(model="m", dataset="grid25", seed=0, step=1, metric="fid", value=1.0)])
    assert main(["probe-metrics", "--dataset", "grid25", "--metrics", "fid,pr", "--damages", "outliers", "--n", "200",
                 "--repeats", "3", "--out", str(run / "probe"), "--quiet"]) == 0  # fmt: skip
    assert main(["report", str(run), "--out", str(tmp_path / "page")]) == 0
    page = (tmp_path / "page" / "index.html").read_text()
    section = page[page.index('<section id="probe">') : page.index("</section>", page.index('<section id="probe">'))]
    assert section.count("<tr><td>") == 3  # fid, precision, recall
    assert section.count('src="data:image/svg+xml;base64,') == 1 and 'href="#probe"' in page
    assert "damage outliers: a fraction replaced by noise" in section

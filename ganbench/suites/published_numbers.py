"""Every published number a suite compares with, in one place, each row with its source: paper, table, row.

Values are as printed, in the paper's units: metric key -> (mean, +- or None when none is printed). `line` is the
row's position in the printed table body (1 = the first row under the header). A suite takes its rows from here
with `published_row`, never by repeating the numbers; tests/test_published_numbers.py holds every suite to this
module and this module to the values checked against the sources.

`checked_against` names where the values were read in this release (empty: transcribed earlier, unchecked).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ganbench.suites.base import PublishedRow, Uncertainty

Value = tuple[float, float | None]


@dataclass(frozen=True)
class PaperRow:
    """One printed row: its position, its label as printed (citation marks dropped), its values, what its +- is
    and over how many runs (None: not stated), and the paper it quotes when the table repeats another's row."""

    line: int
    label: str
    values: Mapping[str, Value]
    uncertainty: Uncertainty
    n_trials: int | None
    quoted_from: str = ""


@dataclass(frozen=True)
class PaperTable:
    """A published table: the paper, which table (and columns), where it was checked, and its rows."""

    paper: str
    table: str
    checked_against: str
    rows: tuple[PaperRow, ...]

    def row(self, label: str) -> PaperRow:
        """The row printed as `label`; a KeyError naming the labels when there is none."""
        found = [r for r in self.rows if r.label == label]
        if len(found) != 1:
            raise KeyError(f"{self.table} has no single row {label!r}; rows: {[r.label for r in self.rows]}")
        return found[0]

    def source(self, row: PaperRow) -> str:
        """'paper, table, row N (label)', with the paper it quotes."""
        quoted = f"; quoting {row.quoted_from}" if row.quoted_from else ""
        return f"{self.paper}, {self.table}, row {row.line} ({row.label}){quoted}"


def _modes_hq_kl(modes: Value, hq: Value, kl: Value) -> dict[str, Value]:
    return {"modes_covered": modes, "high_quality_fraction": hq, "mode_kl": kl}


def _modes_kl(modes: Value, kl: Value) -> dict[str, Value]:
    return {"modes_covered": modes, "mode_kl": kl}


def _fid_is_kid(fid: Value, score: Value, kid: Value) -> dict[str, Value]:
    return {"fid": fid, "is_mean": score, "kid_mean": kid}


PACGAN = "Lin et al. 2018, PacGAN (arXiv 1712.04086)"
PACGAN_IMAGES = "the authors' image of the table, fjxmlzn/PacGAN {path} (f9282c77, 2018-01-29)"
VEEGAN_T2 = "Srivastava et al. 2017, VEEGAN (arXiv 1705.07761), Table 2 (averaged over 5 runs, no +- printed)"
VEEGAN_T1 = "Srivastava et al. 2017, VEEGAN (arXiv 1705.07761)"
METZ_T2 = "Metz et al. 2017, Unrolled GAN (arXiv 1611.02163), Table 2 (mean +- std, trials not stated)"
MIMICRY = "kwotsin/mimicry README.md, Baselines"
MIMICRY_CHECKED = "kwotsin/mimicry README.md (01680c9), read in this release"
#: +- of mimicry's rows: the std (ddof 0) of 3 evaluations of one checkpoint
MIMICRY_PM = "std"


def _veegan_t1(printed: tuple[tuple[str, float, float], ...]) -> tuple[PaperRow, ...]:
    """VEEGAN Table 1's half for one data set: (label, modes, high-quality %), means over 5 runs, no +-."""
    return tuple(
        PaperRow(line, label, {"modes_covered": (modes, None), "high_quality_fraction": (hq, None)}, "none", 5)
        for line, (label, modes, hq) in enumerate(printed, start=1)
    )


def _pacgan_t1(column: int) -> tuple[PaperRow, ...]:
    """PacGAN Table 1, the 2D-ring (column 0) or 2D-grid (column 1) half: (mean, s.e.) over 10 trials."""
    printed = (
        ("GAN", ((6.3, 0.5), (98.2, 0.2), (0.45, 0.09)), ((17.3, 0.8), (94.8, 0.7), (0.70, 0.07))),
        ("ALI", ((6.6, 0.3), (97.6, 0.4), (0.36, 0.04)), ((24.1, 0.4), (95.7, 0.6), (0.14, 0.03))),
        ("PacGAN2", ((7.9, 0.1), (95.6, 2.0), (0.07, 0.03)), ((23.8, 0.7), (91.3, 0.8), (0.13, 0.04))),
        ("PacGAN3", ((7.8, 0.1), (97.7, 0.3), (0.10, 0.02)), ((24.6, 0.4), (94.2, 0.4), (0.06, 0.02))),
        ("PacGAN4", ((7.8, 0.1), (95.9, 1.4), (0.07, 0.02)), ((24.8, 0.2), (93.6, 0.6), (0.04, 0.01))),
    )
    return tuple(
        PaperRow(line, label, _modes_hq_kl(*halves[column]), "s.e.", 10)
        for line, (label, *halves) in enumerate(printed, start=1)
    )


TABLES: dict[str, PaperTable] = {
    "pacgan-t1-ring": PaperTable(
        PACGAN, "Table 1, 2D-ring columns", PACGAN_IMAGES.format(path="synthetic_data_experiments/results/Table1.png"),
        _pacgan_t1(0),
    ),
    "pacgan-t1-grid": PaperTable(
        PACGAN, "Table 1, 2D-grid columns", PACGAN_IMAGES.format(path="synthetic_data_experiments/results/Table1.png"),
        _pacgan_t1(1),
    ),
    # read from the authors' project page image (akashgit/VEEGAN tab.png), which the stored copies hold only as an
    # image: unchecked until someone reads them against the paper's PDF
    "veegan-t1-ring": PaperTable(
        VEEGAN_T1, "Table 1, 2D Ring columns", "",
        _veegan_t1((("GAN", 1.0, 99.3), ("ALI", 2.8, 0.13), ("Unrolled GAN", 7.6, 35.6), ("VEEGAN", 8.0, 52.9))),
    ),
    "veegan-t1-grid": PaperTable(
        VEEGAN_T1, "Table 1, 2D Grid columns", "",
        _veegan_t1((("GAN", 3.3, 0.5), ("ALI", 15.8, 1.6), ("Unrolled GAN", 23.6, 16.0), ("VEEGAN", 24.6, 40.0))),
    ),
    "pacgan-t2": PaperTable(
        PACGAN, "Table 2 (stacked MNIST)", PACGAN_IMAGES.format(path="stacked_MNIST_experiments/results/Table2.png"),
        (
            PaperRow(1, "DCGAN", _modes_kl((99.0, None), (3.40, None)), "none", 5, VEEGAN_T2),
            PaperRow(2, "ALI", _modes_kl((16.0, None), (5.40, None)), "none", 5, VEEGAN_T2),
            PaperRow(3, "Unrolled GAN", _modes_kl((48.7, None), (4.32, None)), "none", 5, VEEGAN_T2),
            PaperRow(4, "VEEGAN", _modes_kl((150.0, None), (2.95, None)), "none", 5, VEEGAN_T2),
            # the caption names 10 trials with s.e. for the PacDCGAN rows; this row is the authors' run too
            PaperRow(5, "DCGAN (our implementation)", _modes_kl((78.9, 6.46), (4.50, 0.127)), "s.e.", 10),
            PaperRow(6, "PacDCGAN2", _modes_kl((1000.0, 0.0), (0.06, 0.003)), "s.e.", 10),
            PaperRow(7, "PacDCGAN3", _modes_kl((1000.0, 0.0), (0.06, 0.003)), "s.e.", 10),
            PaperRow(8, "PacDCGAN4", _modes_kl((1000.0, 0.0), (0.07, 0.005)), "s.e.", 10),
        ),
    ),
    "pacgan-t3-d025": PaperTable(
        PACGAN, "Table 3, D is 1/4 size of G columns",
        PACGAN_IMAGES.format(path="stacked_MNIST_experiments/results/Table3.png"),
        (
            PaperRow(1, "DCGAN", _modes_kl((30.6, 20.73), (5.99, 0.42)), "std", None, METZ_T2),
            PaperRow(2, "Unrolled GAN, 1 step", _modes_kl((65.4, 34.75), (5.91, 0.14)), "std", None, METZ_T2),
            PaperRow(3, "Unrolled GAN, 5 steps", _modes_kl((236.4, 63.30), (4.67, 0.43)), "std", None, METZ_T2),
            PaperRow(4, "Unrolled GAN, 10 steps", _modes_kl((327.2, 74.67), (4.66, 0.46)), "std", None, METZ_T2),
            PaperRow(5, "DCGAN (our implementation)", _modes_kl((78.5, 17.56), (5.21, 0.19)), "s.e.", 50),
            PaperRow(6, "PacDCGAN2", _modes_kl((484.5, 32.99), (2.61, 0.22)), "s.e.", 50),
            PaperRow(7, "PacDCGAN3", _modes_kl((601.3, 32.18), (2.00, 0.17)), "s.e.", 50),
            PaperRow(8, "PacDCGAN4", _modes_kl((667.4, 29.00), (1.81, 0.15)), "s.e.", 50),
        ),
    ),
    "mimicry-cifar10": PaperTable(
        MIMICRY, "CIFAR-10 Results", MIMICRY_CHECKED,
        (
            PaperRow(1, "WGAN-GP", _fid_is_kid((22.29, 0.06), (7.33, 0.02), (0.0204, 0.0004)), MIMICRY_PM, 1),
            PaperRow(2, "SNGAN", _fid_is_kid((16.77, 0.04), (7.97, 0.06), (0.0125, 0.0001)), MIMICRY_PM, 1),
            PaperRow(3, "cGAN-PD", _fid_is_kid((10.84, 0.03), (8.25, 0.13), (0.0070, 0.0001)), MIMICRY_PM, 1),
            PaperRow(4, "SSGAN", _fid_is_kid((14.65, 0.04), (8.17, 0.06), (0.0101, 0.0002)), MIMICRY_PM, 1),
            PaperRow(5, "InfoMax-GAN", _fid_is_kid((15.12, 0.10), (8.08, 0.08), (0.0112, 0.0001)), MIMICRY_PM, 1),
        ),
    ),
    "mimicry-stl10": PaperTable(
        MIMICRY, "STL-10 Results (48 x 48)", MIMICRY_CHECKED,
        (
            PaperRow(1, "WGAN-GP", _fid_is_kid((43.01, 0.19), (8.55, 0.02), (0.0440, 0.0003)), MIMICRY_PM, 1),
            PaperRow(2, "SNGAN", _fid_is_kid((39.56, 0.10), (8.04, 0.07), (0.0369, 0.0002)), MIMICRY_PM, 1),
            PaperRow(3, "SSGAN", _fid_is_kid((37.06, 0.19), (8.25, 0.06), (0.0332, 0.0004)), MIMICRY_PM, 1),
            PaperRow(4, "InfoMax-GAN", _fid_is_kid((35.52, 0.10), (8.54, 0.12), (0.0326, 0.0002)), MIMICRY_PM, 1),
        ),
    ),
    "mimicry-celeba64": PaperTable(
        MIMICRY, "CelebA Results (rows 4-6: 64 x 64)", MIMICRY_CHECKED,
        (
            PaperRow(4, "SNGAN", _fid_is_kid((5.71, 0.02), (2.68, 0.01), (0.0033, 0.0001)), MIMICRY_PM, 1),
            PaperRow(5, "SSGAN", _fid_is_kid((6.03, 0.04), (2.67, 0.01), (0.0036, 0.0001)), MIMICRY_PM, 1),
            PaperRow(6, "InfoMax-GAN", _fid_is_kid((5.71, 0.06), (2.68, 0.01), (0.0033, 0.0001)), MIMICRY_PM, 1),
        ),
    ),
    # one training run per row; FID printed without +-, the IS +- the std over 10 splits
    "collections-cifar10": PaperTable(
        "w86763777/pytorch-gan-collections README.md", "Results (change log 2022-01-10), CIFAR-10",
        "the README, read when the suite was written (row order as transcribed then)",
        tuple(
            PaperRow(line, label, {"fid": (fid, None), "is_mean": score}, "std", 1)
            for line, (label, fid, score) in enumerate(
                (
                    ("DCGAN", 42.72, (6.01, 0.05)),
                    ("WGAN(CNN)", 40.03, (6.62, 0.09)),
                    ("WGAN-GP(CNN)", 19.83, (7.66, 0.10)),
                    ("WGAN-GP(ResNet)", 16.95, (7.95, 0.14)),
                    ("SNGAN(CNN)", 17.81, (7.84, 0.12)),
                    ("SNGAN(ResNet)", 14.32, (8.31, 0.10)),
                ),
                start=1,
            )
        ),
    ),
}


def published_row(
    table: str, label: str, model: str | None, code: str = "", note: str = "", shown_as: str | None = None
) -> PublishedRow:
    """The suite row for the printed row `label` of TABLES[`table`], reproduced by ganbench `model` (None: not
    implemented), with the authors' `code` and a `note`; `shown_as` relabels it in comparisons (default: as
    printed)."""
    paper_table = TABLES[table]
    row = paper_table.row(label)
    checked = f"Values checked against {paper_table.checked_against}." if paper_table.checked_against else ""
    return PublishedRow(
        shown_as or row.label, model, dict(row.values), row.uncertainty, row.n_trials, paper_table.source(row),
        code, checked=bool(checked), note=" ".join(part for part in (note, checked) if part),
    )

"""Published numbers live in one place: every suite row equals a row of ganbench.suites.published_numbers, with its
paper, table and row; the values corrected or added in issue 24 are those the papers print."""

from __future__ import annotations

import pytest

from ganbench.suites.base import SUITES
from ganbench.suites.published_numbers import TABLES, PaperTable

#: source string -> (table, printed row), over every table
ROWS = {table.source(row): (table, row) for table in TABLES.values() for row in table.rows}


@pytest.mark.parametrize("name", SUITES.names())
def test_every_suite_row_is_a_row_of_the_one_table_module(name):
    for published in SUITES.get(name).published:
        assert published.source in ROWS, f"{name}: {published.label} does not come from published_numbers"
        table, row = ROWS[published.source]
        assert dict(published.values) == dict(row.values), (name, published.label)
        assert (published.uncertainty, published.n_trials) == (row.uncertainty, row.n_trials)
        assert published.checked == bool(table.checked_against)
        assert f"row {row.line} ({row.label})" in published.source and table.paper in published.source


@pytest.mark.parametrize("key", sorted(TABLES))
def test_each_table_has_numbered_rows_with_values(key):
    table: PaperTable = TABLES[key]
    lines = [row.line for row in table.rows]
    assert len(set(lines)) == len(lines) and min(lines) >= 1 and lines == sorted(lines)
    assert len({row.label for row in table.rows}) == len(lines)
    for row in table.rows:
        assert row.values and row.uncertainty in ("s.e.", "std", "none")
        assert all(unc is None or unc >= 0 for _, unc in row.values.values())
        if row.uncertainty == "none":
            assert all(unc is None for _, unc in row.values.values())


def values(table: str, label: str) -> dict:
    return dict(TABLES[table].row(label).values)


def test_the_numbers_issue_24_corrected_and_added():
    # PacGAN Table 2: the PacDCGAN KL s.e. are 0.003, 0.003, 0.005 (ganbench stored 0.01), and its own DCGAN row
    assert [values("pacgan-t2", f"PacDCGAN{m}")["mode_kl"] for m in (2, 3, 4)] == [(0.06, 0.003), (0.06, 0.003), (0.07, 0.005)]
    assert values("pacgan-t2", "DCGAN (our implementation)") == {"modes_covered": (78.9, 6.46), "mode_kl": (4.50, 0.127)}
    # PacGAN Table 3 (D = 1/4 G): Metz et al.'s 1-step KL as printed (5.91, stored as 5.911), and PacGAN's own rows
    assert values("pacgan-t3-d025", "Unrolled GAN, 1 step")["mode_kl"] == (5.91, 0.14)
    own = {
        "DCGAN (our implementation)": ((78.5, 17.56), (5.21, 0.19)),
        "PacDCGAN2": ((484.5, 32.99), (2.61, 0.22)),
        "PacDCGAN3": ((601.3, 32.18), (2.00, 0.17)),
        "PacDCGAN4": ((667.4, 29.00), (1.81, 0.15)),
    }
    for label, (modes, kl) in own.items():
        row = TABLES["pacgan-t3-d025"].row(label)
        assert dict(row.values) == {"modes_covered": modes, "mode_kl": kl} and (row.uncertainty, row.n_trials) == ("s.e.", 50)
    # PacGAN Table 1 has no Minibatch Discrimination row, so no suite shows one
    assert [r.label for r in TABLES["pacgan-t1-ring"].rows] == ["GAN", "ALI", "PacGAN2", "PacGAN3", "PacGAN4"]
    assert not any(r.label.startswith("Minibatch") for name in SUITES.names() for r in SUITES.get(name).published)


def test_suites_compare_the_added_rows_with_their_models():
    d025 = {r.label: r.model for r in SUITES.get("pacgan-stacked-mnist-d025").published}
    assert d025["DCGAN (our implementation)"] == "dcgan" and d025["PacDCGAN4"] == "pacdcgan4"
    veegan = {r.label: r.model for r in SUITES.get("veegan-stacked-mnist").published}
    assert veegan["DCGAN (our implementation)"] == "dcgan" and veegan["VEEGAN"] is None

"""Figures: made from a results frame alone (PNG + SVG, non-empty), sample grids read when present."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from support.rows import protocol

from ganbench.cli import main
from ganbench.report.plots.make import make_all, plot_frame
from ganbench.report.plots.samples import find_sample_files, plot_samples
from ganbench.report.results import ResultRow, append_rows, rows_to_frame

PROTOCOL = protocol()
FINAL_FID = {"dcgan": 40.0, "wgan-gp": 30.0, "sngan": 25.0}


def fake_rows() -> list[ResultRow]:
    """3 models x 3 seeds x 6 steps of FID, precision and recall; dcgan seed 2 diverges at step 3000."""
    rng = np.random.default_rng(0)
    rows = []
    for model, final in FINAL_FID.items():
        for seed in range(3):
            for step in range(0, 5001, 1000):
                if model == "dcgan" and seed == 2 and step == 3000:
                    rows.append(
                        ResultRow(
                            model, "cifar10", seed, step, "*", math.nan, PROTOCOL, 9.0, {}, "diverged", "loss is NaN"
                        )
                    )
                    break
                frac = step / 5000
                values = {
                    "fid": final + (300 - final) * math.exp(-5 * frac) + rng.normal(0, 2),
                    "precision": 0.3 + 0.4 * frac * 25 / final + rng.normal(0, 0.02),
                    "recall": 0.1 + 0.5 * frac * final / 40 + rng.normal(0, 0.02),
                }
                rows += [
                    ResultRow(model, "cifar10", seed, step, k, v, PROTOCOL, step / 100, {}) for k, v in values.items()
                ]
    return rows


def assert_figure_files(paths, stems):
    names = sorted(p.name for p in paths)
    assert names == sorted(f"{stem}.{fmt}" for stem in stems for fmt in ("png", "svg"))
    for path in paths:
        data = path.read_bytes()
        assert len(data) > 1000, path
        if path.suffix == ".png":
            assert data.startswith(b"\x89PNG\r\n\x1a\n")
        else:
            assert b"<svg" in data[:2000]


def test_figures_from_a_frame_only(tmp_path):
    frame = rows_to_frame(fake_rows())  # never written to disk
    out = tmp_path / "figures"
    paths = plot_frame(frame, out)
    stems = [f"curve_{k}" for k in ("fid", "precision", "recall")]
    stems += [f"leaderboard_{k}" for k in ("fid", "precision", "recall")] + ["precision_recall"]
    assert_figure_files(paths, stems)
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in paths)  # no temporary files left
    again = {p.name: p for p in plot_frame(frame, tmp_path / "again")}
    assert (out / "curve_fid.svg").read_bytes() == again["curve_fid.svg"].read_bytes()  # reproducible SVG


def test_make_all_without_samples_skips_with_a_note(tmp_path):
    append_rows(tmp_path, fake_rows())
    with pytest.warns(UserWarning, match="no sample grids"):
        paths = make_all(tmp_path)
    assert all(p.parent == tmp_path / "figures" for p in paths)
    assert not (tmp_path / "figures" / "samples.png").exists()
    assert len(paths) == 14


def test_sample_grids_images_and_2d_points(tmp_path):
    from PIL import Image

    from ganbench.data.base import DATASETS

    rng = np.random.default_rng(1)
    for model in ("dcgan", "sngan"):
        for seed in (0, 1):
            folder = tmp_path / "cells" / model / f"seed{seed}"
            folder.mkdir(parents=True)
            for step in (1000, 2000):
                Image.fromarray(rng.integers(0, 255, (66, 66, 3), dtype=np.uint8)).save(
                    folder / f"samples_step{step}.png"
                )
    modes = DATASETS.get("ring8").info.modes
    folder = tmp_path / "cells" / "gan" / "seed0"
    folder.mkdir(parents=True)
    points = modes[rng.integers(0, 3, 500)] + rng.normal(0, 0.05, (500, 2))
    np.savez(folder / "samples_step500.npz", points=points.astype(np.float32))  # modes looked up by dataset name
    frame = rows_to_frame([ResultRow("gan", "ring8", 0, 500, "precision", 0.9, {}, 1.0, {})])

    found = find_sample_files(tmp_path)
    assert {m: (s, st) for m, (s, st, _) in found.items()} == {"dcgan": (0, 2000), "sngan": (0, 2000), "gan": (0, 500)}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        paths = plot_samples(tmp_path, frame=frame)
    assert_figure_files(paths, ["samples"])
    assert paths[0].parent == tmp_path / "figures"


def test_point_panels_draw_the_points_above_the_mode_markers(tmp_path):
    """A run collapsed onto one mode puts all its points at that mode's centre, where the covered / missed marker
    stands: the points are drawn above every marker and circle (once), so the collapse stays visible in both the
    samples and the samples-by-seed figures."""
    from matplotlib.figure import Figure

    from ganbench.data.base import DATASETS
    from ganbench.report.plots.samples import point_panel

    modes = DATASETS.get("ring8").info.modes
    points = modes[:1] + np.random.default_rng(0).normal(0, 0.01, (300, 2))
    path = tmp_path / "samples_step500.npz"
    np.savez(path, points=points.astype(np.float32), dataset="ring8")
    frame = rows_to_frame([ResultRow("gan", "ring8", 0, 500, "precision", 0.9, {}, 1.0, {})])
    ax = Figure().subplots()
    _, drawn, line = point_panel(ax, path, "gan", frame, "C0")
    assert line.startswith("1/8 modes covered")
    scatters = [c for c in ax.collections if len(c.get_offsets()) == len(points)]
    assert len(scatters) == 1 and np.allclose(scatters[0].get_offsets(), drawn)
    others = [artist.get_zorder() for artist in [*ax.collections, *ax.patches, *ax.lines] if artist is not scatters[0]]
    assert others and scatters[0].get_zorder() > max(others)


def test_samples_by_seed_draws_every_seed_of_point_data(tmp_path):
    """Issue 24: the plain GAN collapsed onto one ring mode in two seeds of five; the samples figure draws one seed
    per model, so a figure with every seed's last kept points (at most --at-step) shows what some seeds did."""
    from PIL import Image

    from ganbench.data.base import DATASETS
    from ganbench.report.plots.seed_samples import find_point_files, plot_samples_by_seed

    modes = DATASETS.get("ring8").info.modes
    rng = np.random.default_rng(2)
    for seed in range(3):
        folder = tmp_path / "cells" / "gan" / f"seed{seed}"
        folder.mkdir(parents=True)
        for step in (500, 1000):
            on = modes[:1] if seed == 1 else modes  # seed 1 collapsed onto one mode
            points = on[rng.integers(0, len(on), 300)] + rng.normal(0, 0.01, (300, 2))
            np.savez(folder / f"samples_step{step}.npz", points=points.astype(np.float32))
    image = tmp_path / "cells" / "dcgan" / "seed0"
    image.mkdir(parents=True)
    Image.fromarray(np.zeros((8, 8, 3), dtype=np.uint8)).save(image / "samples_step500.png")
    found = find_point_files(tmp_path)
    assert {seed: step for seed, (step, _) in found["gan"].items()} == {0: 1000, 1: 1000, 2: 1000}
    assert "dcgan" not in found  # image runs have the samples figure
    assert {step for step, _ in find_point_files(tmp_path, max_step=999)["gan"].values()} == {500}
    frame = rows_to_frame([ResultRow("gan", "ring8", 0, 1000, "precision", 0.9, {}, 1.0, {})])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        paths = plot_samples_by_seed(tmp_path, frame=frame)
    assert_figure_files(paths, ["samples_by_seed"])
    assert plot_samples_by_seed(tmp_path / "cells" / "dcgan") == []


def test_plot_cli(tmp_path, capsys):
    append_rows(tmp_path / "run", fake_rows())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert main(["plot", str(tmp_path / "run"), "--out", str(tmp_path / "figs")]) == 0
    out = capsys.readouterr().out
    assert "leaderboard_fid.png" in out and (tmp_path / "figs" / "precision_recall.svg").exists()
    assert main(["plot", str(tmp_path / "missing")]) == 2
    assert "no such run directory" in capsys.readouterr().err


def test_training_curves_per_model_from_losses_csv(tmp_path):
    """Each model's logged curves (BEGAN's convergence, the VAE's ELBO, ...) become one figure with a panel per
    curve; seeds that logged different lengths are averaged where they overlap; a lone train run works too."""
    from ganbench.report.plots.training import find_loss_files, plot_training_curves, read_curves, smoothed

    for seed, steps in ((0, 300), (1, 200)):
        folder = tmp_path / "run" / "cells" / "began" / f"seed{seed}"
        folder.mkdir(parents=True)
        lines = ["step,d_loss,convergence,k"] + [f"{s},{1 / s},{0.1 + seed},{s / 1000}" for s in range(1, steps + 1)]
        (folder / "losses.csv").write_text("\n".join(lines) + "\n")
    vae = tmp_path / "run" / "cells" / "vae" / "seed0"
    vae.mkdir(parents=True)
    (vae / "losses.csv").write_text("step,elbo\n1,-900.0\n2,-800.0\n")
    found = find_loss_files(tmp_path / "run")
    assert sorted(found) == ["began", "vae"] and sorted(found["began"]) == [0, 1]
    curves = read_curves(found["began"])
    assert list(curves[1].columns) == ["d_loss", "convergence", "k"] and curves[1].index.max() == 200
    window = smoothed(curves[0][["k"]], 3)
    assert window.loc[10, "k"] == pytest.approx(0.010) and window.loc[1, "k"] == pytest.approx(0.0015)

    paths = plot_training_curves(tmp_path / "run", tmp_path / "figs", formats=("png",))
    assert sorted(p.name for p in paths) == ["training_began.png", "training_vae.png"]
    assert all(p.stat().st_size > 0 for p in paths)
    # make_all draws them with the other figures
    assert any(p.name == "training_vae.png" for p in make_all(tmp_path / "run", tmp_path / "all", formats=("png",)))

    single = tmp_path / "single"
    single.mkdir()
    (single / "losses.csv").write_text("step,elbo\n1,-5.0\n")
    (single / "run.json").write_text('{"family": "vae", "seed": 3}')
    assert find_loss_files(single) == {"vae": {3: single / "losses.csv"}}

"""Copy the publishable parts of a zoo-mnist5k run here and write comparison.md from its result rows.

    python benchmarks/zoo-mnist5k/publish.py RUN_DIR DEST

Copies results.jsonl, grid.json, leaderboard.csv/.md and figures/*.png, then writes DEST/comparison.md: the
protocol as the rows record it (steps, width, seeds, sample counts, each family's settings and cell wall
times) and the lectures' comparison: each model's precision against its recall (mean over seeds), sorted by
recall minus precision, with the VAE and VAE-GAN marked, and the lectures' claim tested: the VAE's recall minus
precision against each GAN family's, Welch's t-test across seeds, whichever way it comes out.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pandas as pd

from ganbench.report.results import load
from ganbench.report.significance import ALPHA, TEST_NAME, welch_test

NON_ADVERSARIAL = {"vae": "VAE (non-adversarial)", "vaegan": "VAE-GAN (hybrid)"}
COPIED = ("results.jsonl", "grid.json", "leaderboard.csv", "leaderboard.md")
SETTINGS_SHOWN = ("batch_size", "lr_g", "lr_d", "beta1", "beta2", "n_critic", "z_dim")


def copy_outputs(run_dir: Path, dest: Path) -> None:
    if run_dir.resolve() == dest.resolve():
        return
    for name in COPIED:
        shutil.copy2(run_dir / name, dest / name)
    figures = dest / "figures"
    if figures.exists():
        shutil.rmtree(figures)
    figures.mkdir()
    for path in sorted((run_dir / "figures").glob("*.png")):
        shutil.copy2(path, figures / path.name)


def last_values(frame: pd.DataFrame) -> pd.DataFrame:
    """(model, seed) x metric: each seed's value at its last evaluated step (ok rows only)."""
    ok = frame[frame["status"] == "ok"]
    ok = ok[ok["step"] == ok.groupby(["model", "seed"])["step"].transform("max")]
    return ok.pivot_table(index=["model", "seed"], columns="metric", values="value", aggfunc="last")


def comparison_table(values: pd.DataFrame) -> pd.DataFrame:
    means = values.groupby("model").mean()
    stds = values.groupby("model").std()
    table = pd.DataFrame(
        {
            "precision": means["precision"],
            "recall": means["recall"],
            "recall - precision": means["recall"] - means["precision"],
            "sd of recall - precision": (values["recall"] - values["precision"]).groupby("model").std(),
            "FID": means["fid"],
            "FID sd": stds["fid"],
            "classes covered": means["classes_covered"],
            "code accuracy": means.get("code_accuracy", pd.Series(dtype=float)),
            "seeds": values.groupby("model")["fid"].count(),
        }
    )
    return table.sort_values("recall - precision", ascending=False)


def markdown(table: pd.DataFrame) -> str:
    header = "| model | " + " | ".join(table.columns) + " |"
    lines = [header, "|---|" + "---:|" * len(table.columns)]
    for model, row in table.iterrows():
        name = f"**{model}** ({NON_ADVERSARIAL[model]})" if model in NON_ADVERSARIAL else model
        cells = [("" if pd.isna(v) else f"{v:.0f}" if k == "seeds" else f"{v:.4g}") for k, v in row.items()]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def vae_against_gans(values: pd.DataFrame, gans: list[str]) -> list[str]:
    """One line per GAN family: the VAE's mean recall - precision minus the family's, Welch's p across seeds, and
    what that says at ALPHA (a difference, or none shown; untestable where a side lacks 2 seeds or spread)."""
    gap = (values["recall"] - values["precision"]).groupby("model")
    if "vae" not in gap.groups:
        return ["- no VAE rows: the comparison cannot be made"]
    vae = gap.get_group("vae").to_numpy()
    lines = []
    for model in gans:
        other = gap.get_group(model).to_numpy()
        test = welch_test(vae, other)
        diff = vae.mean() - other.mean()
        if test.p != test.p:
            verdict = "untestable (fewer than 2 seeds or no spread on both sides)"
        elif test.p < ALPHA:
            verdict = "the VAE trades more precision for recall" if diff > 0 else "the GAN trades more precision for recall"
        else:
            verdict = "no difference shown"
        lines.append(f"| {model} | {diff:+.3f} | {len(vae)} / {len(other)} | {test.p:.3g} | {verdict} |")
    head = [f"| GAN family | VAE minus GAN (recall - precision) | seeds | p | at p < {ALPHA:g} |", "|---|---:|---:|---:|---|"]
    return head + lines


def protocol_text(frame: pd.DataFrame, run_dir: Path) -> str:
    grid = json.loads((run_dir / "grid.json").read_text())
    first = frame[frame["status"] == "ok"].iloc[0]
    protocol = first["protocol"]
    configs = frame.drop_duplicates("model").set_index("model")["config"]
    steps = sorted({c["model_config"]["steps"] for c in configs})
    widths = sorted({c["model_config"]["width"] for c in configs})
    walls = {}
    for model in configs.index:
        cells = [json.loads(p.read_text()) for p in (run_dir / "cells" / model).glob("seed*/cell.json")]
        walls[model] = sum(c.get("wall_time_s", 0.0) for c in cells) / max(len(cells), 1)
    lines = [
        f"- dataset {grid['dataset']}, seeds {', '.join(map(str, grid['seeds']))}; {len(configs)} models",
        f"- generator steps {steps}, width multiplier {widths}, every other setting the family's paper default "
        "(per-family settings below); one evaluation, at the last step",
        f"- scoring: {protocol['extractor']} features, {protocol['n_generated']:,} generated vs "
        f"{protocol['n_reference']:,} reference samples ({protocol['reference']}/{protocol['reference_split']}), "
        f"metric settings {json.dumps(protocol['metric_settings'])}; evaluation noise seed = training seed",
        f"- machine: {protocol['device']} (a 2-core CPU shared with other jobs), one cell at a time (run.sh), one thread each; "
        f"ganbench {protocol['ganbench_version']}, torch {protocol['torch_version']}",
        "",
        "| model | " + " | ".join(SETTINGS_SHOWN) + " | other settings | mean wall time per cell (s) |",
        "|---|" + "---:|" * len(SETTINGS_SHOWN) + "---|---:|",
    ]
    for model, config in configs.sort_index().items():
        settings = config["model_config"]
        other = {k: v for k, v in settings.items() if k not in (*SETTINGS_SHOWN, "steps", "width", "ema")}
        shown = " | ".join(f"{settings[k]:g}" for k in SETTINGS_SHOWN)
        lines.append(f"| {model} | {shown} | {json.dumps(other) if other else ''} | {walls[model]:.0f} |")
    return "\n".join(lines)


def main(run_dir: Path, dest: Path) -> None:
    copy_outputs(run_dir, dest)
    frame = load(run_dir)
    table = comparison_table(last_values(frame))
    gans = table.drop(index=[m for m in NON_ADVERSARIAL if m in table.index])
    text = [
        "# zoo-mnist5k: generated from the result rows by publish.py (do not edit)",
        "",
        "## Protocol",
        "",
        protocol_text(frame, run_dir),
        "",
        "## Precision against recall (the lectures' comparison: VAEs blurry but mode-covering, GANs sharp but "
        "dropping modes)",
        "",
        "Mean over seeds of each seed's value at the last step, sorted by recall minus precision (higher: the model "
        "trades precision for recall more than the others). Precision / recall: Kynkaanniemi et al. 2019, k = 3, "
        "in mnist-classifier features; classes covered: the dataset classifier's predicted digits with at least "
        "half their real share; code accuracy: code_recovery (conditional GANs and InfoGAN only).",
        "",
        markdown(table),
        "",
    ]
    for model in NON_ADVERSARIAL:
        if model in table.index:
            row = table.loc[model]
            above = int((gans["recall - precision"] < row["recall - precision"]).sum())
            text.append(
                f"- {model}: precision {row['precision']:.3f}, recall {row['recall']:.3f}, recall - precision "
                f"{row['recall - precision']:+.3f}; higher recall - precision than {above} of the {len(gans)} GANs"
            )
    if len(gans):
        text.append(
            f"- GANs: median precision {gans['precision'].median():.3f}, median recall {gans['recall'].median():.3f}, "
            f"median recall - precision {gans['recall - precision'].median():+.3f}"
        )
    adversarial = [m for m in gans.index if m != "vaegan"]
    text += [
        "",
        "## Is the VAE blurry but mode-covering? (recall - precision, VAE against each GAN family)",
        "",
        f"{TEST_NAME} across seeds of each seed's recall - precision at the last step; not corrected for the "
        f"{len(adversarial)} comparisons. A difference at chance-level recall (near 0 for every model) says little.",
        "",
        *vae_against_gans(last_values(frame), adversarial),
    ]
    (dest / "comparison.md").write_text("\n".join(text) + "\n")
    print(f"published {run_dir} -> {dest}")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(Path(sys.argv[1]), Path(sys.argv[2]))

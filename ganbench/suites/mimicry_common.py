"""What mimicry's baseline suites share: the one training recipe of its README "Baselines", the metric columns and
what the published +- means, and the evaluation differences every comparison prints."""

from __future__ import annotations

from ganbench.suites.base import PublishedRow, Suite, SuiteMetric, SuiteModel
from ganbench.suites.published_numbers import published_row

TRAINER = "kwotsin/mimicry torch_mimicry/training/{trainer,scheduler}.py, examples/sngan_example.py"
METRICS = "kwotsin/mimicry torch_mimicry/metrics/compute_{fid,is,kid}.py"
#: README "Baselines": the same training conditions for every model (CIFAR-10 32, STL-10 48 and CelebA 64 rows).
SETTINGS = {
    "steps": "100000",
    "batch_size": "64",
    "lr_g": "2e-4",
    "lr_d": "2e-4",
    "beta1": "0",
    "beta2": "0.9",
    "n_critic": "5",
    "z_dim": "128",
    "lr_decay": "linear",
    "lr_decay_steps": "100000",
    "g_batch_mult": "1",
    "arch": "mimicry-resnet",
    "width": "1",
    "ema": "0",
}
WGAN_GP_SETTINGS = {**SETTINGS, "gp_weight": "10"}
IMAGE_METRICS = (
    SuiteMetric("fid", "FID"),
    SuiteMetric("is_mean", "IS"),
    SuiteMetric("kid_mean", "KID"),
)
UNCERTAINTY = "+- is the std (ddof 0) of 3 evaluations (seeds 0-2) of one 100k-step checkpoint, not of training runs"
TARGETS_NOTE = (
    "These published numbers are what the protocol should reach; they are not results of ganbench until a run on "
    "the real {dataset} shows them (`ganbench suite compare` prints ours beside them)."
)
EVALUATION_NOTES = (
    "Inception: mimicry runs the TF graph inception-2015-12-05 on uint8 images; ganbench's "
    "inception-v3-compat is the pytorch-fid port of the same weights (close, not bit-identical).",
    "mimicry min-max normalises the whole generated set before Inception; ganbench maps tanh outputs by "
    "(x + 1) / 2. KID: mimicry averages 10 subsets of 5,000; IS: 10 splits.",
    "mimicry's loader keeps the last partial batch of each epoch; ganbench drops it.",
)


def mimicry_row(table: str, label: str, model: str | None, code: str) -> PublishedRow:
    """The row `label` of mimicry's baseline table `table` (published_numbers.TABLES), reproduced by `model`."""
    return published_row(table, label, model, code, note=UNCERTAINTY)


def mimicry_suite(
    name: str,
    title: str,
    dataset: tuple[str, str],
    models: tuple[SuiteModel, ...],
    readme: str,
    table: str,
    rows: tuple[tuple[str, str | None, str], ...],
    notes: tuple[tuple[str, ...], tuple[str, ...]],
    data_source: str = "",
    presets: tuple[str, ...] = (),
) -> Suite:
    """A mimicry baseline suite: one training run per model, FID/IS/KID on 50,000 generated vs 50,000 reference
    images every 5,000 steps. `dataset`: (registered name, name in prose); `table`: its key in published_numbers;
    `rows`: (printed label, ganbench model or None, the authors' file); `notes`: (about the data, closing) around
    the shared evaluation notes."""
    data_notes, closing_notes = notes
    return Suite(
        name=name,
        title=title,
        dataset=dataset[0],
        models=models,
        trials=1,
        n_generated=50_000,
        n_reference=50_000,
        metrics=IMAGE_METRICS,
        presets=presets,
        eval_every=5_000,
        published=tuple(mimicry_row(table, *row) for row in rows),
        sources=(readme, TRAINER, *((data_source,) if data_source else ()), METRICS),
        notes=(TARGETS_NOTE.format(dataset=dataset[1]), *data_notes, *EVALUATION_NOTES, *closing_notes),
    )

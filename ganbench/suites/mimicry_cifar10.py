"""`mimicry-cifar10`: mimicry's CIFAR-10 baselines (kwotsin/mimicry README "Baselines", 100k steps, 50k vs 50k)."""

from __future__ import annotations

from ganbench.suites.base import SUITES, PublishedRow, Suite, SuiteMetric, SuiteModel

README = "kwotsin/mimicry README.md, Baselines, CIFAR-10 32x32 (a7fda06)"
TRAINER = "kwotsin/mimicry torch_mimicry/training/{trainer,scheduler}.py, examples/sngan_example.py"
#: README "Baselines": the same training conditions for every model.
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
IMAGE_METRICS = (
    SuiteMetric("fid", "FID"),
    SuiteMetric("is_mean", "IS"),
    SuiteMetric("kid_mean", "KID"),
)
UNCERTAINTY = "+- is the std (ddof 0) of 3 evaluations (seeds 0-2) of one 100k-step checkpoint, not of training runs"


def _row(label: str, model: str | None, fid: tuple, score: tuple, kid: tuple, code: str) -> PublishedRow:
    values = {"fid": fid, "is_mean": score, "kid_mean": kid}
    return PublishedRow(label, model, values, "std", 1, README, code, note=UNCERTAINTY)


SUITES.add(
    "mimicry-cifar10",
    Suite(
        name="mimicry-cifar10",
        title="CIFAR-10 32x32, mimicry baselines: SNGAN ResNet nets, 100k steps, FID 50k vs 50k train",
        dataset="cifar10",
        models=(
            SuiteModel("wgan_gp_mimicry", {**SETTINGS, "gp_weight": "10"}),
            SuiteModel("sngan_mimicry", SETTINGS),
            SuiteModel("cgan_mimicry", SETTINGS),
        ),
        trials=1,
        n_generated=50_000,
        n_reference=50_000,
        metrics=IMAGE_METRICS,
        eval_every=5_000,
        published=(
            _row("WGAN-GP", "wgan_gp_mimicry", (22.29, 0.06), (7.33, 0.02), (0.0204, 0.0004), "nets/wgan_gp/wgan_gp_32.py"),
            _row("SNGAN", "sngan_mimicry", (16.77, 0.04), (7.97, 0.06), (0.0125, 0.0001), "nets/sngan/sngan_32.py"),
            _row("cGAN-PD", "cgan_mimicry", (10.84, 0.03), (8.25, 0.13), (0.0070, 0.0001), "nets/cgan_pd/cgan_pd_32.py"),
            _row("SSGAN", None, (14.65, 0.04), (8.17, 0.06), (0.0101, 0.0002), "nets/ssgan/ssgan_32.py"),
            _row("InfoMax-GAN", None, (15.12, 0.10), (8.08, 0.08), (0.0112, 0.0001), "nets/infomax_gan/infomax_gan_32.py"),
        ),
        sources=(README, TRAINER, "kwotsin/mimicry torch_mimicry/metrics/compute_{fid,is,kid}.py"),
        notes=(
            "These published numbers are what the protocol should reach; they are not results of ganbench until a "
            "run on the real CIFAR-10 shows them (`ganbench suite compare` prints ours beside them).",
            "Reference images: mimicry draws 50,000 of the CIFAR-10 train split (all of it); ganbench uses the train "
            "split's 50,000 too.",
            "Inception: mimicry runs the TF graph inception-2015-12-05 on uint8 images; ganbench's "
            "inception-v3-compat is the pytorch-fid port of the same weights (close, not bit-identical).",
            "mimicry min-max normalises the whole generated set before Inception; ganbench maps tanh outputs by "
            "(x + 1) / 2. KID: mimicry averages 10 subsets of 5,000; IS: 10 splits.",
            "mimicry's loader keeps the last partial batch of each epoch (16 images); ganbench drops it.",
            "SSGAN and InfoMax-GAN are not implemented in ganbench (rows shown for reference). mimicry's DCGAN has "
            "no 50k baseline (its reproducibility row, 28.95 +- 0.42, is 10k vs 10k with dcgan_cifar.py).",
        ),
    ),
)

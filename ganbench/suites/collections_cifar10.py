"""`collections-cifar10`: pytorch-gan-collections' CIFAR-10 table (w86763777/pytorch-gan-collections README)."""

from __future__ import annotations

from ganbench.suites.base import SUITES, PublishedRow, Suite, SuiteMetric, SuiteModel
from ganbench.suites.published_numbers import published_row

README = "w86763777/pytorch-gan-collections README.md, Results (change log 2022-01-10)"
#: configs/*_CIFAR10_{CNN,RES}.txt and DCGAN_CIFAR10.txt; betas are the scripts' defaults.
COMMON = {"steps": "100000", "lr_g": "2e-4", "lr_d": "2e-4", "beta2": "0.9", "lr_decay": "linear", "lr_decay_steps": "100000"}
COMMON |= {"g_batch_mult": "2", "width": "1", "ema": "0"}
CNN = {**COMMON, "batch_size": "128", "n_critic": "1", "z_dim": "100", "beta1": "0", "arch": "collections-cnn"}
RESNET = {**COMMON, "batch_size": "64", "n_critic": "5", "z_dim": "128", "beta1": "0", "arch": "collections-resnet"}
DCGAN = {**CNN, "beta1": "0.5", "arch": "collections-dcgan"}
UNCERTAINTY = "FID has no +-; the IS +- is the std over 10 splits of one 50k evaluation of one training run (seed 0)"


def _row(label: str, model: str | None, code: str) -> PublishedRow:
    # the row's uncertainty kind describes the IS value; FID is printed without one
    return published_row("collections-cifar10", label, model, code, note=UNCERTAINTY)


SUITES.add(
    "collections-cifar10",
    Suite(
        name="collections-cifar10",
        title="CIFAR-10 32x32, pytorch-gan-collections: DCGAN, WGAN-GP and SNGAN (CNN, ResNet), 100k steps, FID 50k vs train",
        dataset="cifar10",
        models=(
            SuiteModel("dcgan_collections", DCGAN),
            SuiteModel("wgan_gp_collections_cnn", {**CNN, "gp_weight": "10"}),
            SuiteModel("wgan_gp_collections_resnet", {**RESNET, "gp_weight": "10"}),
            SuiteModel("sngan_collections_cnn", CNN),
            SuiteModel("sngan_collections_resnet", RESNET),
        ),
        trials=1,
        n_generated=50_000,
        n_reference=50_000,
        metrics=(SuiteMetric("fid", "FID"), SuiteMetric("is_mean", "Inception Score")),
        eval_every=5_000,
        published=(
            _row("DCGAN", "dcgan_collections", "dcgan.py, configs/DCGAN_CIFAR10.txt"),
            _row("WGAN(CNN)", None, "wgan.py, configs/WGAN_CIFAR10_CNN.txt"),
            _row("WGAN-GP(CNN)", "wgan_gp_collections_cnn", "wgangp.py, configs/WGANGP_CIFAR10_CNN.txt"),
            _row("WGAN-GP(ResNet)", "wgan_gp_collections_resnet", "wgangp.py, configs/WGANGP_CIFAR10_RES.txt"),
            _row("SNGAN(CNN)", "sngan_collections_cnn", "sngan.py, configs/SNGAN_CIFAR10_CNN.txt"),
            _row("SNGAN(ResNet)", "sngan_collections_resnet", "sngan.py, configs/SNGAN_CIFAR10_RES.txt"),
        ),
        sources=(
            README,
            "w86763777/pytorch-gan-collections source/models/{dcgan,wgangp,sngan}.py, source/losses.py, configs/*.txt",
        ),
        notes=(
            "These published numbers are what the protocol should reach; they are not results of ganbench until a "
            "run on the real CIFAR-10 shows them (`ganbench suite compare` prints ours beside them).",
            "The authors score 50,000 generated images against CIFAR-10 train-set statistics with pytorch_gan_metrics "
            "(the pytorch-fid port of the TF Inception); ganbench uses the 50,000 train images and inception-v3-compat.",
            "Which checkpoint the README reports (the last or the best of the 5k-step evaluations) is not stated; "
            "ganbench's comparison uses the final one.",
            "The authors' loaders flip images horizontally (inferred from their scripts); ganbench does not augment.",
            "WGAN(CNN) is not run: ganbench's `wgan` family does not have collections' networks (row for reference).",
        ),
    ),
)

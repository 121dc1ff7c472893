"""`mimicry-cifar10`: mimicry's CIFAR-10 baselines (kwotsin/mimicry README "Baselines", 100k steps, 50k vs 50k)."""

from __future__ import annotations

from ganbench.suites.base import SUITES, SuiteModel
from ganbench.suites.mimicry_common import SETTINGS, WGAN_GP_SETTINGS, mimicry_suite

README = "kwotsin/mimicry README.md, Baselines, CIFAR-10 32x32 (a7fda06)"

SUITES.add(
    "mimicry-cifar10",
    mimicry_suite(
        "mimicry-cifar10",
        "CIFAR-10 32x32, mimicry baselines: SNGAN ResNet nets, 100k steps, FID 50k vs 50k train",
        ("cifar10", "CIFAR-10"),
        (
            SuiteModel("wgan_gp_mimicry", WGAN_GP_SETTINGS),
            SuiteModel("sngan_mimicry", SETTINGS),
            SuiteModel("cgan_mimicry", SETTINGS),
        ),
        README,
        "mimicry-cifar10",
        (
            ("WGAN-GP", "wgan_gp_mimicry", "nets/wgan_gp/wgan_gp_32.py"),
            ("SNGAN", "sngan_mimicry", "nets/sngan/sngan_32.py"),
            ("cGAN-PD", "cgan_mimicry", "nets/cgan_pd/cgan_pd_32.py"),
            ("SSGAN", None, "nets/ssgan/ssgan_32.py"),
            ("InfoMax-GAN", None, "nets/infomax_gan/infomax_gan_32.py"),
        ),
        (
            (
                "Reference images: mimicry draws 50,000 of the CIFAR-10 train split (all of it); ganbench uses the "
                "train split's 50,000 too.",
            ),
            (
                "SSGAN and InfoMax-GAN are not implemented in ganbench (rows shown for reference). mimicry's DCGAN "
                "has no 50k baseline (its reproducibility row, 28.95 +- 0.42, is 10k vs 10k with dcgan_cifar.py).",
            ),
        ),
    ),
)

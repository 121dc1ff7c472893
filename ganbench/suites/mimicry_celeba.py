"""`mimicry-celeba`: mimicry's CelebA 64x64 baselines (kwotsin/mimicry README "Baselines", 100k steps, 50k vs 50k)."""

from __future__ import annotations

from ganbench.suites.base import SUITES, SuiteModel
from ganbench.suites.mimicry_common import SETTINGS, mimicry_suite

README = "kwotsin/mimicry README.md, Baselines, CelebA 64x64 (01680c9)"
DATA = (
    "kwotsin/mimicry torch_mimicry/datasets/data_utils.py (load_celeba_dataset: split 'all', CenterCrop(178), "
    "Resize(64))"
)

SUITES.add(
    "mimicry-celeba",
    mimicry_suite(
        "mimicry-celeba",
        "CelebA 64x64, mimicry baselines: SNGAN ResNet nets, 100k steps, FID 50k vs 50k",
        ("celeba", "CelebA"),
        (SuiteModel("sngan_mimicry", SETTINGS),),
        README,
        "mimicry-celeba64",
        (
            ("SNGAN", "sngan_mimicry", "nets/sngan/sngan_64.py"),
            ("SSGAN", None, "nets/ssgan/ssgan_64.py"),
            ("InfoMax-GAN", None, "nets/infomax_gan/infomax_gan_64.py"),
        ),
        (
            (
                "DEVIATION: mimicry trains on all 202,599 images (split 'all') and draws its 50,000 reference images "
                "from them; ganbench's celeba trains on the official train split (162,770) and draws the reference "
                "from it, keeping valid/test held out for the memorisation tests (the split 'all' exists for "
                "scoring: `ganbench score --split all`). Same faces, same crop and size; expect a small difference, "
                "not none.",
                "Preprocessing is mimicry's: centre crop 178x178, then resize to 64x64 with PIL bilinear.",
            ),
            (
                "IS is printed because mimicry prints it; its README warns that IS says little on one-class data "
                "such as CelebA.",
                "SSGAN and InfoMax-GAN are not implemented in ganbench (rows shown for reference). mimicry publishes "
                "no WGAN-GP, DCGAN or cGAN-PD row at 64x64; ganbench's wgan_gp still defaults to mimicry's "
                "wgan_gp_64.py nets there, without a published target.",
            ),
        ),
        data_source=DATA,
        # celeba's own protocol has no IS; mimicry's table has it
        presets=("fid", "is", "kid"),
    ),
)

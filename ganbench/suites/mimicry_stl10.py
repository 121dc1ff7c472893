"""`mimicry-stl10`: mimicry's STL-10 48x48 baselines (kwotsin/mimicry README "Baselines", 100k steps, 50k vs 50k)."""

from __future__ import annotations

from ganbench.suites.base import SUITES, SuiteModel
from ganbench.suites.mimicry_common import SETTINGS, WGAN_GP_SETTINGS, mimicry_suite

README = "kwotsin/mimicry README.md, Baselines, STL-10 48x48 (01680c9)"
DATA = "kwotsin/mimicry torch_mimicry/datasets/data_utils.py (load_stl10_dataset: split 'unlabeled', Resize(48))"

SUITES.add(
    "mimicry-stl10",
    mimicry_suite(
        "mimicry-stl10",
        "STL-10 48x48, mimicry baselines: ResNet nets, 100k steps on the unlabeled split, FID 50k vs 50k unlabeled",
        ("stl10", "STL-10"),
        (SuiteModel("wgan_gp_mimicry", WGAN_GP_SETTINGS), SuiteModel("sngan_mimicry", SETTINGS)),
        README,
        "mimicry-stl10",
        (
            ("WGAN-GP", "wgan_gp_mimicry", "nets/wgan_gp/wgan_gp_48.py"),
            ("SNGAN", "sngan_mimicry", "nets/sngan/sngan_48.py"),
            ("SSGAN", None, "nets/ssgan/ssgan_48.py"),
            ("InfoMax-GAN", None, "nets/infomax_gan/infomax_gan_48.py"),
        ),
        (
            (
                "Training and reference images: mimicry trains on the 100,000 unlabeled images and draws 50,000 of "
                "them as the reference; ganbench's stl10 trains on the unlabeled split and draws its 50,000 reference "
                "images from it too.",
                "Resizing 96 -> 48: mimicry applies torchvision Resize(48) to each PIL image as it loads it; ganbench "
                "resizes once with antialiased bilinear interpolation and stores uint8 (close, not bit-identical).",
            ),
            (
                "SSGAN and InfoMax-GAN are not implemented in ganbench (rows shown for reference); mimicry publishes "
                "no DCGAN or cGAN-PD row at 48x48.",
            ),
        ),
        data_source=DATA,
    ),
)

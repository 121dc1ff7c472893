"""The built-in GAN families; importing this module registers each (one file per family)."""

from ganbench.models import (  # noqa: F401  (registration)
    ali,
    cgan,
    dcgan,
    gan,
    lsgan,
    pacgan,
    sngan,
    unrolled,
    wgan,
    wgan_gp,
)

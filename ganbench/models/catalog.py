"""The built-in GAN families (and the VAE baselines); importing this module registers each (one file per family)."""

from ganbench.models import (  # noqa: F401  (registration)
    acgan,
    ali,
    began,
    cgan,
    dcgan,
    ebgan,
    fgan,
    gan,
    infogan,
    lsgan,
    pacgan,
    sngan,
    unrolled,
    vae,
    vaegan,
    veegan,
    wgan,
    wgan_gp,
)

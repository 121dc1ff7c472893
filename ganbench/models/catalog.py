"""The built-in GAN families (and the VAE baselines); importing this module registers each (one file per family)."""

from ganbench.models import (  # noqa: F401  (registration)
    acgan,
    began,
    cgan,
    dcgan,
    ebgan,
    fgan,
    gan,
    infogan,
    lsgan,
    sngan,
    vae,
    vaegan,
    wgan,
    wgan_gp,
)

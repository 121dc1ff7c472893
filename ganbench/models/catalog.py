"""The built-in GAN families; importing this module registers each (one file per family)."""

from ganbench.models import cgan, dcgan, gan, lsgan, pacgan, sngan, wgan, wgan_gp  # noqa: F401  (registration)

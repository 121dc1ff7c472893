"""PacGAN (Lin et al. 2018): `gan` and `dcgan` with their discriminators judging packs of 2, 3 or 4 samples.

`pacganM` is `gan` with pack=M (on 2-D points: PacGAN's own networks and optimiser, the rows PacGAN2-4 of its
Table 1); `pacdcganM` is `dcgan` with pack=M (its stacked-MNIST rows PacDCGAN2-4). Each is registered under its
own name so leaderboards show it; any other family takes `--set pack=M` the same way.
"""

from __future__ import annotations

from ganbench.models.base import MODELS
from ganbench.models.dcgan import DCGAN
from ganbench.models.gan import GAN

PAPER = "Lin et al. 2018, PacGAN: The power of two samples in generative adversarial networks"

for _pack in (2, 3, 4):
    MODELS.add(f"pacgan{_pack}", GAN.variant(f"pacgan{_pack}", f"{PAPER} (gan, pack={_pack})", pack=_pack))
    MODELS.add(f"pacdcgan{_pack}", DCGAN.variant(f"pacdcgan{_pack}", f"{PAPER} (dcgan, pack={_pack})", pack=_pack))

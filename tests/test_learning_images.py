"""Every registered family has a learning test (issue 26), and the image families outside the lectures' zoo learn
mnist5k: after a short run at a quarter width their mnist-classifier FID falls far below their untrained
generator's. The zoo's families are tested in tests/test_zoo.py, dcgan at full width in tests/test_train.py, the
2-D families on their ring in tests/test_learning_points.py. Slow: each trains a few hundred steps on the CPU."""

from __future__ import annotations

import dataclasses

import pytest
from test_learning_points import BUDGET as POINT_BUDGET
from test_zoo import LEARNING, ZOO

from ganbench.data.base import DataShape
from ganbench.models.base import MODELS

pytestmark = pytest.mark.usefixtures("one_thread")

#: Families learning-tested elsewhere: dcgan in tests/test_train.py (full width, 1,000 steps).
ELSEWHERE = {"dcgan"}
#: The networks published for 32x32 images train on mnist5k padded to 32 x 32 (their samples are judged on the
#: centre 28 x 28).
PADDED_32 = {
    "cgan_mimicry",
    "dcgan_collections",
    "dcgan_mimicry",
    "sngan_collections_cnn",
    "sngan_collections_resnet",
    "sngan_mimicry",
    "wgan_gp_collections_cnn",
    "wgan_gp_collections_resnet",
    "wgan_gp_mimicry",
}
#: Families with an image and a 2-D configuration, learning-tested on both (ali: DCGAN nets with ALI's CIFAR-10
#: optimiser here, PacGAN's 2-D ALI on the ring in tests/test_learning_points.py).
BOTH = {"ali"}
#: The image families outside the zoo, at the zoo leaderboard's budget (LEARNING: width 0.25, 400 generator steps)
#: unless STEPS gives more.
IMAGE_FAMILIES = sorted((set(MODELS.names()) - set(ZOO) - set(POINT_BUDGET) - ELSEWHERE) | BOTH)
#: Generator steps for families measured to need more than LEARNING's 400 (seed 0, width 0.25; trained / untrained
#: FID): ali (on images ALI's CIFAR-10 optimiser with DCGAN nets) 1791 / 2168 at 400 steps, 759 at 2,000; cgan
#: 990 / 2085 at 400 steps, 663 at 1,000 (since its head reads the flattened map: ganbench.models.blocks.Head);
#: dcgan_collections (mnist5k padded to 32) 1904 / 2173 at 400, 1273 at 1,000, 420 at 2,000; lsgan 1407 / 2168 at 400,
#: 603 at 1,000; pacdcgan2 1216 at 400, 699 at 1,000; sngan 1175 / 2194 at 400, 724 at 1,000; wgan (RMSProp 5e-5, five
#: clipped critic steps) 1678 / 2168 at 400, 1446 at 1,000, 934 at 2,000, 658 at 3,000 (pacdcgan3 and pacdcgan4 are
#: given pacdcgan2's steps, not measured); unrolled1 (Metz et al.'s stacked-MNIST row, DCGAN nets, one unrolled
#: step; tests/test_learning_points.py says why not the ring) 1340 / 2168 at 400, 891 at 1,000, 865 at 2,000, 5 digits
#: (47 s CPU to 1,000 steps). The other 32x32 networks train 400 steps: wgan_gp_mimicry 326 / 2278 there, 10 digits
#: (1,779 s CPU: five critic steps with a gradient penalty through the ResNet, about 4.4 s a generator step).
STEPS = {
    "ali": 2000,
    "cgan": 1000,
    "dcgan_collections": 2000,
    "lsgan": 1000,
    "pacdcgan2": 1000,
    "pacdcgan3": 1000,
    "pacdcgan4": 1000,
    "sngan": 1000,
    "unrolled1": 1000,
    "wgan": 3000,
}


#: Settings given in place of a family's defaults. mimicry's ResNets are trained by their papers (Miyato et al. 2018,
#: Section 4: SN-GANs on ResNets; Miyato & Koyama 2018: cGAN-PD) and by mimicry's recipe with Adam 2e-4, betas 0 /
#: 0.9 and five discriminator steps, and on colour images the variants default to that recipe; on grey 32x32
#: images, where no recipe was published, they default to their family's CNN setting C (betas 0.5 / 0.999, one
#: discriminator step; ganbench.models.reference32), which does not survive on the ResNet (issue 26; seed 0, width
#: 0.25, one thread, AMD EPYC, 2026-12-07): cgan_mimicry 1436 / 1106 / 1191 at 400 / 800 / 1,200 steps against 1646
#: untrained, sngan_mimicry 1805 / 1123 / 1282 against 1425 (2 digits at 1,200: collapsing), where the ResNet
#: optimiser gives 465 (9 digits) and 323 (10 digits) at 400 steps (1,308 / 1,250 s CPU).
RESNET_OPTIMISER = {"beta1": 0.0, "beta2": 0.9, "n_critic": 5}
SETTINGS = {"cgan_mimicry": RESNET_OPTIMISER, "sngan_mimicry": RESNET_OPTIMISER}


def test_every_registered_family_has_a_learning_test():
    tested = set(ZOO) | set(POINT_BUDGET) | set(IMAGE_FAMILIES) | ELSEWHERE
    assert tested == set(MODELS.names())
    assert not set(ZOO) & set(POINT_BUDGET) and PADDED_32 <= set(IMAGE_FAMILIES)


@pytest.fixture(scope="module")
def mnist_judge():
    from support.mnist_check import MnistJudge

    return MnistJudge()


@pytest.mark.slow
@pytest.mark.parametrize("family", IMAGE_FAMILIES)
def test_image_family_learns_mnist5k(family, mnist_judge, tmp_path):
    """At its paper's settings (SETTINGS where they are not the family's defaults), a quarter width and seed 0, the
    family's trained mnist-classifier FID of 1,000 samples is below half its untrained generator's."""
    data = mnist_judge.padded(32) if family in PADDED_32 else mnist_judge.data
    shape = DataShape.of(data.data, data.labels)
    budget = {**LEARNING, "steps": STEPS.get(family, LEARNING["steps"]), **SETTINGS.get(family, {})}
    config = dataclasses.replace(MODELS.get(family).default_config(shape), **budget)
    untrained, trained = mnist_judge.before_and_after(family, config, data, tmp_path)
    assert trained["fid"] < 0.5 * untrained["fid"]

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
#: (47 s CPU to 1,000 steps). The other 32x32 networks train 400 steps.
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


#: Families measured short of the bar at their budget, whose longer budget is not measured yet (issue 26; seed 0, one
#: thread, AMD EPYC, 2026-12-07): strict expected failures with what was measured, so a budget that makes one learn
#: shows up as XPASS.
SHORT = {
    "cgan_mimicry": "FID 1436 / 1646 at 400 steps (mnist5k padded to 32; about 10 CPU minutes): mimicry's ResNet "
    "learns (4 digits confidently drawn against 1) but is short of half; its budget is not measured",
    "sngan_mimicry": "FID 1805 / 1425 at 400 steps (mnist5k padded to 32; about 10 CPU minutes): worse than untrained "
    "(2 digits confidently drawn); its budget is not measured",
}


def test_every_registered_family_has_a_learning_test():
    tested = set(ZOO) | set(POINT_BUDGET) | set(IMAGE_FAMILIES) | ELSEWHERE
    assert tested == set(MODELS.names())
    assert not set(ZOO) & set(POINT_BUDGET) and PADDED_32 <= set(IMAGE_FAMILIES)


@pytest.fixture(scope="module")
def mnist_judge():
    from support.mnist_check import MnistJudge

    return MnistJudge()


@pytest.mark.slow
@pytest.mark.parametrize(
    "family",
    [
        pytest.param(name, marks=pytest.mark.xfail(strict=True, reason=SHORT[name])) if name in SHORT else name
        for name in IMAGE_FAMILIES
    ],
)
def test_image_family_learns_mnist5k(family, mnist_judge, tmp_path):
    """At its paper's settings, a quarter width and seed 0, the family's trained mnist-classifier FID of 1,000
    samples is below half its untrained generator's."""
    data = mnist_judge.padded(32) if family in PADDED_32 else mnist_judge.data
    shape = DataShape.of(data.data, data.labels)
    budget = {**LEARNING, "steps": STEPS.get(family, LEARNING["steps"])}
    config = dataclasses.replace(MODELS.get(family).default_config(shape), **budget)
    untrained, trained = mnist_judge.before_and_after(family, config, data, tmp_path)
    assert trained["fid"] < 0.5 * untrained["fid"]

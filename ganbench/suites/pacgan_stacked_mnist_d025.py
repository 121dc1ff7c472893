"""`pacgan-stacked-mnist-d025`: stacked MNIST with a discriminator a quarter the generator's size (Unrolled GAN
Table 2; PacGAN Table 3)."""

from __future__ import annotations

from ganbench.suites.base import SUITES, PublishedRow, Suite, SuiteModel
from ganbench.suites.veegan_stacked_mnist import STACKED_METRICS

CODE = "fjxmlzn/PacGAN stacked_MNIST_experiments/unrolled_GAN_experiment/D=0.25G/{config,model,pacgan_task}.py"
METZ = "Metz et al. 2017, Unrolled GAN (arXiv 1611.02163), Table 2 (mean +- std; trials not stated)"
#: 500,000 iterations of batch 128, D Adam 2e-4 and G Adam 1e-4, betas 0.5/0.99, z ~ N(0, I_256).
SETTINGS = {
    "steps": "500000",
    "batch_size": "128",
    "lr_g": "1e-4",
    "lr_d": "2e-4",
    "beta1": "0.5",
    "beta2": "0.99",
    "z_dim": "256",
    "ema": "0",
}


def _metz(label: str, model: str, modes: tuple, kl: tuple) -> PublishedRow:
    return PublishedRow(label, model, {"modes_covered": modes, "mode_kl": kl}, "std", None, METZ)


SUITES.add(
    "pacgan-stacked-mnist-d025",
    Suite(
        name="pacgan-stacked-mnist-d025",
        title="Stacked MNIST, discriminator 1/4 of the generator (Unrolled GAN Table 2, PacGAN Table 3): 25,600 samples",
        dataset="stacked_mnist",
        models=(
            SuiteModel("dcgan", SETTINGS),
            *(SuiteModel(f"pacdcgan{m}", {**SETTINGS, "pack": str(m)}) for m in (2, 3, 4)),
            SuiteModel("unrolled1", SETTINGS),
            SuiteModel("unrolled", SETTINGS),
            SuiteModel("unrolled10", SETTINGS),
        ),
        trials=50,
        n_generated=25_600,
        metrics=STACKED_METRICS,
        metric_settings={"mode_min_count": 1},
        presets=("modes",),
        eval_every=2_000,
        published=(
            _metz("Unrolled GAN, 0 steps (DCGAN)", "dcgan", (30.6, 20.73), (5.99, 0.42)),
            _metz("Unrolled GAN, 1 step", "unrolled1", (65.4, 34.75), (5.911, 0.14)),
            _metz("Unrolled GAN, 5 steps", "unrolled", (236.4, 63.30), (4.67, 0.43)),
            _metz("Unrolled GAN, 10 steps", "unrolled10", (327.2, 74.67), (4.66, 0.46)),
        ),
        sources=(CODE,),
        notes=(
            "PacGAN Table 3's own rows (DCGAN and PacDCGAN2-4 with D = 1/4 G, 50 trials each) could not be read "
            "offline; they are not in this suite yet.",
            "Networks: the quarter-size discriminator (conv widths 2/4/8 against the generator's 8/16/32, 3x3 "
            "kernels) is NOT ported: ganbench trains its standard DCGAN pair, so these numbers test the protocol's "
            "optimiser and schedule, not its capacity ratio.",
            "Metz et al. give mean +- std without a trial count: the paper's interval is shown as its mean only.",
            "PacGAN's sampler for this table normalises with batch statistics (batch-norm train mode); ganbench "
            "evaluates in eval mode (running statistics).",
            "stacked_mnist stacks full MNIST when it is in the data root and otherwise the offline mnist5k: then its "
            "numbers are NOT comparable with the paper's.",
        ),
        comparable_offline=False,
    ),
)

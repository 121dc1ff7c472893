"""`pacgan-stacked-mnist-d025`: stacked MNIST with a discriminator a quarter the generator's size (Unrolled GAN
Table 2; PacGAN Table 3)."""

from __future__ import annotations

from ganbench.suites.base import SUITES, Suite, SuiteModel
from ganbench.suites.published_numbers import published_row
from ganbench.suites.veegan_stacked_mnist import STACKED_METRICS

CODE = "fjxmlzn/PacGAN stacked_MNIST_experiments/unrolled_GAN_experiment/D=0.25G/{config,model,pacgan_task}.py"
#: Metz et al.'s rows as PacGAN Table 3 quotes them, and the ganbench models that reproduce them.
METZ_ROWS = {
    "DCGAN": "dcgan",
    "Unrolled GAN, 1 step": "unrolled1",
    "Unrolled GAN, 5 steps": "unrolled",
    "Unrolled GAN, 10 steps": "unrolled10",
}
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
            *(published_row("pacgan-t3-d025", label, model) for label, model in METZ_ROWS.items()),
            published_row("pacgan-t3-d025", "DCGAN (our implementation)", "dcgan", CODE),
            *(published_row("pacgan-t3-d025", f"PacDCGAN{m}", f"pacdcgan{m}", CODE) for m in (2, 3, 4)),
        ),
        sources=(CODE,),
        notes=(
            "PacGAN Table 3's own rows (DCGAN and PacDCGAN2-4 with D = 1/4 G) are means +- s.e. over 50 "
            "trials.",
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

"""`veegan-stacked-mnist`: stacked MNIST in the VEEGAN setting, PacGAN Table 2 (= VEEGAN Table 2's rows)."""

from __future__ import annotations

from ganbench.suites.base import SUITES, Suite, SuiteMetric, SuiteModel
from ganbench.suites.published_numbers import published_row

CODE = "fjxmlzn/PacGAN stacked_MNIST_experiments/VEEGAN_experiment/{config,model,pacgan_task,evaluate}.py (1868de80)"
#: The VEEGAN-setup protocol: 50 epochs of 128,000 stacked images in batches of 64 = 100,000 iterations.
SETTINGS = {
    "steps": "100000",
    "batch_size": "64",
    "lr_g": "2e-4",
    "lr_d": "2e-4",
    "beta1": "0.5",
    "beta2": "0.999",
    "z_dim": "100",
    "width": "1",
    "ema": "0",
}
STACKED_METRICS = (
    SuiteMetric("modes_covered", "modes (of 1000)"),
    SuiteMetric("mode_kl", "KL", note="KL(generated mode histogram || uniform over 1,000), every sample counted"),
)


VEEGAN_NOTE = "VEEGAN's own runs: averaged over 5 runs, no uncertainty printed; its settings for this row are not public"
VEEGAN_ROWS = {"DCGAN": "dcgan", "ALI": "ali", "Unrolled GAN": "unrolled", "VEEGAN": None}


SUITES.add(
    "veegan-stacked-mnist",
    Suite(
        name="veegan-stacked-mnist",
        title="Stacked MNIST, VEEGAN setting (PacGAN Table 2): 1,000 modes, 26,000 samples, 10 trials",
        dataset="stacked_mnist",
        models=(
            SuiteModel("dcgan", SETTINGS),
            *(SuiteModel(f"pacdcgan{m}", {**SETTINGS, "pack": str(m)}) for m in (2, 3, 4)),
            SuiteModel("ali", SETTINGS),
            SuiteModel("unrolled", SETTINGS),
        ),
        trials=10,
        n_generated=26_000,
        metrics=STACKED_METRICS,
        metric_settings={"mode_min_count": 1},
        presets=("modes",),
        eval_every=2_000,
        published=(
            *(published_row("pacgan-t2", label, model, note=VEEGAN_NOTE) for label, model in VEEGAN_ROWS.items()),
            published_row("pacgan-t2", "DCGAN (our implementation)", "dcgan", CODE),
            *(published_row("pacgan-t2", f"PacDCGAN{m}", f"pacdcgan{m}", CODE) for m in (2, 3, 4)),
        ),
        sources=(CODE, "akashgit/VEEGAN index.md (0044b1ba): 26,000 samples, five runs"),
        notes=(
            "Networks: ganbench's DCGAN pair (4x4 kernels, 7x7 base for 28x28), not carpedm20's 5x5 nets of PacGAN's "
            "code (2x2 base, TF 'SAME' padding); PacGAN's loop takes 2 generator steps per discriminator step and "
            "feeds real data in [0, 1] against a tanh generator, ganbench takes 1 and trains on [-1, 1].",
            "Modes are read by ganbench's mnist-classifier, not PacGAN's Keras mnist_cnn.",
            "stacked_mnist stacks full MNIST when it is in the data root (60,000 training images from MNIST "
            "train; PacGAN: 128,000 from train + test) and otherwise the offline mnist5k: then its numbers are NOT "
            "comparable with the paper's.",
            "VEEGAN's ALI and Unrolled GAN settings are not public: ganbench runs `ali` and `unrolled` under this "
            "suite's optimiser and schedule.",
            "VEEGAN is not implemented in ganbench (its row is shown for reference).",
        ),
        comparable_offline=False,
    ),
)

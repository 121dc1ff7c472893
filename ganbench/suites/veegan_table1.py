"""What the two 2-D suites of VEEGAN Table 1 share: the rows, the models with the settings that produced them,
the sources and every place where they disagree."""

from __future__ import annotations

from ganbench.suites.base import Claim, Suite, SuiteMetric, SuiteModel
from ganbench.suites.published_numbers import published_row

NOTEBOOK = (
    "akashgit/VEEGAN VEEGAN_2D_RING.ipynb (commit 1cf5017, 2017-05-25; its blob is missing from the stored "
    "snapshot, read from three identical public Python exports of it: the nbconvert export with the 'Evaluation' "
    "cell, a Python 2 copy and a copy with notify_with_image)"
)
PROJECT_PAGE = "akashgit/VEEGAN index.md, tab.png and algo.png (77ec74ef): Table 1, Algorithm 1, the evaluation rule"
RING_GIST = "akashgit GAN_RING.py gist: ring(batchsize, num_cluster=8, scale=1, std=.01)"
UNROLLED_DEMO = "poole/unrolled_gan 'Unrolled GAN demo.ipynb': params (max_iter 25000, batch 512, z 256, ...)"

#: The notebook's settings, shared by VEEGAN and the GAN and ALI baselines on its networks.
VEEGAN_SETTINGS = {
    "steps": "100000",
    "batch_size": "500",
    "lr_g": "1e-3",
    "lr_d": "1e-3",
    "beta1": "0.5",
    "beta2": "0.999",
    "z_dim": "254",
    "eps_dim": "1",
    "n_critic": "1",
    "width": "1",
    "ema": "0",
}
#: The Unrolled GAN reference implementation (the demo notebook) that VEEGAN says it ran with 5 unrolling steps.
UNROLLED_SETTINGS = {
    "steps": "25000",
    "batch_size": "512",
    "lr_g": "1e-3",
    "lr_d": "1e-4",
    "beta1": "0.5",
    "beta2": "0.999",
    "z_dim": "256",
    "unroll_steps": "5",
    "saturating": "true",
    "n_critic": "1",
    "width": "1",
    "ema": "0",
}
#: Run order: the cheap baselines first, ALI (as costly as VEEGAN and in no claim) last.
MODELS = (
    SuiteModel("veegan_gan", VEEGAN_SETTINGS),
    SuiteModel("veegan", VEEGAN_SETTINGS),
    SuiteModel("unrolled", UNROLLED_SETTINGS),
    SuiteModel("veegan_ali", VEEGAN_SETTINGS),
)
METRICS = (
    SuiteMetric("modes_covered", "modes"),
    SuiteMetric("high_quality_fraction", "% high quality samples", factor=100.0),
)
#: VEEGAN's rule (notebook 'Evaluation' cell: nearest mean, sqrt(distance) <= 0.15 = 3 x 0.05 on the grid).
METRIC_SETTINGS = {"mode_quality_stds": 3.0, "mode_min_count": 1}
CLAIMS = (
    Claim("VEEGAN covers more modes than GAN", "modes_covered", "veegan", "veegan_gan"),
    Claim("Unrolled GAN covers more modes than GAN", "modes_covered", "unrolled", "veegan_gan"),
)
LABELS = {"GAN": "veegan_gan", "ALI": "veegan_ali", "Unrolled GAN": "unrolled", "VEEGAN": "veegan"}

NOTES = (
    "VEEGAN's settings are the notebook's: generator (254 noise + 1 extra N(0,1) input, 2 ReLU layers of 128), "
    "reconstructor (2 ReLU layers of 128 to the mean of a unit-variance Gaussian over the 254 noise dims), "
    "discriminator on (z, x) with ONE ReLU layer of 128 (the notebook passes n_layers=2 but builds one layer; "
    "Stephen Sinclair's TF2 port and xyfJASON/gans-pytorch build other networks), batch 500, Adam 1e-3 beta1 0.5, "
    "100 epochs x 1,000 iterations, simultaneous updates, 2,500 evaluation samples (5 x 500).",
    "Ports read, where they differ from the notebook: Stephen Sinclair's TF2/Keras port (its first version keeps "
    "the notebook's sizes, batch 500, Adam 1e-3 and one-layer discriminator but alternates the two updates with "
    "fresh batches; later versions move to batch 100, 200-wide layers, batch norm, dropout and WGAN losses); "
    "xyfJASON/gans-pytorch VEEGAN (z of 100, 256-wide LeakyReLU layers, batch norm and tanh in the generator, a "
    "sampled reconstruction in an MSE loss, alternating updates, batch 256). One public export of the notebook "
    "puts 8 modes on a circle of radius 4 (std 0.05) but still scores against the grid's means; not used.",
    "The paper does not publish its GAN and ALI code: ganbench runs them on VEEGAN's own networks and optimiser "
    "(veegan_gan: no reconstructor, D on x alone, non-saturating loss; veegan_ali: the reconstructor as ALI's "
    "encoder, z = F(x) + N(0, I), labels-swapped cross-entropy). That these are the paper's shared settings is "
    "ganbench's reading, not stated in the sources read.",
    "Unrolled GAN: VEEGAN says it used 'the authors' reference implementation' with 5 unrolling steps; ganbench's "
    "unrolled runs that demo's settings (25,000 iterations, batch 512, z 256, 2 tanh layers of 128, D Adam 1e-4, "
    "G Adam 1e-3, saturating generator loss) on VEEGAN's data. The paper does not say how long it trained it.",
    "The notebook uses one tf.train.AdamOptimizer object for both minimize calls, so its shared beta1/beta2 power "
    "accumulators advance twice per iteration (bias correction decays twice as fast); ganbench gives each network "
    "its own torch Adam. TF adds Adam's epsilon outside the bias correction, torch inside (both 1e-8).",
    "The notebook draws fresh data from the mixture every batch; ganbench trains on a fixed training set "
    "(ring8_r1: 100,000 points, grid25: 50,000), each mode equally often.",
    "Modes and high-quality %: the rule of the notebook's 'Evaluation' cell and the paper (a sample is high "
    "quality within 3 std of its nearest mode; a mode is covered when it is the nearest mode of at least one "
    "high-quality sample); ganbench draws each seed's own 2,500 evaluation samples at the last step.",
    "The paper prints means over 5 runs with no uncertainty.",
)


def table1_suite(name: str, title: str, dataset: str, table: str, data_note: str) -> Suite:
    """A VEEGAN Table 1 suite on `dataset` whose rows are TABLES[`table`] of ganbench.suites.published_numbers."""
    published = tuple(
        published_row(table, label, LABELS[label], NOTEBOOK if LABELS[label] != "unrolled" else UNROLLED_DEMO)
        for label in LABELS
    )
    return Suite(
        name=name,
        title=title,
        dataset=dataset,
        models=MODELS,
        trials=5,
        n_generated=2_500,
        metrics=METRICS,
        metric_settings=METRIC_SETTINGS,
        eval_every=10_000,
        published=published,
        claims=CLAIMS,
        sources=(NOTEBOOK, PROJECT_PAGE, RING_GIST, UNROLLED_DEMO),
        notes=(data_note, *NOTES),
    )

"""What the 2-D mode-collapse suites share: PacGAN's pinned settings, the table columns, sources and caveats."""

from __future__ import annotations

from ganbench.suites.base import Claim, Suite, SuiteMetric, SuiteModel
from ganbench.suites.published_numbers import published_row

PACGAN_CODE = "fjxmlzn/PacGAN synthetic_data_experiments/{folder}/config.py + pacgan_task.py (commits a7c92481, b331f4ff)"

#: PacGAN's 2-D protocol for GAN and PacGAN2-4: 400 epochs of 100,000 samples in batches of 100 packs.
PACGAN_STEPS = 400_000
PACGAN_SETTINGS = {
    "steps": "400000",
    "batch_size": "100",
    "lr_g": "1e-4",
    "lr_d": "1e-4",
    "beta1": "0.8",
    "beta2": "0.999",
    "z_dim": "2",
    "n_critic": "1",
    "width": "1",
    "ema": "0",
    "simultaneous": "true",
}
#: ALI baseline of PacGAN Table 1 (2DRing_ALI / 2DGrid_ALI): the same optimiser, batch and schedule (ALI's
#: update is always simultaneous, so it has no such setting).
ALI_SETTINGS = {key: value for key, value in PACGAN_SETTINGS.items() if key not in ("n_critic", "simultaneous")}

POINT_METRICS = (
    SuiteMetric("modes_covered", "modes"),
    SuiteMetric("high_quality_fraction", "high-quality samples (%)", factor=100.0),
    SuiteMetric(
        "mode_kl",
        "reverse KL",
        note="ganbench: KL(histogram of the high-quality samples over the modes || uniform); PacGAN's code logs no "
        "KL for 2-D, so this reading of its 'reverse KL' is unverified",
    ),
)
#: The sample-quality rule of VEEGAN and PacGAN (MetricLogger dis_thre=3; a mode needs one high-quality sample).
POINT_METRIC_SETTINGS = {"mode_quality_stds": 3.0, "mode_min_count": 1}
POINTS_SAMPLES = 2_500


def pacgan_models(ali_available: bool = True) -> tuple[SuiteModel, ...]:
    """GAN (= PacGAN1), PacGAN2, PacGAN3, PacGAN4 and ALI with PacGAN's pinned settings."""
    models = [SuiteModel("gan", {**PACGAN_SETTINGS, "pack": "1"})]
    models += [SuiteModel(f"pacgan{m}", {**PACGAN_SETTINGS, "pack": str(m)}) for m in (2, 3, 4)]
    if ali_available:
        models.append(SuiteModel("ali", ALI_SETTINGS))
    return tuple(models)


PACKING_CLAIMS = (
    Claim("PacGAN2 covers more modes than GAN", "modes_covered", "pacgan2", "gan"),
    Claim("PacGAN4 covers more modes than GAN", "modes_covered", "pacgan4", "gan"),
    Claim("PacGAN4 has a lower reverse KL than GAN", "mode_kl", "pacgan4", "gan"),
)

PACGAN_NOTES = (
    "PacGAN updates G and D simultaneously from one forward pass (ALI's ali_algorithm); ganbench does the same "
    "(simultaneous=true).",
    "Adam beta1 0.8 is PacGAN's Blocks value read with Blocks' post-2017 convention; under the older convention it "
    "would be torch beta1 0.2 (unverified which one PacGAN ran).",
    "PacGAN evaluates 2,500 samples from one fixed noise set (seed 2333) for every run; ganbench draws each seed's "
    "own evaluation noise (samples 0..2499 of that seed's stream).",
    "Real packs: PacGAN resamples each slot with replacement from its 100,000 points; ganbench takes consecutive "
    "samples of a shuffled epoch (independent draws without replacement within an epoch).",
    "Which epoch PacGAN reports is not stated in its code; ganbench compares each seed's last evaluation.",
)


#: PacGAN Table 1's printed rows and the ganbench models that reproduce them.
TABLE1_MODELS = {"GAN": "gan", "ALI": "ali", "PacGAN2": "pacgan2", "PacGAN3": "pacgan3", "PacGAN4": "pacgan4"}
NO_MINIBATCH_NOTE = (
    "Earlier ganbench releases listed a 'Minibatch Discrimination' row credited to PacGAN Table 1; the table as the "
    "authors publish it (fjxmlzn/PacGAN synthetic_data_experiments/results/Table1.png) has no such row and no other "
    "source could be found offline, so it is not shown."
)


def pacgan_suite(name: str, title: str, dataset: str, folder: str, table: str, data_note: str) -> Suite:
    """A PacGAN Table 1 suite on `dataset` from the experiment folders `folder`_GAN&PacGAN and `folder`_ALI, with
    the rows of published_numbers.TABLES[`table`]."""
    code = PACGAN_CODE.format(folder=f"{folder}_GAN&PacGAN")
    ali_code = f"fjxmlzn/PacGAN synthetic_data_experiments/{folder}_ALI/pacgan_task.py (b331f4ff)"
    published = tuple(
        published_row(table, label, model, ali_code if model == "ali" else code)
        for label, model in TABLE1_MODELS.items()
    )
    return Suite(
        name=name,
        title=title,
        dataset=dataset,
        models=pacgan_models(),
        trials=10,
        n_generated=POINTS_SAMPLES,
        metrics=POINT_METRICS,
        metric_settings=POINT_METRIC_SETTINGS,
        eval_every=1_000,  # PacGAN logs its metrics after every epoch of 1,000 iterations
        published=published,
        claims=PACKING_CLAIMS,
        sources=(code, ali_code, "IshmaelBelghazi/ALI ali/algorithms.py (a2ed3251): the simultaneous update"),
        notes=(data_note, *PACGAN_NOTES, NO_MINIBATCH_NOTE),
    )

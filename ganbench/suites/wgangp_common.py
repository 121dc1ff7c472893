"""What the WGAN-GP toy suites share: gan_toy.py's pinned settings, sources and caveats (no published table)."""

from __future__ import annotations

from ganbench.suites.base import Suite, SuiteModel
from ganbench.suites.points_common import POINT_METRIC_SETTINGS, POINT_METRICS, POINTS_SAMPLES

CODE = "igul222/improved_wgan_training gan_toy.py (3c8ba3c2), tflib/ops/linear.py (4fde7f36)"
SETTINGS = {
    "steps": "100000",
    "batch_size": "256",
    "lr_g": "1e-4",
    "lr_d": "1e-4",
    "beta1": "0.5",
    "beta2": "0.9",
    "n_critic": "5",
    "gp_weight": "0.1",
    "z_dim": "2",
    "width": "1",
    "ema": "0",
    "standardize": "true",
    "adam_epsilon": "tensorflow",
}


def wgangp_toy_suite(name: str, dataset: str, what: str, data_note: str) -> Suite:
    """gan_toy.py's WGAN-GP on `dataset`; the paper shows figures only, so the suite has no published rows."""
    return Suite(
        name=name,
        title=f"WGAN-GP toy protocol (Gulrajani et al. 2017, gan_toy.py), {what}: no published table",
        dataset=dataset,
        models=(SuiteModel("wgan_gp", SETTINGS),),
        trials=1,
        n_generated=POINTS_SAMPLES,
        metrics=POINT_METRICS,
        metric_settings=POINT_METRIC_SETTINGS,
        eval_every=5_000,
        sources=(CODE,),
        notes=(
            data_note,
            "The WGAN-GP paper shows these runs as figures only (no table found): ganbench scores them with the "
            "VEEGAN/PacGAN mode protocol (2,500 samples, 3 stds), which the authors' code does not compute.",
            "gan_toy.py draws fresh 8-Gaussian points for every batch and cycles a fixed 100,000-point 25-Gaussian "
            "set in one order; ganbench samples both from its fixed 50,000-point training split, reshuffled every "
            "epoch.",
            "Checked against a transcription of gan_toy.py's step (tests/test_wgangp_toy_step.py): from the same "
            "weights, data and noise ganbench's parameters agree to ~3e-6 of a step's movement after one step and "
            "5e-4 after four (float32 rounding that Adam amplifies where gradients cancel). The same tflib "
            "initialisers ('he' hidden, 'glorot' output, zero biases) and TensorFlow's Adam epsilon; the order "
            "(critic steps, then the generator) is gan_toy.py's, except that its iteration 0 has no generator step, "
            "so after k steps ganbench has made one generator update more.",
            "A port with PyTorch's default initialisation (weights and biases U(+-1/sqrt(fan_in))) learns these "
            "sets faster than gan_toy.py's tflib initialisation, which ganbench follows: its numbers are not "
            "gan_toy.py's (issue 31; benchmarks/wgangp-toy trains the transcription both ways).",
        ),
    )

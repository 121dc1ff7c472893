"""`ppl`: perceptual path length (Karras et al. 2019), torch-fidelity's `ppl` protocol."""

from __future__ import annotations

from ganbench.errors import GanbenchError
from ganbench.metrics.config import MetricConfig
from ganbench.metrics.path_length import path_length
from ganbench.metrics.spec import Key, MetricInputs, register_metric


def ppl_settings(config: MetricConfig) -> dict:
    settings = config.path_length
    return {
        "ppl_samples": settings.ppl_samples,
        "ppl_epsilon": settings.ppl_epsilon,
        "ppl_interpolation": settings.ppl_interpolation,
        "ppl_resize": settings.ppl_resize,
        "ppl_discard_lower": settings.ppl_discard_lower,
        "ppl_discard_higher": settings.ppl_discard_higher,
        "ppl_seed": settings.ppl_seed,
    }


@register_metric(
    "ppl",
    "Perceptual path length (Karras et al. 2019; torch-fidelity's ppl): LPIPS (VGG16) distance between the images "
    "of latent pairs epsilon apart (z1 = lerp(z0, z1, 1e-4)), over epsilon^2, mean and std between the 1st and "
    "99th percentiles; for generators, nothing for sample files",
    {"ppl_mean": Key("lower", "PPL", "LPIPS distance / epsilon^2"), "ppl_std": Key("spread", "PPL std", "LPIPS distance / epsilon^2")},
    needs={"ppl_distances"},
    settings=ppl_settings,
    requires="a generator of images (--generator), scored with the LPIPS VGG16 weights",
)
def ppl(inputs: MetricInputs, config: MetricConfig) -> dict[str, float]:
    if inputs.ppl_distances is None:  # sample files: no generator to walk the latent space of
        return {}
    settings = config.path_length
    try:
        mean, std = path_length(inputs.ppl_distances, settings.ppl_discard_lower, settings.ppl_discard_higher)
    except ValueError as error:
        raise GanbenchError(f"ppl: {error}; check --ppl-discard-lower / --ppl-discard-higher") from None
    return {"ppl_mean": mean, "ppl_std": std}

"""Fast extractor modes (tf32 / bf16): close to strict float32, and never mistaken for the published protocol."""

from __future__ import annotations

import pytest
import torch
from support.random_inception import smooth_images

from ganbench.features.base import build_extractor
from ganbench.features.config import ExtractorConfig
from ganbench.protocol import differences


def extractor(weights: str, precision: str):
    config = ExtractorConfig(device="cpu", weights_path=weights, allow_custom_weights=True, precision=precision)
    with pytest.warns(UserWarning, match="not the published ones"):
        return build_extractor("inception-v3-compat", config)


@pytest.mark.parametrize("mode,tolerance", [("tf32", 1e-5), ("bf16", 0.2)])
def test_fast_modes_stay_close_and_change_the_fingerprint(random_inception_weights, mode, tolerance):
    images = torch.from_numpy(smooth_images(4, 32, seed=3))
    strict, fast = extractor(random_inception_weights, "strict"), extractor(random_inception_weights, mode)
    exact, approximate = strict.extract(images)["pool"], fast.extract(images)["pool"]
    assert approximate.dtype == torch.float32 and approximate.shape == exact.shape
    relative = float((approximate - exact).norm() / exact.norm())
    print(f"{mode}: relative feature error {relative:.2e}")
    # tf32 is plain float32 on a CPU; bf16 keeps ~3 significant digits per operation.
    assert relative < tolerance
    if mode == "bf16":
        assert relative > 0  # autocast really ran in bfloat16
    assert differences(strict.fingerprint(), fast.fingerprint()) == [
        f"preprocessing: {strict.preprocessing!r} vs {fast.preprocessing!r}"
    ]
    assert "FAST MODE" in fast.preprocessing and "FAST MODE" not in strict.preprocessing


def test_unknown_precision_is_one_clear_error(random_inception_weights):
    from ganbench.errors import GanbenchError

    config = ExtractorConfig(
        device="cpu", weights_path=random_inception_weights, allow_custom_weights=True, precision="fp8"
    )
    with pytest.raises(GanbenchError, match="unknown precision 'fp8'"):
        build_extractor("inception-v3-compat", config)

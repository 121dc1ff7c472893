"""`inception-v3-spatial`: the spatial features of sFID (Nash et al. 2021), from the InceptionV3 of FID.

openai/guided-diffusion's evaluations/evaluator.py reads the TF graph's `mixed_6/conv:0` (N, 17, 17, 192), keeps
its first 7 channels and flattens them (NHWC order) to 2023 values per image. In torch-fidelity's port that layer
is Mixed_6d.branch1x1 (NVIDIA's `mixed_6.conv`, the first 1x1 convolution of the third 17x17 block, after its batch
norm and ReLU: the TF graph names the ReLU op after the block's scope). Same weights, same preprocessing as
`inception-v3-compat`; the network stops after Mixed_6e.
"""

from __future__ import annotations

import torch

from ganbench.features.base import EXTRACTORS
from ganbench.features.config import ExtractorConfig
from ganbench.features.inception import InceptionV3Compat, check_uint8_images, inception_weights_path

#: guided-diffusion's evaluator: spatial = mixed_6/conv[..., :7]
SPATIAL_CHANNELS = 7


class InceptionV3Spatial(InceptionV3Compat):
    """`pool`: the first 7 channels of mixed_6/conv (17 x 17 x 7 = 2023), flattened height, width, channel."""

    name = "inception-v3-spatial"
    output_dims = {"pool": 17 * 17 * SPATIAL_CHANNELS}
    preprocessing = (
        f"{InceptionV3Compat.preprocessing}; mixed_6/conv (Mixed_6d.branch1x1) channels 0-{SPATIAL_CHANNELS - 1}, "
        "17x17x7 flattened HWC"
    )
    network_outputs = ("mixed_6e",)

    @torch.no_grad()
    def extract(self, images: torch.Tensor, outputs: tuple[str, ...] = ("pool",)) -> dict[str, torch.Tensor]:
        check_uint8_images(images)
        missing = [name for name in outputs if name not in self.output_dims]
        if missing:
            raise ValueError(f"{self.name} gives only pool (the sFID spatial features), not {', '.join(missing)}")
        captured = []
        hook = self.network.Mixed_6d.branch1x1.register_forward_hook(lambda module, args, out: captured.append(out))
        try:
            self.run_network(images)
        finally:
            hook.remove()
        spatial = captured[0][:, :SPATIAL_CHANNELS].permute(0, 2, 3, 1).reshape(len(images), -1)
        return {"pool": spatial.float()}


@EXTRACTORS.register("inception-v3-spatial")
def inception_v3_spatial(config: ExtractorConfig) -> InceptionV3Spatial:
    """sFID's spatial features: the first 7 channels of InceptionV3's mixed_6/conv (2023), FID's weights."""
    return InceptionV3Spatial(
        inception_weights_path(config), config.device, config.allow_custom_weights, config.precision, config.inception_resize
    )

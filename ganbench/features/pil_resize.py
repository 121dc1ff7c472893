"""Resizing uint8 images with PIL itself, as the reference implementations of FD_DINOv2 and CMMD do.

dgm-eval hands PIL images to torchvision's `Resize((224, 224), BICUBIC)`, which calls PIL's `Image.resize`;
CMMD's io_util crops the centre square and calls `Image.resize((336, 336), BICUBIC)`. PIL's bicubic filter is
antialiased (its support widens with the scale factor, Keys a = -0.5) and works separably, rounding the
intermediate to uint8 between the horizontal and the vertical pass. `torch.nn.functional.interpolate(bicubic,
antialias=True)` on floats skips that rounding and differs from PIL by up to ~20 grey levels on high-contrast
images, so the reference-faithful path here is PIL: exact by construction.
"""

from __future__ import annotations

import numpy as np
import torch
from PIL import Image

#: the filters the references use, by the name recorded in the preprocessing fingerprint
RESAMPLE = {"bicubic": Image.Resampling.BICUBIC}


def centre_square(height: int, width: int) -> tuple[int, int, int, int]:
    """CMMD io_util's crop box (left, top, right, bottom): the centred square of side min(height, width)."""
    side = min(height, width)
    top, left = (height - side) // 2, (width - side) // 2
    return left, top, left + side, top + side


def pil_resize(images: torch.Tensor, size: int, crop_centre: bool = False, resample: str = "bicubic") -> torch.Tensor:
    """uint8 (N, C, H, W), C in {1, 3}, -> uint8 (N, 3, size, size) on the CPU, each image through PIL.

    Gray images become RGB first (PIL's convert('RGB') repeats the channel, as the references' loaders do);
    `crop_centre` takes CMMD's centred square before resizing, otherwise the image is squashed to size x size
    (dgm-eval); an image already size x size is returned unchanged.
    """
    if images.dtype != torch.uint8 or images.ndim != 4 or images.shape[1] not in (1, 3):
        raise ValueError(f"expected uint8 images N x (1|3) x H x W, got {tuple(images.shape)} {images.dtype}")
    array = images.cpu().numpy()
    out = np.empty((len(array), size, size, 3), dtype=np.uint8)
    for index, image in enumerate(array):
        pixels = np.ascontiguousarray(image.transpose(1, 2, 0))
        picture = Image.fromarray(pixels[..., 0] if pixels.shape[2] == 1 else pixels).convert("RGB")
        if crop_centre:
            picture = picture.crop(centre_square(picture.height, picture.width))
        if picture.size != (size, size):
            picture = picture.resize((size, size), RESAMPLE[resample])
        out[index] = np.asarray(picture)
    return torch.from_numpy(out).permute(0, 3, 1, 2).contiguous()


def clean_resize(images: torch.Tensor, size: int) -> torch.Tensor:
    """clean-fid's "clean" resize: uint8 (N, C, H, W), C in {1, 3} (gray repeated to RGB) -> float32 (N, 3, size,
    size) on the CPU, each channel resized by PIL's antialiased bicubic filter as a float32 image (mode "F"), then
    clipped to [0, 255] and not rounded (clean-fid's make_resizer("PIL", False, "bicubic", (size, size)))."""
    if images.dtype != torch.uint8 or images.ndim != 4 or images.shape[1] not in (1, 3):
        raise ValueError(f"expected uint8 images N x (1|3) x H x W, got {tuple(images.shape)} {images.dtype}")
    array = images.cpu().numpy()
    out = np.empty((len(array), 3, size, size), dtype=np.float32)
    for index, image in enumerate(array):
        for channel in range(3):
            plane = Image.fromarray(image[min(channel, len(image) - 1)].astype(np.float32), mode="F")
            out[index, channel] = np.asarray(plane.resize((size, size), resample=Image.Resampling.BICUBIC)).clip(0, 255)
    return torch.from_numpy(out)

"""Images from disk: a folder of image files or an `.npz` holding a uint8 image array.

Everything returned is uint8 NCHW with 1 or 3 channels. Every problem a user can
cause (missing path, empty folder, unreadable file, mixed sizes, odd arrays) is a
one-sentence GanbenchError.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ganbench.data.base import ArrayBatches, ArraySplit
from ganbench.errors import GanbenchError

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".webp", ".tif", ".tiff")
NPZ_IMAGE_KEYS = ("images", "samples", "x", "arr_0")


def to_nchw(array: np.ndarray, where: str) -> np.ndarray:
    """Return a uint8 image array as NCHW: accepts NCHW, NHWC (C in {1, 3}) and NHW (grayscale)."""
    if array.ndim == 3:
        return array[:, None, :, :]
    if array.ndim != 4:
        raise GanbenchError(f"{where} has shape {array.shape}; expected images as N x H x W x C or N x C x H x W")
    if array.shape[1] in (1, 3):
        return array
    if array.shape[3] in (1, 3):
        return np.ascontiguousarray(array.transpose(0, 3, 1, 2))
    raise GanbenchError(f"{where} has shape {array.shape}; expected 1 or 3 channels (NCHW or NHWC)")


def validate_image_array(array: np.ndarray, where: str) -> np.ndarray:
    """Check an in-memory image array and return it as uint8 NCHW, or raise a one-line GanbenchError."""
    if np.issubdtype(array.dtype, np.floating):
        if np.isnan(array).any():
            raise GanbenchError(f"{where} contains NaN values; regenerate the samples or drop the broken ones")
        raise GanbenchError(
            f"{where} is {array.dtype}; store images as uint8 in 0..255 "
            "(e.g. ((x + 1) * 127.5).round().clip(0, 255).astype('uint8') for [-1, 1] floats)"
        )
    if array.dtype != np.uint8:
        raise GanbenchError(f"{where} is {array.dtype}; store images as uint8 in 0..255")
    return to_nchw(array, where)


def load_npz(path: Path) -> ArraySplit:
    """Images (and labels, if present) from an `.npz` file."""
    try:
        archive = np.load(path, allow_pickle=False)
    except Exception as error:  # zipfile / value errors vary by corruption kind
        raise GanbenchError(f"cannot read {path} as an .npz file ({error}); pass a file written by numpy.savez") from None
    with archive:
        keys = list(archive.keys())
        key = next((k for k in NPZ_IMAGE_KEYS if k in keys), None)
        if key is None:
            raise GanbenchError(
                f"{path} has no image array (found {', '.join(keys) or 'nothing'}); save the images under the key 'images'"
            )
        try:
            raw = archive[key]
            labels = archive["labels"].astype(np.int64) if "labels" in keys else None
        except ValueError as error:  # object arrays (pickled Python objects) are refused by allow_pickle=False
            raise GanbenchError(
                f"{path} holds an array of Python objects, which ganbench does not unpickle ({error}); "
                "save the images as one uint8 array, e.g. numpy.savez(path, images=np.stack(images).astype('uint8'))"
            ) from None
        images = validate_image_array(raw, f"array '{key}' in {path}")
    if labels is not None and len(labels) != len(images):
        raise GanbenchError(f"{path} has {len(images)} images but {len(labels)} labels; they must match")
    return ArraySplit(images, labels)


@dataclass(frozen=True)
class ImageFolder:
    """A checked list of image files with one common size, read lazily in batches.

    Labels come from first-level subfolder names (sorted, numbered from 0) when
    every image sits in a subfolder; otherwise there are none.
    """

    root: Path
    files: tuple[Path, ...]
    channels: int
    height: int
    width: int

    def __len__(self) -> int:
        return len(self.files)

    def labels(self) -> np.ndarray | None:
        """int64 class index per file, or None when the folder has no class subfolders."""
        parents = [f.relative_to(self.root).parts for f in self.files]
        if any(len(parts) < 2 for parts in parents):
            return None
        classes = sorted({parts[0] for parts in parents})
        index = {name: i for i, name in enumerate(classes)}
        return np.array([index[parts[0]] for parts in parents], dtype=np.int64)

    def read(self, start: int, stop: int) -> np.ndarray:
        """Images `start:stop` as uint8 NCHW."""
        return np.stack([read_image(f, self.channels) for f in self.files[start:stop]])

    def batches(self, batch_size: int) -> Iterator[np.ndarray]:
        """The images in file order, `batch_size` at a time."""
        for start in range(0, len(self.files), batch_size):
            yield self.read(start, start + batch_size)


#: Pillow modes holding 16-bit gray values (PNG and TIFF), read at their depth and scaled to 8 bits.
SIXTEEN_BIT_MODES = ("I;16", "I;16B", "I;16L", "I;16N")


def _as_uint8(image, path: Path, channels: int) -> np.ndarray:
    """The image as uint8 HW (channels 1) or HWC (channels 3), every supported mode at its real depth.

    8-bit modes (1, L, P, RGB, RGBA, LA, CMYK, ...) go through Pillow's convert (alpha is dropped);
    16-bit gray (I;16*, or I from a 16-bit PNG) is scaled as round(v * 255 / 65535), so v = 257 * u gives back u
    exactly; 16-bit RGB PNGs are already reduced to 8 bits by Pillow when opened. 32-bit integer and float images
    have no agreed range and are refused.
    """
    mode = image.mode
    if mode in SIXTEEN_BIT_MODES or (mode == "I" and image.format == "PNG"):
        values = np.asarray(image, dtype=np.int64)
        if values.min() < 0 or values.max() > 65535:
            raise ValueError(f"{mode} values outside 0..65535")
        gray = np.rint(values * (255 / 65535)).astype(np.uint8)
        return gray if channels == 1 else np.repeat(gray[:, :, None], 3, axis=2)
    if mode in ("I", "F"):
        raise GanbenchError(
            f"{path} is a 32-bit {'float' if mode == 'F' else 'integer'} image ({mode}) with no agreed range; "
            "save it as 8- or 16-bit PNG"
        )
    return np.asarray(image.convert("L" if channels == 1 else "RGB"), dtype=np.uint8)


def read_image(path: Path, channels: int) -> np.ndarray:
    """One image file as uint8 CHW with `channels` channels (see _as_uint8 for how each mode is read)."""
    from PIL import Image

    try:
        with Image.open(path) as image:
            array = _as_uint8(image, path, channels)
    except GanbenchError:
        raise
    except Exception as error:
        raise GanbenchError(f"cannot read image {path} ({error}); remove or replace the file") from None
    return array[None] if channels == 1 else array.transpose(2, 0, 1)


def scan_folder(root: Path) -> ImageFolder:
    """Find the images under `root` (recursively, sorted) and check they share one size."""
    from PIL import Image

    files = sorted(p for p in root.rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file())
    if not files:
        raise GanbenchError(f"no images found in {root} (looked for {', '.join(IMAGE_SUFFIXES)}); point to a folder of images")
    sizes: dict[tuple[int, int], Path] = {}
    gray = True
    for path in files:
        try:
            with Image.open(path) as image:
                sizes.setdefault(image.size, path)
                gray = gray and image.mode in ("1", "L", "I;16", "I", "F")
        except Exception as error:
            raise GanbenchError(f"cannot read image {path} ({error}); remove or replace the file") from None
    if len(sizes) > 1:
        (size_a, file_a), (size_b, file_b) = list(sizes.items())[:2]
        raise GanbenchError(
            f"images in {root} have different sizes ({size_a[0]}x{size_a[1]} in {file_a.name}, "
            f"{size_b[0]}x{size_b[1]} in {file_b.name}); resize them to one size first"
        )
    (width, height) = next(iter(sizes))
    return ImageFolder(root, tuple(files), 1 if gray else 3, height, width)


def load_images(path: str | Path) -> ArraySplit:
    """All images at `path` (a folder of images or an `.npz`) in memory as uint8 NCHW, with labels if known."""
    path = Path(path).expanduser()
    if not path.exists():
        raise GanbenchError(f"no such file or folder: {path}")
    if path.is_dir():
        folder = scan_folder(path)
        return ArraySplit(folder.read(0, len(folder)), folder.labels())
    if path.suffix.lower() == ".npz":
        return load_npz(path)
    raise GanbenchError(f"{path} is neither a folder of images nor an .npz file; pass one of those")


def open_images(path: str | Path) -> ImageFolder | ArrayBatches:
    """A batch reader over the images at `path` without loading a folder into memory (an `.npz` is loaded)."""
    path = Path(path).expanduser()
    if not path.exists():
        raise GanbenchError(f"no such file or folder: {path}")
    if path.is_dir():
        return scan_folder(path)
    split = load_images(path)
    return ArrayBatches(split.data, split.labels)

"""ExtractorConfig: everything needed to build a feature extractor (torch-free, so the CLI can build it cheaply)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ExtractorConfig:
    """Everything needed to build an extractor.

    weights_path: an offline copy of the weights of the extractor being built (else its own default: shipped
    in the package, or downloaded once into the cache dir and sha256-checked). inception_weights: an offline
    copy of the InceptionV3 weights, used only when InceptionV3 is the extractor (`--inception-weights`, which
    a command accepts whatever its dataset's default extractor is). allow_custom_weights: accept weights that
    differ from the published file on purpose (their sha256 is still recorded). precision: "strict" float32
    (the published protocol), or a fast mode "tf32" / "bf16" (recorded in the fingerprint). download: fetch
    missing weights into the cache (False with --no-download: a missing file is an error, nothing is fetched).
    inception_resize: how InceptionV3 brings images to 299 x 299, "tf1-bilinear" (torch-fidelity's and the TF
    FID code's, the default) or "clean" (clean-fid's antialiased PIL bicubic; recorded in the fingerprint).
    """

    device: str = "cpu"
    weights_path: str | None = None
    inception_weights: str | None = None
    cache_dir: str | None = None
    allow_custom_weights: bool = False
    precision: str = "strict"
    download: bool = True
    inception_resize: str = "tf1-bilinear"

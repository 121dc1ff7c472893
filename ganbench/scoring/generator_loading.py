"""Loading a user's generator safely: TorchScript, `module:factory` + weights, a ganbench checkpoint, or ONNX.

Nothing is unpickled by default: weights come from safetensors or from
`torch.load(weights_only=True)`. A file that needs full unpickling is refused
with a sentence about `--trust-checkpoint`.
"""

from __future__ import annotations

import importlib
import json
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import nn

from ganbench.errors import GanbenchError
from ganbench.models.loading import load_generator


@dataclass(frozen=True)
class GeneratorSource:
    """Where the generator comes from, as given on the command line."""

    spec: str
    checkpoint: str | None = None
    trust_checkpoint: bool = False
    device: str = "cpu"


def is_ganbench_checkpoint(path: Path) -> bool:
    """A run directory, a step_*.json sidecar or its .safetensors, written by `ganbench run` / `ganbench train`."""
    if path.is_dir():
        return any(path.glob("step_*.json")) or (path / "checkpoints").is_dir()
    sidecar = path.with_suffix(".json")
    if not sidecar.is_file():
        return False
    try:
        return "family" in json.loads(sidecar.read_text())
    except (OSError, json.JSONDecodeError):
        return False


def is_torchscript(path: Path) -> bool:
    """TorchScript archives are zip files with a `code/` folder (a state dict saved by torch.save has none)."""
    if not zipfile.is_zipfile(path):
        return False
    with zipfile.ZipFile(path) as archive:
        return any("/code/" in name or name.startswith("code/") for name in archive.namelist())


def load_state_dict(path: Path, trust: bool) -> dict[str, torch.Tensor]:
    """Weights from safetensors or a torch state dict, never unpickling arbitrary objects unless `trust`."""
    if not path.is_file():
        raise GanbenchError(f"checkpoint {path} does not exist")
    if path.suffix == ".safetensors":
        from safetensors.torch import load_file

        return load_file(str(path))
    try:
        state = torch.load(path, map_location="cpu", weights_only=not trust)
    except Exception as error:
        if not trust and "weights_only" in str(error):
            raise GanbenchError(
                f"{path} needs full unpickling, which can run arbitrary code; re-save it as safetensors or a plain "
                "state dict, or pass --trust-checkpoint if you trust where it came from"
            ) from None
        raise GanbenchError(f"cannot read checkpoint {path} ({type(error).__name__}: {error})") from None
    for key in ("state_dict", "generator", "g_ema", "G", "netG", "model"):
        if isinstance(state, dict) and isinstance(state.get(key), (dict, nn.Module)):
            state = state[key]
            break
    if isinstance(state, nn.Module):
        state = state.state_dict()
    if not isinstance(state, dict) or not all(isinstance(v, torch.Tensor) for v in state.values()):
        raise GanbenchError(f"{path} does not hold a state dict of tensors; save generator.state_dict()")
    return state


def load_factory(spec: str, checkpoint: str | None, trust: bool) -> nn.Module:
    """Call `package.module:factory()` and load `checkpoint` into the module it returns."""
    module_name, _, attribute = spec.partition(":")
    try:
        factory = getattr(importlib.import_module(module_name), attribute)
    except (ImportError, AttributeError) as error:
        raise GanbenchError(
            f"cannot import {spec} ({error}); check the module is importable and names a factory"
        ) from None
    generator = factory()
    if not isinstance(generator, nn.Module):
        raise GanbenchError(f"{spec} returned {type(generator).__name__}, not a torch.nn.Module")
    if checkpoint is not None:
        state = load_state_dict(Path(checkpoint), trust)
        try:
            generator.load_state_dict(state)
        except RuntimeError as error:
            first = str(error).strip().splitlines()
            raise GanbenchError(
                f"{checkpoint} does not fit {spec} ({first[1].strip() if len(first) > 1 else first[0]})"
            ) from None
    return generator


class OnnxGenerator(nn.Module):
    """An ONNX generator run by onnxruntime, behind the same call as a torch generator."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        try:
            import onnxruntime
        except ImportError:
            raise GanbenchError("ONNX generators need onnxruntime: pip install 'ganbench[onnx]'") from None
        self.session = onnxruntime.InferenceSession(str(path), providers=onnxruntime.get_available_providers())
        inputs = self.session.get_inputs()
        self.input_names = [i.name for i in inputs]
        width = inputs[0].shape[1]
        self.z_dim = width if isinstance(width, int) else None
        self.num_classes = 0

    def forward(self, z: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        feed = {self.input_names[0]: z.detach().cpu().numpy()}
        if labels is not None and len(self.input_names) > 1:
            feed[self.input_names[1]] = labels.cpu().numpy()
        return torch.from_numpy(self.session.run(None, feed)[0]).to(z.device)


def load_generator_source(source: GeneratorSource) -> nn.Module:
    """The generator named by `source`, in eval mode on `source.device`."""
    spec = source.spec
    path = Path(spec)
    if ":" in spec and not path.exists():
        generator = load_factory(spec, source.checkpoint, source.trust_checkpoint)
    elif not path.exists():
        raise GanbenchError(f"generator {spec} is neither a file nor a package.module:factory; check the path")
    elif is_ganbench_checkpoint(path):
        return load_generator(path, source.device)
    elif path.suffix == ".onnx":
        return OnnxGenerator(path)
    elif is_torchscript(path):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # torch's deprecation notice for TorchScript is not the user's problem here
            generator = torch.jit.load(str(path), map_location="cpu")
    else:
        raise GanbenchError(
            f"{path} is not a TorchScript file, an ONNX file or a ganbench checkpoint; for a plain state dict use "
            "--generator package.module:factory --checkpoint PATH"
        )
    return generator.to(source.device).eval()

"""Loading a user's generator safely: TorchScript, `module:factory` + weights, a ganbench checkpoint, ONNX, or (with
--trust-checkpoint) a torch.export program (.pt2) or a whole pickled generator (`torch.save(G, "G.pt")`).

Nothing is unpickled by default: weights come from safetensors or from
`torch.load(weights_only=True)`. A file that needs full unpickling is refused
with a sentence about `--trust-checkpoint`. `module:factory` is imported as
`python -m` would: from the installed packages or the current folder.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import nn

from ganbench.errors import GanbenchError
from ganbench.models.checkpoint_generator import load_generator
from ganbench.scoring.exported_generator import load_exported


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
        from safetensors import SafetensorError
        from safetensors.torch import load_file

        try:
            return load_file(str(path))
        except (SafetensorError, OSError) as error:
            raise GanbenchError(
                f"{path} is not a readable safetensors file ({error}); check the file, or give a torch .pt state dict"
            ) from None
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


def import_factory(spec: str):
    """The callable `package.module:factory` names, imported from the installed packages or, as `python -m`
    would, from the current folder."""
    module_name, _, attribute = spec.partition(":")
    if not module_name or not attribute:
        raise GanbenchError(f"--generator {spec} should read package.module:factory")
    try:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as error:
            if error.name != module_name.split(".")[0] or os.getcwd() in sys.path:
                raise
            sys.path.insert(0, os.getcwd())  # `ganbench` is a console script: the folder it runs in is not on the path
            module = importlib.import_module(module_name)
        factory = getattr(module, attribute)
    except SystemExit as error:  # the module ended the process while being imported
        raise GanbenchError(f"importing {module_name} called sys.exit({error.code!r}); it must define the factory") from None
    except (ImportError, AttributeError) as error:
        raise GanbenchError(
            f"cannot import {spec} ({error}); check the module is in the current folder or on PYTHONPATH and names a factory"
        ) from None
    if not callable(factory):
        raise GanbenchError(f"{spec} is a {type(factory).__name__}, not a function or class that builds the generator")
    return factory


def load_factory(spec: str, checkpoint: str | None, trust: bool) -> nn.Module:
    """Call `package.module:factory()` and load `checkpoint` into the module it returns."""
    factory = import_factory(spec)
    try:
        generator = factory()
    except SystemExit as error:  # else the process would end with exit 0 and nothing scored
        raise GanbenchError(f"calling {spec}() called sys.exit({error.code!r}); it must return the generator") from None
    except Exception as error:
        raise GanbenchError(f"calling {spec}() failed ({type(error).__name__}: {error}); it must build the generator with no arguments") from None
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


def is_pickled_torch_file(path: Path) -> bool:
    """A file written by torch.save (a zip with a data.pkl and no TorchScript code/ folder)."""
    if not zipfile.is_zipfile(path):
        return False
    with zipfile.ZipFile(path) as archive:
        return any(name.endswith("/data.pkl") or name == "data.pkl" for name in archive.namelist())


def load_pickled_generator(path: Path, trust: bool) -> nn.Module:
    """A whole generator saved with torch.save(G, path): unpickled only with --trust-checkpoint."""
    if not trust:
        raise GanbenchError(
            f"{path} is a pickled file (torch.save of a whole model?); loading it runs code from the file, so pass "
            "--trust-checkpoint if you trust where it came from (or save generator.state_dict() and use "
            "--generator package.module:factory --checkpoint PATH)"
        )
    try:
        loaded = torch.load(path, map_location="cpu", weights_only=False)
    except Exception as error:
        raise GanbenchError(f"cannot unpickle {path} ({type(error).__name__}: {error}); check the file") from None
    if isinstance(loaded, nn.Module):
        return loaded
    raise GanbenchError(
        f"{path} holds a {type(loaded).__name__}, not a generator module; for a state dict use "
        "--generator package.module:factory --checkpoint PATH"
    )


class OnnxGenerator(nn.Module):
    """An ONNX generator run by onnxruntime, behind the same call as a torch generator."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        try:
            import onnxruntime
        except ImportError:
            raise GanbenchError("ONNX generators need onnxruntime: pip install 'ganbench[onnx]'") from None
        try:
            self.session = onnxruntime.InferenceSession(str(path), providers=onnxruntime.get_available_providers())
        except Exception as error:  # onnxruntime's own error types: empty, truncated or not an ONNX model at all
            first = (str(error).strip().splitlines() or [type(error).__name__])[0]
            raise GanbenchError(
                f"cannot load {path} as an ONNX model ({first}); check the file (a truncated or interrupted copy?) "
                "or export it again with torch.onnx.export"
            ) from None
        inputs = self.session.get_inputs()
        if not inputs:
            raise GanbenchError(f"{path} is an ONNX model without inputs; a generator takes the noise z as its input")
        self.input_names = [i.name for i in inputs]
        width = inputs[0].shape[1] if len(inputs[0].shape) > 1 else None
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
    elif path.suffix == ".pt2":
        return load_exported(path, source.device, source.trust_checkpoint)
    elif is_torchscript(path):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # torch's deprecation notice for TorchScript is not the user's problem here
            try:
                generator = torch.jit.load(str(path), map_location="cpu")
            except Exception as error:
                raise GanbenchError(
                    f"cannot load {path} as TorchScript ({type(error).__name__}: {str(error).splitlines()[0]}); "
                    "save it with torch.jit.save, or export it with torch.export.save as a .pt2 file"
                ) from None
    elif is_pickled_torch_file(path):
        generator = load_pickled_generator(path, source.trust_checkpoint)
    else:
        raise GanbenchError(
            f"{path} is not a torch.export (.pt2), TorchScript, ONNX or pickled torch file, nor a ganbench checkpoint; "
            "for a plain state dict use --generator package.module:factory --checkpoint PATH"
        )
    return generator.to(source.device).eval()

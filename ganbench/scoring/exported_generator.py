"""A torch.export program (.pt2) as a generator, loaded only with --trust-checkpoint.

`torch.export.load` is not a data reader: PyTorch's own documentation says never to load a `.pt2` from an
untrusted source. A crafted archive runs code while it loads or when the program is first called, through at
least four doors: pickled sample inputs and weights (`torch.load(weights_only=False)` fallbacks), guard code that
is pasted into Python source and exec'd, symbolic shape expressions parsed by `sympy.sympify` (eval), and graph
targets resolved by name anywhere under `torch.*`. Vetting all of these would be a second deserializer to keep in
step with every PyTorch release, so ganbench treats a `.pt2` like a pickled model: it is opened only when the
user vouches for it. Code-free ways to share a generator are ONNX and `module:factory` with a safetensors file.
"""

from __future__ import annotations

from pathlib import Path

import torch
from torch import nn

from ganbench.errors import GanbenchError


class ExportedGenerator(nn.Module):
    """A torch.export program behind the generator call. The program is kept outside the module tree: exported
    modules refuse train()/eval(), and a program has no training mode anyway."""

    def __init__(self, program, device: str) -> None:
        super().__init__()
        object.__setattr__(self, "program", program.module().to(device))
        inputs = [n for n in program.graph.nodes if n.op == "placeholder" and n.name in program.graph_signature.user_inputs]
        value = inputs[0].meta.get("val") if inputs else None
        fixed = value is not None and len(value.shape) == 2 and isinstance(value.shape[1], int)
        self.z_dim = int(value.shape[1]) if fixed else None
        self.num_classes = 0

    def forward(self, z: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        try:
            return self.program(z) if labels is None else self.program(z, labels)
        except Exception as error:  # e.g. a program exported for one batch size only
            raise GanbenchError(
                f"the exported generator failed on a batch of {len(z)} ({type(error).__name__}: "
                f"{str(error).splitlines()[0] if str(error) else ''}); export it with a dynamic batch dimension "
                "(dynamic_shapes={'z': {0: torch.export.Dim('batch')}})"
            ) from None


def load_exported(path: Path, device: str, trust: bool) -> nn.Module:
    """The torch.export program at `path` as a generator (`z_dim` read from its input's shape when that is fixed).

    Without `trust` nothing in the file is read: the refusal names --trust-checkpoint and the code-free formats.
    """
    if not trust:
        raise GanbenchError(
            f"{path} is a torch.export program, and torch.export.load can run code stored in the file (pickled "
            "inputs, guard code, symbolic expressions); pass --trust-checkpoint if you made it or trust where it came "
            "from, or share the generator code-free as ONNX or as --generator package.module:factory --checkpoint "
            "weights.safetensors"
        )
    try:
        program = torch.export.load(str(path))
    except Exception as error:
        raise GanbenchError(f"cannot load {path} as a torch.export program ({type(error).__name__}: {error})") from None
    return ExportedGenerator(program, device)

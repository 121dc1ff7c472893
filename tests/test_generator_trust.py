"""Nothing in a user's generator file runs without --trust-checkpoint: one planted marker-file payload per format.

Each payload, if it ran, would create `marker`. Loading must refuse it (one sentence naming --trust-checkpoint
where trust would help) and the marker must not exist afterwards.
"""

from __future__ import annotations

import json
import os
import pickle
import warnings
import zipfile

import numpy as np
import pytest
import torch
from tiny_generators import TinyImageGenerator

from ganbench.cli import main

BASE = ["--dataset", "digits", "--metrics", "fid", "--n", "64", "--device", "cpu", "--quiet"]


class Touch:
    """Unpickling this runs `touch marker`."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return os.system, (f"touch {self.marker}",)


def rewritten(path, replace, out):
    """A copy of the zip at `path` with members whose name ends with a key of `replace` given new bytes."""
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            new = next((data for suffix, data in replace.items() if info.filename.endswith(suffix)), None)
            target.writestr(info.filename, source.read(info) if new is None else new)
    return out


def one_line_error(capsys, *argv):
    code = main([str(a) for a in argv])
    _, err = capsys.readouterr()
    errors = [line for line in err.splitlines() if line.startswith("ganbench: error:")]
    assert code == 2 and len(errors) == 1 and "Traceback" not in err, err
    return errors[0]


def pickled(obj) -> bytes:
    import io

    buffer = io.BytesIO()
    torch.save(obj, buffer)
    return buffer.getvalue()


@pytest.fixture
def exported(tmp_path):
    generator = TinyImageGenerator().eval()
    program = torch.export.export(generator, (torch.randn(4, 16),), dynamic_shapes={"z": {0: torch.export.Dim("batch")}})
    torch.export.save(program, tmp_path / "g.pt2")
    return tmp_path / "g.pt2"


def pt2_with_sample_inputs_payload(exported, marker, out):
    """The issue's reproduction: the sample-inputs pickle fails the safe load, torch falls back to full unpickling."""
    return rewritten(exported, {"sample_inputs/model.pt": pickled(Touch(marker))}, out)


def pt2_with_pickled_weight_payload(exported, marker, out):
    """A weight marked `use_pickle`: torch.export.load reads it with torch.load(weights_only=False), always."""
    with zipfile.ZipFile(exported) as archive:
        config_name = next(n for n in archive.namelist() if n.endswith("model_weights_config.json"))
        config = json.loads(archive.read(config_name))
    first = next(iter(config["config"].values()))
    first["use_pickle"] = True
    weight_name = first["path_name"]
    return rewritten(exported, {config_name: json.dumps(config).encode(), f"weights/{weight_name}": pickled(Touch(marker))}, out)


def pt2_with_guard_code_payload(exported, marker, out):
    """`guards_code` is pasted into Python source and exec'd when the program becomes a module."""
    with zipfile.ZipFile(exported) as archive:
        model_name = next(n for n in archive.namelist() if n.endswith("models/model.json"))
        model = json.loads(archive.read(model_name))
    model["guards_code"] = [f"__import__('os').system('touch {marker}') == 0"]
    return rewritten(exported, {model_name: json.dumps(model).encode()}, out)


@pytest.mark.parametrize(
    "plant", [pt2_with_sample_inputs_payload, pt2_with_pickled_weight_payload, pt2_with_guard_code_payload]
)
def test_a_crafted_pt2_never_runs_without_trust(capsys, tmp_path, exported, plant):
    marker = tmp_path / "PWNED"
    evil = plant(exported, marker, tmp_path / "evil.pt2")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        line = one_line_error(capsys, "score", "--generator", evil, *BASE)
    assert "--trust-checkpoint" in line and "torch.export" in line
    assert not marker.exists()


def test_the_planted_pt2_payloads_do_run_through_torch_export_load(tmp_path, exported):
    """The payloads above are live: torch.export.load (what --trust-checkpoint uses) runs them. Without this
    check the refusal test could pass with a payload that does nothing."""
    for number, plant in enumerate([pt2_with_sample_inputs_payload, pt2_with_pickled_weight_payload]):
        marker = tmp_path / f"ran{number}"
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                torch.export.load(str(plant(exported, marker, tmp_path / f"evil{number}.pt2")))
            except Exception:
                pass
        assert marker.exists(), plant.__name__
    marker = tmp_path / "ran_guard"
    program = torch.export.load(str(pt2_with_guard_code_payload(exported, marker, tmp_path / "evil_guard.pt2")))
    try:
        program.module()(torch.randn(2, 16))
    except Exception:
        pass
    assert marker.exists()


def test_a_trusted_pt2_still_scores(capsys, tmp_path, exported):
    out = tmp_path / "s.json"
    code = main([str(a) for a in ["score", "--generator", exported, "--trust-checkpoint", *BASE, "--json", out]])
    assert code == 0, capsys.readouterr().err
    assert json.loads(out.read_text())["metrics"]["fid"] > 0


def test_a_torchscript_generator_with_a_pickled_payload_never_runs(capsys, tmp_path):
    generator = TinyImageGenerator().eval()
    torch.jit.trace(generator, torch.zeros(2, 16)).save(str(tmp_path / "g.ts"))
    marker = tmp_path / "PWNED"
    evil = rewritten(tmp_path / "g.ts", {"/data.pkl": pickle.dumps(Touch(marker), protocol=2)}, tmp_path / "evil.ts")
    line = one_line_error(capsys, "score", "--generator", evil, "--z-dim", "16", *BASE)
    assert "TorchScript" in line
    assert not marker.exists()


def test_a_whole_pickled_generator_never_runs_without_trust(capsys, tmp_path):
    marker = tmp_path / "PWNED"
    torch.save(Touch(marker), tmp_path / "G.pt")
    line = one_line_error(capsys, "score", "--generator", tmp_path / "G.pt", *BASE)
    assert "--trust-checkpoint" in line
    assert not marker.exists()


def test_a_state_dict_checkpoint_with_a_payload_never_runs_without_trust(capsys, tmp_path):
    marker = tmp_path / "PWNED"
    torch.save({"generator": Touch(marker)}, tmp_path / "g.pt")
    line = one_line_error(
        capsys, "score", "--generator", "tiny_generators:tiny", "--checkpoint", tmp_path / "g.pt", *BASE
    )
    assert "--trust-checkpoint" in line
    assert not marker.exists()


def test_a_samples_npz_with_pickled_objects_never_runs(capsys, tmp_path):
    marker = tmp_path / "PWNED"
    np.savez(tmp_path / "s.npz", samples=np.array([Touch(marker)], dtype=object))
    one_line_error(capsys, "score", "--samples", tmp_path / "s.npz", *BASE)
    assert not marker.exists()


def test_a_ganbench_checkpoint_sidecar_cannot_name_code(capsys, tmp_path):
    """A checkpoint is a JSON sidecar plus safetensors: a sidecar naming a pickled payload is just a bad file."""
    marker = tmp_path / "PWNED"
    (tmp_path / "step_10.json").write_text(json.dumps({"family": "gan", "config": {"__reduce__": f"touch {marker}"}}))
    (tmp_path / "step_10.safetensors").write_bytes(pickled(Touch(marker)))
    one_line_error(capsys, "score", "--generator", tmp_path / "step_10.json", *BASE)
    assert not marker.exists()

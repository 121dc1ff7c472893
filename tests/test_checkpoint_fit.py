"""A checkpoint whose tensors do not fit the networks this ganbench builds for it (written by a version whose
networks differ, or with an edited sidecar) is refused in one sentence, whether it is scored or resumed. The case
reproduced: BEGAN's generator became `BeganGenerator` (a linear output, the decoder under `net.`) in 7015638, so
a checkpoint written before has its generator's tensors where the network now has none (`layers.0.bias` against
`net.layers.0.bias` on points)."""

from __future__ import annotations

import json

import pytest
from support.cli import one_line_error

import ganbench.models.began as began
from ganbench.config_parsing import apply_overrides
from ganbench.data.base import DataConfig
from ganbench.errors import GanbenchError
from ganbench.models.ae_blocks import decoder
from ganbench.models.base import MODELS
from ganbench.train.config import RunConfig
from ganbench.train.data import load_training_split
from ganbench.train.loop import train


def old_began_generator(shape, z_dim, width, arch="standard"):
    """BEGAN's generator before 7015638: the decoder itself, ending in tanh."""
    return decoder(shape, z_dim, width, "none")


@pytest.fixture
def old_began_run(tmp_path, monkeypatch):
    """(split, shape, config, run, out): a 2-step BEGAN run on ring8 written with the old generator."""
    split, shape, _ = load_training_split("ring8", DataConfig())
    config = apply_overrides(MODELS.get("began").default_config(shape), {"steps": "2", "batch_size": "16", "width": "0.25"})
    run = RunConfig(device="cpu", checkpoint_every=2, progress=False, tensorboard=False, dataset="ring8")
    with monkeypatch.context() as patch:
        patch.setattr(began, "BeganGenerator", old_began_generator)
        result = train("began", config, run, split, tmp_path / "run", shape=shape)
    return split, shape, config, run, result


def test_scoring_an_old_began_checkpoint_is_one_sentence_naming_the_changed_networks(capsys, old_began_run):
    *_, result = old_began_run
    error = one_line_error(capsys, "score", "--generator", result.checkpoint, "--dataset", "ring8", "--n", "100",
                           "--device", "cpu", "--quiet")  # fmt: skip
    assert "does not fit its tensors" in error and "layers.0.bias: absent in the network" in error
    assert "a ganbench whose began networks differ" in error


def test_resuming_an_old_began_run_is_refused_naming_the_changed_networks(old_began_run, tmp_path):
    split, shape, config, run, _ = old_began_run
    longer = apply_overrides(config, {"steps": "4"})
    with pytest.raises(GanbenchError, match=r"generator tensors do not fit .*layers\.0\.bias: absent in the network.*began networks differ"):
        train("began", longer, run, split, tmp_path / "run", shape=shape)
    assert not (tmp_path / "run" / "checkpoints" / "step_00000004.json").exists()


def drop_setting(run_dir, key):
    """Make `run_dir` look written before the model setting `key` existed: its run.json and checkpoint sidecars
    lose the key (the tensors are untouched, so their sha256 still holds)."""
    for path in [run_dir / "run.json", *sorted((run_dir / "checkpoints").glob("*.json"))]:
        meta = json.loads(path.read_text())
        del meta["model_config"][key]
        path.write_text(json.dumps(meta))


def test_a_run_written_before_a_setting_existed_resumes_with_the_value_it_trained_with(tmp_path):
    """A BEGAN run stored before `arch` existed trained the standard networks (BeganConfig.ABSENT_MEANS). Resuming
    it with arch=standard goes on; with today's default (auto) it is refused in one sentence that names the value
    the run was trained with, so the user knows what to pass. Before, both were refused: the stored config's
    missing key was compared as absent."""
    split, shape, _ = load_training_split("ring8", DataConfig())
    base = MODELS.get("began").default_config(shape)
    config = apply_overrides(base, {"steps": "2", "batch_size": "16", "width": "0.25", "arch": "standard"})
    run = RunConfig(device="cpu", checkpoint_every=2, progress=False, tensorboard=False, dataset="ring8")
    train("began", config, run, split, tmp_path, shape=shape)
    drop_setting(tmp_path, "arch")
    with pytest.raises(GanbenchError, match=r"different arch \(the run has 'standard', this one 'auto'\)"):
        train("began", apply_overrides(config, {"steps": "4", "arch": "auto"}), run, split, tmp_path, shape=shape)
    result = train("began", apply_overrides(config, {"steps": "4"}), run, split, tmp_path, shape=shape)
    assert result.status == "ok" and (tmp_path / "checkpoints" / "step_00000004.json").exists()

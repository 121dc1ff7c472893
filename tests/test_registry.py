import dataclasses
import warnings
from types import SimpleNamespace

import numpy as np
import pytest
import torch

from ganbench.errors import GanbenchError
from ganbench.features.base import EXTRACTORS, build_extractor
from ganbench.features.config import ExtractorConfig
from ganbench.metrics.config import DistributionConfig, MetricConfig
from ganbench.metrics.spec import INPUTS, METRICS, MetricInputs, key_label, metric_settings
from ganbench.registry import Registry


def test_register_and_get():
    registry = Registry("widget")

    @registry.register("b")
    def b():
        return 2

    registry.add("a", 1)
    assert registry.get("b") is b
    assert registry.names() == ["a", "b"]
    assert "a" in registry and "c" not in registry
    assert len(registry) == 2


def test_duplicate_name_is_refused():
    registry = Registry("widget")
    registry.add("a", 1)
    with pytest.raises(ValueError, match="already registered"):
        registry.add("a", 2)
    assert registry.get("a") == 1


def test_unknown_name_lists_valid_ones():
    registry = Registry("widget")
    registry.add("alpha", 1)
    registry.add("beta", 2)
    with pytest.raises(GanbenchError, match="unknown widget 'gamma'; choose one of: alpha, beta"):
        registry.get("gamma")


def test_parse_list_checks_names_and_drops_duplicates():
    registry = Registry("widget")
    registry.add("a", 1)
    registry.add("b", 2)
    assert registry.parse_list(" b, a ,b") == ["b", "a"]
    with pytest.raises(GanbenchError, match="unknown widget 'z'"):
        registry.parse_list("a,z")
    with pytest.raises(GanbenchError, match="no widget named"):
        registry.parse_list(" , ")


def test_every_builtin_registry_is_populated():
    assert "inception-v3-compat" in EXTRACTORS
    assert {"fid", "is", "kid", "pr", "dc"} <= set(METRICS.names())


def test_builtins_load_on_first_lookup():
    """A registry imports its built-in entries when first asked, so no caller imports a package for its side effect."""
    import sys

    from support.widgets import WIDGETS

    assert "support.widget_entries" not in sys.modules
    assert WIDGETS.get("planted") == 42 and "support.widget_entries" in sys.modules


# ---------------------------------------------------------------- every registered preset and extractor


def planted_inputs(requested: tuple[str, ...]) -> MetricInputs:
    """Inputs that every preset can be computed from: 60 generated and 80 reference 8-d features (two shifted
    Gaussians), statistics, logits, labels, a held-out split, stacked-MNIST channel labels, generator codes, a classifier's held-out logits
    (CAS), path lengths (PPL) and ring points."""
    rng = np.random.default_rng(0)
    gen, ref, heldout = rng.normal(0.3, 1, (60, 8)), rng.normal(0, 1, (80, 8)), rng.normal(0, 1, (40, 8))
    modes = np.array([[np.cos(a), np.sin(a)] for a in np.linspace(0, 2 * np.pi, 8, endpoint=False)]) * 2
    return MetricInputs(
        n_gen=len(gen),
        n_ref=len(ref),
        gen_mean=gen.mean(0),
        gen_cov=np.cov(gen, rowvar=False),
        ref_mean=ref.mean(0),
        ref_cov=np.cov(ref, rowvar=False),
        gen_features=gen.astype(np.float32),
        ref_features=ref.astype(np.float32),
        heldout_features=heldout.astype(np.float32),
        gen_logits=rng.normal(0, 2, (60, 10)),
        gen_class_logits=rng.normal(0, 2, (60, 10)),
        ref_labels=np.arange(80) % 10,
        num_classes=10,
        gen_channel_labels=rng.integers(0, 10, (60, 3)),
        gen_codes=np.arange(60) % 10,
        gen_points=modes[np.arange(60) % 8] + rng.normal(0, 0.02, (60, 2)),
        cas_logits=rng.normal(0, 2, (40, 10)),
        heldout_labels=np.arange(40) % 10,
        ppl_distances=rng.gamma(2.0, 50.0, 200),
        modes=modes,
        mode_std=0.02,
        requested=requested,
    )


@pytest.mark.parametrize("name", METRICS.names())
def test_every_preset_reports_exactly_the_keys_it_declares(name):
    spec = METRICS.get(name)
    # 80 reference rows: NDB gets 10 bins of its 100
    config = MetricConfig(kid_subset_size=50, is_splits=5, distribution=DistributionConfig(ndb_bins=10))
    values = spec.compute(planted_inputs((name,)), config)
    assert set(values) == set(spec.directions), f"{name} reports {sorted(values)}, declares {sorted(spec.directions)}"
    assert all(np.isfinite(v) for v in values.values())
    assert all(direction in ("lower", "higher", "spread") for direction in spec.directions.values())
    assert spec.needs and all(need <= set(INPUTS) for need in spec.needs)
    assert set(metric_settings(config, (name,))) == set(spec.settings(config))


@pytest.mark.parametrize("name", METRICS.names())
def test_every_key_of_every_metric_has_a_direction_a_label_and_a_unit(name):
    """Tables, figures and rankings read these facts from the registration alone; a key without them would be
    shown by its raw name or ranked the wrong way."""
    for key, info in METRICS.get(name).keys.items():
        assert info.direction in ("lower", "higher", "spread"), (name, key)
        assert info.label.strip() and info.unit.strip(), (name, key)
        assert key_label(key) == info.label


@pytest.mark.parametrize("name", METRICS.names())
def test_a_metric_reports_nothing_exactly_without_the_inputs_it_is_registered_only_with(name):
    """`only_with` decides which keys a resumed cell still expects: it must say what the metric really does."""
    spec = METRICS.get(name)
    config = MetricConfig(kid_subset_size=50, is_splits=5, distribution=DistributionConfig(ndb_bins=10))
    without_codes = dataclasses.replace(planted_inputs((name,)), gen_codes=None)
    values = spec.compute(without_codes, config)
    assert (values == {}) == ("gen_codes" in spec.only_with), (name, sorted(values))


#: How each registered extractor is built in the tests (offline), from the test weights `files` gives
#: (files.inception, files.dinov2(name), files.clip(architecture)): a newly registered one needs an entry here.
EXTRACTOR_TEST_CONFIGS = {
    "inception-v3-compat": lambda files: ExtractorConfig(weights_path=files.inception, allow_custom_weights=True),
    "inception-v3-spatial": lambda files: ExtractorConfig(weights_path=files.inception, allow_custom_weights=True),
    "mnist-classifier": lambda files: ExtractorConfig(),
    **{
        name: lambda files, name=name: ExtractorConfig(weights_path=files.dinov2(name), allow_custom_weights=True)
        for name in ("dinov2-vit-s14", "dinov2-vit-b14", "dinov2-vit-l14")
    },
    "clip-vit-l14-336": lambda files: ExtractorConfig(
        weights_path=files.clip("ViT-L-14-336"), allow_custom_weights=True
    ),
}
#: Extractors whose random test weights and forward pass take minutes on a 2-core CPU (the same code runs fast
#: with dinov2-vit-s14 and, in test_modern_extractors, with a small CLIP).
SLOW_EXTRACTORS = {"dinov2-vit-b14", "dinov2-vit-l14", "clip-vit-l14-336"}


@pytest.fixture(scope="session")
def test_weight_files(random_inception_weights, dinov2_weights, clip_weights):
    return SimpleNamespace(inception=random_inception_weights, dinov2=dinov2_weights, clip=clip_weights)


@pytest.mark.parametrize(
    "name", [pytest.param(n, marks=pytest.mark.slow) if n in SLOW_EXTRACTORS else n for n in EXTRACTORS.names()]
)
@pytest.mark.parametrize("shape", [(1, 8), (3, 32)], ids=["gray8", "rgb32"])
def test_every_extractor_gives_exactly_its_declared_outputs(name, shape, test_weight_files):
    assert name in EXTRACTOR_TEST_CONFIGS, f"add an offline test configuration for {name} to EXTRACTOR_TEST_CONFIGS"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the test weights are not the published ones, and say so
        extractor = build_extractor(name, EXTRACTOR_TEST_CONFIGS[name](test_weight_files))
    channels, size = shape
    images = torch.from_numpy(np.random.default_rng(1).integers(0, 256, (3, channels, size, size), dtype=np.uint8))
    outputs = tuple(extractor.output_dims)
    features = extractor.extract(images, outputs)
    assert set(features) == set(outputs) and "pool" in outputs
    for output, dim in extractor.output_dims.items():
        assert features[output].shape == (3, dim) and features[output].dtype == torch.float32
        assert torch.isfinite(features[output]).all()
    assert set(extractor.fingerprint()) == {"extractor", "extractor_weights_sha256", "preprocessing"}
    assert extractor.fingerprint()["extractor"] == name and len(extractor.weights_sha256) == 64
    if channels == 3:  # features do not depend on how the images are batched
        split = torch.cat([extractor.extract(part, outputs)["pool"] for part in (images[:1], images[1:])])
        assert torch.allclose(split, features["pool"], rtol=1e-5, atol=1e-5)

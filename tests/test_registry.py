import pytest

from ganbench.errors import GanbenchError
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
    from ganbench.features import EXTRACTORS
    from ganbench.metrics.presets import METRICS

    assert "inception-v3-compat" in EXTRACTORS
    assert {"fid", "is", "kid", "pr", "dc"} <= set(METRICS.names())

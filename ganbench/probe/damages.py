"""The built-in damages: importing this module registers each family (see ganbench.probe.damage)."""

from ganbench.probe import damages_foreign, damages_modes, damages_quality  # noqa: F401  (registration)

"""The built-in datasets; importing this module registers each (one file per family of datasets)."""

from ganbench.data import bundled_digits, stacked_mnist, synthetic, torchvision_sets  # noqa: F401  (registration)

"""The built-in suites; importing this module registers each (one file per suite)."""

from ganbench.suites import (  # noqa: F401  (registration)
    collections_cifar10,
    mimicry_celeba,
    mimicry_cifar10,
    mimicry_stl10,
    pacgan_grid,
    pacgan_ring,
    pacgan_stacked_mnist_d025,
    veegan_grid,
    veegan_ring,
    veegan_stacked_mnist,
    wgangp_toy_grid,
    wgangp_toy_ring,
)

"""Datasets and samples: what a dataset declares (base), the registered datasets (catalog and one file per
family), resolving names and local folders (resolve, local), the sample kinds (kinds) and drawing seeded
samples from a generator (sampling)."""

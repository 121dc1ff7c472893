"""Feature extractors: each owns its preprocessing, names its outputs and records the sha256 of its weights
(base: the contract and the EXTRACTORS registry; catalog: the built-in ones; extract: streaming batches into
FeatureStats; weights: finding, downloading and checking weight files)."""

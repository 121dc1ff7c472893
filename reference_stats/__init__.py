"""Reference statistics shipped with ganbench (mean and covariance per dataset, extractor and sample count) and
their sha256 manifest; installed as the package `ganbench.reference_stats`. Rebuild them with
`python -m ganbench.scoring.shipping`."""

"""Benchmark suites: the protocols of published tables as data (dataset, models and their pinned settings, sample
counts, metric settings) with the tables' rows and sources; `ganbench suite list|show|compare`, `run --suite`."""

"""ganbench: train, score and compare generative adversarial networks under one protocol."""

__version__ = "0.1.0"

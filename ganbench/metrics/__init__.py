"""Metric maths as pure functions, plus registered presets that say which features they need."""

from ganbench.metrics.frechet import frechet_distance
from ganbench.metrics.inception_score import inception_score
from ganbench.metrics.kid import kernel_inception_distance
from ganbench.metrics.manifold import ManifoldScores, manifold_scores

__all__ = ["frechet_distance", "inception_score", "kernel_inception_distance", "manifold_scores", "ManifoldScores"]

"""Metrics: the maths as pure functions on arrays (frechet, kid, inception_score, manifold, knn, modes,
memorization), their typed settings (config), what a preset is and the METRICS registry (spec), and the
registered presets, one file each (presets/).
"""
